import { describe, expect, it } from 'vitest';
import { timesPowerOfTwo } from '../lib/exact-scaling.js';
import { kmeansSync, predict } from '../lib/index.js';
import { gaussianBlobs } from './helpers.js';

const BACKENDS = ['js', 'native'] as const;
const ALGORITHMS = ['elkan', 'hamerly', 'yinyang', 'lloyd'] as const;

/** The blobs times 2^exponent: the same clustering problem, at another magnitude. */
function atMagnitude(exponent: number) {
  const base = gaussianBlobs(6, 400, 3, 5, 0.5);
  return { base, scaled: { data: base.data.map((x) => x * 2 ** exponent), shape: base.shape } };
}

describe('float64 data near the ends of the double range', () => {
  it.each([
    ['1e+300', 997],
    ['1e-300', -997],
    ['subnormal', -1060],
  ])('clusters values around %s exactly as at magnitude 1', (_label, exponent) => {
    const { base, scaled } = atMagnitude(exponent);
    for (const backend of BACKENDS) {
      for (const algorithm of ALGORITHMS) {
        const reference = kmeansSync(base, 5, { seed: 3, backend, algorithm });
        const result = kmeansSync(scaled, 5, { seed: 3, backend, algorithm });
        expect(result.labels).toEqual(reference.labels);
        expect(result.iterations).toBe(reference.iterations);
        expect(Number.isNaN(result.inertia)).toBe(false);
        expect(Array.from(result.centroids.data).every(Number.isFinite)).toBe(true);
        if (exponent > -1000) {
          // Away from the subnormals, scaling by a power of two is exact both ways.
          expect(Array.from(result.centroids.data)).toEqual(Array.from(reference.centroids.data, (x) => x * 2 ** exponent));
        }
        expect(predict(scaled, result.centroids)).toEqual(result.labels);
      }
    }
  });
});

describe('float64 data spanning a wide range of magnitudes', () => {
  it('keeps the squared differences of small values beside 1e200: [[1], [3], [1e200]] has inertia 2', () => {
    for (const backend of BACKENDS) {
      for (const algorithm of ALGORITHMS) {
        const result = kmeansSync([[1], [3], [1e200]], 2, { seed: 1, backend, algorithm });
        const [a, b, c] = result.labels;
        expect({ algorithm, backend, together: a === b, apart: a !== c }).toEqual({ algorithm, backend, together: true, apart: true });
        expect(result.centroids.data[a]).toBe(2);
        expect(result.centroids.data[c]).toBe(1e200);
        expect(result.inertia).toBe(2);
      }
    }
    expect(predict([[1], [3], [1e200]], [[0], [2.5], [1e200]])).toEqual(Int32Array.of(0, 1, 2));
  });

  it('tells values near 1e-170 apart beside 1, although the largest magnitude is ordinary', () => {
    // 3e-170 is nearer 1e-170 than 6e-170; unscaled, both squared distances are 0 (below 2^-1074)
    // and the tie would go to centre 0.
    const points = [[1e-170], [3e-170], [6e-170], [1]];
    for (const backend of BACKENDS) {
      for (const algorithm of ALGORITHMS) {
        const result = kmeansSync(points, 3, { init: [[6e-170], [1e-170], [1]], backend, algorithm });
        expect(Array.from(result.labels)).toEqual([1, 1, 0, 2]);
        expect(Array.from(result.centroids.data)).toEqual([6e-170, (1e-170 + 3e-170) / 2, 1]);
        // k-means++ must see them apart too: three points, three clusters, each point its own.
        for (let seed = 0; seed < 5; seed++) {
          const own = kmeansSync([[1e-170], [3e-170], [1]], 3, { seed, backend, algorithm });
          expect(new Set(own.labels).size).toBe(3);
          expect(own.inertia).toBe(0);
        }
      }
    }
  });
});

describe('weights near the ends of the double range', () => {
  // Weights scale by a power of two, exactly, before any sum is taken: Σw and Σw·x stay finite
  // for weights near 1e307, and subnormal weights keep every digit in their products.
  it.each([
    ['2^1020 (about 1e307)', 1020],
    ['2^-1060 (subnormal)', -1060],
  ])('weights times %s give the fit of the unscaled weights', (_label, exponent) => {
    const points = gaussianBlobs(6, 400, 3, 5, 0.01);
    const weights = Array.from({ length: 400 }, (_, i) => 1 + (i % 4));
    const scaled = weights.map((w) => timesPowerOfTwo(w, exponent));
    for (const backend of BACKENDS) {
      for (const algorithm of ALGORITHMS) {
        const reference = kmeansSync(points, 5, { seed: 3, backend, algorithm, weights });
        const result = kmeansSync(points, 5, { seed: 3, backend, algorithm, weights: scaled });
        expect(result.labels).toEqual(reference.labels);
        expect(result.iterations).toBe(reference.iterations);
        expect(result.centroids.data).toEqual(reference.centroids.data);
        expect(result.inertia).toBe(timesPowerOfTwo(reference.inertia, exponent));
        expect(Number.isFinite(result.inertia) && result.inertia > 0).toBe(true);
      }
    }
  });
});
