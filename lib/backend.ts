import type { Floats } from './core/distance.js';
import type { MiniBatchOutcome, miniBatchStep, sampledMiniBatchStep } from './core/minibatch.js';
import type { Algorithm, BackendName, InitMethod, IterationInfo, Metric, IterationProgressInfo, SeedingProgressInfo } from './types.js';

/**
 * A fit request after validation: what every backend receives, the native addon as is
 * (lib/binding.ts). Data is read in place; explicit initial centres are already in the data's
 * element type.
 */
export interface FitRequest {
  data: Floats;
  n: number;
  d: number;
  k: number;
  /** null means every weight is 1. */
  weights: Float64Array | null;
  init: InitMethod | Floats;
  nInit: number;
  maxIterations: number;
  /** Relative: scaled by the mean per-feature variance of the data. */
  tolerance: number;
  seed: number;
  algorithm: Algorithm;
  /** Cosine: the backend normalises the points and explicit centres itself, on its own copy. */
  metric: Metric;
  threads: number;
}

/**
 * What the memory a fit allocates depends on (Backend.fitBytes): the request's shape and options,
 * and how many copies of its inputs the API layer makes before the backend reads them.
 */
export interface FitShape {
  n: number;
  d: number;
  k: number;
  algorithm: Algorithm;
  /** 'explicit' for starting centres the caller gave. */
  init: InitMethod | 'explicit';
  metric: Metric;
  /** 4 for float32 points, 8 for float64. */
  elementBytes: 4 | 8;
  nInit: number;
  /** Whether the caller gave weights (else the TypeScript core makes n ones). */
  weighted: boolean;
  threads: number;
  /** The cap on iterations: bounds pay over many, so a short fit may be faster without them. */
  maxIterations: number;
  /**
   * Copies of the inputs (points, weights, explicit centres) made for this fit: one by kmeans()
   * for inputs on an ArrayBuffer (native/binding.cpp, lib/js-backend.ts), one where the points
   * are rescaled to stay exact (lib/exact-scaling.ts).
   */
  inputCopies: number;
}

/**
 * The candidates k-means|| keeps, bounded: 1 + 5 rounds of 2k expected each (native/seeding.hpp,
 * lib/core/seeding.ts); twice that is passed with vanishing probability.
 */
export function kmeansParallelCandidates(n: number, k: number): number {
  return Math.min(n, 1 + 5 * 4 * k);
}

export interface FitOutput {
  labels: Int32Array;
  centroids: Floats;
  inertia: number;
  iterations: number;
  converged: boolean;
  threads: number;
}

export interface FitHooks {
  onIteration?: (info: IterationInfo) => void;
  onProgress?: (info: SeedingProgressInfo | IterationProgressInfo) => void;
  signal?: AbortSignal;
}

/** The arguments of lib/core/minibatch.ts's step, and the threads it may take. */
export type MiniBatchStepOnThreads = [...Parameters<typeof miniBatchStep>, threads: number];

/** The arguments of lib/core/minibatch.ts's sampled step, and the threads it may take. */
export type SampledMiniBatchStepOnThreads = [...Parameters<typeof sampledMiniBatchStep>, threads: number];

/** The seam between the public API and an implementation: the TypeScript one and the native addon. */
export interface Backend {
  readonly name: BackendName;
  fitSync(request: FitRequest, hooks: FitHooks): FitOutput;
  fit(request: FitRequest, hooks: FitHooks): Promise<FitOutput>;
  /**
   * Bytes `algorithm` keeps on this backend beyond the data and labels (its bounds and centre
   * tables) for n points and k centres: what the choice of algorithm weighs against the memory
   * budget (lib/algorithm-choice.ts). Each backend stores its bounds its own way.
   */
  boundsBytes(algorithm: Algorithm, n: number, k: number): number;
  /**
   * An upper bound of the bytes a fit of this shape allocates on this backend beyond the caller's
   * points: the peak over its phases (setup, seeding, iterations, result). What the choice of
   * algorithm weighs against `memoryBudget` and what the result reports as `memoryBytes`.
   */
  fitBytes(shape: FitShape): number;
  /**
   * The exact algorithms in the order this backend runs them fastest for the shape and the cap on
   * iterations, memory aside: `algorithm: 'auto'` takes the first whose fit fits the budget
   * (lib/algorithm-choice.ts).
   */
  algorithmPreference(n: number, d: number, k: number, maxIterations: number): Algorithm[];
  /**
   * Centres are float64 whatever the points' element type, so float32 points meet the centroids as
   * given. `threads`: the most to take (the caller's `threads` option), else all the backend has.
   */
  predict(data: Floats, n: number, d: number, centers: Float64Array, k: number, threads?: number): Int32Array;
  /** Distance (not squared) from every point to every centre, n rows of k: the square roots of the exact double distances. */
  transform(data: Floats, n: number, d: number, centers: Float64Array, k: number): Float64Array;
  /**
   * The mini-batch model's initial centres, drawn from the n points by `init` on the calling
   * thread (lib/core/seeding.ts seedCenters) with the generator's words `rngState`, updated in
   * place, into `centers` (k × d, the points' element type), bit for bit alike on every backend.
   * `report` gets the seeding's steps done of its total; what it throws ends the call.
   */
  seedCenters(
    data: Floats,
    n: number,
    d: number,
    k: number,
    weights: Float64Array | null,
    init: InitMethod,
    rngState: Uint32Array,
    centers: Floats,
    threads: number,
    report: ((done: number, total: number) => void) | undefined,
  ): void;
  /**
   * Σ w_i ‖x_i − c_labels[i]‖² (weights null for all 1), in the blocked order of
   * lib/core/parallel.ts, against the k float64 centres: the inertia of points under their labels.
   */
  inertiaOfLabels(
    data: Floats,
    n: number,
    d: number,
    weights: Float64Array | null,
    centers: Float64Array,
    k: number,
    labels: Int32Array,
    threads?: number,
  ): number;
  /**
   * One mini-batch step on the calling thread (lib/core/minibatch.ts): `centers`, `counts` and the
   * generator's words `rngState` are updated in place, bit for bit alike on every backend.
   */
  miniBatchStep(...step: MiniBatchStepOnThreads): MiniBatchOutcome;
  /**
   * The one-call fit's step (lib/core/minibatch.ts): draws its batch from the points with the
   * sampler's words `samplerState`, then updates the model as miniBatchStep does; the points are
   * read in place, and the sampler's words too are updated in place.
   */
  sampledMiniBatchStep(...step: SampledMiniBatchStepOnThreads): MiniBatchOutcome;
}

/** The error a fit stopped through its `signal` throws or rejects with. */
export function abortError(signal: AbortSignal): DOMException {
  const error = new DOMException('The k-means fit was aborted.', 'AbortError');
  if (signal.reason !== undefined) Object.defineProperty(error, 'cause', { value: signal.reason });
  return error;
}
