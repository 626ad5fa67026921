import { describe, expect, it } from 'vitest';
import { KMEANS_PARALLEL_MIN_COST, chooseInit } from '../lib/algorithm-choice.js';
import { kmeans, kmeansSync } from '../lib/index.js';
import type { KMeansOptions, Matrix, ProgressInfo, SeedingProgressInfo } from '../lib/types.js';
import { expectSameArray } from './assertions.js';
import { gaussianBlobs } from './helpers.js';

const BACKENDS = ['native', 'js'] as const;

/** The seeding reports of each run, in the order they came. */
function seedingByRun(reports: ProgressInfo[]): SeedingProgressInfo[][] {
  const runs: SeedingProgressInfo[][] = [];
  for (const info of reports) if (info.phase === 'seeding') (runs[info.run] ??= []).push(info);
  return runs;
}

describe("init: 'k-means||'", () => {
  const cases: Array<{ name: string; points: Matrix; k: number; options?: KMeansOptions }> = [
    { name: 'float32 blobs on several threads', points: gaussianBlobs(1, 9000, 6, 30, 2, Float32Array), k: 30 },
    { name: 'float64 blobs, weights with zeros', points: gaussianBlobs(2, 3000, 3, 20, 1), k: 25, options: { weights: weightsWithZeros(3000) } },
    { name: 'k = 1', points: gaussianBlobs(3, 500, 4, 3), k: 1 },
    { name: 'k = n', points: gaussianBlobs(4, 60, 2, 5), k: 60 },
    {
      name: 'many duplicates (four distinct points, k = 6)',
      points: { data: Float64Array.from({ length: 40 }, (_, i) => Math.floor(i / 2) % 4), shape: [20, 2] },
      k: 6,
    },
  ];

  it.each(cases)('gives the same bits on both backends and every thread count: $name', ({ points, k, options }) => {
    const reference = kmeansSync(points, k, { ...options, init: 'k-means||', seed: 9, maxIterations: 5, backend: 'js' });
    for (const threads of [1, 2, 3]) {
      const native = kmeansSync(points, k, { ...options, init: 'k-means||', seed: 9, maxIterations: 5, backend: 'native', threads });
      expectSameArray(native.centroids.data, reference.centroids.data, `centroids, ${threads} threads`);
      expectSameArray(native.labels, reference.labels, `labels, ${threads} threads`);
      expect(native.inertia).toBe(reference.inertia);
      expect(native.iterations).toBe(reference.iterations);
    }
  });

  it('seeds k distinct points where there are k distinct points, whatever the duplicates', () => {
    const data = Float64Array.from({ length: 30 }, (_, i) => (i % 5) * 10);
    for (const backend of BACKENDS) {
      for (let seed = 0; seed < 5; seed++) {
        const result = kmeansSync({ data, shape: [30, 1] }, 5, { init: 'k-means||', seed, backend, maxIterations: 1 });
        expect([...result.centroids.data].sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40]);
        expect(result.inertia).toBe(0);
      }
    }
  });

  it('never seeds with a point of zero weight while others have weight', () => {
    const data = Float64Array.from([0, 1, 2, 3, 500, 501, 502, 503]);
    const weights = [1, 1, 1, 1, 0, 0, 0, 0];
    for (const backend of BACKENDS) {
      for (let seed = 0; seed < 10; seed++) {
        const result = kmeansSync({ data, shape: [8, 1] }, 3, { init: 'k-means||', seed, backend, weights, maxIterations: 1 });
        for (const centre of result.centroids.data) expect(centre).toBeLessThan(4);
      }
    }
  });

  it('finds well-separated clusters as k-means++ does', () => {
    const points = gaussianBlobs(5, 20_000, 8, 30, 0.2, Float32Array);
    const parallel = kmeansSync(points, 30, { init: 'k-means||', seed: 3 });
    const greedy = kmeansSync(points, 30, { init: 'k-means++', seed: 3 });
    expect(parallel.inertia).toBeLessThan(greedy.inertia * 1.05);
  });
});

describe("init: 'auto'", () => {
  it('runs k-means++ below the cost threshold, k-means|| above it', () => {
    expect(chooseInit(1000, 10, 10)).toBe('k-means++');
    expect(chooseInit(10_000_000, 32, 1000)).toBe('k-means||');
    const k = 100;
    const n = Math.floor(KMEANS_PARALLEL_MIN_COST / (k * (2 + Math.log(k)) * 10));
    expect(chooseInit(n, 10, k)).toBe('k-means++');
    expect(chooseInit(n + 1, 10, k)).toBe('k-means||');
  });

  it("is the default and gives k-means++'s result on an affordable fit", () => {
    const points = gaussianBlobs(6, 2000, 4, 10);
    const auto = kmeansSync(points, 10, { seed: 4 });
    const greedy = kmeansSync(points, 10, { seed: 4, init: 'k-means++' });
    expectSameArray(auto.centroids.data, greedy.centroids.data);
    expect(auto.init).toBe('k-means++');
    expect(kmeansSync(points, 10, { seed: 4, init: 'k-means||' }).init).toBe('k-means||');
    expect(
      kmeansSync(points, 2, {
        init: [
          [0, 0, 0, 0],
          [1, 1, 1, 1],
        ],
      }).init,
    ).toBe('explicit');
  });
});

describe('onProgress', () => {
  const points = gaussianBlobs(7, 2000, 3, 30, 2);
  const small = gaussianBlobs(7, 800, 3, 30, 2);

  it.each(BACKENDS)('reports rising seeding counts that reach the total in every run, then iterations (%s)', async (backend) => {
    for (const init of ['k-means++', 'k-means||'] as const) {
      for (const sync of [true, false]) {
        const reports: ProgressInfo[] = [];
        const options = { init, seed: 2, nInit: 2, maxIterations: 4, backend, onProgress: (info: ProgressInfo) => reports.push(info) };
        const result = sync ? kmeansSync(small, 120, options) : await kmeans(small, 120, options);
        const runs = seedingByRun(reports);
        expect(runs).toHaveLength(2);
        const total = init === 'k-means++' ? 120 : 125;
        const every = Math.ceil(total / 100);
        for (const run of runs) {
          const done = run.map((info) => info.done);
          expect(done.every((value, i) => i === 0 || value > done[i - 1])).toBe(true);
          expect(done.at(-1)).toBe(total);
          expect(run.every((info) => info.total === total)).toBe(true);
          // Every hundredth of the steps, rounded up, and the last.
          expect(run.length).toBe(Math.floor(total / every) + (total % every === 0 ? 0 : 1));
        }
        const iterations = reports.filter((info) => info.phase === 'iterating');
        expect(iterations.length).toBeGreaterThanOrEqual(result.iterations);
        expect(iterations[0]).toEqual({ phase: 'iterating', run: 0, iteration: 1, maxIterations: 4 });
        // Each run's seeding comes before its iterations.
        const firstIteration = reports.findIndex((info) => info.phase === 'iterating');
        expect(reports.slice(0, firstIteration).every((info) => info.phase === 'seeding' && info.run === 0)).toBe(true);
      }
    }
  });

  it.each(BACKENDS)('reports every centre of a small k (%s)', (backend) => {
    const reports: ProgressInfo[] = [];
    kmeansSync(points, 7, { seed: 1, backend, init: 'k-means++', onProgress: (info) => reports.push(info) });
    expect(seedingByRun(reports)[0].map((info) => info.done)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it.each(BACKENDS)('ends the fit with whatever it throws during seeding (%s)', async (backend) => {
    for (const init of ['k-means++', 'k-means||'] as const) {
      for (const thrown of [new Error('from onProgress'), 'a string', undefined]) {
        let calls = 0;
        const options = {
          init,
          seed: 1,
          backend,
          onProgress: (info: ProgressInfo) => {
            calls++;
            if (info.phase === 'seeding' && info.done === 3) throw thrown;
          },
        };
        let caught: unknown = 'nothing';
        try {
          kmeansSync(points, 50, options);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBe(thrown);
        calls = 0;
        await kmeans(points, 50, options).then(
          () => expect.fail('the fit resolved although onProgress threw'),
          (error) => expect(error).toBe(thrown),
        );
        expect(calls).toBe(3);
      }
    }
  });

  it.each(BACKENDS)('lets the signal stop a fit during seeding (%s)', async (backend) => {
    // The addon seeds on a thread of its own, which must still be seeding when the abort comes.
    const long = gaussianBlobs(8, 50_000, 16, 100, 4, Float32Array);
    for (const init of ['k-means++', 'k-means||'] as const) {
      for (const sync of [true, false]) {
        const controller = new AbortController();
        const phases: string[] = [];
        const options = {
          init,
          seed: 1,
          backend,
          signal: controller.signal,
          onProgress: (info: ProgressInfo) => {
            phases.push(info.phase);
            controller.abort();
          },
        };
        if (sync) expect(() => kmeansSync(points, 50, options)).toThrow(expect.objectContaining({ name: 'AbortError' }));
        else await expect(kmeans(backend === 'native' ? long : points, 300, options)).rejects.toMatchObject({ name: 'AbortError' });
        expect(phases).toEqual(['seeding']);
      }
    }
  });
});

function weightsWithZeros(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1 + (i % 3)));
}
