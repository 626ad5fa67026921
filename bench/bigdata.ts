/**
 * The bigdata section: one large default-style fit of ours (init 'auto', which takes k-means|| at
 * this size; tolerance 1e-4) against scikit-learn's MiniBatchKMeans and FAISS's Kmeans with their
 * defaults. The points are a Gaussian mixture written once, chunk by chunk, to a temporary float32
 * file that every measuring process reads (ours into one array, Python through np.memmap), so no
 * process holds a second copy. Each result's inertia is evaluated the same way afterwards: the
 * float64 inertia of its centroids over the full data (bigdata-worker.ts, mode 'inertia').
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../lib/core/random.js';
import { measureChild } from './measure.js';
import type { PythonInfo } from './python.js';

export interface BigDataSpec {
  n: number;
  d: number;
  k: number;
  /** Components of the mixture. */
  components: number;
  seed: number;
  tolerance: number;
}

/** 10 000 000 × 32 float32 (1.28 GB), k = 1000: the size the section is for. */
export const BIGDATA_DEFAULT: BigDataSpec = { n: 10_000_000, d: 32, k: 1000, components: 1000, seed: 1, tolerance: 1e-4 };
/** --quick: the same code on a tiny mixture. */
export const BIGDATA_QUICK: BigDataSpec = { n: 20_000, d: 32, k: 20, components: 20, seed: 1, tolerance: 1e-4 };

export interface BigDataEntry {
  implementation: 'ours' | 'sklearn-minibatch' | 'faiss';
  /** What ran, in words: the call and the options that differ from its defaults. */
  call: string;
  status: 'ok' | 'failed' | 'skipped';
  note?: string;
  seconds: number;
  cpuSeconds: number;
  iterations: number;
  peakRssMiB: number;
  /** Of the returned centroids over the full data, in float64. */
  inertia: number;
}

export interface BigDataResult {
  spec: BigDataSpec;
  /** How the data was made, in words. */
  data: string;
  threads: number;
  entries: BigDataEntry[];
}

/** What a measuring child of this section prints. */
export interface BigDataOutput {
  seconds: number;
  cpuMs: number;
  iterations: number;
  peakRssBytes: number;
  centroids: number[];
  note?: string;
}

export function describeMixture({ n, d, components, seed }: BigDataSpec): string {
  return (
    `${n} × ${d} float32 points of a Gaussian mixture of ${components} equally likely components: means drawn N(0, 10²) per coordinate, ` +
    `unit variance around them; the project's xoshiro128** generator (lib/core/random.ts) seeded ${seed}, Box-Muller normals, ` +
    'means first, then each point its component and its coordinates'
  );
}

function gaussian(rng: Random): number {
  return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
}

/** Writes the mixture to `file`, 65 536 rows at a time. */
export function writeMixture(file: string, spec: BigDataSpec): void {
  const { n, d, components, seed } = spec;
  const rng = new Random(seed);
  const means = Float64Array.from({ length: components * d }, () => 10 * gaussian(rng));
  const chunkRows = 65_536;
  const chunk = new Float32Array(chunkRows * d);
  const fd = openSync(file, 'w');
  try {
    for (let start = 0; start < n; start += chunkRows) {
      const rows = Math.min(chunkRows, n - start);
      for (let r = 0; r < rows; r++) {
        const c = rng.nextIndex(components);
        for (let j = 0; j < d; j++) chunk[r * d + j] = means[c * d + j] + gaussian(rng);
      }
      writeSync(fd, chunk, 0, rows * d * 4);
    }
  } finally {
    closeSync(fd);
  }
}

const WORKER = join(__dirname, 'bigdata-worker.ts');
const PYTHON_SCRIPT = join(__dirname, 'bigdata_kmeans.py');

export async function runBigData(
  spec: BigDataSpec,
  threads: number,
  workDir: string,
  python: PythonInfo | undefined,
  pythonMissing: string,
  log: (line: string) => void,
): Promise<BigDataResult> {
  const file = join(workDir, 'bigdata.f32');
  const { n, d, k, seed, tolerance } = spec;
  log(`\nBig data: ${n} × ${d} float32, k = ${k}, ${threads} threads; writing the mixture to ${file}`);
  writeMixture(file, spec);
  const job = { file, n, d, k, seed, tolerance, threads };
  const calls = {
    ours: `kmeansSync(points, ${k}, { seed: ${seed} }) (init 'auto', tolerance ${tolerance})`,
    'sklearn-minibatch': `MiniBatchKMeans(n_clusters=${k}, random_state=${seed}).fit(X)`,
    faiss: `faiss.Kmeans(${d}, ${k}, seed=${seed}).train(X)`,
  } as const;
  const entries: BigDataEntry[] = [];
  const centroids: number[][] = [];
  for (const implementation of Object.keys(calls) as Array<keyof typeof calls>) {
    const entry: BigDataEntry = {
      implementation,
      call: calls[implementation],
      status: 'ok',
      seconds: NaN,
      cpuSeconds: NaN,
      iterations: 0,
      peakRssMiB: NaN,
      inertia: NaN,
    };
    entries.push(entry);
    if (implementation !== 'ours' && (!python || (implementation === 'faiss' && python.faiss === null))) {
      entry.status = 'skipped';
      entry.note = python ? 'FAISS does not import in this Python' : pythonMissing;
      log(`  ${implementation.padEnd(18)} skipped: ${entry.note}`);
      continue;
    }
    try {
      const { output } =
        implementation === 'ours'
          ? await measureChild<BigDataOutput>(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify({ ...job, mode: 'fit' })])
          : await measureChild<BigDataOutput>(python!.executable, [PYTHON_SCRIPT, JSON.stringify({ ...job, implementation })]);
      Object.assign(entry, {
        seconds: output.seconds,
        cpuSeconds: output.cpuMs / 1000,
        iterations: output.iterations,
        peakRssMiB: output.peakRssBytes / 2 ** 20,
        ...(output.note ? { note: output.note } : {}),
      });
      centroids[entries.length - 1] = output.centroids;
      log(`  ${implementation.padEnd(18)} ${output.seconds.toFixed(1)} s, ${output.iterations} iterations, peak RSS ${entry.peakRssMiB.toFixed(0)} MiB`);
    } catch (error) {
      entry.status = 'failed';
      entry.note = error instanceof Error ? error.message : String(error);
      log(`  ${implementation.padEnd(18)} failed: ${entry.note}`);
    }
  }
  const measured = entries.map((_, i) => centroids[i] ?? null);
  const centroidsFile = join(workDir, 'bigdata-centroids.json');
  writeFileSync(centroidsFile, JSON.stringify(measured));
  const { output } = await measureChild<{ inertias: Array<number | null>; cpuMs: number }>(process.execPath, [
    '--import',
    'tsx',
    WORKER,
    JSON.stringify({ ...job, mode: 'inertia', centroidsFile }),
  ]);
  output.inertias.forEach((inertia, i) => {
    if (inertia !== null) entries[i].inertia = inertia;
  });
  for (const entry of entries) if (entry.status === 'ok') log(`  ${entry.implementation.padEnd(18)} inertia ${entry.inertia.toPrecision(8)}`);
  return { spec, data: describeMixture(spec), threads, entries };
}
