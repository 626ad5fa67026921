import { types } from 'node:util';
import { ELKAN_MIN_CENTERS, ELKAN_MIN_DIMENSIONS } from './algorithm-choice.js';
import { type Backend, type FitHooks, type FitRequest, abortError } from './backend.js';
import type { Floats } from './core/distance.js';
import * as kmeans from './core/kmeans.js';
import { miniBatchStep } from './core/minibatch.js';
import { yinyangGroupCount } from './core/yinyang.js';
import type { Algorithm } from './types.js';

/**
 * The points an asynchronous fit reads while the caller's code runs on: its own copy of points on
 * an ArrayBuffer, which the caller may transfer or resize meanwhile; points on a
 * SharedArrayBuffer, which can be neither, in place. The native addon applies the same rule to
 * every array it is given (native/binding.cpp).
 */
function readableThroughout(data: Floats): Floats {
  return types.isSharedArrayBuffer(data.buffer) ? data : data.slice();
}

/** The error when onIteration detaches or shrinks the points under a synchronous fit (native/binding.cpp has the same text). */
const DETACHED_DURING_SYNC_FIT =
  'The points (or weights) were detached or resized while the fit read them, by onIteration: leave their ArrayBuffer ' +
  'alone until kmeansSync returns, or use kmeans(), which works on its own copy.';

/**
 * What a synchronous fit does after every onIteration call, since it reads the points in place:
 * a callback that transfers or shrinks their ArrayBuffer would leave it reading nothing (NaN).
 */
function checkedAfterEachCallback(request: FitRequest, hooks: FitHooks): FitHooks {
  const { onIteration, onProgress } = hooks;
  const { data } = request;
  const length = data.length;
  const check = (): void => {
    if (data.length !== length) throw new TypeError(DETACHED_DURING_SYNC_FIT);
  };
  return {
    ...hooks,
    onIteration: onIteration && ((info) => (onIteration(info), check())),
    onProgress: onProgress && ((info) => (onProgress(info), check())),
  };
}

function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The arrays lib/core/elkan.ts, lib/core/hamerly.ts and lib/core/yinyang.ts allocate: Elkan's upper
 * bounds (n), lower bounds (n × k), centre-to-centre table (k × k) and nearest-centre distances (k);
 * Hamerly's two bounds per point and its nearest-centre distances; Yinyang's two double bounds per
 * point, its float32 group bounds (n × t), and per centre and group its tables and scratch.
 */
function boundsBytes(algorithm: Algorithm, n: number, k: number): number {
  switch (algorithm) {
    case 'elkan':
      return 8 * n * (k + 1) + 8 * k * (k + 1);
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
 * The pure TypeScript backend: the reference algorithms of lib/core/ on the calling thread, behind
 * the Backend interface. The reference implementation and the fallback.
 */
export const jsBackend: Backend = {
  name: 'js',
  fitSync(request, hooks) {
    if (hooks.signal?.aborted) throw abortError(hooks.signal);
    return runToEnd(kmeans.fit(request, checkedAfterEachCallback(request, hooks)));
  },
  async fit(request, hooks) {
    const steps = kmeans.fit({ ...request, data: readableThroughout(request.data) }, hooks);
    for (;;) {
      await yieldToEventLoop();
      if (hooks.signal?.aborted) throw abortError(hooks.signal);
      const step = steps.next();
      if (step.done) return step.value;
    }
  },
  boundsBytes,
  elkanPays: (_n, d, k) => d >= ELKAN_MIN_DIMENSIONS && k >= ELKAN_MIN_CENTERS,
  predict(data, n, d, centers, k) {
    return kmeans.predict(data, n, d, centers, k);
  },
  transform(data, n, d, centers, k) {
    return kmeans.transform(data, n, d, centers, k);
  },
  miniBatchStep(batch, m, d, weights, centers, counts, k, reassign, reassignmentRatio, rngState) {
    return miniBatchStep(batch, m, d, weights, centers, counts, k, reassign, reassignmentRatio, rngState);
  },
};
