/**
 * `npx tsx bench/algorithm-grid.ts [--quick] [--backend native|js] [--max-iterations N] [--tolerance X] [--dimensions 8,32] [--centers 512]`:
 * the measurements behind `algorithm: 'auto'` (lib/algorithm-choice.ts, docs/algorithm-choice.md).
 * Every exact algorithm fits the same points from the same initial centres on one thread, for a
 * grid of dimensions and centre counts, by default as a default fit stops (tolerance 1e-4); the
 * CPU time of each fit is printed as a Markdown table, with each algorithm's time relative to the
 * fastest of its row. All four reach the same labels, so only time differs.
 */
import { parseArgs } from 'node:util';
import { kmeansSync } from '../lib/index.js';
import type { Algorithm, BackendName } from '../lib/types.js';
import { blobs, generateBlobs, initialCentres } from './datasets.js';
import { embeddingLike } from './endtoend-data.js';

const ALGORITHMS: readonly Algorithm[] = ['elkan', 'yinyang', 'hamerly', 'lloyd'];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'native' },
    'max-iterations': { type: 'string', default: '300' },
    tolerance: { type: 'string', default: '1e-4' },
    // Comma-separated lists in place of the grid's own, for a closer look at a few cells.
    dimensions: { type: 'string' },
    centers: { type: 'string' },
  },
});
const list = (value: string | undefined): number[] | undefined => value?.split(',').map(Number);
const backend = values.backend as BackendName;
const quick = values.quick;
const n = quick ? 5_000 : backend === 'js' ? 20_000 : 50_000;
// The TypeScript backend is 5–20× slower: its grid stops where its fits would take minutes.
const dimensions = list(values.dimensions) ?? (quick ? [2, 32] : backend === 'js' ? [2, 8, 32, 128] : [2, 8, 32, 128, 384]);
const centerCounts = list(values.centers) ?? (quick ? [16, 64] : backend === 'js' ? [16, 64, 256] : [16, 64, 256, 1024]);
const maxIterations = quick ? 3 : Number(values['max-iterations']);
const tolerance = Number(values.tolerance);

function cpuSeconds(fit: () => void): number {
  const start = process.cpuUsage();
  fit();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const header = ['data', 'd', 'k', 'iterations', ...ALGORITHMS, 'fastest'];
console.log(
  `${backend} backend, n = ${n}, one thread, from the same centres, tolerance ${tolerance}, at most ${maxIterations} iterations; CPU seconds, and × the fastest\n`,
);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => ' --- ').join('|')}|`);
for (const d of dimensions) {
  for (const k of centerCounts) {
    const embedding = d >= 128;
    const data = embedding ? embeddingLike(n, d, k, 1, 1) : generateBlobs(blobs(n, d, k, k, 'float32'));
    const init = initialCentres(data, n, d, k);
    const seconds = new Map<Algorithm, number>();
    let labels: Int32Array | undefined;
    let iterations = 0;
    for (const algorithm of ALGORITHMS) {
      let result: ReturnType<typeof kmeansSync> | undefined;
      // The better of two fits: a busy machine only ever adds time.
      const time = Math.min(
        ...[0, 1].map(() =>
          cpuSeconds(() => {
            result = kmeansSync({ data, shape: [n, d] }, k, { init: { data: init, shape: [k, d] }, algorithm, backend, threads: 1, maxIterations, tolerance });
          }),
        ),
      );
      if (labels && !result!.labels.every((label, i) => label === labels![i]))
        throw new Error(`${algorithm} disagrees with ${ALGORITHMS[0]} at d = ${d}, k = ${k}`);
      labels = result!.labels;
      iterations = result!.iterations;
      seconds.set(algorithm, time);
    }
    const best = Math.min(...seconds.values());
    const fastest = ALGORITHMS.find((a) => seconds.get(a) === best)!;
    const cells = ALGORITHMS.map((a) => `${seconds.get(a)!.toFixed(2)} (${(seconds.get(a)! / best).toFixed(2)}×)`);
    console.log(`| ${embedding ? 'embedding-like' : 'blobs'} | ${d} | ${k} | ${iterations} | ${cells.join(' | ')} | ${fastest} |`);
  }
}
