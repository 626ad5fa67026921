import { describe, expect, it } from 'vitest';
import { kmeansSync, predict } from '../lib/index.js';
import { gaussianBlobs } from './helpers.js';

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
    for (const backend of ['js', 'native'] as const) {
      for (const algorithm of ['elkan', 'hamerly', 'lloyd'] as const) {
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
