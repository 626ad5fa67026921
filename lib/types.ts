/** A row-major matrix read in place: `data[i * shape[1] + j]` is row i, column j. */
export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** The n × d values, row after row. */
  data: T;
  /** `[n, d]`: rows, and values per row. */
  shape: readonly [number, number];
}

/** The element type of a {@link MatrixJSON}: which typed array its numbers fill. */
export type DType = 'float32' | 'float64';

/**
 * A matrix as JSON holds it: what `JSON.stringify` writes for the centroids of a fit, and what
 * every parameter that takes points or centres accepts back from `JSON.parse`. The numbers are
 * the exact values (JSON writes each number with the shortest digits that read back as the same
 * double), so float32 and float64 centroids come back as the same bits; only a `-0` comes back as
 * `0`, which measures every distance the same.
 */
export interface MatrixJSON {
  /** The n × d values, row after row. */
  data: readonly number[];
  /** `[n, d]`: rows, and values per row. */
  shape: readonly [number, number];
  /** The element type the values fill: float32 points fit in float32. */
  dtype?: DType;
}

/** A {@link Matrix} that `JSON.stringify` writes as a {@link MatrixJSON} (through a non-enumerable `toJSON`): the centroids of a fit. */
export interface SerializableMatrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> extends Matrix<T> {
  /** The matrix as plain JSON values, with its element type. */
  toJSON(): Required<MatrixJSON>;
}

/**
 * Anything the API accepts as a set of rows: plain arrays, typed-array rows, a matrix, or a
 * matrix as JSON (`{ data: number[], shape: [n, d], dtype? }`, float64 unless `dtype` says float32).
 */
export type PointsInput = ReadonlyArray<ReadonlyArray<number>> | ReadonlyArray<Float32Array | Float64Array> | Matrix | MatrixJSON;

/**
 * The element type of the centroids a fit of `P` returns: Float32Array for float32 points (a
 * float32 matrix, float32 rows, a MatrixJSON of dtype `'float32'`), Float64Array for float64 ones
 * (`number[][]` included), either where the type does not tell.
 */
export type CentroidArray<P> = 0 extends 1 & P
  ? Float32Array | Float64Array
  : P extends Matrix<Float32Array> | ReadonlyArray<Float32Array> | Float32MatrixJSON
    ? Float32Array
    : P extends Matrix<Float64Array> | ReadonlyArray<Float64Array> | ReadonlyArray<ReadonlyArray<number>> | Float64MatrixJSON
      ? Float64Array
      : Float32Array | Float64Array;

/** A {@link MatrixJSON} of float32 values. */
export interface Float32MatrixJSON extends MatrixJSON {
  /** Float32: the values fill a Float32Array. */
  dtype: 'float32';
}

/** A {@link MatrixJSON} of float64 values, as one without `dtype` is. */
export interface Float64MatrixJSON extends MatrixJSON {
  /** Float64, or left out: the values fill a Float64Array. */
  dtype?: 'float64';
}

/** How `init` chooses the first centres when it is not given them. */
export type InitMethod = 'k-means++' | 'k-means||' | 'random';
/**
 * The exact algorithms: all reach Lloyd's labels from the same centres; Elkan, Hamerly and Yinyang
 * skip distances they can prove useless.
 */
export type Algorithm = 'elkan' | 'hamerly' | 'yinyang' | 'lloyd';
/**
 * How points are compared: `'euclidean'` (squared Euclidean distance) or `'cosine'` (spherical
 * k-means, Dhillon and Modha 2001; FAISS's `spherical=True`), see {@link KMeansOptions.metric}.
 */
export type Metric = 'euclidean' | 'cosine';
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
 * Reported to `onProgress` while a run is seeded: `done` of `total` steps. k-means++ takes one step
 * per centre; k-means|| one per sampling round, then one per centre chosen from its candidates.
 * Reported after every step when there are at most 100, else about every hundredth, and always
 * after the last, the same steps on every backend.
 */
export interface SeedingProgressInfo {
  /** The initial centres are being chosen. */
  phase: 'seeding';
  /** 0-based index of the run among `nInit` runs. */
  run: number;
  /** Steps done, rising to `total`. */
  done: number;
  /** Steps of this run's seeding. */
  total: number;
}

/** Reported to `onProgress` after every iteration: how far the run is towards `maxIterations` (it usually converges sooner). */
export interface IterationProgressInfo {
  /** An iteration has been done. */
  phase: 'iterating';
  /** 0-based index of the run among `nInit` runs. */
  run: number;
  /** 1-based iteration number within the run. */
  iteration: number;
  /** The iteration cap of the run. */
  maxIterations: number;
}

/**
 * Reported to the one-call mini-batch fit's `onProgress` ({@link miniBatchKMeans},
 * {@link miniBatchKMeansSync}) after a step: after every step while `steps` is at most 100, else
 * after every ⌈steps / 100⌉th, and always after the last step taken, so about 100 times whatever
 * the size (the same steps on every backend). The fit may stop early, so the last report's `step`
 * is the result's `steps`, at most `steps` here. Labelling every point afterwards is one pass and
 * is not reported.
 */
export interface MiniBatchProgressInfo {
  /** A mini-batch step has been done. */
  phase: 'mini-batch';
  /** 1-based step number, rising to the steps the fit takes. */
  step: number;
  /** The most steps the fit may take, ⌊maxIterations × n / batchSize⌋ (at least 1). */
  steps: number;
  /**
   * The exponentially weighted mean squared distance of the batches' points to their centres,
   * which `maxNoImprovement` watches; undefined after the first step, whose batch met the initial centres.
   */
  smoothedInertia: number | undefined;
}

/**
 * What `onProgress` receives: which phase of which run, and how far it is. Switch on `phase`; later
 * versions may add phases, so ignore those you do not know. {@link kmeans} reports `'seeding'` and
 * `'iterating'`; {@link miniBatchKMeans} reports `'seeding'` (run 0) and `'mini-batch'`.
 */
export type ProgressInfo = SeedingProgressInfo | IterationProgressInfo | MiniBatchProgressInfo;

/**
 * Options of {@link kmeans} and {@link kmeansSync}. Each is declared once, with its range and
 * default, in `lib/options.ts`; the checks, the command line's flags and these `@default` tags
 * (checked by `test/option-spec.test.ts`) follow from it.
 */
export interface KMeansOptions {
  /**
   * How the first centres are chosen: `'k-means++'` (greedy and weighted, 2 + ⌊ln k⌋ candidates
   * per step, as scikit-learn; k passes over the points), `'k-means||'` (Bahmani et al.'s
   * scalable k-means++, as Spark MLlib: 5 passes that each sample about 2k points, then greedy
   * k-means++ over those candidates weighted by the points nearest to each), `'random'` (k
   * distinct points), `'auto'` (k-means++ while its cost k (2 + ln k) n d is at most 10¹⁰,
   * else k-means||), or k explicit centres in any form the points take. Centres for float32
   * points must lie within float32's range.
   * @default 'auto'
   * @example
   * kmeansSync(points, 2, { init: [[0, 0], [10, 0]] });
   */
  init?: InitMethod | 'auto' | PointsInput;
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
   * `'auto'` takes the algorithm the backend ran fastest for the shape in a measured grid
   * (docs/algorithm-choice.md; natively Hamerly from 5 to 127 dimensions, Yinyang with many
   * centres in 2–4 dimensions or on embeddings, Elkan on embeddings with fewer centres; in
   * TypeScript Elkan from 16 dimensions and 32 centres, else Hamerly) whose whole fit, as that
   * backend stores it, fits `memoryBudget`, else the next fastest, else Lloyd (the least memory);
   * `algorithm` in the result says which ran. An explicit algorithm whose fit would not fit, and
   * an `'auto'` that even Lloyd's would not, are refused with a `RangeError`.
   * @default 'auto'
   * @example
   * kmeansSync(points, 8, { algorithm: 'hamerly' });
   */
  algorithm?: Algorithm | 'auto';
  /**
   * Bytes the fit's own memory may take, an integer ≥ 1: what the backend's upper bound of its
   * allocations (`memoryBytes` in the result) is held to before the fit starts. `algorithm:
   * 'auto'` takes the fastest algorithm within it; an explicit one beyond it is refused with a
   * `RangeError`. The caller's points are not counted; copies of them are (`kmeans()`'s of points
   * on an ArrayBuffer, cosine's normalised points).
   * @default half of this machine's memory
   * @example
   * kmeansSync(points, 8, { memoryBudget: 2 ** 30 });
   */
  memoryBudget?: number;
  /**
   * How points are compared. `'euclidean'`: as given. `'cosine'` (spherical k-means): by cosine
   * similarity, defined exactly as follows.
   * - Each point x is normalised once, x̂ = x / ‖x‖, with ‖x‖ computed in double (summed in index
   *   order) and x̂ stored in the points' element type: a copy, n × d values of that type, held for
   *   the fit's duration. Rows near the ends of double's range normalise too (the row is first
   *   scaled by a power of two, which changes no bit elsewhere); a row of zeros has no direction
   *   and is refused with a `RangeError`, as is an explicit `init` row of zeros.
   * - A centre is the weighted mean of its members' x̂ (summed as for `'euclidean'`, in fixed
   *   chunks, so no bit depends on the thread count) divided by its norm, ĉ. An empty cluster is
   *   re-seeded by the same rule as for `'euclidean'`, then normalised; a mean of length zero
   *   (members that cancel exactly) keeps the old centre.
   * - A point's label is the centre nearest in exact double squared distance ‖x̂ − ĉ‖², which on
   *   unit vectors is 2 − 2 cos(x, c): the most similar centre, the lowest index on ties.
   * - `inertia` is Σ w · ‖x̂ − ĉ‖², that is Σ w · (2 − 2 cos) up to rounding; `centroids` are the
   *   unit centres ĉ.
   * - `tolerance` is relative to the mean per-feature variance of the normalised points;
   *   `'k-means++'` and `'random'` draw from the normalised points; explicit `init` centres are
   *   normalised.
   *
   * Every algorithm reaches the same labels: on unit vectors Elkan's and Hamerly's bounds hold as
   * they are. Normalising the points, fitting with `'euclidean'` and normalising the centroids
   * afterwards is not the same fit: its centres are unnormalised means while it runs.
   * @default 'euclidean'
   * @example
   * kmeansSync(embeddings, 8, { metric: 'cosine' });
   */
  metric?: Metric;
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
   * Aborts the fit: natively within the pass over the points it is in (milliseconds), in
   * TypeScript between iterations and seeding steps, and at once while it waits for threads; the
   * call then throws or rejects with an `AbortError`.
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
  /**
   * Called on the calling thread as the fit progresses: while each run is seeded (`phase:
   * 'seeding'`, with steps done of a total) and after every iteration (`phase: 'iterating'`).
   * Whatever it throws ends the fit, which throws or rejects with that value; aborting the fit's
   * `signal` from it stops the fit at the next step.
   * @default none
   * @example
   * kmeansSync(points, 8, { onProgress: (p) => p.phase === 'seeding' && console.log(`seeding ${p.done}/${p.total}`) });
   */
  onProgress?: (info: SeedingProgressInfo | IterationProgressInfo) => void;
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /**
   * The metric the centroids were fitted with: `'cosine'` normalises the points and the centroids
   * (as {@link KMeansOptions.metric} defines it) before measuring, so that `predict` labels each
   * point with its most similar centroid, `transform` gives ‖x̂ − ĉ‖ = √(2 − 2 cos) and `score`
   * −Σ w · (2 − 2 cos); rows of zeros are refused.
   * @default 'euclidean'
   */
  metric?: Metric;
}

/**
 * What {@link kmeans} and {@link kmeansSync} return. `JSON.stringify` writes it as a
 * {@link KMeansResultJSON} (through a non-enumerable `toJSON`, so that `structuredClone` and
 * `postMessage` still take it), whose `centroids` feed {@link predict} and `init` as they come
 * from `JSON.parse`.
 */
export interface KMeansResult<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  /** Index of the assigned centroid for every point. */
  labels: Int32Array;
  /** k × d centres; Float32Array when the points were float32, else Float64Array. */
  centroids: SerializableMatrix<T>;
  /**
   * Summed weight of the points of each cluster (k values): their count when every weight is 1.
   * What scikit-learn users compute as `np.bincount(labels, weights)`.
   */
  clusterSizes: Float64Array;
  /**
   * Weighted sum of squared distances of the points to their assigned centroid; under
   * `metric: 'cosine'`, of the normalised points to the unit centroids, Σ w · (2 − 2 cos).
   */
  inertia: number;
  /** Iterations of the winning run. */
  iterations: number;
  /** Whether the winning run converged before `maxIterations`. */
  converged: boolean;
  /** The seed that reproduces this result. */
  seed: number;
  /** The algorithm that ran: the one `'auto'` chose, or the one asked for. */
  algorithm: Algorithm;
  /** How the first centres were chosen: the method `'auto'` chose, the one asked for, or `'explicit'` for given centres. */
  init: InitMethod | 'explicit';
  /** The backend that ran the fit. */
  backend: BackendName;
  /** Threads the fit ran on. */
  threads: number;
  /**
   * An upper bound of the bytes this fit allocated beyond the points the caller passed, at its
   * peak: seeding, bounds, centroid sums, copies of the inputs and the result's arrays, as the
   * backend counts them from the code (Backend.fitBytes). What `memoryBudget` was held to. Not
   * counted: V8's own objects, OpenMP's thread stacks and the allocator's slack (a few MB
   * natively; on the TypeScript backend, whose figure counts its typed arrays, V8's heap can add
   * tens of MB).
   */
  memoryBytes: number;
  /** The result as plain JSON values: what `JSON.stringify` writes. */
  toJSON(): KMeansResultJSON;
}

/** A {@link KMeansResult} as `JSON.parse` gives it back: typed arrays become arrays of numbers, the centroids a {@link MatrixJSON}. */
export interface KMeansResultJSON extends Omit<KMeansResult, 'labels' | 'centroids' | 'clusterSizes' | 'toJSON'> {
  /** Index of the assigned centroid for every point. */
  labels: number[];
  /** The centroids, with their element type. */
  centroids: Required<MatrixJSON>;
  /** Summed weight of the points of each cluster. */
  clusterSizes: number[];
}

/** Options of {@link transform}. */
export interface TransformOptions extends PredictOptions {
  /** Where the distances are computed; both backends give the same bits. `'auto'`: native when the addon loads. */
  backend?: BackendName | 'auto';
}

/** Options of {@link score}. */
export interface ScoreOptions extends TransformOptions {
  /** One finite, non-negative weight per point, not all zero, as the fit's `weights`. */
  weights?: ArrayLike<number>;
}

/**
 * Options of {@link MiniBatchKMeans}, the model that {@link MiniBatchKMeans.partialFit} feeds batch
 * by batch. Declared once, with their ranges and defaults, in `lib/options.ts` (`MINI_BATCH_MODEL_OPTIONS`).
 */
export interface MiniBatchModelOptions {
  /**
   * How the first centres are chosen, from the first batch (or a sample of `initSize` of its
   * points): `'k-means++'`, `'k-means||'`, `'random'`, k explicit centres, or `'auto'`, which is
   * k-means++ here (the sample is small).
   * @default 'auto'
   */
  init?: InitMethod | 'auto' | PointsInput;
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
  /**
   * Called on the calling thread as the fit progresses: while the initial centres are chosen from
   * the sample (`phase: 'seeding'`, run 0, steps done of a total, as for {@link kmeans}; not for
   * `'random'` or explicit centres) and after mini-batch steps (`phase: 'mini-batch'`, see
   * {@link MiniBatchProgressInfo}). Whatever it throws ends the fit, which throws or rejects with
   * that value. It does not change the result. {@link MiniBatchKMeans.partialFit} takes no
   * callback: its caller drives each step and sees it return.
   * @example
   * miniBatchKMeansSync(points, 8, { onProgress: (p) => p.phase === 'mini-batch' && console.log(`step ${p.step} of at most ${p.steps}`) });
   * @default none
   */
  onProgress?: (info: SeedingProgressInfo | MiniBatchProgressInfo) => void;
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
