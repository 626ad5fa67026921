import { types } from 'node:util';
import { ELKAN_MIN_CENTERS, ELKAN_MIN_DIMENSIONS, JS_YINYANG_MIN_CENTERS } from './algorithm-choice.js';
import { type Backend, type FitHooks, type FitRequest, type FitShape, abortError, kmeansParallelCandidates } from './backend.js';
import type { Floats } from './core/distance.js';
import * as kmeans from './core/kmeans.js';
import { inertiaOfLabels, miniBatchStep, sampledMiniBatchStep } from './core/minibatch.js';
import { Random } from './core/random.js';
import { seedCenters } from './core/seeding.js';
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
 * An upper bound of the bytes lib/core/kmeans.ts's fit allocates in typed arrays for the shape,
 * beyond the caller's points: the peak over its phases, each term traced to the code. Not
 * counted: V8's objects and the small arrays of numbers it keeps (k-means||'s chosen indices aside).
 */
function fitBytes(shape: FitShape): number {
  const { n, d, k, algorithm, init, metric, elementBytes: e, nInit, weighted } = shape;
  const explicit = init === 'explicit';
  // Held throughout: the async copy and exact rescaling's (lib/exact-scaling.ts), kmeans.ts's
  // normalised copies under cosine and its weights of 1, the best run while others run, each run's centres.
  const input = n * d * e + (weighted ? 8 * n : 0) + (explicit ? k * d * e : 0);
  const held =
    shape.inputCopies * input +
    (metric === 'cosine' ? n * d * e + (explicit ? k * d * e : 0) : 0) +
    (weighted ? 0 : 8 * n) +
    (nInit > 1 ? 4 * n + k * d * e : 0) +
    k * d * e;
  const setup = 16 * d; // tolerance.ts's column sums
  const plusPlus = (m: number): number => 8 * m + 4 * (2 + Math.floor(Math.log(k))); // seeding.ts: closest, candidates
  let seeding = 4 * n; // randomCenters' order
  if (init === 'k-means++') seeding = plusPlus(n);
  if (init === 'k-means||') {
    const m = kmeansParallelCandidates(n, k);
    // closest, nearest, taken, the chosen indices (an array of numbers), candidateWeights, rows, and k-means++ over them.
    seeding = (8 + 4 + 1) * n + 8 * m + m * (8 + d * e) + plusPlus(m);
  }
  const iterating =
    (4 + 4) * n + // labels, previous
    k * d * e + // next centres
    // centroid-update.ts: sums, clusterWeights, chunkSums, chunkWeights, shifts, the cosine scratch, farthestPoints' distances and indices
    8 * (2 * k * d + 3 * k + d) +
    12 * n +
    boundsBytes(algorithm, n, k) +
    // yinyang.ts beyond its bounds: the grouping's means and sums, its tables, and the scratch of candidates and squared distances.
    (algorithm === 'yinyang' ? 16 * yinyangGroupCount(k) * d + 12 * k + 20 * k + 9 * (yinyangGroupCount(k) + 1) : 0);
  const result = 4 * n + k * d * e + 8 * k; // the winner's labels and centres, lib/fit.ts's cluster sizes
  return Math.ceil(held + Math.max(setup, seeding, iterating, result));
}

/** The algorithms lib/core/ runs fastest first for the shape, memory aside (lib/algorithm-choice.ts has the measurements). */
export function jsAlgorithmPreference(_n: number, d: number, k: number): Algorithm[] {
  if (d >= ELKAN_MIN_DIMENSIONS && k >= ELKAN_MIN_CENTERS) return ['elkan', 'hamerly'];
  return d < ELKAN_MIN_DIMENSIONS && k >= JS_YINYANG_MIN_CENTERS ? ['yinyang', 'hamerly'] : ['hamerly'];
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
  fitBytes,
  algorithmPreference: jsAlgorithmPreference,
  predict(data, n, d, centers, k) {
    return kmeans.predict(data, n, d, centers, k);
  },
  transform(data, n, d, centers, k) {
    return kmeans.transform(data, n, d, centers, k);
  },
  seedCenters(data, n, d, k, weights, init, rngState, centers, _threads, report) {
    const rng = Random.fromState(rngState);
    runToEnd(seedCenters({ data, n, d, k, weights: weights ?? new Float64Array(n).fill(1) }, init, rng, centers, report, undefined, abortError));
    rng.saveState(rngState);
  },
  inertiaOfLabels(data, n, d, weights, centers, _k, labels) {
    return inertiaOfLabels(data, n, d, weights, centers, labels);
  },
  miniBatchStep(batch, m, d, weights, centers, counts, k, reassign, reassignmentRatio, rngState) {
    return miniBatchStep(batch, m, d, weights, centers, counts, k, reassign, reassignmentRatio, rngState);
  },
  sampledMiniBatchStep(points, n, d, weights, m, samplerState, centers, counts, k, reassign, reassignmentRatio, rngState) {
    return sampledMiniBatchStep(points, n, d, weights, m, samplerState, centers, counts, k, reassign, reassignmentRatio, rngState);
  },
};
