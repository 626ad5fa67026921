import { blockedSum } from './core/parallel.js';
import { squaredDistance } from './core/distance.js';
import { exactlyScaledPair, scaled, timesPowerOfTwo, weightExponent } from './exact-scaling.js';
import { fitValidated, fitValidatedSync, resolveBackend } from './fit.js';
import { normalizedRows } from './core/normalization.js';
import type { CentroidArray, KMeansOptions, KMeansResult, Matrix, Metric, PointsInput, PredictOptions, ScoreOptions, TransformOptions } from './types.js';
import { type NormalizedMatrix, normalizeFit, normalizePredict, normalizeScore, normalizeTransform } from './validate.js';

export type {
  Algorithm,
  BackendName,
  CentroidArray,
  DType,
  Float32MatrixJSON,
  Float64MatrixJSON,
  InitMethod,
  IterationInfo,
  IterationProgressInfo,
  KMeansOptions,
  KMeansResult,
  KMeansResultJSON,
  Matrix,
  MatrixJSON,
  Metric,
  PointsInput,
  PredictOptions,
  ProgressInfo,
  ScoreOptions,
  SeedingProgressInfo,
  SerializableMatrix,
  TransformOptions,
  MiniBatchKMeansOptions,
  MiniBatchKMeansResult,
  MiniBatchModelOptions,
  MiniBatchProgressInfo,
  MiniBatchStepInfo,
} from './types.js';
export { MiniBatchKMeans, miniBatchKMeans, miniBatchKMeansSync } from './minibatch.js';

/**
 * Clusters `points` into `k` clusters on the calling thread, reading a `{ data, shape }` matrix in place.
 * The centroids are typed Float32Array for float32 points and Float64Array for float64 ones.
 * Throws a TypeError or RangeError naming the parameter when an argument is invalid.
 */
export function kmeansSync<P extends PointsInput>(points: P, k: number, options?: KMeansOptions): KMeansResult<CentroidArray<P>> {
  return fitValidatedSync(normalizeFit(points, k, options)) as KMeansResult<CentroidArray<P>>;
}

/**
 * Clusters `points` into `k` clusters off the event loop (the native backend runs on a thread of
 * its own; the TypeScript one yields between iterations). Typed arrays on an `ArrayBuffer` are
 * copied when the call starts, so the caller may change them at once; on a `SharedArrayBuffer`
 * they are read in place and must not be written until the promise settles.
 * The centroids are typed Float32Array for float32 points and Float64Array for float64 ones.
 * Rejects with a TypeError or RangeError naming the parameter when an argument is invalid.
 */
export async function kmeans<P extends PointsInput>(points: P, k: number, options?: KMeansOptions): Promise<KMeansResult<CentroidArray<P>>> {
  return (await fitValidated(normalizeFit(points, k, options))) as KMeansResult<CentroidArray<P>>;
}

/**
 * Index of the nearest centroid for every point (the lowest index on ties). With
 * `metric: 'cosine'`, the most similar one: points and centroids are normalised as a cosine fit
 * normalises them, the points into a copy of their element type, the centroids in float64.
 * Throws a TypeError or RangeError naming the parameter when an argument is invalid.
 */
export function predict(points: PointsInput, centroids: PointsInput, options?: PredictOptions): Int32Array {
  const { points: x, centroids: c, metric } = normalizePredict(points, centroids, options);
  const { data, centers } = measured(x, c, metric);
  return resolveBackend('auto').predict(data, x.n, x.d, centers, c.n);
}

/**
 * The points and the centroids as the backends measure them: under cosine, normalised as a cosine
 * fit normalises them (the points into a copy of their element type, the centroids in float64),
 * unit vectors whose squared distances need no rescaling; else both multiplied by 2^exponent, one
 * exact scale that keeps their squared distances within double's range.
 */
function measured(x: NormalizedMatrix, c: NormalizedMatrix, metric: Metric): { data: Float32Array | Float64Array; centers: Float64Array; exponent: number } {
  const centers = c.data instanceof Float64Array ? c.data : Float64Array.from(c.data);
  if (metric === 'cosine') return { data: normalizedRows(x.data, x.n, x.d), centers: normalizedRows(centers, c.n, c.d) as Float64Array, exponent: 0 };
  const [data, scaledCenters, exponent] = exactlyScaledPair(x.data, centers);
  return { data, centers: scaledCenters, exponent };
}

/**
 * Distance (not squared) from every point to every centroid, as scikit-learn's `transform`: an
 * n × k matrix whose row i, column c is the Euclidean distance from point i to centroid c, the
 * square root of the exact double squared distance the fits decide with; the same bits on both
 * backends. `centroids` may be a fit's centroids or those centroids back from JSON.
 * @example
 * const { data, shape } = transform([[0, 0], [3, 4]], [[0, 0]]); // data: [0, 5], shape: [2, 1]
 */
export function transform(points: PointsInput, centroids: PointsInput, options?: TransformOptions): Matrix<Float64Array> {
  const { points: x, centroids: c, backend: requested, metric } = normalizeTransform(points, centroids, options);
  const backend = resolveBackend(requested);
  const { data, centers, exponent } = measured(x, c, metric);
  const distances = backend.transform(data, x.n, x.d, centers, c.n);
  return { data: exponent === 0 ? distances : distances.map((value) => timesPowerOfTwo(value, -exponent)), shape: [x.n, c.n] };
}

/**
 * Minus the inertia of `points` against their nearest centroid, as scikit-learn's `score`: the
 * (weighted, with `options.weights`) sum of squared distances, negated, so that higher is better.
 * For a fit's own points, weights and centroids it is exactly `-result.inertia`.
 * @example
 * score([[0], [2]], [[1]]); // -2
 */
export function score(points: PointsInput, centroids: PointsInput, options?: ScoreOptions): number {
  const { points: x, centroids: c, backend: requested, metric, weights } = normalizeScore(points, centroids, options);
  const backend = resolveBackend(requested);
  const { data, centers, exponent } = measured(x, c, metric);
  const labels = backend.predict(data, x.n, x.d, centers, c.n);
  // Weights are brought into range as a fit brings them (lib/exact-scaling.ts), and the sum is
  // blocked as a fit's inertia is, so that the fit's own points give the fit's inertia bit for bit.
  const wExponent = weights ? weightExponent(weights) : 0;
  const w = weights && wExponent !== 0 ? scaled(weights, wExponent) : weights;
  const inertia = blockedSum(x.n, (i) => (w ? w[i] : 1) * squaredDistance(data, i, centers, labels[i], x.d));
  return -timesPowerOfTwo(inertia, -wExponent - 2 * exponent);
}
