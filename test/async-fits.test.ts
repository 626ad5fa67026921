import { describe, expect, it } from 'vitest';
import { kmeans, kmeansSync } from '../lib/index.js';
import { loadNative } from '../lib/native-loader.js';
import type { IterationInfo, KMeansResult } from '../lib/types.js';
import { expectSameArray } from './assertions.js';
import { gaussianBlobs } from './helpers.js';

/** Data for fits of a few hundred milliseconds to seconds on a 2-core machine: 100 000 × 16, k = 128. */
const BIG = gaussianBlobs(42, 100_000, 16, 128, 4, Float32Array);
const BIG_OPTIONS = { seed: 1, tolerance: 0, maxIterations: 10, init: 'random' as const };

describe('asynchronous native fits', () => {
  it('deliver every iteration in order on the main thread', async () => {
    const seen: IterationInfo[] = [];
    const points = gaussianBlobs(3, 20_000, 8, 20, 3);
    const result = await kmeans(points, 20, { seed: 8, nInit: 3, init: 'random', backend: 'native', onIteration: (info) => seen.push(info) });
    const sync = kmeansSync(points, 20, { seed: 8, nInit: 3, init: 'random', backend: 'js', onIteration: () => {} });
    expect(result.inertia).toBe(sync.inertia);
    for (let run = 0; run < 3; run++) {
      const iterations = seen.filter((info) => info.run === run).map((info) => info.iteration);
      expect(iterations).toEqual(Array.from({ length: iterations.length }, (_, i) => i + 1));
    }
    expect(seen.map((info) => info.run)).toEqual([...seen.map((info) => info.run)].sort((a, b) => a - b));
    expect(seen[0].changed).toBe(20_000);
  });

  it.each(['native', 'js'] as const)('stop between iterations on abort and reject with an AbortError (%s)', async (backend) => {
    const controller = new AbortController();
    const seen: number[] = [];
    // The addon fits on a thread of its own, which must still be running when the abort comes. The
    // TypeScript backend checks the signal on the event loop between iterations, so a tenth of the
    // points tests it as well, at a tenth of the time.
    const points = backend === 'native' ? BIG : gaussianBlobs(42, 10_000, 16, 128, 4, Float32Array);
    const promise = kmeans(points, 128, {
      ...BIG_OPTIONS,
      backend,
      signal: controller.signal,
      onIteration: ({ iteration }) => {
        seen.push(iteration);
        if (iteration === 2) controller.abort();
      },
    });
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBeLessThan(6);
    // The library stays usable afterwards.
    const after = await kmeans([[0], [1], [10]], 2, { seed: 1, backend });
    expect(after.labels).toHaveLength(3);
  });

  it('reject at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(kmeans([[0], [1]], 1, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(() => kmeansSync([[0], [1]], 1, { signal: controller.signal })).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });

  it('let onIteration abort a synchronous fit', () => {
    for (const backend of ['js', 'native'] as const) {
      const controller = new AbortController();
      expect(() =>
        kmeansSync(gaussianBlobs(1, 5000, 4, 30, 5), 30, {
          seed: 1,
          tolerance: 0,
          backend,
          signal: controller.signal,
          onIteration: () => controller.abort(),
        }),
      ).toThrow(expect.objectContaining({ name: 'AbortError' }));
    }
  });

  it('reject with what onIteration throws', async () => {
    const failure = new Error('from the callback');
    await expect(
      kmeans(gaussianBlobs(1, 5000, 4, 30, 5), 30, {
        seed: 1,
        backend: 'native',
        onIteration: () => {
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
  });

  it.each(['native', 'js'] as const)('reject with whatever onIteration throws, Error or not (%s)', async (backend) => {
    for (const thrown of ['a string', 42, undefined, null, { reason: 'an object' }]) {
      let calls = 0;
      const fit = kmeans(gaussianBlobs(1, 5000, 4, 30, 5), 30, {
        seed: 1,
        backend,
        tolerance: 0,
        onIteration: () => {
          calls++;
          throw thrown;
        },
      });
      await fit.then(
        () => expect.fail(`the fit resolved although onIteration threw ${String(thrown)}`),
        (error) => expect(error).toBe(thrown),
      );
      expect(calls).toBe(1);
    }
  });

  it.each(['native', 'js'] as const)('call onIteration no more once the fit is aborted (%s)', async (backend) => {
    // Iterations of a few hundred microseconds: the addon has queued many reports by the time the
    // first one reaches JavaScript.
    for (const sync of [false, true]) {
      const controller = new AbortController();
      let calls = 0;
      const options = {
        seed: 1,
        backend,
        tolerance: 0,
        maxIterations: 300,
        init: 'random' as const,
        signal: controller.signal,
        onIteration: () => {
          calls++;
          controller.abort();
        },
      };
      const points = gaussianBlobs(2, 2000, 2, 40, 10);
      if (sync) expect(() => kmeansSync(points, 40, options)).toThrow(expect.objectContaining({ name: 'AbortError' }));
      else await expect(kmeans(points, 40, options)).rejects.toMatchObject({ name: 'AbortError' });
      expect(calls).toBe(1);
    }
  });

  it('reject a fit waiting for threads as soon as it is aborted, while the one it waits for still runs', async () => {
    const { binding } = loadNative();
    const capacity = binding!.maxThreads;
    const running = new AbortController();
    let longSettled = false;
    let firstIteration!: () => void;
    const started = new Promise<void>((resolve) => {
      firstIteration = resolve;
    });
    const long = kmeans(BIG, 128, {
      ...BIG_OPTIONS,
      maxIterations: 10_000,
      algorithm: 'lloyd',
      backend: 'native',
      threads: capacity,
      signal: running.signal,
      onIteration: () => firstIteration(),
    });
    long
      .catch(() => {})
      .finally(() => {
        longSettled = true;
      });
    await started;
    const waiting = new AbortController();
    const queued = kmeans(BIG, 128, { ...BIG_OPTIONS, backend: 'native', threads: capacity, signal: waiting.signal });
    expect(binding!.threadBudget().waiting).toBe(1);
    waiting.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    expect(longSettled).toBe(false);
    expect(binding!.threadBudget()).toMatchObject({ available: 0, waiting: 0 });
    running.abort();
    await expect(long).rejects.toMatchObject({ name: 'AbortError' });
    expect(binding!.threadBudget().available).toBe(capacity);
  });

  it('run 16 concurrent fits to the results of one at a time', async () => {
    const jobs = Array.from({ length: 16 }, (_, i) => ({
      points: gaussianBlobs(100 + i, 4000 + 500 * i, 2 + (i % 5), 8 + i, 2),
      k: 8 + i,
      seed: i,
    }));
    const sequential: KMeansResult[] = [];
    for (const job of jobs) sequential.push(await kmeans(job.points, job.k, { seed: job.seed, backend: 'native' }));
    const concurrent = await Promise.all(jobs.map((job) => kmeans(job.points, job.k, { seed: job.seed, backend: 'native' })));
    concurrent.forEach((result, i) => {
      expectSameArray(result.labels, sequential[i].labels);
      expect(result.inertia).toBe(sequential[i].inertia);
    });
  });
});
