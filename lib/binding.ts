/**
 * The native addon's interface (native/binding.cpp). Only lib/native-backend.ts calls it; users
 * call the public API in lib/index.ts. Every argument arrives validated.
 */
import type { FitOutput, FitRequest, MiniBatchStepOnThreads, SampledMiniBatchStepOnThreads } from './backend.js';
import type { MiniBatchOutcome } from './core/minibatch.js';
import type { InitMethod } from './types.js';

/** Per-iteration report: run, iteration, changed, centerShift. Returning true stops the fit (code ABORT_ERR). */
export type NativeIterationCallback = (run: number, iteration: number, changed: number, centerShift: number) => boolean | void;

/** Seeding report: run, steps done, steps in all. Returning true stops the fit (code ABORT_ERR). */
export type NativeSeedingCallback = (run: number, done: number, total: number) => boolean | void;

export interface NativeFitHandle {
  promise: Promise<FitOutput>;
  /**
   * Asks the fit to stop at its next iteration or seeding step (a fit still waiting for threads
   * stops at once); the promise then rejects with an error whose code is 'ABORT_ERR'.
   */
  cancel(): void;
}

/** The process-wide thread budget, shared by the main thread and every Worker. */
export interface NativeThreadBudget {
  capacity: number;
  /** Below zero while synchronous fits borrow threads past the capacity. */
  available: number;
  /** Asynchronous fits queued for threads. */
  waiting: number;
}

export interface NativeBinding {
  /**
   * Runs on the calling thread, reading the arrays in place; takes the free threads of the budget
   * without waiting. The request is the one every backend takes, not a copy of its declaration, so
   * that the two cannot drift apart: native/binding.cpp reads each of its fields by name.
   */
  fitSync(request: FitRequest, onIteration: NativeIterationCallback | null, onSeeding: NativeSeedingCallback | null): FitOutput;
  /**
   * Queues the fit for the budget's threads and runs it on a thread of its own. Arrays on an
   * ArrayBuffer are copied first; arrays on a SharedArrayBuffer are read in place.
   */
  fit(request: FitRequest, onIteration: NativeIterationCallback | null, onSeeding: NativeSeedingCallback | null): NativeFitHandle;
  /** Centres are float64 whatever the points' element type. */
  predict(data: Float32Array | Float64Array, n: number, d: number, centers: Float64Array, k: number, threads: number): Int32Array;
  /** n × k distances (not squared), row after row; centres are float64 whatever the points' element type. */
  transform(data: Float32Array | Float64Array, n: number, d: number, centers: Float64Array, k: number, threads: number): Float64Array;
  /**
   * The mini-batch model's initial centres (native/seeding.hpp) on the calling thread, reading the
   * points in place; the generator's four words are updated in place. What onSeeding throws ends
   * the call with that exception.
   */
  seedCenters(
    data: Float32Array | Float64Array,
    n: number,
    d: number,
    k: number,
    weights: Float64Array | null,
    init: InitMethod,
    rngState: Uint32Array,
    centers: Float32Array | Float64Array,
    onSeeding: NativeSeedingCallback | null,
    threads: number,
  ): void;
  /** The weighted inertia of points under their labels (native/minibatch.hpp); every label must be below k. */
  inertiaOfLabels(
    data: Float32Array | Float64Array,
    n: number,
    d: number,
    weights: Float64Array | null,
    centers: Float64Array,
    k: number,
    labels: Int32Array,
    threads: number,
  ): number;
  /**
   * One mini-batch step (native/minibatch.hpp) on the calling thread, reading the batch in place;
   * centres, counts and the generator's four words are updated in place.
   */
  miniBatchStep(...step: MiniBatchStepOnThreads): MiniBatchOutcome;
  /**
   * The one-call fit's step (native/minibatch.hpp) on the calling thread: draws its batch's rows
   * with the sampler's four words and reads them from the points in place.
   */
  sampledMiniBatchStep(...step: SampledMiniBatchStepOnThreads): MiniBatchOutcome;
  threadBudget(): NativeThreadBudget;
  /** Whether the addon was built with OpenMP; without it every fit runs on one thread. */
  readonly openmp: boolean;
  /** The thread budget's capacity: OpenMP's default thread count (omp_get_max_threads), 1 without OpenMP. */
  readonly maxThreads: number;
  /**
   * The build variant of the core chosen for this CPU: 'generic', 'avx2', or 'avx512bf16' (the AVX2
   * build whose distance filter measures in bfloat16 first). ELKAN_KMEANS_ISA asks for one.
   */
  readonly isa: string;
}
