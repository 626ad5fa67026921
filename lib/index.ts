import { exactlyScaledPair } from './exact-scaling.js';
import { fitValidated, fitValidatedSync, resolveBackend } from './fit.js';
import type { KMeansOptions, KMeansResult, PointsInput } from './types.js';
import { normalizeFit, normalizePredict } from './validate.js';

export type {
  Algorithm,
  BackendName,
  InitMethod,
  IterationInfo,
  KMeansOptions,
  KMeansResult,
  Matrix,
  MiniBatchKMeansOptions,
  MiniBatchKMeansResult,
  MiniBatchModelOptions,
  MiniBatchStepInfo,
  PointsInput,
} from './types.js';
export { MiniBatchKMeans, miniBatchKMeans, miniBatchKMeansSync } from './minibatch.js';

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

/** Index of the nearest centroid for every point (the lowest index on ties). */
export function predict(points: PointsInput, centroids: PointsInput): Int32Array {
  const { points: x, centroids: c } = normalizePredict(points, centroids);
  const centers = c.data instanceof Float64Array ? c.data : Float64Array.from(c.data);
  const [data, scaledCenters] = exactlyScaledPair(x.data, centers);
  return resolveBackend('auto').predict(data, x.n, x.d, scaledCenters, c.n);
}
