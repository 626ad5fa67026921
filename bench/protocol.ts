/**
 * What the orchestrator (run.ts) and a measuring child process exchange: a job as one JSON
 * argument, a result as one JSON line on stdout. bench/sklearn_kmeans.py reads and writes the same
 * shapes, so keep the two in step.
 */
import type { ImplementationId } from './implementations.js';

export type ElementType = 'float32' | 'float64';

/** A dataset and its initial centres as raw little-endian row-major files. */
export interface DatasetFiles {
  points: string;
  init: string;
  n: number;
  d: number;
  k: number;
  type: ElementType;
}

/** The one stopping rule every implementation of a row is given. */
export interface StopRule {
  /** Relative, scaled by the mean per-feature variance (scikit-learn's and our semantics). */
  tolerance: number;
  maxIterations: number;
}

/**
 * How often to run: one untimed warm-up of `warmupIterations` iterations (it compiles the hot
 * JavaScript and starts thread pools; the full fit would only cost time), then timed repetitions
 * until `maxRepetitions`, stopping early once `minRepetitions` are done and `budgetMs` is spent.
 */
export interface RepetitionPolicy {
  warmupIterations: number;
  maxRepetitions: number;
  minRepetitions: number;
  budgetMs: number;
}

export interface MeasureJob {
  implementation: ImplementationId;
  threads: number;
  data: DatasetFiles;
  /** null: the library's own stopping rule (implementations that fit with their defaults). */
  stop: StopRule | null;
  repetitions: RepetitionPolicy;
  /** The seed of implementations that seed themselves (the `*-default` ones); the others start from `data.init`. */
  seed: number;
}

export interface MeasureOutput {
  /** Wall time of each timed repetition: the library call alone, inputs already converted. */
  timesMs: number[];
  iterations: number;
  converged: boolean;
  /** The inertia the library itself reports, when it reports one. */
  reportedInertia: number | null;
  /** Final k × d centres, row-major, as float64 values. */
  centroids: number[];
  /** The algorithm it ran, where it chose one itself (our 'auto'). */
  algorithm?: string;
  /** Peak resident set size of the whole child process (runtime, data, conversions and fits). */
  peakRssBytes: number;
  /** CPU time (user + system, all threads) the child process used over its life. */
  cpuMs: number;
}

/** A child's answer when the library refused the job up front (our explicit Elkan beyond the memory budget). */
export interface MeasureRefusal {
  refused: string;
  cpuMs: number;
}

/** One shape of the throughput section and the wall time of each timed pass over it. */
export interface ThroughputTiming {
  d: number;
  n: number;
  k: number;
  timesMs: number[];
}

/**
 * For bench/throughput-worker.ts: for each d, n is chosen so that one pass of `predict` takes
 * about `targetMs` (within [minN, maxValues / d]); the TS backend gets its own dims and target.
 */
export interface ThroughputJob {
  k: number;
  dims: number[];
  targetMs: number;
  /** At least one block of points per thread, so that every thread works. */
  minN: number;
  /** The most n × d values a shape may hold, so that the data stays in memory many times over. */
  maxValues: number;
  tsDims: number[];
  tsTargetMs: number;
  /** `warmupIterations` counts untimed passes here. */
  repetitions: RepetitionPolicy;
}

export interface ThroughputOutput {
  /** Empty when the addon did not load; `nativeError` says why. */
  native: ThroughputTiming[];
  nativeError: string | null;
  /** The threads the addon's predict may use: its budget, set by OMP_NUM_THREADS in the child. */
  nativeThreads: number;
  ts: ThroughputTiming[];
  cpuMs: number;
}

/** For bench/numpy_matmul.py: `X @ C.T` in float32 on each shape, in blocks of `blockRows` rows. */
export interface MatmulJob {
  shapes: Array<{ d: number; n: number; k: number }>;
  threads: number;
  blockRows: number;
  repetitions: RepetitionPolicy;
}

export interface MatmulOutput {
  rows: ThroughputTiming[];
  numpy: string;
  /** The BLAS numpy calls, as threadpoolctl describes it: library, version, kernel architecture. */
  blas: string;
  cpuMs: number;
}
