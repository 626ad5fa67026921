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
/**
 * The exact algorithms: all reach Lloyd's labels from the same centres; Elkan, Hamerly and Yinyang
 * skip distances they can prove useless.
 */
export type Algorithm = 'elkan' | 'hamerly' | 'yinyang' | 'lloyd';
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
   * The exact algorithm: `'elkan'` (n × k bounds), `'hamerly'` (n bounds), `'yinyang'` (n × k / 40
   * bounds: the centres are grouped once, forty to a group, and a point keeps one bound per group; it
   * pays with many centres, hundreds and more) or `'lloyd'` (none).
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
