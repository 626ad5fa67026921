/**
 * Load: 100 sequential and 16 concurrent asynchronous native fits of varied shapes give the
 * TypeScript reference's answers, without leaking memory or threads.
 *
 * The memory rule: every data set and every reference result is made before the first native fit,
 * so the native fits are the only allocations left. Where the resident set size settled after the
 * first few fits (its highest reading over fits 10 to 20) is the baseline; after all 116 it may
 * exceed the baseline by at most 10%. The first 10 sequential
 * fits are the 10 with the largest working sets, and the concurrent ones are small (at most 4 run
 * at once), so the baseline already holds the allocator's high-water mark: RSS follows the largest
 * fit so far, not the number of fits, and without this order it grows by ~15% while fits 10 to 20
 * reach new sizes, then stays flat. A fit that leaked its bounds, labels or centroids would add up
 * to a few MB each, and 106 of them far more than 10%. (vitest's forks cannot be given --expose-gc
 * from a test file, so no collection is forced; the native buffers are outside the JavaScript heap
 * anyway, and the heap garbage of 116 small results stays well below 10%.)
 *
 * The thread rule: the process never holds more than its threads before the first fit plus
 * 4 × cores + 4 (4 libuv workers, each with at most one OpenMP team of the shared core budget,
 * and slack for V8's and vitest's own helpers).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { kmeans, kmeansSync } from '../../lib/index.js';
import { Random } from '../../lib/core/random.js';
import type { Algorithm, KMeansOptions, Matrix } from '../../lib/types.js';
import { gaussianBlobs } from '../helpers.js';

function threadCount(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
}

const MB = 1024 * 1024;

interface Job {
  points: Matrix;
  k: number;
  options: KMeansOptions;
}

/** Shapes, element types, algorithms, inits and weights drawn from one seeded stream. */
function makeJobs(count: number, seed: number, maxN: number): Job[] {
  const rng = new Random(seed);
  const algorithms: Array<Algorithm | 'auto'> = ['auto', 'elkan', 'hamerly', 'yinyang', 'lloyd'];
  return Array.from({ length: count }, (_, i) => {
    const n = 200 + rng.nextIndex(maxN - 200);
    const d = 1 + rng.nextIndex(12);
    const k = 1 + rng.nextIndex(Math.min(n, 24));
    const type = rng.nextIndex(2) === 0 ? Float32Array : Float64Array;
    const points = gaussianBlobs(seed + i, n, d, Math.max(1, k), [0.5, 1, 3][rng.nextIndex(3)], type);
    const options: KMeansOptions = {
      seed: i,
      algorithm: algorithms[rng.nextIndex(algorithms.length)],
      init: rng.nextIndex(3) === 0 ? 'random' : 'k-means++',
      nInit: 1 + rng.nextIndex(2),
      tolerance: rng.nextIndex(2) === 0 ? 0 : 1e-4,
      maxIterations: 60,
    };
    if (rng.nextIndex(4) === 0) {
      const weights = Array.from({ length: n }, () => rng.nextIndex(4) / 2);
      weights[0] = 1;
      options.weights = weights;
    }
    return { points, k, options };
  });
}

describe('load', () => {
  it('100 sequential and 16 concurrent native fits match the TypeScript reference, with bounded memory and threads', async () => {
    const threadsBefore = threadCount();
    // The 10 largest working sets first (data, labels and Elkan's n × k bounds), then the rest in order.
    const footprint = ({ points, k }: Job): number => points.shape[0] * (points.shape[1] + k + 2);
    const drawn = makeJobs(100, 500, 20_000);
    const largest = [...drawn].sort((a, b) => footprint(b) - footprint(a)).slice(0, 10);
    const sequential = [...largest, ...drawn.filter((job) => !largest.includes(job))];
    const concurrent = makeJobs(16, 900, 5000);
    const reference = [...sequential, ...concurrent].map((job) => {
      const result = kmeansSync(job.points, job.k, { ...job.options, backend: 'js' });
      return { labels: result.labels, inertia: result.inertia, iterations: result.iterations };
    });

    let most = threadCount();
    const sampler = setInterval(() => {
      most = Math.max(most, threadCount());
    }, 2);
    let baselineRss = 0;
    const started = performance.now();
    try {
      for (let i = 0; i < sequential.length; i++) {
        const job = sequential[i];
        const result = await kmeans(job.points, job.k, { ...job.options, backend: 'native' });
        expect(result.backend).toBe('native');
        expect(result.labels, `sequential fit ${i}`).toEqual(reference[i].labels);
        expect(result.inertia, `sequential fit ${i}`).toBe(reference[i].inertia);
        expect(result.iterations, `sequential fit ${i}`).toBe(reference[i].iterations);
        // Where RSS settled after the first few fits: its highest reading over fits 10 to 20.
        if (i >= 9 && i < 20) baselineRss = Math.max(baselineRss, process.memoryUsage().rss);
      }
      const results = await Promise.all(concurrent.map((job) => kmeans(job.points, job.k, { ...job.options, backend: 'native' })));
      results.forEach((result, i) => {
        const expected = reference[sequential.length + i];
        expect(result.labels, `concurrent fit ${i}`).toEqual(expected.labels);
        expect(result.inertia, `concurrent fit ${i}`).toBe(expected.inertia);
        expect(result.iterations, `concurrent fit ${i}`).toBe(expected.iterations);
      });
    } finally {
      clearInterval(sampler);
    }
    const finalRss = process.memoryUsage().rss;
    const elapsed = performance.now() - started;
    const cores = availableParallelism();
    console.log(
      `load: 116 native fits in ${elapsed.toFixed(0)} ms; RSS settled at ${(baselineRss / MB).toFixed(1)} MB over fits 10-20, ` +
        `after 116 ${(finalRss / MB).toFixed(1)} MB (${(((finalRss - baselineRss) / baselineRss) * 100).toFixed(1)}%); ` +
        `threads before ${threadsBefore}, most ${most} (limit ${threadsBefore + 4 * cores + 4})`,
    );
    expect(finalRss).toBeLessThanOrEqual(baselineRss * 1.1);
    expect(most).toBeLessThanOrEqual(threadsBefore + 4 * cores + 4);
  }, 60_000);
});
