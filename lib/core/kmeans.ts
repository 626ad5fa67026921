import { type FitHooks, type FitOutput, type FitRequest, abortError } from '../backend.js';
import { updateCenters } from './centroid-update.js';
import { type Floats, squaredDistance } from './distance.js';
import { ElkanAssigner } from './elkan.js';
import { HamerlyAssigner } from './hamerly.js';
import { LloydAssigner, nearestCenter } from './lloyd.js';
import { normalizedRows } from './normalization.js';
import { blockedSum } from './parallel.js';
import { Random } from './random.js';
import { seedCenters } from './seeding.js';
import { absoluteTolerance } from './tolerance.js';
import type { Problem } from './types.js';
import { YinyangAssigner } from './yinyang.js';

/**
 * The assignment step of one exact algorithm: what `iterate` asks of Lloyd, Elkan, Hamerly and Yinyang
 * (native/kmeans.hpp takes it as a template parameter). They differ only here; the update step,
 * the convergence test and everything around them are shared.
 */
export interface Assigner {
  /** Writes the index of the nearest centre of every point into `labels`. */
  assign(centers: Floats, labels: Int32Array): void;
  /** Tells the algorithm the centres moved to `centers`, each by `shifts[c]` (a distance, not squared). */
  centersMoved(centers: Floats, shifts: Float64Array, labels: Int32Array): void;
}

interface RunResult {
  labels: Int32Array;
  centers: Floats;
  inertia: number;
  iterations: number;
  converged: boolean;
}

/**
 * The whole fit, as native/kmeans.hpp's `fit` runs it: seeding, nInit runs of alternating
 * assignment and update steps, the lowest inertia kept. A generator that yields after every
 * iteration, every k-means++ centre and every k-means|| round: the synchronous driver runs it straight through, the
 * asynchronous one returns to the event loop at each yield.
 *
 * Cosine k-means runs the same fit on a normalised copy of the points and of explicit centres, its
 * update step normalising every new centre: all the rest, the bounds included, is Euclidean
 * geometry on unit vectors.
 */
export function* fit(request: FitRequest, hooks: FitHooks): Generator<void, FitOutput> {
  const { n, d, k, nInit } = request;
  const cosine = request.metric === 'cosine';
  const data = cosine ? normalizedRows(request.data, n, d) : request.data;
  const init = cosine && typeof request.init !== 'string' ? normalizedRows(request.init, k, d) : request.init;
  const weights = request.weights ?? new Float64Array(n).fill(1);
  const input = { data, n, d, k, weights };
  const tolerance = absoluteTolerance(data, n, d, request.tolerance);
  const rng = new Random(request.seed);

  let best: RunResult | undefined;
  for (let run = 0; run < nInit; run++) {
    const centers = data instanceof Float32Array ? new Float32Array(k * d) : new Float64Array(k * d);
    const { onProgress, signal } = hooks;
    const report = onProgress && ((done: number, total: number) => onProgress({ phase: 'seeding', run, done, total }));
    if (typeof init === 'string') yield* seedCenters(input, init, rng, centers, report, signal, abortError);
    else centers.set(init);
    const result = yield* iterate(request, hooks, input, centers, tolerance, run);
    if (best === undefined || result.inertia < best.inertia) best = result;
  }
  const winner = best!;
  return {
    labels: winner.labels,
    centroids: winner.centers,
    inertia: winner.inertia,
    iterations: winner.iterations,
    converged: winner.converged,
    threads: 1,
  };
}

/** Alternating assignment and update steps from the given centres, as scikit-learn's loop runs them. */
function* iterate(request: FitRequest, hooks: FitHooks, input: Problem, initialCenters: Floats, tolerance: number, run: number): Generator<void, RunResult> {
  const { data, n, d, k, weights } = input;
  const assigners: Record<FitRequest['algorithm'], () => Assigner> = {
    elkan: () => new ElkanAssigner(input),
    hamerly: () => new HamerlyAssigner(input),
    yinyang: () => new YinyangAssigner(input),
    lloyd: () => new LloydAssigner(input),
  };
  const assigner = assigners[request.algorithm]();
  const labels = new Int32Array(n).fill(-1);
  const previous = new Int32Array(n);
  let centers = initialCenters;
  let next: Floats = centers.slice();
  let iterations = 0;
  let converged = false;
  let strict = false;

  for (let iteration = 1; iteration <= request.maxIterations; iteration++) {
    previous.set(labels);
    assigner.assign(centers, labels);
    let changed = 0;
    for (let i = 0; i < n; i++) if (labels[i] !== previous[i]) changed++;

    const { shifts, relocated } = updateCenters(input, labels, centers, next, request.metric === 'cosine');
    let centerShift = 0;
    for (let c = 0; c < k; c++) centerShift += shifts[c];
    for (let c = 0; c < k; c++) shifts[c] = Math.sqrt(shifts[c]);
    assigner.centersMoved(next, shifts, labels);
    [centers, next] = [next, centers];
    iterations = iteration;

    hooks.onIteration?.({ run, iteration, changed, centerShift });
    hooks.onProgress?.({ phase: 'iterating', run, iteration, maxIterations: request.maxIterations });
    if (hooks.signal?.aborted) throw abortError(hooks.signal);
    // Unchanged labels end the run exactly, unless a relocation just moved a centre under them.
    if (changed === 0 && relocated === 0) {
      converged = strict = true;
      break;
    }
    if (centerShift <= tolerance) {
      converged = true;
      break;
    }
    yield;
  }
  // The loop ended on moved centres: one more assignment so the labels match the returned centres.
  if (!strict) assigner.assign(centers, labels);

  const inertia = blockedSum(n, (i) => weights[i] * squaredDistance(data, i, centers, labels[i], d));
  return { labels, centers, inertia, iterations, converged };
}

/** Index of the nearest centre for every point, the lowest index on ties. */
export function predict(data: Floats, n: number, d: number, centers: Float64Array, k: number): Int32Array {
  const input = { data, d, k };
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = nearestCenter(input, i, centers);
  return labels;
}

/** Distance, not squared, from every point to every centre, n rows of k (native/kmeans.hpp's `transform`). */
export function transform(data: Floats, n: number, d: number, centers: Float64Array, k: number): Float64Array {
  const distances = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) distances[i * k + c] = Math.sqrt(squaredDistance(data, i, centers, c, d));
  }
  return distances;
}
