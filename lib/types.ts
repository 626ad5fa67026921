/** A row-major matrix read in place: `data[i * shape[1] + j]` is row i, column j. */
export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** The n × d values, row after row. */
  data: T;
  /** `[n, d]`: rows, and values per row. */
  shape: readonly [number, number];
}

/** Anything the API accepts as a set of rows: plain arrays, typed-array rows, or a matrix. */
export type PointsInput = ReadonlyArray<ReadonlyArray<number>> | ReadonlyArray<Float32Array | Float64Array> | Matrix;

/** How `init` chooses the first centres when it is not given them. */
export type InitMethod = 'k-means++' | 'random';
/** The exact algorithms: all reach Lloyd's labels from the same centres; Elkan and Hamerly skip distances they can prove useless. */
export type Algorithm = 'elkan' | 'hamerly' | 'lloyd';
/** Where a fit runs: the C++ addon, or the TypeScript implementation of the same algorithms. */
export type BackendName = 'native' | 'js';

/** Reported to `onIteration` after every iteration of every run. */
export interface IterationInfo {
  /** 0-based index of the run among `nInit` runs. */
  run: number;
  /** 1-based iteration number within the run. */
  iteration: number;
  /** Number of points whose cluster changed in this iteration (all n in the first). */
  changed: number;
  /** Summed squared distance the centres moved in this iteration. */
  centerShift: number;
}

/**
 * Options of {@link kmeans} and {@link kmeansSync}. Each is declared once, with its range and
 * default, in `lib/options.ts`; the checks, the command line's flags and these `@default` tags
 * (checked by `test/option-spec.test.ts`) follow from it.
 */
export interface KMeansOptions {
  /**
   * How the first centres are chosen: `'k-means++'` (greedy and weighted, 2 + ⌊ln k⌋ candidates
   * per step, as scikit-learn), `'random'` (k distinct points), or k explicit centres in any form
   * the points take. Centres for float32 points must lie within float32's range.
   * @default 'k-means++'
   * @example
   * kmeansSync(points, 2, { init: [[0, 0], [10, 0]] });
   */
  init?: InitMethod | PointsInput;
  /**
   * Runs from different seeds; the one of lowest inertia wins. `'auto'` is 10 for `'random'` and 1
   * otherwise; explicit centres allow only 1.
   * @default 'auto'
   * @example
   * kmeansSync(points, 8, { init: 'random', nInit: 20 });
   */
  nInit?: number | 'auto';
  /**
   * Iteration cap per run, an integer from 1 to 2³¹ − 1; `converged` in the result says whether a
   * run stopped before it.
   * @default 300
   * @example
   * kmeansSync(points, 8, { maxIterations: 50 });
   */
  maxIterations?: number;
  /**
   * Relative tolerance: a run stops once the centres' summed squared shift is at most
   * `tolerance` × the mean per-feature variance of the points. `0` runs until no label changes.
   * @default 1e-4
   * @example
   * kmeansSync(points, 8, { tolerance: 0 });
   */
  tolerance?: number;
  /**
   * Seed of the random generator, an integer from 0 to 2³² − 1. The result reports the seed used;
   * the same seed gives the same result on every backend, machine and thread count.
   * @default drawn at random
   * @example
   * kmeansSync(points, 8, { seed: 42 });
   */
  seed?: number;
  /**
   * The exact algorithm: `'elkan'` (n × k bounds), `'hamerly'` (n bounds) or `'lloyd'` (none).
   * `'auto'` takes Elkan where the backend runs it faster than Hamerly (natively from 128
   * dimensions and 32 centres with bounds up to 1 GiB; in TypeScript from 16 dimensions and 32
   * centres) and its bounds, as that backend stores them (float32 natively, float64 in
   * TypeScript), fit in half of the machine's memory, else Hamerly; `algorithm` in the result says which ran. An explicit
   * `'elkan'` whose bounds would not fit is refused with a `RangeError`.
   * @default 'auto'
   * @example
   * kmeansSync(points, 8, { algorithm: 'hamerly' });
   */
  algorithm?: Algorithm | 'auto';
  /**
   * `'native'` (the C++ addon; throws when it cannot load, saying why), `'js'` (TypeScript), or
   * `'auto'`: native when the addon loads, else js, with a warning once.
   * @default 'auto'
   * @example
   * kmeansSync(points, 8, { backend: 'js' });
   */
  backend?: BackendName | 'auto';
  /**
   * Most threads of the native backend (js runs on one), an integer from 1 to 1024. A fit of n
   * points takes at most ⌈n / 4096⌉ threads, and never more than the process's thread budget
   * holds (`OMP_NUM_THREADS`, else all cores). The number used is `threads` in the result.
   * @default one per 4096 points, up to all cores
   * @example
   * kmeansSync(points, 8, { threads: 2 });
   */
  threads?: number;
  /**
   * One finite, non-negative weight per point, not all zero (sample weights, as scikit-learn's).
   * @default 1 for every point
   * @example
   * kmeansSync([[0], [1], [10]], 2, { weights: [1, 3, 1] });
   */
  weights?: ArrayLike<number>;
  /**
   * Aborts the fit between iterations (and, waiting for threads, at once); the call then throws or
   * rejects with an `AbortError`.
   * @default none
   * @example
   * await kmeans(points, 8, { signal: AbortSignal.timeout(5000) });
   */
  signal?: AbortSignal;
  /**
   * Called on the calling thread after every iteration. Whatever it throws ends the fit, which
   * throws or rejects with that value.
   * @default none
   * @example
   * kmeansSync(points, 8, { onIteration: ({ run, iteration, changed }) => console.log(run, iteration, changed) });
   */
  onIteration?: (info: IterationInfo) => void;
}

/** What {@link kmeans} and {@link kmeansSync} return. */
export interface KMeansResult {
  /** Index of the assigned centroid for every point. */
  labels: Int32Array;
  /** k × d centres; Float32Array when the points were float32, else Float64Array. */
  centroids: Matrix;
  /** Weighted sum of squared distances of the points to their assigned centroid. */
  inertia: number;
  /** Iterations of the winning run. */
  iterations: number;
  /** Whether the winning run converged before `maxIterations`. */
  converged: boolean;
  /** The seed that reproduces this result. */
  seed: number;
  /** The algorithm that ran: the one `'auto'` chose, or the one asked for. */
  algorithm: Algorithm;
  /** The backend that ran the fit. */
  backend: BackendName;
  /** Threads the fit ran on. */
  threads: number;
}

/**
 * Options of {@link MiniBatchKMeans}, the model that {@link MiniBatchKMeans.partialFit} feeds batch
 * by batch. Declared once, with their ranges and defaults, in `lib/options.ts` (`MINI_BATCH_MODEL_OPTIONS`).
 */
export interface MiniBatchModelOptions {
  /**
   * How the first centres are chosen, from the first batch (or a sample of `initSize` of its
   * points): `'k-means++'`, `'random'`, or k explicit centres.
   * @default 'k-means++'
   */
  init?: InitMethod | PointsInput;
  /**
   * Points sampled, with replacement, for the initial centres when there are more.
   * @default 3 × batchSize (3072 for partialFit), or 3 × k when that is below k
   */
  initSize?: number;
  /**
   * A centre whose weight seen is below this fraction of the largest is moved to a random point of
   * the batch, every 10 × k points seen or whenever a centre has seen nothing; from 0 (never) to 1.
   * @default 0.01
   */
  reassignmentRatio?: number;
  /**
   * Seed of the random generator (initial centres and reassignments; the one-call fit also draws
   * its batches from it): the same seed and batches give the same bits on every backend and thread count.
   * @default drawn at random
   */
  seed?: number;
  /**
   * `'native'`, `'js'`, or `'auto'`: native when the addon loads.
   * @default 'auto'
   */
  backend?: BackendName | 'auto';
  /**
   * Most threads of the native backend for one batch; a batch of m points takes at most ⌈m / 4096⌉.
   * @default one per 4096 points, up to all cores
   */
  threads?: number;
}

/** Options of {@link miniBatchKMeans} and {@link miniBatchKMeansSync}: the model's, and how the fit draws batches and stops. */
export interface MiniBatchKMeansOptions extends MiniBatchModelOptions {
  /**
   * Points per step, drawn with replacement; at most the number of points.
   * @default 1024
   */
  batchSize?: number;
  /**
   * Passes over the points: the fit takes at most ⌊maxIterations × n / batchSize⌋ steps.
   * @default 100
   */
  maxIterations?: number;
  /**
   * Stop once a step moves the centres by a summed squared shift of at most `tolerance` × the mean
   * per-feature variance; 0 never stops on it.
   * @default 0
   */
  tolerance?: number;
  /**
   * Stop after this many steps without a new low of the smoothed (exponentially weighted) batch
   * inertia; 0 never stops on it.
   * @default 10
   */
  maxNoImprovement?: number;
  /**
   * One finite, non-negative weight per point, not all zero.
   * @default 1 for every point
   */
  weights?: ArrayLike<number>;
  /**
   * Aborts {@link miniBatchKMeans} between steps; it then rejects with an `AbortError`.
   * @default none
   */
  signal?: AbortSignal;
}

/** What {@link MiniBatchKMeans.partialFit} reports about its step. */
export interface MiniBatchStepInfo {
  /** Weighted sum of squared distances of the batch to the centres it was assigned to, before they moved. */
  inertia: number;
  /** Summed squared distance the centres moved in the step. */
  centerShift: number;
  /** Starved centres moved to batch points in the step. */
  reassigned: number;
}

/** What {@link miniBatchKMeans} and {@link miniBatchKMeansSync} return. */
export interface MiniBatchKMeansResult {
  /** Index of the nearest centroid for every point. */
  labels: Int32Array;
  /** k × d centres, float64 whatever the points. */
  centroids: Matrix<Float64Array>;
  /** Weight each centre has seen over all steps. */
  counts: Float64Array;
  /** Weighted sum of squared distances of all points to their nearest centroid. */
  inertia: number;
  /** Steps (batches) taken. */
  steps: number;
  /** Passes over the points those steps make, ⌈steps × batchSize / n⌉. */
  iterations: number;
  /** Whether the fit stopped early (tolerance or maxNoImprovement) before its last step. */
  converged: boolean;
  /** The seed that reproduces this result. */
  seed: number;
  /** The backend that ran the fit. */
  backend: BackendName;
}
