/**
 * A fit far beyond Elkan's memory: n = 2 000 000, d = 2, k = 4000. Elkan's n × k bounds would take
 * 64 GB, so 'auto' runs what the native backend prefers for the shape within the memory budget
 * (Yinyang, one float32 bound per point and group of forty centres: 800 MB; else Hamerly, two
 * bounds per point, 32 MB) and the process stays small instead of being killed for memory.
 *
 * Cost on the 2-core test machine: k-means++ over 2M points × 4000 centres would take minutes, so
 * the centres are drawn at random (one run), and the fit stops after 2 iterations. Each Hamerly
 * pass over 2M × 4000 distances takes seconds; the whole fit measured 11 s here on its own and 17 s
 * beside other busy suites (iteration 1 about 60% of it, then iteration 2 and sklearn's final
 * assignment), so maxIterations stays at 2.
 */
import { describe, expect, it } from 'vitest';
import { kmeans, kmeansSync } from '../../lib/index.js';
import { nativeAlgorithmPreference } from '../../lib/native-backend.js';
import { gaussianBlobs } from '../helpers.js';

const GB = 1024 ** 3;

describe('a fit with n = 2 000 000 and k = 4000', () => {
  it('runs Yinyang or Hamerly under "auto", never Elkan, and keeps the resident set below 2 GB', async () => {
    const n = 2_000_000;
    const k = 4000;
    const points = gaussianBlobs(1, n, 2, 50, 1);
    // Elkan asked for explicitly is refused up front (64 GB of bounds), before any work.
    expect(() => kmeansSync(points, k, { algorithm: 'elkan', init: 'random', nInit: 1 })).toThrow(RangeError);

    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const started = performance.now();
    let result;
    try {
      result = await kmeans(points, k, { seed: 1, init: 'random', nInit: 1, maxIterations: 2, backend: 'native' });
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `n 2M, d 2, k 4000: ${result.algorithm}, ${result.iterations} iterations on ${result.threads} threads in ${seconds.toFixed(1)} s; peak RSS ${(peak / GB).toFixed(2)} GB`,
    );

    expect(result.algorithm).toBe(nativeAlgorithmPreference(n, 2, k)[0]);
    expect(result.backend).toBe('native');
    expect(result.labels).toHaveLength(n);
    expect(result.iterations).toBe(2);
    expect(result.centroids.shape).toEqual([k, 2]);
    expect(Number.isFinite(result.inertia)).toBe(true);
    let outOfRange = 0;
    for (const label of result.labels) if (label < 0 || label >= k) outOfRange++;
    expect(outOfRange).toBe(0);
    expect(peak).toBeLessThan(2 * GB);
  }, 300_000);
});
