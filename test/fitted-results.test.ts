/**
 * What a fit gives back to keep and use: cluster sizes, a result that survives JSON and feeds
 * predict and init again, transform and score as scikit-learn's, and centroids typed by the
 * element type of the points.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type KMeansResult, type KMeansResultJSON, type MatrixJSON, kmeans, kmeansSync, predict, score, transform } from '../lib/index.js';
import { expectSameArray, sameValues } from './assertions.js';
import { gaussianBlobs } from './helpers.js';

const BACKENDS = ['native', 'js'] as const;
const N = 2000;
const D = 5;
const K = 7;
const WEIGHTS = Float64Array.from({ length: N }, (_, i) => 0.5 + (i % 5));

function roundTrip<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe.each(BACKENDS)('a fitted result on the %s backend', (backend) => {
  for (const type of [Float32Array, Float64Array]) {
    const points = gaussianBlobs(4, N, D, K, 1.5, type);
    const fitted = kmeansSync(points, K, { seed: 8, backend, weights: WEIGHTS });

    it(`survives JSON and gives the same labels through predict and init (${type.name})`, async () => {
      const saved = roundTrip(fitted) as KMeansResultJSON;
      expect(saved.centroids.dtype).toBe(type === Float32Array ? 'float32' : 'float64');
      expect(saved.centroids.shape).toEqual([K, D]);
      expect(sameValues(type.from(saved.centroids.data), fitted.centroids.data)).toBe(true);
      expectSameArray(Int32Array.from(saved.labels), fitted.labels);
      expectSameArray(Float64Array.from(saved.clusterSizes), fitted.clusterSizes);
      expect(saved.inertia).toBe(fitted.inertia);
      expect([saved.seed, saved.iterations, saved.converged, saved.algorithm, saved.backend]).toEqual([
        fitted.seed,
        fitted.iterations,
        fitted.converged,
        fitted.algorithm,
        fitted.backend,
      ]);

      expectSameArray(predict(points, saved.centroids), fitted.labels);
      expectSameArray(predict(points, roundTrip(fitted.centroids) as MatrixJSON), fitted.labels);

      const options = { backend, weights: WEIGHTS, tolerance: 0 } as const;
      const fromTyped = kmeansSync(points, K, { ...options, init: fitted.centroids });
      for (const restarted of [kmeansSync(points, K, { ...options, init: saved.centroids }), await kmeans(points, K, { ...options, init: saved.centroids })]) {
        expect(restarted.centroids.data).toBeInstanceOf(type);
        expectSameArray(restarted.labels, fromTyped.labels);
        expectSameArray(restarted.centroids.data, fromTyped.centroids.data);
        expect(restarted.inertia).toBe(fromTyped.inertia);
      }
      // The centroids as points keep their element type: a MatrixJSON of dtype float32 fits in float32.
      expect(kmeansSync(saved.centroids, 2, { seed: 1, backend }).centroids.data).toBeInstanceOf(type);
    });

    it(`reports cluster sizes as the summed weights of each cluster's points (${type.name})`, () => {
      const expected = new Float64Array(K);
      for (let i = 0; i < N; i++) expected[fitted.labels[i]] += WEIGHTS[i];
      expectSameArray(fitted.clusterSizes, expected);
      const unweighted = kmeansSync(points, K, { seed: 8, backend });
      const counts = new Float64Array(K);
      for (const label of unweighted.labels) counts[label]++;
      expectSameArray(unweighted.clusterSizes, counts);
    });

    it(`scores the fit's own points as minus its inertia, weighted or not (${type.name})`, () => {
      expect(score(points, fitted.centroids, { backend, weights: WEIGHTS })).toBe(-fitted.inertia);
      expect(score(points, (roundTrip(fitted) as KMeansResultJSON).centroids, { backend, weights: WEIGHTS })).toBe(-fitted.inertia);
      const unweighted = kmeansSync(points, K, { seed: 8, backend });
      expect(score(points, unweighted.centroids, { backend })).toBe(-unweighted.inertia);
    });

    it(`transforms points into their distances to every centroid (${type.name})`, () => {
      const distances = transform(points, fitted.centroids, { backend });
      expect(distances.shape).toEqual([N, K]);
      expect(distances.data).toBeInstanceOf(Float64Array);
      const c = fitted.centroids.data;
      let nearestAgrees = true;
      for (let i = 0; i < N; i++) {
        let nearest = 0;
        for (let j = 0; j < K; j++) {
          let sum = 0;
          for (let m = 0; m < D; m++) sum += (points.data[i * D + m] - c[j * D + m]) ** 2;
          const distance = distances.data[i * K + j];
          if (Math.abs(distance - Math.sqrt(sum)) > 1e-12 * Math.max(1, distance)) expect(distance, `point ${i}, centroid ${j}`).toBe(Math.sqrt(sum));
          if (distance < distances.data[i * K + nearest]) nearest = j;
        }
        if (nearest !== fitted.labels[i]) nearestAgrees = false;
      }
      expect(nearestAgrees).toBe(true);
      expectSameArray(transform(points, fitted.centroids, { backend: backend === 'js' ? 'native' : 'js' }).data, distances.data);
    });
  }

  it('measures distances and scores where their squares would overflow', () => {
    expect(Array.from(transform([[1e200], [-3e200]], [[0], [1e200]], { backend }).data)).toEqual([1e200, 0, 3e200, 4e200]);
    expect(score([[1e-200], [3e-200]], [[2e-200]], { backend })).toBe(-2 * 1e-200 ** 2);
    expect(score([[0], [2]], [[1]], { backend, weights: [1e308, 1e308] })).toBe(-Infinity);
    expect(score([[0], [2]], [[1]], { backend, weights: [1e300, 1e300] })).toBe(-2e300);
  });
});

describe('results as JSON', () => {
  it('write every float32 and float64 value as digits that read back as the same bits', () => {
    const values = Float64Array.of(0.1 + 0.2, Math.PI, 1e-310, 5e-324, Number.MAX_VALUE, -(2 ** -1074), 123456789.12345679, 1 / 3);
    expect(sameValues(Float64Array.from(roundTrip(Array.from(values)) as number[]), values)).toBe(true);
    const singles = Float32Array.of(0.1, Math.PI, 3.4028234663852886e38, 1.401298464324817e-45, -1.1754943508222875e-38, 1 / 3, 16777217, -2.5e-7);
    expect(sameValues(Float32Array.from(roundTrip(Array.from(singles)) as number[]), singles)).toBe(true);
  });

  it('keep toJSON out of the fields, so that structuredClone and Object.keys see the result as before', () => {
    const result = kmeansSync([[0], [1], [10]], 2, { seed: 1 });
    expect(Object.keys(result)).not.toContain('toJSON');
    expect(Object.keys(result.centroids)).toEqual(['data', 'shape']);
    const cloned = structuredClone(result);
    expectSameArray(cloned.labels, result.labels);
    expectSameArray(cloned.centroids.data, result.centroids.data);
  });

  const points = [
    [0, 0],
    [1, 1],
  ];
  it.each([
    ['data shorter than its shape', { data: [1, 2, 3], shape: [2, 2] }, RangeError, /centroids\.data has 3 elements but shape \[2, 2\] needs 4/],
    ['a shape of one number', { data: [1, 2], shape: [2] }, TypeError, /centroids\.shape must be a two-element array \[n, d\]/],
    ['a shape that is not integers', { data: [1, 2], shape: [1, 2.5] }, RangeError, /centroids\.shape d must be a positive integer, not 2\.5/],
    [
      'a null value (NaN or Infinity written by JSON)',
      { data: [1, null], shape: [1, 2] },
      TypeError,
      /centroids\.data\[1\] is null; every value must be a number/,
    ],
    ['a string value', { data: [1, '2'], shape: [1, 2] }, TypeError, /centroids\.data\[1\] is the string "2"/],
    ['an unknown dtype', { data: [1, 2], shape: [1, 2], dtype: 'int8' }, TypeError, /centroids\.dtype must be 'float32' or 'float64'/],
    [
      'a float32 value beyond its range',
      { data: [1e39, 2], shape: [1, 2], dtype: 'float32' },
      RangeError,
      /centroids\.data\[0\] is 1e\+39, beyond the range of float32/,
    ],
    [
      'a dtype that contradicts the typed array',
      { data: Float32Array.of(1, 2), shape: [1, 2], dtype: 'float64' },
      TypeError,
      /centroids\.dtype is 'float64' but centroids\.data is a Float32Array/,
    ],
    ['a whole result instead of its centroids', { labels: [0], inertia: 0, centroids: { data: [1, 2], shape: [1, 2] } }, TypeError, /pass its \.centroids/],
  ])('refuse %s, naming the parameter', (_label, centroids, error, message) => {
    for (const call of [() => predict(points, centroids as never), () => transform(points, centroids as never), () => score(points, centroids as never)]) {
      expect(call).toThrow(error);
      expect(call).toThrow(message);
    }
    const asInit = () => kmeansSync(points, 1, { init: centroids as never });
    expect(asInit).toThrow(error);
    expect(asInit).toThrow(new RegExp(message.source.replace(/centroids(?=\\\.)/g, 'options\\.init')));
  });

  it('refuse options that transform and score do not take, naming them', () => {
    expect(() => transform(points, [[0, 0]], { weights: [1, 1] } as never)).toThrow(/options\.weights is not an option of transform/);
    expect(() => score(points, [[0, 0]], { wieghts: [1, 1] } as never)).toThrow(/options\.wieghts is not an option of score; did you mean options\.weights\?/);
    expect(() => score(points, [[0, 0]], { weights: [1] })).toThrow(RangeError);
    expect(() => score(points, [[0, 0]], { weights: [1] })).toThrow(/options\.weights has 1 entries but there are 2 points/);
    expect(() => transform(points, [[0, 0]], { backend: 'gpu' as never })).toThrow(/options\.backend/);
  });
});

describe('result types', () => {
  it('type the centroids by the element type of the points', async () => {
    const f32 = { data: new Float32Array(4), shape: [2, 2] as const };
    const f64 = { data: new Float64Array(4), shape: [2, 2] as const };
    expectTypeOf(kmeansSync(f32, 1)).toEqualTypeOf<KMeansResult<Float32Array>>();
    expectTypeOf(kmeansSync([new Float32Array(2)], 1).centroids.data).toEqualTypeOf<Float32Array>();
    expectTypeOf(kmeansSync(f64, 1).centroids.data).toEqualTypeOf<Float64Array>();
    expectTypeOf(kmeansSync([[1, 2]], 1).centroids.data).toEqualTypeOf<Float64Array>();
    expectTypeOf(kmeansSync({ data: [1, 2], shape: [1, 2], dtype: 'float32' }, 1).centroids.data).toEqualTypeOf<Float32Array>();
    expectTypeOf(kmeansSync({ data: [1, 2], shape: [1, 2] }, 1).centroids.data).toEqualTypeOf<Float64Array>();
    expectTypeOf(await kmeans(f32, 1)).toEqualTypeOf<KMeansResult<Float32Array>>();
    expectTypeOf(await kmeans([[1, 2]], 1)).toEqualTypeOf<KMeansResult<Float64Array>>();
    // Where the type does not tell (JSON.parse gives any), neither does the result's.
    expectTypeOf(kmeansSync(JSON.parse('[[1]]'), 1).centroids.data).toEqualTypeOf<Float32Array | Float64Array>();
    expectTypeOf(kmeansSync([new Float32Array(2), new Float64Array(2)], 1).centroids.data).toEqualTypeOf<Float32Array | Float64Array>();
    // @ts-expect-error float32 centroids are no Float64Array
    const wrong: Float64Array = kmeansSync(f32, 1).centroids.data;
    expect(wrong).toBeInstanceOf(Float32Array);
  });
});
