/**
 * Timing and thread-count checks of asynchronous native fits. They read the clock and
 * /proc/self/status, so they run in `npm run test:load` (.ci/run), not in `npm test`, and report
 * what they measured.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { kmeans } from '../../lib/index.js';
import { gaussianBlobs } from '../helpers.js';

/** Data for fits of a few hundred milliseconds to seconds on a 2-core machine: 100 000 × 16, k = 128. */
const BIG = gaussianBlobs(42, 100_000, 16, 128, 4, Float32Array);
const BIG_OPTIONS = { seed: 1, tolerance: 0, maxIterations: 10, init: 'random' as const };
/** 1 000 000 × 16 float32 for k = 2000: one pass over it, seeding round or assignment, takes seconds. */
const MILLION = gaussianBlobs(43, 1_000_000, 16, 2000, 4, Float32Array);

function threadCount(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
}

describe('asynchronous native fits, timed', () => {
  it('keep the event loop responsive during a multi-second fit', async () => {
    let worstLag = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstLag = Math.max(worstLag, now - last - 10);
      last = now;
    }, 10);
    const started = performance.now();
    // Lloyd, whose cost per iteration does not fall as the fit settles: 40 iterations, 2.6 s here
    // with the bfloat16 tiles and 3.4 s without (15 had become 0.8 s with them).
    const result = await kmeans(BIG, 128, { ...BIG_OPTIONS, maxIterations: 40, algorithm: 'lloyd', backend: 'native' });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(result.backend).toBe('native');
    expect(elapsed).toBeGreaterThan(1000);
    expect(worstLag).toBeLessThan(50);
    console.log(`event loop: worst lag ${worstLag.toFixed(1)} ms during a ${elapsed.toFixed(0)} ms fit`);
  });

  it.each([
    ['k-means++', 'native'],
    ['k-means++', 'js'],
    ['k-means||', 'native'],
    ['k-means||', 'js'],
  ] as const)('stop during %s seeding when aborted (%s)', async (init, backend) => {
    // Seeding 1000 centres over 100 000 points takes seconds; the abort comes after 100 ms.
    const controller = new AbortController();
    let iterations = 0;
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    await expect(
      kmeans(BIG, 1000, {
        seed: 1,
        init,
        backend,
        signal: controller.signal,
        onIteration: () => {
          iterations++;
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(iterations).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['a k-means|| round', { init: 'k-means||' }],
    ["Lloyd's assignment", { init: 'random', algorithm: 'lloyd' }],
  ] as const)('stop within %s over a million points when aborted (native)', async (name, options) => {
    // Each pass compares 1 000 000 points with up to 4000 centres: seconds on two cores, which the
    // abort must not wait out.
    const controller = new AbortController();
    let aborted = 0;
    setTimeout(() => {
      aborted = performance.now();
      controller.abort();
    }, 300);
    await expect(kmeans(MILLION, 2000, { seed: 1, backend: 'native', signal: controller.signal, ...options })).rejects.toMatchObject({ name: 'AbortError' });
    const waited = performance.now() - aborted;
    console.log(`abort within ${name}: rejected ${waited.toFixed(0)} ms after the signal`);
    expect(waited).toBeLessThan(500);
  });

  it('run 16 concurrent fits within a bounded thread count (their results: async-fits.test.ts)', async () => {
    const jobs = Array.from({ length: 16 }, (_, i) => ({ points: gaussianBlobs(100 + i, 4000 + 500 * i, 2 + (i % 5), 8 + i, 2), k: 8 + i }));
    const before = threadCount();
    let most = before;
    const sampler = setInterval(() => {
      most = Math.max(most, threadCount());
    }, 2);
    await Promise.all(jobs.map((job, seed) => kmeans(job.points, job.k, { seed, backend: 'native' })));
    clearInterval(sampler);
    // One budget of threads is shared: at most as many fits run at once as it has threads, each
    // with its own thread and OpenMP team; queued fits hold no thread.
    console.log(`threads: ${before} before, at most ${most} during 16 concurrent fits`);
    expect(most - before).toBeLessThanOrEqual(4 * availableParallelism());
  });
});
