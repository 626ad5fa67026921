import { describe, expect, it } from 'vitest';
import { kmeansSync, predict } from '../lib/index.js';
import { S1_CENTROIDS } from './fixtures/s1-centroids.js';
import { gaussianBlobs, rows, s1Like } from './helpers.js';

const BACKENDS = ['js', 'native'] as const;
const ALGORITHMS = ['elkan', 'hamerly', 'yinyang', 'lloyd'] as const;

describe.each(BACKENDS)('%s backend: scikit-learn semantics', (backend) => {
  it.each(ALGORITHMS)("reproduces scikit-learn's weighted case with %s", (algorithm) => {
    const result = kmeansSync(
      [
        [0, 0],
        [0.5, 0],
        [0.5, 1],
        [1, 1],
      ],
      2,
      {
        weights: [3, 1, 1, 3],
        init: [
          [0, 0],
          [1, 1],
        ],
        algorithm,
        backend,
      },
    );
    expect(Array.from(result.labels)).toEqual([0, 0, 1, 1]);
    expect(result.inertia).toBeCloseTo(0.375, 12);
    expect(Array.from(result.centroids.data)).toEqual([0.125, 0, 0.875, 1]);
    expect(result.centroids.shape).toEqual([2, 2]);
    expect(result.iterations).toBe(2);
    expect(result.converged).toBe(true);
    expect(result.algorithm).toBe(algorithm);
    expect(result.backend).toBe(backend);
  });

  it.each(ALGORITHMS)('re-seeds an empty cluster with the farthest point (%s)', (algorithm) => {
    // Centre 2 starts far from every point, so the first assignment leaves it empty; the point
    // farthest from its centre (x = 10) must move there.
    const points = [[0], [1], [2], [10]];
    const result = kmeansSync(points, 3, { init: [[0], [1], [100]], algorithm, backend, tolerance: 0 });
    const counts = [0, 0, 0];
    for (const label of result.labels) counts[label]++;
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(result.labels[3]).toBe(2);
    expect(Array.from(result.centroids.data)).toEqual([0, 1.5, 10]);
    expect(result.inertia).toBeCloseTo(0.5, 12);
  });

  it.each(ALGORITHMS)('re-seeds an empty cluster only with a point of positive weight, and converges (%s)', (algorithm) => {
    // Centre 2 starts among the points of weight 0 (50 and 60), so its cluster has no weight.
    // Re-seeded with one of them it would stay weightless and be re-seeded at every iteration;
    // the farthest point of positive weight is 1 (distance 1 from centre 0, tied with 11 and
    // taken for its lower index).
    const result = kmeansSync([[0], [1], [10], [11], [50], [60]], 3, {
      init: [[0], [10], [55]],
      weights: [1, 1, 1, 1, 0, 0],
      algorithm,
      backend,
      tolerance: 0,
    });
    expect(result.converged).toBe(true);
    expect(result.iterations).toBe(2);
    expect(Array.from(result.labels)).toEqual([0, 2, 1, 1, 1, 1]);
    // Weight-0 points (50 and 60, labelled 1) neither pull centre 1 nor add to the inertia.
    expect(Array.from(result.centroids.data)).toEqual([0, 10.5, 1]);
    expect(result.inertia).toBe(0.5);
  });

  it.each(ALGORITHMS)('leaves an empty cluster on its centre when no point can usefully re-seed it (%s)', (algorithm) => {
    // One point of positive weight and three centres: point 0 re-seeds cluster 1 once; after that
    // it sits on its centre, where moving it would only empty cluster 1 again, so clusters 0 and 2
    // (weight 0) keep their centres and the fit ends.
    const result = kmeansSync([[0], [1], [2], [3]], 3, {
      init: [[1], [2], [3]],
      weights: [1, 0, 0, 0],
      algorithm,
      backend,
      tolerance: 0,
    });
    expect(result.converged).toBe(true);
    expect(result.iterations).toBe(2);
    expect(Array.from(result.labels)).toEqual([1, 0, 0, 2]);
    expect(Array.from(result.centroids.data)).toEqual([1, 0, 3]);
    expect(result.inertia).toBe(0);
  });

  it('treats integer weights as repeated rows', () => {
    const base = rows(gaussianBlobs(3, 60, 3, 4));
    const weights = base.map((_, i) => 1 + (i % 3));
    const repeated = base.flatMap((row, i) => Array.from({ length: weights[i] }, () => row));
    const init = base.slice(0, 4);
    const weighted = kmeansSync(base, 4, { weights, init, backend });
    const expanded = kmeansSync(repeated, 4, { init, backend });
    expect(weighted.iterations).toBe(expanded.iterations);
    expect(weighted.inertia).toBeCloseTo(expanded.inertia, 9);
    const expandedLabels = base.flatMap((_, i) => Array.from({ length: weights[i] }, () => weighted.labels[i]));
    expect(Array.from(expanded.labels)).toEqual(expandedLabels);
    for (let j = 0; j < weighted.centroids.data.length; j++) {
      expect(weighted.centroids.data[j]).toBeCloseTo(expanded.centroids.data[j], 9);
    }
  });

  it('treats unit weights exactly like no weights', () => {
    const points = gaussianBlobs(5, 500, 4, 6);
    const plain = kmeansSync(points, 6, { seed: 11, backend });
    const unit = kmeansSync(points, 6, { seed: 11, backend, weights: new Float64Array(500).fill(1) });
    expect(unit.labels).toEqual(plain.labels);
    expect(unit.centroids.data).toEqual(plain.centroids.data);
    expect(unit.inertia).toBe(plain.inertia);
  });

  it('keeps float32 input in float32 with inertia within 1e-4 of float64', () => {
    const points64 = gaussianBlobs(9, 2000, 8, 5);
    const points32 = { data: Float32Array.from(points64.data), shape: points64.shape };
    const init = { data: Float64Array.from(points32.data.subarray(0, 5 * 8)), shape: [5, 8] as const };
    const r32 = kmeansSync(points32, 5, { init, backend });
    const r64 = kmeansSync({ data: Float64Array.from(points32.data), shape: points64.shape }, 5, { init, backend });
    expect(r32.centroids.data).toBeInstanceOf(Float32Array);
    expect(r64.centroids.data).toBeInstanceOf(Float64Array);
    expect(Math.abs(r32.inertia - r64.inertia) / r64.inertia).toBeLessThan(1e-4);
    expect(r32.labels).toEqual(r64.labels);
  });

  it('recovers the published S1 centroids with nInit: 10', () => {
    const result = kmeansSync(s1Like(), 15, { nInit: 10, seed: 2024, backend });
    const found = Array.from({ length: 15 }, (_, c) => [result.centroids.data[2 * c], result.centroids.data[2 * c + 1]]);
    // Every published centre has its own found centroid within 1% of the data's range.
    const matched = new Set<number>();
    for (const [x, y] of S1_CENTROIDS) {
      const distances = found.map(([fx, fy]) => Math.hypot(fx - x, fy - y));
      const nearest = distances.indexOf(Math.min(...distances));
      expect(distances[nearest]).toBeLessThan(10000);
      matched.add(nearest);
    }
    expect(matched.size).toBe(15);
  });

  it('predicts every centroid as its own cluster', () => {
    const result = kmeansSync(gaussianBlobs(4, 300, 5, 7), 7, { seed: 1, backend });
    expect(Array.from(predict(result.centroids, result.centroids))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('predict', () => {
  it('agrees with the labels of a converged fit', () => {
    const points = gaussianBlobs(8, 400, 3, 5);
    const result = kmeansSync(points, 5, { seed: 3, tolerance: 0 });
    expect(predict(points, result.centroids)).toEqual(result.labels);
  });

  it('accepts centroids as plain arrays', () => {
    expect(
      Array.from(
        predict(
          [
            [0, 0],
            [9, 9],
            [1, 1],
          ],
          [
            [10, 10],
            [0, 0],
          ],
        ),
      ),
    ).toEqual([1, 0, 1]);
  });
});
