import { chooseAlgorithm } from './algorithm-choice.js';
import type { Backend, FitOutput, FitRequest } from './backend.js';
import { exactlyScaledFit, exactlyScaledPair } from './exact-scaling.js';
import { jsBackend } from './js-backend.js';
import { createNativeBackend } from './native-backend.js';
import { loadNative } from './native-loader.js';
import type { BackendName, KMeansOptions, KMeansResult, PointsInput } from './types.js';
import { type NormalizedFit, normalizeFit, normalizePredict } from './validate.js';

export type {
  Algorithm, BackendName, InitMethod, IterationInfo, KMeansOptions, KMeansResult, Matrix, PointsInput,
} from './types.js';

let nativeBackend: Backend | undefined;
let fallbackWarned = false;

function resolveBackend(requested: BackendName | 'auto'): Backend {
  if (requested === 'js') return jsBackend;
  if (nativeBackend) return nativeBackend;
  const loaded = loadNative();
  if (loaded.binding) {
    nativeBackend = createNativeBackend(loaded.binding);
    return nativeBackend;
  }
  if (requested === 'native') throw loaded.error;
  if (!fallbackWarned) {
    fallbackWarned = true;
    process.emitWarning(`${loaded.error.message} Falling back to the TypeScript backend.`, { code: 'ELKAN_KMEANS_NO_NATIVE' });
  }
  return jsBackend;
}

/**
 * The backend a fit runs on, and its request with the algorithm chosen for that backend's memory;
 * a refusal names the option as the fit's caller does.
 */
function prepare(fit: NormalizedFit): { backend: Backend; request: FitRequest } {
  const backend = resolveBackend(fit.backend);
  const { n, d, k } = fit.request;
  const algorithm = chooseAlgorithm(fit.algorithm, n, d, k, backend, undefined, fit.caller);
  return { backend, request: { ...fit.request, algorithm } };
}

function toResult(output: FitOutput, request: FitRequest, backend: Backend): KMeansResult {
  const { k, d, seed, algorithm } = request;
  return {
    labels: output.labels,
    centroids: { data: output.centroids, shape: [k, d] },
    inertia: output.inertia,
    iterations: output.iterations,
    converged: output.converged,
    seed,
    algorithm,
    backend: backend.name,
    threads: output.threads,
  };
}

/**
 * Clusters `points` into `k` clusters on the calling thread.
 * Throws a TypeError or RangeError naming the parameter when an argument is invalid.
 */
export function kmeansSync(points: PointsInput, k: number, options?: KMeansOptions): KMeansResult {
  const fit = normalizeFit(points, k, options);
  const { backend, request } = prepare(fit);
  const scaled = exactlyScaledFit(request, fit);
  return toResult(scaled.restore(backend.fitSync(scaled.request, scaled.hooks)), request, backend);
}

/**
 * Clusters `points` into `k` clusters off the event loop (the native backend runs on a worker
 * thread; the TypeScript one yields between iterations). Typed-array points are read in place and
 * must not be modified until the promise settles.
 */
export async function kmeans(points: PointsInput, k: number, options?: KMeansOptions): Promise<KMeansResult> {
  const fit = normalizeFit(points, k, options);
  const { backend, request } = prepare(fit);
  const scaled = exactlyScaledFit(request, fit);
  return toResult(scaled.restore(await backend.fit(scaled.request, scaled.hooks)), request, backend);
}

/** Index of the nearest centroid for every point (the lowest index on ties). */
export function predict(points: PointsInput, centroids: PointsInput): Int32Array {
  const { points: x, centroids: c } = normalizePredict(points, centroids);
  const centers = c.data instanceof Float64Array ? c.data : Float64Array.from(c.data);
  const [data, scaledCenters] = exactlyScaledPair(x.data, centers);
  return resolveBackend('auto').predict(data, x.n, x.d, scaledCenters, c.n);
}
