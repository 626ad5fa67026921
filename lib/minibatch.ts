import { types } from 'node:util';
import { type Backend, abortError } from './backend.js';
import { API_CALLER, describe } from './caller.js';
import { type MiniBatchOutcome, drawBatch, gather } from './core/minibatch.js';
import { Random } from './core/random.js';
import { absoluteTolerance } from './core/tolerance.js';
import { exactlyScaledPair } from './exact-scaling.js';
import { resolveBackend } from './fit.js';
import { K_ARGUMENT, MINI_BATCH_MODEL_OPTIONS, MINI_BATCH_OPTIONS, type OptionSpec, checkInteger, checkRule } from './options.js';
import { closestName } from './suggestion.js';
import type {
  BackendName,
  InitMethod,
  Matrix,
  MiniBatchKMeansOptions,
  MiniBatchKMeansResult,
  MiniBatchModelOptions,
  MiniBatchProgressInfo,
  MiniBatchStepInfo,
  PointsInput,
  SeedingProgressInfo,
} from './types.js';
import { type NormalizedMatrix, normalizeMatrix, normalizeWeights } from './validate.js';

/*
 * Mini-batch k-means (Sculley 2010) with scikit-learn's MiniBatchKMeans semantics. The model keeps
 * float64 centres, the weight each centre has seen and the random generator's words; a step
 * (lib/core/minibatch.ts, native/minibatch.hpp) is the only part that runs on a backend, so that
 * everything around it (initial centres, when to reassign, batch draws, early stopping) is the
 * same code for both, and a seed with a batch order gives the same bits on either.
 */

/** The batch size partialFit's default initSize assumes: the one-call fit's default. */
const PARTIAL_FIT_BATCH_SIZE = MINI_BATCH_OPTIONS.batchSize.default.value;

/**
 * The one-call fit draws its batches from a generator of its own, seeded with the seed mixed with
 * this word, so that the model's draws (initial centres, reassignments) are those partialFit would
 * make on the same batches.
 */
const BATCH_STREAM = 0x6a09e667;

/** The generator the one-call fit draws its batches' indices from. */
export function batchSampler(seed: number): Random {
  return new Random((seed ^ BATCH_STREAM) >>> 0);
}

/** Options checked by their declarations; unknown keys refused with the closest known name. */
function checkedOptions<O extends object>(value: unknown, specs: Record<string, OptionSpec>): O {
  if (value === undefined) return {} as O;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`options must be an object, not ${describe(value)}.`);
  }
  const names = Object.keys(specs);
  for (const key of Object.keys(value)) {
    if (!names.includes(key)) {
      const suggestion = closestName(key, names);
      throw new TypeError(`options.${key} is not an option${suggestion ? `; did you mean options.${suggestion}?` : ''} Known options: ${names.join(', ')}.`);
    }
  }
  return value as O;
}

/** An option's checked value, or its declared default. */
function valueOrDefault(specs: Record<string, OptionSpec>, name: string, value: unknown): unknown {
  const spec = specs[name];
  if (value !== undefined) return checkRule(spec.rule, value, `options.${name}`, API_CALLER, spec.fix);
  const fallback = spec.default;
  if ('value' in fallback) return fallback.value;
  return fallback.choose?.();
}

function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Runs the one-call fit's step: a batch of `size` rows of points already checked, drawn with the
 * sampler's words `samplerState`.
 */
let sampledStep: (model: MiniBatchKMeans, points: NormalizedMatrix, weights: Float64Array | null, size: number, samplerState: Uint32Array) => MiniBatchOutcome;
/** The one-call fit's labels of its points, checked already, and their weighted inertia. */
let labelsAndInertia: (model: MiniBatchKMeans, points: NormalizedMatrix, weights: Float64Array | null) => { labels: Int32Array; inertia: number };
/** The error when onProgress detaches or shrinks the points of the one-call fit (native/binding.cpp has the same text). */
const DETACHED_DURING_FIT =
  'The points were detached or resized while the mini-batch fit read them, by onProgress: leave their ArrayBuffer alone ' +
  'until miniBatchKMeansSync returns, or use miniBatchKMeans(), which works on its own copy.';

/** Seeding steps done of a total, for the one-call fit's onProgress. */
type SeedingReport = (done: number, total: number) => void;
/** Chooses the initial centres from points already checked. */
let initializeChecked: (model: MiniBatchKMeans, points: NormalizedMatrix, weights: Float64Array | null, batchSize: number, report?: SeedingReport) => void;

/**
 * Mini-batch k-means fed batch by batch, for points that do not fit in memory or arrive over time
 * (scikit-learn's `MiniBatchKMeans.partial_fit`). The first batch chooses the initial centres
 * (k-means++ on it, or on `initSize` of its points drawn with replacement) and is then the first
 * step. Each step assigns the batch to the nearest centres and moves every centre that received
 * weight to the weighted mean of its old position, weighted by all it has seen, and its new points;
 * centres that starve are moved to random batch points.
 *
 * @example
 * const model = new MiniBatchKMeans(2, { seed: 1 });
 * model.partialFit([[0, 0], [0, 1], [10, 0], [10, 1]]);
 * model.predict([[0, 0.5], [10, 0.5]]); // two different labels
 */
export class MiniBatchKMeans {
  /** Number of clusters. */
  readonly k: number;
  /** The seed of the generator, drawn at random unless given. */
  readonly seed: number;
  /** The backend the steps run on. */
  readonly backend: BackendName;
  readonly #backend: Backend;
  readonly #init: InitMethod | 'auto' | NormalizedMatrix;
  readonly #initSize: number | undefined;
  readonly #reassignmentRatio: number;
  readonly #threads: number;
  readonly #rngState = new Uint32Array(4);
  #centers: Float64Array | null = null;
  #counts: Float64Array;
  #d = 0;
  #sinceReassign = 0;
  #steps = 0;

  static {
    sampledStep = (model, points, weights, size, samplerState) => model.#sampledStep(points, weights, size, samplerState);
    labelsAndInertia = (model, points, weights) => model.#labelsAndInertia(points, weights);
    initializeChecked = (model, points, weights, batchSize, report) => model.#initialize(points, weights, batchSize, report);
  }

  /** Throws a TypeError or RangeError naming the parameter when an argument is invalid. */
  constructor(k: number, options?: MiniBatchModelOptions) {
    this.k = checkInteger(k, 'k', K_ARGUMENT.rule.min, K_ARGUMENT.rule.max, API_CALLER);
    const specs = MINI_BATCH_MODEL_OPTIONS as Record<string, OptionSpec>;
    const given = checkedOptions<MiniBatchModelOptions>(options, specs);
    const init = valueOrDefault(specs, 'init', given.init);
    if (typeof init === 'string') {
      this.#init = init as InitMethod | 'auto';
    } else {
      const centers = normalizeMatrix(init, 'options.init');
      if (centers.n !== this.k) throw new RangeError(`options.init has ${centers.n} centres but k is ${this.k}; give exactly k rows.`);
      // A private copy: the caller's array may change or be transferred before the first batch.
      this.#init = { ...centers, data: Float64Array.from(centers.data) };
    }
    this.#initSize = given.initSize === undefined ? undefined : (valueOrDefault(specs, 'initSize', given.initSize) as number);
    this.#reassignmentRatio = valueOrDefault(specs, 'reassignmentRatio', given.reassignmentRatio) as number;
    this.seed = valueOrDefault(specs, 'seed', given.seed) as number;
    this.#backend = resolveBackend(valueOrDefault(specs, 'backend', given.backend) as BackendName | 'auto');
    this.backend = this.#backend.name;
    this.#threads = valueOrDefault(specs, 'threads', given.threads) as number;
    this.#counts = new Float64Array(this.k);
    new Random(this.seed).saveState(this.#rngState);
  }

  /** The k × d centres (a copy); throws until the first batch has chosen them. */
  get centroids(): Matrix<Float64Array> {
    return { data: this.#fitted().slice(), shape: [this.k, this.#d] };
  }

  /** The weight each centre has seen (a copy). */
  get counts(): Float64Array {
    return this.#counts.slice();
  }

  /** Steps taken: batches given to {@link MiniBatchKMeans.partialFit}. */
  get steps(): number {
    return this.#steps;
  }

  /**
   * One step on `batch` (any number of rows, in any form the API takes; the first batch also
   * chooses the initial centres, so it needs at least k rows). Reads the batch in place and keeps
   * nothing of it. Returns what the step measured. It takes no `onProgress`: the caller drives
   * the steps, and each returns when done.
   */
  partialFit(batch: PointsInput, options?: { weights?: ArrayLike<number> }): MiniBatchStepInfo {
    const points = normalizeMatrix(batch, 'batch');
    const given = checkedOptions<{ weights?: ArrayLike<number> }>(options, { weights: MINI_BATCH_OPTIONS.weights });
    const weights = normalizeWeights(given.weights, points.n, API_CALLER);
    if (this.#centers === null) this.#initialize(points, weights, PARTIAL_FIT_BATCH_SIZE);
    else if (points.d !== this.#d)
      throw new RangeError(`batch rows have ${points.d} columns but the model's centres have ${this.#d}; every batch needs the same dimension.`);
    return this.#step(points, weights);
  }

  /** Index of the nearest centroid for every point (the lowest index on ties). */
  predict(points: PointsInput): Int32Array {
    this.#fitted();
    const x = normalizeMatrix(points, 'points');
    if (x.d !== this.#d) throw new RangeError(`points have ${x.d} columns but the model's centres have ${this.#d}; the dimensions must match.`);
    return this.#labels(x);
  }

  /** Labels of points already checked, with the model's dimension. */
  #labels(points: NormalizedMatrix): Int32Array {
    const [data, scaled] = exactlyScaledPair(points.data, this.#fitted());
    return this.#backend.predict(data, points.n, points.d, scaled, this.k, this.#threads);
  }

  #labelsAndInertia(points: NormalizedMatrix, weights: Float64Array | null): { labels: Int32Array; inertia: number } {
    const labels = this.#labels(points);
    return { labels, inertia: this.#backend.inertiaOfLabels(points.data, points.n, points.d, weights, this.#fitted(), this.k, labels, this.#threads) };
  }

  #fitted(): Float64Array {
    if (this.#centers === null) throw new Error('The model has no centres yet: give partialFit a first batch of at least k points.');
    return this.#centers;
  }

  #initialize(points: NormalizedMatrix, weights: Float64Array | null, batchSize: number, report?: SeedingReport): void {
    const { data, n, d } = points;
    const { k } = this;
    if (n < k) throw new RangeError(`the first batch has ${n} points but k is ${k}; it chooses the initial centres, so it needs at least k points.`);
    if (typeof this.#init !== 'string') {
      if (this.#init.d !== d) throw new RangeError(`options.init rows have ${this.#init.d} columns but the points have ${d}; the dimensions must match.`);
      this.#centers = Float64Array.from(this.#init.data);
      this.#d = d;
      return;
    }
    const rng = Random.fromState(this.#rngState);
    // scikit-learn's init_size: 3 × the batch size unless given, 3 × k when that is below k, at most n.
    const asked = this.#initSize ?? 3 * batchSize;
    const size = Math.min(asked < k ? 3 * k : asked, n);
    let sample = data;
    let sampleWeights = weights;
    if (size < n) {
      const indices = new Uint32Array(size);
      drawBatch(rng, n, size, indices);
      sample = data instanceof Float32Array ? new Float32Array(size * d) : new Float64Array(size * d);
      gather(data, d, indices, size, sample);
      if (weights) sampleWeights = Float64Array.from(indices, (i) => weights[i]);
    }
    rng.saveState(this.#rngState);
    const centers = sample instanceof Float32Array ? new Float32Array(k * d) : new Float64Array(k * d);
    // 'auto' is k-means++: the sample is small enough for it whatever k.
    const init = this.#init === 'auto' ? 'k-means++' : this.#init;
    this.#backend.seedCenters(sample, size, d, k, sampleWeights, init, this.#rngState, centers, this.#threads, report);
    this.#centers = Float64Array.from(centers);
    this.#d = d;
  }

  /** Whether a step of `size` points reassigns starved centres, on scikit-learn's schedule: every 10 × k points seen, or whenever a centre has seen nothing. */
  #reassignsAfter(size: number): boolean {
    this.#sinceReassign += size;
    const reassign = this.#counts.includes(0) || this.#sinceReassign >= 10 * this.k;
    if (reassign) this.#sinceReassign = 0;
    return reassign;
  }

  #step(batch: NormalizedMatrix, weights: Float64Array | null): MiniBatchOutcome {
    const centers = this.#fitted();
    const reassign = this.#reassignsAfter(batch.n);
    const outcome = this.#backend.miniBatchStep(
      batch.data,
      batch.n,
      batch.d,
      weights,
      centers,
      this.#counts,
      this.k,
      reassign,
      this.#reassignmentRatio,
      this.#rngState,
      this.#threads,
    );
    this.#steps++;
    return outcome;
  }

  #sampledStep(points: NormalizedMatrix, weights: Float64Array | null, size: number, samplerState: Uint32Array): MiniBatchOutcome {
    const centers = this.#fitted();
    const reassign = this.#reassignsAfter(size);
    const outcome = this.#backend.sampledMiniBatchStep(
      points.data,
      points.n,
      points.d,
      weights,
      size,
      samplerState,
      centers,
      this.#counts,
      this.k,
      reassign,
      this.#reassignmentRatio,
      this.#rngState,
      this.#threads,
    );
    this.#steps++;
    return outcome;
  }
}

/** A checked one-call fit: the model, the points, and how batches are drawn and the fit stops. */
interface MiniBatchPlan {
  model: MiniBatchKMeans;
  points: NormalizedMatrix;
  weights: Float64Array | null;
  batchSize: number;
  maxSteps: number;
  tolerance: number;
  maxNoImprovement: number;
  signal?: AbortSignal;
  onProgress?: (info: SeedingProgressInfo | MiniBatchProgressInfo) => void;
}

function planMiniBatch(pointsValue: unknown, k: unknown, optionsValue: unknown): MiniBatchPlan {
  const points = normalizeMatrix(pointsValue, 'points');
  const specs = MINI_BATCH_OPTIONS as Record<string, OptionSpec>;
  const options = checkedOptions<MiniBatchKMeansOptions>(optionsValue, specs);
  checkInteger(k, 'k', K_ARGUMENT.rule.min, Math.min(points.n, K_ARGUMENT.rule.max), API_CALLER, `k counts clusters and cannot exceed the ${points.n} points`);
  const { init, initSize, reassignmentRatio, seed, backend, threads, signal, onProgress } = options;
  const modelOptions: MiniBatchModelOptions = { init, initSize, reassignmentRatio, seed, backend, threads };
  const batchSize = Math.min(valueOrDefault(specs, 'batchSize', options.batchSize) as number, points.n);
  const maxIterations = valueOrDefault(specs, 'maxIterations', options.maxIterations) as number;
  const relative = valueOrDefault(specs, 'tolerance', options.tolerance) as number;
  const maxNoImprovement = valueOrDefault(specs, 'maxNoImprovement', options.maxNoImprovement) as number;
  const weights = normalizeWeights(options.weights, points.n, API_CALLER);
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`options.signal must be an AbortSignal (from new AbortController().signal), not ${describe(signal)}.`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new TypeError(`options.onProgress must be a function, not ${describe(onProgress)}.`);
  }
  const model = new MiniBatchKMeans(k as number, modelOptions);
  return {
    model,
    points,
    weights,
    batchSize,
    maxSteps: Math.max(1, Math.floor((maxIterations * points.n) / batchSize)),
    tolerance: absoluteTolerance(points.data, points.n, points.d, relative),
    maxNoImprovement,
    signal,
    onProgress,
  };
}

/**
 * The one-call fit, scikit-learn's `MiniBatchKMeans.fit`: initial centres from a sample of
 * `initSize` points, then steps on batches drawn with replacement until `maxIterations` passes,
 * or earlier when a step moves the centres by at most the tolerance or the exponentially weighted
 * batch inertia has not reached a new low for `maxNoImprovement` steps. Yields after every step.
 * Reports progress as SeedingProgress does: after every step while there are at most 100, else
 * each time another hundredth (rounded up) of maxSteps is done, and after the last step taken.
 */
function* miniBatchSteps(plan: MiniBatchPlan): Generator<void, MiniBatchKMeansResult> {
  const { model, points, weights, batchSize, maxSteps, tolerance, maxNoImprovement } = plan;
  const { data, n } = points;
  const length = data.length;
  // The points are read in place: an onProgress that detaches or shrinks them ends the fit alike on
  // both backends (the addon also checks for its own reads' sake).
  const onProgress =
    plan.onProgress &&
    ((info: SeedingProgressInfo | MiniBatchProgressInfo): void => {
      plan.onProgress!(info);
      if (data.length !== length) throw new TypeError(DETACHED_DURING_FIT);
    });
  initializeChecked(model, points, weights, batchSize, onProgress && ((done, total) => onProgress({ phase: 'seeding', run: 0, done, total })));
  const reportEvery = Math.max(1, Math.ceil(maxSteps / 100));
  const samplerState = new Uint32Array(4);
  batchSampler(model.seed).saveState(samplerState);
  const alpha = Math.min((batchSize * 2) / (n + 1), 1);
  let smoothed: number | undefined;
  let lowest: number | undefined;
  let withoutImprovement = 0;
  let converged = false;
  let steps = 0;
  while (steps < maxSteps) {
    const outcome = sampledStep(model, points, weights, batchSize, samplerState);
    steps++;
    // scikit-learn's _mini_batch_convergence: the first step's inertia is the initial centres', so it is not watched.
    if (steps > 1) {
      const inertia = outcome.inertia / batchSize;
      smoothed = smoothed === undefined ? inertia : smoothed * (1 - alpha) + inertia * alpha;
      if (tolerance > 0 && outcome.centerShift <= tolerance) {
        converged = true;
      } else {
        if (lowest === undefined || smoothed < lowest) {
          withoutImprovement = 0;
          lowest = smoothed;
        } else {
          withoutImprovement++;
        }
        converged = maxNoImprovement > 0 && withoutImprovement >= maxNoImprovement;
      }
    }
    if (onProgress && (converged || steps === maxSteps || steps % reportEvery === 0)) {
      onProgress({ phase: 'mini-batch', step: steps, steps: maxSteps, smoothedInertia: smoothed });
    }
    if (converged) break;
    yield;
  }
  const { labels, inertia } = labelsAndInertia(model, points, weights);
  return {
    labels,
    centroids: model.centroids,
    counts: model.counts,
    inertia,
    steps,
    iterations: Math.ceil((steps * batchSize) / n),
    converged,
    seed: model.seed,
    backend: model.backend,
  };
}

/**
 * Mini-batch k-means of `points` on the calling thread (scikit-learn's `MiniBatchKMeans.fit`): far
 * fewer distances than a full fit, for an inertia usually within a few per cent of it. The same
 * seed gives the same bits on every backend and thread count. Throws a TypeError or RangeError
 * naming the parameter when an argument is invalid.
 *
 * @example
 * const { centroids, labels } = miniBatchKMeansSync(points, 8, { batchSize: 256, seed: 1 });
 */
export function miniBatchKMeansSync(points: PointsInput, k: number, options?: MiniBatchKMeansOptions): MiniBatchKMeansResult {
  return runToEnd(miniBatchSteps(planMiniBatch(points, k, options)));
}

/**
 * Mini-batch k-means of `points`, returning to the event loop between steps (each step is one
 * batch, short). Typed arrays on an `ArrayBuffer` are copied when the call starts, so the caller
 * may change them at once; on a `SharedArrayBuffer` they are read in place and must not be written
 * until the promise settles. Rejects with a TypeError or RangeError naming the parameter when an
 * argument is invalid, and with an AbortError when `signal` aborts.
 */
export async function miniBatchKMeans(points: PointsInput, k: number, options?: MiniBatchKMeansOptions): Promise<MiniBatchKMeansResult> {
  const plan = planMiniBatch(points, k, options);
  const { data } = plan.points;
  if (!types.isSharedArrayBuffer(data.buffer)) plan.points = { ...plan.points, data: data.slice() };
  const steps = miniBatchSteps(plan);
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    if (plan.signal?.aborted) throw abortError(plan.signal);
    const step = steps.next();
    if (step.done) return step.value;
  }
}
