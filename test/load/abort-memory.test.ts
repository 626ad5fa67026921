/**
 * An aborted native fit releases what it allocated and leaves the library usable: 20 large fits in
 * a row, aborted either during k-means++ seeding or between iterations, do not grow the resident
 * set by even one fit's worth of Elkan bounds, and a normal fit afterwards gives the TypeScript
 * reference's result.
 *
 * The size: n = 100 000 points, k = 750 centres. Elkan keeps n × k lower bounds (float32 in the
 * native core: 300 MB, as lib/native-backend.ts budgets them) plus per-point upper bounds, so a fit
 * whose bounds were not freed would add about 300 MB of RSS, and 20 of them 6 GB.
 */
import { describe, expect, it } from 'vitest';
import { kmeans } from '../../lib/index.js';
import type { KMeansOptions } from '../../lib/types.js';
import { gaussianBlobs } from '../helpers.js';

const MB = 1024 * 1024;
const N = 100_000;
const K = 750;
const ONE_FIT_BYTES = 4 * N * K; // the native core's float32 lower bounds alone
const POINTS = gaussianBlobs(11, N, 2, 40, 2);

function rss(): number {
  return process.memoryUsage().rss;
}

/** Aborts from onIteration after the first iteration: the bounds exist by then. */
async function abortBetweenIterations(seed: number): Promise<number> {
  const controller = new AbortController();
  let iterations = 0;
  let peak = rss();
  const options: KMeansOptions = {
    seed,
    backend: 'native',
    algorithm: 'elkan',
    init: 'random',
    tolerance: 0,
    maxIterations: 50,
    signal: controller.signal,
    onIteration: () => {
      iterations++;
      peak = Math.max(peak, rss());
      controller.abort();
    },
  };
  await expect(kmeans(POINTS, K, options)).rejects.toMatchObject({ name: 'AbortError' });
  expect(iterations).toBeGreaterThanOrEqual(1);
  expect(iterations).toBeLessThan(50);
  return peak;
}

/** Aborts 30 ms into k-means++ seeding of 750 centres (which alone takes seconds here). */
async function abortDuringSeeding(seed: number): Promise<void> {
  const controller = new AbortController();
  let iterations = 0;
  const timer = setTimeout(() => controller.abort(), 30);
  const started = performance.now();
  try {
    await expect(
      kmeans(POINTS, K, {
        seed,
        backend: 'native',
        algorithm: 'elkan',
        signal: controller.signal,
        onIteration: () => {
          iterations++;
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  } finally {
    clearTimeout(timer);
  }
  expect(iterations).toBe(0);
  expect(performance.now() - started).toBeLessThan(2000);
}

describe('aborted native fits', () => {
  it('release their memory: 20 aborted 300 MB Elkan fits in a row, then a normal fit gives the reference result', async () => {
    const before = rss();
    // One of each first: the allocator's and the thread pool's own footprint is in the baseline.
    const firstPeak = await abortBetweenIterations(0);
    await abortDuringSeeding(0);
    const baseline = rss();
    let most = baseline;
    let peak = firstPeak;
    for (let i = 1; i <= 20; i++) {
      if (i % 2 === 0) await abortDuringSeeding(i);
      else peak = Math.max(peak, await abortBetweenIterations(i));
      most = Math.max(most, rss());
    }
    const after = rss();
    console.log(
      `aborted fits: RSS before ${(before / MB).toFixed(0)} MB, during a fit up to ${(peak / MB).toFixed(0)} MB, ` +
        `after 2 aborted ${(baseline / MB).toFixed(0)} MB, after 20 more ${(after / MB).toFixed(0)} MB ` +
        `(most between fits ${(most / MB).toFixed(0)} MB; one fit's bounds ${(ONE_FIT_BYTES / MB).toFixed(0)} MB)`,
    );
    // The bounds were really allocated (the fits were as large as intended)...
    expect(peak - before).toBeGreaterThan(ONE_FIT_BYTES / 2);
    // ...and every aborted fit gave them back: never one fit's worth above the baseline.
    expect(most - baseline).toBeLessThan(ONE_FIT_BYTES / 2);
    expect(after - baseline).toBeLessThan(ONE_FIT_BYTES / 2);

    // The library is still usable and exact.
    const small = gaussianBlobs(5, 20_000, 4, 12, 2);
    const options: KMeansOptions = { seed: 3, algorithm: 'elkan' };
    const native = await kmeans(small, 12, { ...options, backend: 'native' });
    const js = await kmeans(small, 12, { ...options, backend: 'js' });
    expect(native.labels).toEqual(js.labels);
    expect(native.inertia).toBe(js.inertia);
    expect(native.iterations).toBe(js.iterations);
  }, 120_000);
});
