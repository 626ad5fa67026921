/** A row-major matrix read in place: `data[i * shape[1] + j]` is row i, column j. */
export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  data: T;
  shape: readonly [number, number];
}

/** Anything the API accepts as a set of rows: plain arrays, typed-array rows, or a matrix. */
export type PointsInput =
  | ReadonlyArray<ReadonlyArray<number>>
  | ReadonlyArray<Float32Array | Float64Array>
  | Matrix;

export type InitMethod = 'k-means++' | 'random';
export type Algorithm = 'elkan' | 'hamerly' | 'lloyd';
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

export interface KMeansOptions {
  /** `'k-means++'` (default), `'random'`, or k explicit centres (any accepted points form). */
  init?: InitMethod | PointsInput;
  /** Number of seeded runs; the lowest inertia wins. `'auto'` (default): 1 for k-means++ or explicit centres, 10 for random. */
  nInit?: number | 'auto';
  /** Iteration cap per run. Default 300. */
  maxIterations?: number;
  /** Relative tolerance on the summed squared centre shift, scaled by the mean per-feature variance. Default 1e-4. */
  tolerance?: number;
  /** Seed of the random generator, an integer in [0, 2^32). Drawn at random and reported when absent. */
  seed?: number;
  /** `'auto'` (default: Elkan, or Hamerly in low dimensions or when Elkan's n × k bounds would not fit in memory), `'elkan'`, `'hamerly'` or `'lloyd'`. */
  algorithm?: Algorithm | 'auto';
  /** `'auto'` (default: native when the addon loads, else js), `'native'` or `'js'`. */
  backend?: BackendName | 'auto';
  /** Most threads for the native backend; small fits use fewer (one per 4096 points). Default: all available cores. */
  threads?: number;
  /** One non-negative finite weight per point. */
  weights?: ArrayLike<number>;
  /** Aborts the fit between iterations; the call then throws or rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** Called on the calling thread after every iteration. */
  onIteration?: (info: IterationInfo) => void;
}

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
  algorithm: Algorithm;
  backend: BackendName;
  /** Threads the fit ran on. */
  threads: number;
}
