import type { NativeBinding, NativeIterationCallback } from '../binding.js';
import { type Backend, type FitHooks, abortError } from './backend.js';
import { ThreadBudget } from './thread-budget.js';

function iterationCallback(hooks: FitHooks): NativeIterationCallback | null {
  const { onIteration, signal } = hooks;
  if (!onIteration && !signal) return null;
  // Returning true asks the native loop to stop: how a synchronous fit sees its signal.
  return (run, iteration, changed, centerShift) => {
    onIteration?.({ run, iteration, changed, centerShift });
    return signal?.aborted === true;
  };
}

function isNativeAbort(error: unknown): boolean {
  return error instanceof Error && (error as { code?: string }).code === 'ABORT_ERR';
}

/** The addon behind the Backend interface, with the process-wide thread budget for async fits. */
export function createNativeBackend(binding: NativeBinding): Backend {
  const budget = new ThreadBudget(binding.openmp ? Math.max(1, binding.maxThreads) : 1);
  return {
    name: 'native',
    fitSync(request, hooks) {
      const { signal } = hooks;
      if (signal?.aborted) throw abortError(signal);
      const threads = Math.min(request.threads, budget.capacity);
      try {
        return (binding.fitSync({ ...request, threads }, iterationCallback(hooks)));
      } catch (error) {
        if (signal && isNativeAbort(error)) throw abortError(signal);
        throw error;
      }
    },
    async fit(request, hooks) {
      const { signal } = hooks;
      if (signal?.aborted) throw abortError(signal);
      const grant = await budget.acquire(request.threads);
      try {
        if (signal?.aborted) throw abortError(signal);
        const handle = binding.fit({ ...request, threads: grant.threads }, iterationCallback(hooks));
        const cancel = (): void => handle.cancel();
        signal?.addEventListener('abort', cancel, { once: true });
        try {
          return await handle.promise;
        } catch (error) {
          if (signal && isNativeAbort(error)) throw abortError(signal);
          throw error;
        } finally {
          signal?.removeEventListener('abort', cancel);
        }
      } finally {
        grant.release();
      }
    },
    predict(data, n, d, centers, k) {
      return binding.predict(data, n, d, centers, k, budget.capacity);
    },
  };
}
