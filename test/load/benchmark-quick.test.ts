import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOptions } from '../../bench/options.js';
import type { BenchResults } from '../../bench/results.js';
import { nativeAlgorithmPreference } from '../../lib/native-backend.js';
import { loadNative } from '../../lib/native-loader.js';

const ROOT = join(__dirname, '..', '..');

/**
 * Well-formedness without an XML library: every tag closes in order, attributes are quoted, and
 * text holds no bare `<` or `&`. Returns the problems found.
 */
function xmlProblems(source: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let roots = 0;
  let i = 0;
  while (i < source.length) {
    const next = source.indexOf('<', i);
    const textEnd = next === -1 ? source.length : next;
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(source.slice(i, textEnd))) problems.push(`bare & before offset ${textEnd}`);
    if (next === -1) break;
    tag.lastIndex = next;
    const match = tag.exec(source);
    if (!match) {
      problems.push(`malformed tag at offset ${next}: ${source.slice(next, next + 40)}`);
      break;
    }
    const [whole, closing, name, , selfClosing] = match;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) {
      roots++;
    }
    i = next + whole.length;
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

describe('npm run bench -- --quick', () => {
  let out: string;
  let results: BenchResults;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'elkan-kmeans-bench-test-'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(run.status, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.stdout).toContain('speed-up vs TS Elkan');
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
  }, 180_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('compares every implementation on the same data and finds the same inertia', () => {
    expect(results.mode).toBe('quick');
    expect(results.comparison.length).toBeGreaterThan(0);
    const entries = results.comparison[0].entries;
    const byImplementation = (id: string) => entries.filter((e) => e.variant.implementation === id);
    for (const id of ['ts-elkan', 'ts-lloyd', 'ml-kmeans', 'skmeans']) {
      expect(
        byImplementation(id).map((e) => e.status),
        id,
      ).toEqual(['ok']);
    }
    const native = byImplementation('native-elkan');
    expect(native.length).toBeGreaterThan(0);
    for (const entry of native) expect(entry.status).toBe(loadNative().binding ? 'ok' : 'failed');
    const sklearn = [...byImplementation('sklearn-elkan'), ...byImplementation('sklearn-lloyd')];
    expect(sklearn).toHaveLength(2);
    for (const entry of sklearn) expect(entry.status).toBe(results.machine.python ? 'ok' : 'skipped');

    for (const entry of entries.filter((e) => e.status === 'ok')) {
      expect(entry.flagged, entry.label).toBe(false);
      expect(entry.timesMs.length).toBeGreaterThan(0);
      expect(entry.iterations).toBeGreaterThan(0);
      expect(entry.peakRssMiB).toBeGreaterThan(0);
      expect(entry.speedup).toBeGreaterThan(0);
    }
  });

  it('sweeps threads and each of n, k and d', () => {
    expect(results.threadScaling?.series.map((s) => s.implementation)).toContain('native-elkan');
    expect(results.growth?.axes.map((a) => a.axis)).toEqual(['n', 'k', 'd']);
    for (const { points } of results.growth!.axes) {
      expect(points.length).toBeGreaterThan(1);
      for (const point of points) {
        const ts = point.entries.find((m) => m.variant.implementation === 'ts-elkan');
        expect(ts?.status).toBe('ok');
      }
    }
  });

  it('measures the nearest-centre step against numpy and the peak', () => {
    const throughput = results.throughput!;
    expect(throughput.rows.length).toBeGreaterThan(1);
    const native = loadNative().binding !== undefined;
    for (const row of throughput.rows) {
      expect(row.native !== null, `d = ${row.d}`).toBe(native);
      if (row.native) expect(row.native.gflops).toBeGreaterThan(0);
      expect(row.numpy !== null, `numpy d = ${row.d}`).toBe(native && results.machine.python !== null);
      if (row.numpy) expect(row.numpy.n).toBe(row.native!.n);
    }
    if (native && results.machine.python) expect(throughput.notes).toEqual([]);
    expect(throughput.ts.length).toBeGreaterThan(0);
    for (const entry of throughput.ts) expect(entry.gflops).toBeGreaterThan(0);
    expect(throughput.peak.gflops === null || throughput.peak.gflops > 0).toBe(true);
  });

  it('fits every library with its defaults and evaluates every inertia the same way', () => {
    expect(results.endToEnd.map((row) => row.dataset.n)).toEqual([2000, 2000]);
    for (const row of results.endToEnd) {
      const status = (id: string) => row.entries.find((e) => e.variant.implementation === id)?.status;
      expect(status('ours-default')).toBe('ok');
      expect(status('sklearn-default')).toBe(results.machine.python ? 'ok' : 'skipped');
      expect(status('faiss-default')).toBe(results.machine.python?.faiss ? 'ok' : 'skipped');
      for (const entry of row.entries.filter((e) => e.status === 'ok')) {
        expect(entry.iterations, entry.label).toBeGreaterThan(0);
        expect(Number.isFinite(entry.inertiaVsOurs), entry.label).toBe(true);
        // Different seedings end in different local optima, but of the same data: within a few percent.
        expect(Math.abs(entry.inertiaVsOurs), entry.label).toBeLessThan(0.2);
      }
    }
  });

  it('runs the long Lloyd rows, where all of our algorithms give one result', () => {
    expect(results.distance).toHaveLength(2);
    for (const row of results.distance) {
      // The algorithm 'auto' took is not fitted twice.
      const ours = row.entries.filter((e) => e.variant.implementation.startsWith('native-') && !e.note?.startsWith("the fit of 'auto'"));
      for (const entry of ours) expect(entry.status, entry.label).toBe(loadNative().binding ? 'ok' : 'failed');
      expect(new Set(ours.map((e) => e.reportedInertia)).size).toBe(1);
      const sklearn = row.entries.find((e) => e.variant.implementation === 'sklearn-lloyd');
      expect(sklearn?.status).toBe(results.machine.python ? 'ok' : 'skipped');
      if (sklearn?.status === 'ok') expect(ours[0].vsSklearn).toBeGreaterThan(0);
    }
    // 'auto' ran what the native backend chooses for the shape (16 000 × 16, k = 32: Hamerly).
    expect(results.distance[1].entries.find((e) => e.variant.implementation === 'native-auto')?.algorithm).toBe(nativeAlgorithmPreference(16_000, 16, 32)[0]);
  });

  it('runs the cosine row: metric cosine against euclidean on the same points and centres', () => {
    expect(results.cosine.map((row) => row.dataset.n)).toEqual([2000]);
    const [euclidean, cosine] = results.cosine[0].entries;
    expect([euclidean.variant.implementation, cosine.variant.implementation]).toEqual(['native-auto', 'native-auto-cosine']);
    for (const entry of [euclidean, cosine]) expect(entry.status, entry.label).toBe(loadNative().binding ? 'ok' : 'failed');
    if (cosine.status === 'ok') {
      expect(euclidean.vsEuclidean).toBe(1);
      expect(cosine.vsEuclidean).toBeGreaterThan(0);
      // Unit centres: Σ (2 − 2 cos) over 2000 points lies in [0, 8000].
      expect(cosine.reportedInertia).toBeGreaterThan(0);
      expect(cosine.reportedInertia).toBeLessThan(8000);
    }
  });

  it('fits the big-data mixture with ours, MiniBatchKMeans and FAISS, and evaluates every inertia the same way', () => {
    const bigdata = results.bigdata!;
    expect(bigdata.spec).toMatchObject({ n: 20_000, d: 32, k: 20 });
    const status = (id: string) => bigdata.entries.find((e) => e.implementation === id)?.status;
    expect(status('ours')).toBe('ok');
    expect(status('sklearn-minibatch')).toBe(results.machine.python ? 'ok' : 'skipped');
    expect(status('faiss')).toBe(results.machine.python?.faiss ? 'ok' : 'skipped');
    for (const entry of bigdata.entries.filter((e) => e.status === 'ok')) {
      expect(entry.iterations, entry.implementation).toBeGreaterThan(0);
      expect(entry.peakRssMiB, entry.implementation).toBeGreaterThan(0);
      // FAISS's random seeding can end far from the others on a mixture: only a real inertia is asked of it.
      expect(entry.inertia, entry.implementation).toBeGreaterThan(0);
    }
  });

  it('runs the mini-batch rows: both backends give one result, scikit-learn when it is there', () => {
    const rows = results.miniBatch?.rows ?? [];
    const ours = rows.filter((row) => row.implementation.startsWith('ours miniBatchKMeans'));
    const backends = loadNative().binding ? ['native', 'js'] : ['js'];
    expect(ours.map((row) => row.implementation)).toEqual(backends.map((backend) => `ours miniBatchKMeans (${backend})`));
    expect(new Set(ours.map((row) => row.inertia)).size).toBe(1);
    expect(rows.some((row) => row.implementation.startsWith('ours kmeans default'))).toBe(true);
    expect(rows.some((row) => row.implementation.includes('MiniBatchKMeans') && row.implementation.startsWith('scikit-learn'))).toBe(
      results.machine.python !== null,
    );
  });

  it('leaves the committed results alone when no --out is given', () => {
    const options = parseOptions(['--quick']);
    expect(options !== 'help' && options.out).not.toBe(join(ROOT, 'bench', 'results'));
  });

  it('writes well-formed SVG charts and a Markdown report', () => {
    for (const chart of ['speedup.svg', 'growth.svg']) {
      const svg = readFileSync(join(out, chart), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), chart).toBe(true);
      expect(xmlProblems(svg), chart).toEqual([]);
    }
    const speedup = readFileSync(join(out, 'speedup.svg'), 'utf8');
    for (const label of ['TS Elkan', 'ml-kmeans', 'skmeans']) expect(speedup).toContain(label);
    const markdown = readFileSync(join(out, 'results.md'), 'utf8');
    expect(markdown).toContain('| implementation |');
    expect(markdown).toContain(results.command);
    for (const heading of ['## Throughput of the nearest-centre step', '## End to end', '## Long Lloyd fits', '## Cosine k-means'])
      expect(markdown).toContain(heading);
  });
});
