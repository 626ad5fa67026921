import { exactlyScaledPair } from './exact-scaling.js';
import { fitValidated, fitValidatedSync, resolveBackend } from './fit.js';
import { normalizedRows } from './core/normalization.js';
import type { KMeansOptions, KMeansResult, PointsInput, PredictOptions } from './types.js';
import { normalizeFit, normalizePredict } from './validate.js';

export type { Algorithm, BackendName, InitMethod, IterationInfo, KMeansOptions, KMeansResult, Matrix, Metric, PointsInput, PredictOptions } from './types.js';

/**
 * Clusters `points` into `k` clusters on the calling thread, reading a `{ data, shape }` matrix in place.
 * Throws a TypeError or RangeError naming the parameter when an argument is invalid.
 */
export function kmeansSync(points: PointsInput, k: number, options?: KMeansOptions): KMeansResult {
  return fitValidatedSync(normalizeFit(points, k, options));
}

/**
 * Clusters `points` into `k` clusters off the event loop (the native backend runs on a thread of
 * its own; the TypeScript one yields between iterations). Typed arrays on an `ArrayBuffer` are
 * copied when the call starts, so the caller may change them at once; on a `SharedArrayBuffer`
 * they are read in place and must not be written until the promise settles.
 * Rejects with a TypeError or RangeError naming the parameter when an argument is invalid.
 */
export async function kmeans(points: PointsInput, k: number, options?: KMeansOptions): Promise<KMeansResult> {
  return fitValidated(normalizeFit(points, k, options));
}

/**
 * Index of the nearest centroid for every point (the lowest index on ties). With
 * `metric: 'cosine'`, the most similar one: points and centroids are normalised as a cosine fit
 * normalises them, the points into a copy of their element type, the centroids in float64.
 * Throws a TypeError or RangeError naming the parameter when an argument is invalid.
 */
export function predict(points: PointsInput, centroids: PointsInput, options?: PredictOptions): Int32Array {
  const { points: x, centroids: c, metric } = normalizePredict(points, centroids, options);
  const centers = c.data instanceof Float64Array ? c.data : Float64Array.from(c.data);
  if (metric === 'cosine') {
    // Unit vectors need no rescaling to keep their squared distances in double's range.
    return resolveBackend('auto').predict(normalizedRows(x.data, x.n, x.d), x.n, x.d, normalizedRows(centers, c.n, c.d) as Float64Array, c.n);
  }
  const [data, scaledCenters] = exactlyScaledPair(x.data, centers);
  return resolveBackend('auto').predict(data, x.n, x.d, scaledCenters, c.n);
}
