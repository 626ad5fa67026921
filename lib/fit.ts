import { chooseAlgorithm } from './algorithm-choice.js';
import type { Backend, FitOutput, FitRequest } from './backend.js';
import { exactlyScaledFit } from './exact-scaling.js';
import { jsBackend } from './js-backend.js';
import { createNativeBackend } from './native-backend.js';
import { loadNative } from './native-loader.js';
import type { BackendName, KMeansResult } from './types.js';
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
  const { k, d, seed, algorithm, init } = request;
  return {
    labels: output.labels,
    centroids: { data: output.centroids, shape: [k, d] },
    inertia: output.inertia,
    iterations: output.iterations,
    converged: output.converged,
    seed,
    algorithm,
    init: typeof init === 'string' ? init : 'explicit',
    backend: backend.name,
    threads: output.threads,
  };
}

/** Runs a validated fit on the calling thread. */
export function fitValidatedSync(fit: NormalizedFit): KMeansResult {
  const { backend, request } = prepare(fit);
  const scaled = exactlyScaledFit(request, fit);
  return toResult(scaled.restore(backend.fitSync(scaled.request, scaled.hooks)), request, backend);
}

/** Runs a validated fit off the event loop. */
export async function fitValidated(fit: NormalizedFit): Promise<KMeansResult> {
  const { backend, request } = prepare(fit);
  const scaled = exactlyScaledFit(request, fit);
  return toResult(scaled.restore(await backend.fit(scaled.request, scaled.hooks)), request, backend);
}
