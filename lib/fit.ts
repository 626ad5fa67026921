import { types } from 'node:util';
import { chooseAlgorithm } from './algorithm-choice.js';
import type { Backend, FitOutput, FitRequest } from './backend.js';
import { exactlyScaledFit } from './exact-scaling.js';
import { jsBackend } from './js-backend.js';
import { createNativeBackend } from './native-backend.js';
import { loadNative } from './native-loader.js';
import type { BackendName, KMeansResult, KMeansResultJSON, MatrixJSON, SerializableMatrix } from './types.js';
import type { NormalizedFit } from './validate.js';

/*
 * A validated fit, run: apart from index.ts so that the command line can validate with its own
 * names for the options (normalizeFit's caller) and then fit exactly as the API does, the
 * algorithm included, which is chosen here once the backend is known.
 */

let nativeBackend: Backend | undefined;
let fallbackWarned = false;

export function resolveBackend(requested: BackendName | 'auto'): Backend {
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
 * The backend a fit runs on, its request (rescaled where exactness needs it) with the algorithm
 * chosen for that backend's memory, and the bound of that memory; a refusal names the option as
 * the fit's caller does. `copiesInput`: whether the backend copies the inputs first (kmeans() of
 * points on an ArrayBuffer).
 */
function prepare(fit: NormalizedFit, copiesInput: boolean) {
  const backend = resolveBackend(fit.backend);
  const scaled = exactlyScaledFit(fit.request, fit);
  const { data, n, d, k, init, metric, nInit, weights, threads, maxIterations } = scaled.request;
  const shape = {
    n,
    d,
    k,
    init: typeof init === 'string' ? init : ('explicit' as const),
    metric,
    elementBytes: data.BYTES_PER_ELEMENT as 4 | 8,
    nInit,
    weighted: weights !== null,
    threads,
    maxIterations,
    inputCopies: (copiesInput && !types.isSharedArrayBuffer(data.buffer) ? 1 : 0) + (data !== fit.request.data || weights !== fit.request.weights ? 1 : 0),
  };
  const algorithm = chooseAlgorithm(fit.algorithm, shape, backend, fit.memoryBudget, fit.caller);
  const memoryBytes = backend.fitBytes({ ...shape, algorithm });
  return { backend, scaled, request: { ...scaled.request, algorithm }, original: { ...fit.request, algorithm }, memoryBytes };
}

/**
 * Gives `value` a `toJSON` that JSON.stringify calls. Non-enumerable, so that it is no field of the
 * value: structuredClone and postMessage, which refuse functions, copy the value as before.
 */
function withToJSON<T extends object, J>(value: T, toJSON: (value: T) => J): T & { toJSON(): J } {
  return Object.defineProperty(value, 'toJSON', { value: () => toJSON(value), enumerable: false, writable: true, configurable: true }) as T & { toJSON(): J };
}

/** A matrix as JSON: its numbers (JSON writes each as the shortest digits that read back as the same double), shape and element type. */
function matrixJSON({ data, shape }: { data: Float32Array | Float64Array; shape: readonly [number, number] }): Required<MatrixJSON> {
  return { data: Array.from(data), shape: [shape[0], shape[1]], dtype: data instanceof Float32Array ? 'float32' : 'float64' };
}

/** Summed weight of the points of each cluster, added in point order: the same bits for every backend. */
function clusterSizes(labels: Int32Array, weights: Float64Array | null, k: number): Float64Array {
  const sizes = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) sizes[labels[i]] += weights ? weights[i] : 1;
  return sizes;
}

function toResult(output: FitOutput, request: FitRequest, backend: Backend, memoryBytes: number): KMeansResult {
  const { k, d, seed, algorithm, init, weights } = request;
  const centroids: SerializableMatrix = withToJSON({ data: output.centroids, shape: [k, d] as const }, matrixJSON);
  const result: Omit<KMeansResult, 'toJSON'> = {
    labels: output.labels,
    centroids,
    clusterSizes: clusterSizes(output.labels, weights, k),
    inertia: output.inertia,
    iterations: output.iterations,
    converged: output.converged,
    seed,
    algorithm,
    init: typeof init === 'string' ? init : 'explicit',
    backend: backend.name,
    threads: output.threads,
    memoryBytes,
  };
  return withToJSON(result, (r): KMeansResultJSON => ({
    ...r,
    labels: Array.from(r.labels),
    centroids: matrixJSON(r.centroids),
    clusterSizes: Array.from(r.clusterSizes),
  }));
}

/** Runs a validated fit on the calling thread. */
export function fitValidatedSync(fit: NormalizedFit): KMeansResult {
  const { backend, scaled, request, original, memoryBytes } = prepare(fit, false);
  return toResult(scaled.restore(backend.fitSync(request, scaled.hooks)), original, backend, memoryBytes);
}

/** Runs a validated fit off the event loop. */
export async function fitValidated(fit: NormalizedFit): Promise<KMeansResult> {
  const { backend, scaled, request, original, memoryBytes } = prepare(fit, true);
  return toResult(scaled.restore(await backend.fit(request, scaled.hooks)), original, backend, memoryBytes);
}
