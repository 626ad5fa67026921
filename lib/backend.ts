import type { Floats } from './core/distance.js';
import type { MiniBatchOutcome } from './core/minibatch.js';
import type { Algorithm, BackendName, InitMethod, IterationInfo, Metric, ProgressInfo } from './types.js';

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
  onProgress?: (info: ProgressInfo) => void;
  signal?: AbortSignal;
}

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
   * Whether Elkan runs faster than Hamerly on this backend for the shape, memory aside: what
   * `algorithm: 'auto'` follows (lib/algorithm-choice.ts).
   */
  elkanPays(n: number, d: number, k: number): boolean;
  /** Centres are float64 whatever the points' element type, so float32 points meet the centroids as given. */
  predict(data: Floats, n: number, d: number, centers: Float64Array, k: number): Int32Array;
  /** Distance (not squared) from every point to every centre, n rows of k: the square roots of the exact double distances. */
  transform(data: Floats, n: number, d: number, centers: Float64Array, k: number): Float64Array;
  /**
   * One mini-batch step on the calling thread (lib/core/minibatch.ts): `centers`, `counts` and the
   * generator's words `rngState` are updated in place, bit for bit alike on every backend.
   */
  miniBatchStep(
    batch: Floats,
    m: number,
    d: number,
    weights: Float64Array | null,
    centers: Float64Array,
    counts: Float64Array,
    k: number,
    reassign: boolean,
    reassignmentRatio: number,
    rngState: Uint32Array,
    threads: number,
  ): MiniBatchOutcome;
}

/** The error a fit stopped through its `signal` throws or rejects with. */
export function abortError(signal: AbortSignal): DOMException {
  const error = new DOMException('The k-means fit was aborted.', 'AbortError');
  if (signal.reason !== undefined) Object.defineProperty(error, 'cause', { value: signal.reason });
  return error;
}
