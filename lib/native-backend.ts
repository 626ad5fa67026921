import { type Backend, type FitHooks, type FitRequest, abortError } from './backend.js';
import type { NativeBinding, NativeIterationCallback, NativeSeedingCallback } from './binding.js';
import { yinyangGroupCount } from './core/yinyang.js';
import type { Algorithm } from './types.js';

/** What onIteration or onProgress threw, kept to end the fit with. */
type Failure = { thrown?: { value: unknown } };

/**
 * The callback the addon calls after every iteration. It never throws into the addon: what
 * onIteration or onProgress throws is kept in `failure` and ends the fit, and nothing is reported once the fit
 * is told to stop. Returning true asks the native loop to stop: how a synchronous fit sees its
 * signal.
 */
function iterationCallback(request: FitRequest, hooks: FitHooks, failure: Failure): NativeIterationCallback | null {
  const { onIteration, onProgress, signal } = hooks;
  if (!onIteration && !onProgress && !signal) return null;
  const { maxIterations } = request;
  return (run, iteration, changed, centerShift) =>
    reported(hooks, failure, () => {
      onIteration?.({ run, iteration, changed, centerShift });
      onProgress?.({ phase: 'iterating', run, iteration, maxIterations });
    });
}

/** The callback the addon calls while it seeds, on the same terms as iterationCallback's. */
function seedingCallback(hooks: FitHooks, failure: Failure): NativeSeedingCallback | null {
  const { onProgress } = hooks;
  if (!onProgress) return null;
  return (run, done, total) => reported(hooks, failure, () => onProgress({ phase: 'seeding', run, done, total }));
}

/** Runs a report unless the fit is stopping; true (stop) when it threw or the signal is aborted. */
function reported(hooks: FitHooks, failure: Failure, report: () => void): boolean {
  if (failure.thrown || hooks.signal?.aborted) return true;
  try {
    report();
  } catch (value) {
    failure.thrown = { value };
    return true;
  }
  return hooks.signal?.aborted === true;
}

function isNativeAbort(error: unknown): boolean {
  return error instanceof Error && (error as { code?: string }).code === 'ABORT_ERR';
}

/**
 * Where the native Elkan beats Hamerly, measured on one thread, same centres: from d = 128 with
 * k ≥ 32 (Gaussian blobs, 100 000 points: 0.83× Hamerly's time at d = 128, k = 64; 0.55× at
 * d = 256, k = 256). Below, Hamerly, whose rescans run through the fast distance filter, was as
 * fast or faster (1.1× at d = 64, k = 128; 1.4× at d = 32, k = 100), and so it was where Elkan's
 * bounds would take more than 1 GiB (2.5× at 500 000 × 32, k = 1000): reading and writing them
 * costs more than the distances they save.
 */
export function nativeElkanPays(n: number, d: number, k: number): boolean {
  return d >= 128 && k >= 32 && n * k <= 2 ** 28;
}

/**
 * What native/elkan.hpp and native/hamerly.hpp allocate: Elkan's lower bounds (n × k) are float32,
 * half the bytes of the TypeScript ones, and its upper bounds (n), centre-to-centre table (k × k)
 * and four per-centre arrays (nearest centre, last shift, total shift and its margin) double;
 * Hamerly keeps two double bounds per point and its nearest-centre distances; Yinyang two double
 * bounds per point, float32 group bounds (n × t, native/yinyang.hpp), and per centre and group its
 * tables.
 */
export function nativeBoundsBytes(algorithm: Algorithm, n: number, k: number): number {
  switch (algorithm) {
    case 'elkan':
      return 8 * n + 4 * n * k + 8 * k * (k + 4);
    case 'hamerly':
      return 16 * n + 8 * k;
    case 'yinyang': {
      const t = yinyangGroupCount(k);
      return 16 * n + 4 * n * t + 40 * k + 33 * t;
    }
    case 'lloyd':
      return 0;
  }
}

/**
 * The addon behind the Backend interface. The thread budget lives in the addon, so that it holds
 * for the whole process, Workers included.
 */
export function createNativeBackend(binding: NativeBinding): Backend {
  const settled = (error: unknown, failure: Failure, signal?: AbortSignal): unknown => {
    if (failure.thrown) return failure.thrown.value;
    if (signal && isNativeAbort(error)) return abortError(signal);
    return error;
  };
  return {
    name: 'native',
    fitSync(request, hooks) {
      const { signal } = hooks;
      if (signal?.aborted) throw abortError(signal);
      const failure: Failure = {};
      try {
        return binding.fitSync(request, iterationCallback(request, hooks, failure), seedingCallback(hooks, failure));
      } catch (error) {
        throw settled(error, failure, signal);
      }
    },
    async fit(request, hooks) {
      const { signal } = hooks;
      if (signal?.aborted) throw abortError(signal);
      const failure: Failure = {};
      const handle = binding.fit(request, iterationCallback(request, hooks, failure), seedingCallback(hooks, failure));
      const cancel = (): void => handle.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      try {
        const output = await handle.promise;
        // The fit can finish before a report that onIteration then throws on reaches it.
        if (failure.thrown) throw failure.thrown.value;
        return output;
      } catch (error) {
        throw settled(error, failure, signal);
      } finally {
        signal?.removeEventListener('abort', cancel);
      }
    },
    boundsBytes: nativeBoundsBytes,
    elkanPays: nativeElkanPays,
    predict(data, n, d, centers, k) {
      return binding.predict(data, n, d, centers, k, binding.maxThreads);
    },
    transform(data, n, d, centers, k) {
      return binding.transform(data, n, d, centers, k, binding.maxThreads);
    },
    miniBatchStep(batch, m, d, weights, centers, counts, k, reassign, reassignmentRatio, rngState, threads) {
      return binding.miniBatchStep(batch, m, d, weights, centers, counts, k, reassign, reassignmentRatio, rngState, threads);
    },
  };
}
