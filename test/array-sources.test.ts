/**
 * Points, weights, initial centres and centroids come in any Float32Array or Float64Array the
 * caller has: on an ArrayBuffer or a SharedArrayBuffer, made in this realm or another (`vm`). Each
 * gives the fit its plain copy gives, on both backends; and predict meets float32 points with the
 * centroids exactly as given.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { kmeans, kmeansSync, predict } from '../lib/index.js';
import { jsBackend } from '../lib/js-backend.js';
import type { Matrix } from '../lib/types.js';
import { expectSameArray } from './assertions.js';
import { gaussianBlobs } from './helpers.js';

const BACKENDS = ['native', 'js'] as const;

function onSharedMemory<T extends Float32Array | Float64Array>(values: T): T {
  const Type = values.constructor as unknown as new (buffer: ArrayBufferLike) => T;
  const shared = new Type(new SharedArrayBuffer(values.byteLength));
  shared.set(values);
  return shared;
}

const otherRealmFrom = runInNewContext('(type, values) => globalThis[type].from(values)') as (type: string, values: ArrayLike<number>) => unknown;

function fromOtherRealm<T extends Float32Array | Float64Array>(values: T): T {
  return otherRealmFrom(values.constructor.name, values) as T;
}

describe('arrays from any buffer or realm', () => {
  for (const type of [Float32Array, Float64Array]) {
    const points = gaussianBlobs(9, 6000, 5, 12, 2, type);
    const weights = Float64Array.from({ length: 6000 }, (_, i) => 1 + (i % 3));
    const init = { data: type.from(points.data.subarray(0, 12 * 5)), shape: [12, 5] } as Matrix;
    const options = { seed: 2, init, weights, tolerance: 0 };

    it.each(BACKENDS)(`fit and predict on a SharedArrayBuffer as on their copies (${type.name}, %s)`, async (backend) => {
      const expected = kmeansSync(points, 12, { ...options, backend });
      const shared = { data: onSharedMemory(points.data), shape: points.shape } as Matrix;
      const sharedOptions = {
        ...options,
        backend,
        weights: onSharedMemory(weights),
        init: { data: onSharedMemory(init.data), shape: init.shape } as Matrix,
      };
      for (const result of [kmeansSync(shared, 12, sharedOptions), await kmeans(shared, 12, sharedOptions)]) {
        expectSameArray(result.labels, expected.labels);
        expectSameArray(result.centroids.data, expected.centroids.data);
        expect(result.inertia).toBe(expected.inertia);
      }
      const centroids = { data: onSharedMemory(Float64Array.from(expected.centroids.data)), shape: expected.centroids.shape } as Matrix;
      expectSameArray(predict(shared, centroids), expected.labels);
    });

    it.each(BACKENDS)(`take typed arrays from another realm (${type.name}, %s)`, async (backend) => {
      const expected = kmeansSync(points, 12, { ...options, backend });
      const foreign = { data: fromOtherRealm(points.data), shape: points.shape } as Matrix;
      expect(foreign.data instanceof type).toBe(false);
      const foreignOptions = { ...options, backend, weights: fromOtherRealm(weights), init: { data: fromOtherRealm(init.data), shape: init.shape } as Matrix };
      for (const result of [kmeansSync(foreign, 12, foreignOptions), await kmeans(foreign, 12, foreignOptions)]) {
        expectSameArray(result.labels, expected.labels);
        expectSameArray(result.centroids.data, expected.centroids.data);
        expect(result.centroids.data).toBeInstanceOf(type);
      }
      const rows = Array.from({ length: 6000 }, (_, i) => fromOtherRealm(points.data.subarray(i * 5, i * 5 + 5)));
      expectSameArray(kmeansSync(rows, 12, { ...options, backend }).labels, expected.labels);
    });
  }

  it('predict measures float32 points against float64 centroids as given, not rounded to float32', () => {
    const points = { data: Float32Array.of(0.5, 1e38, -1e38), shape: [3, 1] } as Matrix;
    // 0.5 + 2e-12 and 0.5 - 1e-12 are both 0.5 in float32; ±1e39 are both beyond its range.
    expect(Array.from(predict(points, [[0.5 + 2e-12], [0.5 - 1e-12]]))).toEqual([1, 0, 0]);
    expect(Array.from(predict(points, [[1e39], [-1e39]]))).toEqual([0, 0, 1]);
    expect(Array.from(jsBackend.predict(points.data, 3, 1, Float64Array.of(1e39, -1e39), 2))).toEqual([0, 0, 1]);
    // Centroids whose squared distances to any float32 point overflow the double range.
    expect(Array.from(predict(points, [[2e200], [1e200], [-1.5e200]]))).toEqual([1, 1, 1]);
  });
});
