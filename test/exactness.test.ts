import { describe, expect, it } from 'vitest';
import { sumChunkRows } from '../lib/core/centroid-update.js';
import { kmeansSync } from '../lib/index.js';
import { loadNative } from '../lib/native-loader.js';
import { Random } from '../lib/core/random.js';
import type { KMeansOptions, KMeansResult, Matrix } from '../lib/types.js';
import { expectSameArray } from './assertions.js';
import { type FloatArrayType, gaussianBlobs, s1Like, tiedData } from './helpers.js';

/** A few hundred shapes: n, d, k, spread and seed drawn from one seeded stream. */
function randomCases(count: number): Array<{ seed: number; n: number; d: number; k: number; spread: number }> {
  const rng = new Random(20261125);
  return Array.from({ length: count }, (_, i) => {
    const n = 2 + rng.nextIndex(300);
    return {
      seed: 1000 + i,
      n,
      d: 1 + rng.nextIndex(9),
      k: 1 + rng.nextIndex(Math.min(n, 16)),
      spread: [0.3, 1, 3][rng.nextIndex(3)],
    };
  });
}

/** The implementations held to the TypeScript Lloyd, the reference: all eight but itself. */
const OTHER_SEVEN = [
  ['js', 'elkan'],
  ['js', 'hamerly'],
  ['js', 'yinyang'],
  ['native', 'elkan'],
  ['native', 'hamerly'],
  ['native', 'yinyang'],
  ['native', 'lloyd'],
] as const;

function expectSameFit(actual: KMeansResult, expected: KMeansResult): void {
  expectSameArray(actual.labels, expected.labels);
  expect(actual.iterations).toBe(expected.iterations);
  expect(actual.converged).toBe(expected.converged);
  const scale = Math.max(1e-300, Math.abs(expected.inertia));
  expect(Math.abs(actual.inertia - expected.inertia) / scale).toBeLessThan(1e-12);
}

describe.each([
  ['float64', Float64Array],
  ['float32', Float32Array],
] as [string, FloatArrayType][])('exactness on %s data', (_name, type) => {
  it("Elkan, Hamerly and Yinyang reach Lloyd's labels and iterations on 300 random shapes and seeds (js)", () => {
    for (const c of randomCases(300)) {
      const points = gaussianBlobs(c.seed, c.n, c.d, Math.max(1, c.k), c.spread, type);
      const options: KMeansOptions = { seed: c.seed, backend: 'js', tolerance: c.seed % 2 ? 1e-4 : 0 };
      const lloyd = kmeansSync(points, c.k, { ...options, algorithm: 'lloyd' });
      expectSameFit(kmeansSync(points, c.k, { ...options, algorithm: 'elkan' }), lloyd);
      expectSameFit(kmeansSync(points, c.k, { ...options, algorithm: 'hamerly' }), lloyd);
      expectSameFit(kmeansSync(points, c.k, { ...options, algorithm: 'yinyang' }), lloyd);
    }
  });

  it("native Elkan, Hamerly, Yinyang and Lloyd reach the TypeScript Lloyd's labels on the same 300 cases", () => {
    for (const c of randomCases(300)) {
      const points = gaussianBlobs(c.seed, c.n, c.d, Math.max(1, c.k), c.spread, type);
      const options: KMeansOptions = { seed: c.seed, tolerance: c.seed % 2 ? 1e-4 : 0 };
      const reference = kmeansSync(points, c.k, { ...options, backend: 'js', algorithm: 'lloyd' });
      for (const algorithm of ['elkan', 'hamerly', 'yinyang', 'lloyd'] as const) {
        expectSameFit(kmeansSync(points, c.k, { ...options, backend: 'native', algorithm }), reference);
      }
    }
  });

  it('all eight implementations agree on the S1-like set from the same centres', () => {
    const points: Matrix = s1Like(7, type);
    const reference = kmeansSync(points, 15, { seed: 5, init: 'random', backend: 'js', algorithm: 'lloyd', tolerance: 0 });
    for (const [backend, algorithm] of OTHER_SEVEN) {
      expectSameFit(kmeansSync(points, 15, { seed: 5, init: 'random', backend, algorithm, tolerance: 0 }), reference);
    }
  });
});

describe('Yinyang with many groups of centres', () => {
  it.each([
    ['float64', Float64Array],
    ['float32', Float32Array],
  ] as [string, FloatArrayType][])(
    "reaches the TypeScript Lloyd's labels, centroid and inertia bits on both backends and thread counts (%s, k = 320: 8 groups)",
    (_name, type) => {
      // d = 12: natively the first pass runs through the distance filter.
      const points = gaussianBlobs(41, 2000, 12, 360, 4, type);
      const options: KMeansOptions = { seed: 8, tolerance: 0, maxIterations: 15 };
      const reference = kmeansSync(points, 320, { ...options, backend: 'js', algorithm: 'lloyd' });
      const fits = [
        kmeansSync(points, 320, { ...options, backend: 'js', algorithm: 'yinyang' }),
        kmeansSync(points, 320, { ...options, backend: 'native', algorithm: 'yinyang', threads: 1 }),
        kmeansSync(points, 320, { ...options, backend: 'native', algorithm: 'yinyang', threads: 2 }),
      ];
      for (const fit of fits) {
        expect(fit.algorithm).toBe('yinyang');
        expectSameArray(fit.labels, reference.labels);
        expectSameArray(fit.centroids.data, reference.centroids.data);
        expect(fit.inertia).toBe(reference.inertia);
        expect(fit.iterations).toBe(reference.iterations);
      }
    },
  );
});

describe('exactness on data full of ties', () => {
  it("all eight implementations reach Lloyd's labels, ties to the lowest-numbered centre, on 150 tied sets", () => {
    for (let seed = 1; seed <= 150; seed++) {
      const { points, init, k } = tiedData(seed);
      const options: KMeansOptions = { init, tolerance: 0, maxIterations: 100 };
      const reference = kmeansSync(points, k, { ...options, backend: 'js', algorithm: 'lloyd' });
      for (const [backend, algorithm] of OTHER_SEVEN) {
        expectSameFit(kmeansSync(points, k, { ...options, backend, algorithm }), reference);
      }
    }
  });
});

describe('native matches the TypeScript reference bit for bit', () => {
  it('gives identical centroids and inertia on float64 blobs, for every init and nInit', () => {
    // 3000 points: three chunks of centroid sums, so 8 threads also split chunks by centres.
    const points = gaussianBlobs(77, 3000, 6, 12, 2);
    for (const options of [
      { init: 'k-means++' },
      { init: 'random', nInit: 3 },
      { nInit: 2, weights: Array.from({ length: 3000 }, (_, i) => (i % 5) / 2) },
    ] as KMeansOptions[]) {
      const js = kmeansSync(points, 12, { ...options, seed: 9, backend: 'js' });
      for (const threads of [1, 8]) {
        const native = kmeansSync(points, 12, { ...options, seed: 9, backend: 'native', threads });
        expectSameArray(native.labels, js.labels);
        expectSameArray(native.centroids.data, js.centroids.data);
        expect(native.inertia).toBe(js.inertia);
        expect(native.iterations).toBe(js.iterations);
      }
    }
  });

  it('gives bit-identical results whatever the threads option asks for (1, 2, 3, 8; as many run as the cores allow)', () => {
    for (const type of [Float64Array, Float32Array]) {
      const points = gaussianBlobs(31, 20000, 10, 24, 3, type);
      const one = kmeansSync(points, 24, { seed: 4, threads: 1, backend: 'native' });
      expect(one.threads).toBe(1);
      for (const threads of [2, 3, 8]) {
        const many = kmeansSync(points, 24, { seed: 4, threads, backend: 'native' });
        expect(many.threads).toBe(Math.min(threads, loadNative().binding!.maxThreads));
        expectSameArray(many.labels, one.labels);
        expectSameArray(many.centroids.data, one.centroids.data);
        expect(many.inertia).toBe(one.inertia);
        expect(many.iterations).toBe(one.iterations);
      }
    }
  });

  it('cuts the centroid sums into the chunks that native/tests/core_tests.cpp expects', () => {
    expect(sumChunkRows(1000, 3, 4)).toBe(1024);
    expect(sumChunkRows(100000, 32, 100)).toBe(2048);
    expect(sumChunkRows(100000, 768, 1000)).toBe(20480);
  });

  it('reproduces a result from its reported seed', () => {
    const points = gaussianBlobs(12, 500, 3, 4);
    const first = kmeansSync(points, 4);
    expect(Number.isInteger(first.seed)).toBe(true);
    const again = kmeansSync(points, 4, { seed: first.seed });
    expect(again.labels).toEqual(first.labels);
    expect(again.inertia).toBe(first.inertia);
  });
});
