/**
 * The native addon's interface (native/binding.cpp). Only lib/native-backend.ts calls it; users
 * call the public API in lib/index.ts. Every argument arrives validated.
 */
export interface NativeFitRequest {
  data: Float32Array | Float64Array;
  n: number;
  d: number;
  k: number;
  weights: Float64Array | null;
  /** 'k-means++', 'random', or explicit k × d centres in the data's element type. */
  init: 'k-means++' | 'random' | Float32Array | Float64Array;
  nInit: number;
  maxIterations: number;
  tolerance: number;
  seed: number;
  algorithm: 'elkan' | 'hamerly' | 'lloyd';
  threads: number;
}

export interface NativeFitOutput {
  labels: Int32Array;
  centroids: Float32Array | Float64Array;
  inertia: number;
  iterations: number;
  converged: boolean;
  threads: number;
}

/** Per-iteration report: run, iteration, changed, centerShift. Returning true stops the fit (code ABORT_ERR). */
export type NativeIterationCallback = (run: number, iteration: number, changed: number, centerShift: number) => boolean | void;

export interface NativeFitHandle {
  promise: Promise<NativeFitOutput>;
  /** Asks the running fit to stop after its current iteration; the promise then rejects with an error named 'AbortError'. */
  cancel(): void;
}

export interface NativeBinding {
  /** Runs on the calling thread. */
  fitSync(request: NativeFitRequest, onIteration: NativeIterationCallback | null): NativeFitOutput;
  /** Runs on a libuv worker thread; keeps the request's arrays alive until it settles. */
  fit(request: NativeFitRequest, onIteration: NativeIterationCallback | null): NativeFitHandle;
  predict(data: Float32Array | Float64Array, n: number, d: number, centers: Float32Array | Float64Array, k: number, threads: number): Int32Array;
  /** Whether the addon was built with OpenMP; without it every fit runs on one thread. */
  readonly openmp: boolean;
  /** Threads OpenMP would use by default (omp_get_max_threads), 1 without OpenMP. */
  readonly maxThreads: number;
  /** The build variant of the core chosen for this CPU: 'generic' or 'avx2' (ELKAN_KMEANS_ISA asks for one). */
  readonly isa: string;
}
