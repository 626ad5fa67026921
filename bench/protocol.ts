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
  stop: StopRule;
  repetitions: RepetitionPolicy;
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
  /** Peak resident set size of the whole child process (runtime, data, conversions and fits). */
  peakRssBytes: number;
  /** CPU time (user + system, all threads) the child process used over its life. */
  cpuMs: number;
}
