import { types } from 'node:util';
import { chooseInit } from './algorithm-choice.js';
import type { FitRequest } from './backend.js';
import { API_CALLER, type Caller, type OptionName, describe } from './caller.js';
import type { Floats } from './core/distance.js';
import { FIT_OPTIONS, K_ARGUMENT, checkInteger, optionOrDefault } from './options.js';
import { closestName } from './suggestion.js';
import type {
  Algorithm,
  BackendName,
  InitMethod,
  IterationInfo,
  KMeansOptions,
  Metric,
  PredictOptions,
  IterationProgressInfo,
  SeedingProgressInfo,
  ScoreOptions,
  TransformOptions,
} from './types.js';

/** Points in the one shape the backends take: a row-major typed array read in place. */
export interface NormalizedMatrix {
  data: Floats;
  n: number;
  d: number;
}

/** A validated fit: the backend request plus what the API layer itself acts on. */
export interface NormalizedFit {
  /** All but the algorithm, which depends on the memory of the backend that runs it (lib/fit.ts). */
  request: Omit<FitRequest, 'algorithm'>;
  algorithm: Algorithm | 'auto';
  /** What the fit's memory (Backend.fitBytes) is held to. */
  memoryBudget: number;
  backend: BackendName | 'auto';
  /** How messages name the options: an algorithm refused for the backend's memory is refused in the caller's words. */
  caller: Caller;
  signal?: AbortSignal;
  onIteration?: (info: IterationInfo) => void;
  onProgress?: (info: SeedingProgressInfo | IterationProgressInfo) => void;
}

const OPTION_NAMES = Object.keys(FIT_OPTIONS) as OptionName[];
/** The options of predict, transform and score, keyed by their types, so that an option added there fails to compile until listed here. */
const PREDICT_OPTION_NAMES = Object.keys({ metric: 0 } satisfies Record<keyof PredictOptions, 0>);
const TRANSFORM_OPTION_NAMES = Object.keys({ backend: 0, metric: 0 } satisfies Record<keyof TransformOptions, 0>);
const SCORE_OPTION_NAMES = Object.keys({ backend: 0, metric: 0, weights: 0 } satisfies Record<keyof ScoreOptions, 0>);

const FLOAT32_MAX = 3.4028234663852886e38;

/** Also true for the typed arrays of another realm (a `vm` context), which fail `instanceof`. */
function isFloatArray(value: unknown): value is Floats {
  return types.isFloat32Array(value) || types.isFloat64Array(value);
}

/**
 * The same memory seen through this realm's Float32Array or Float64Array, so that the `instanceof`
 * checks further on (which element type, which backend path) hold for another realm's arrays too.
 */
function inThisRealm(data: Floats): Floats {
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  const { buffer, byteOffset, length } = data as Floats;
  return types.isFloat32Array(data) ? new Float32Array(buffer, byteOffset, length) : new Float64Array(buffer, byteOffset, length);
}

function nonFinite(value: number): string {
  return Number.isNaN(value) ? 'NaN' : String(value);
}

/** Accepts `number[][]`, an array of typed-array rows, `{ data, shape: [n, d] }`, or that matrix as JSON (`data` an array of numbers, an optional `dtype`). */
export function normalizeMatrix(value: unknown, name: string): NormalizedMatrix {
  if (Array.isArray(value)) return fromRows(value, name);
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && 'data' in value) {
    return fromMatrix(value as { data: unknown; shape?: unknown }, name);
  }
  const hint = ArrayBuffer.isView(value)
    ? `; a flat ${value.constructor.name} needs its shape: { data, shape: [n, d] }`
    : value !== null && typeof value === 'object' && 'centroids' in value
      ? '; for the centroids of a result, pass its .centroids'
      : '';
  throw new TypeError(
    `${name} must be an array of rows (number[][] or typed-array rows) or a matrix { data: Float32Array | Float64Array | number[], shape: [n, d] }, not ${describe(value)}${hint}.`,
  );
}

function fromMatrix(value: { data: unknown; shape?: unknown; dtype?: unknown }, name: string): NormalizedMatrix {
  const { data, shape, dtype } = value;
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`${name}.dtype must be 'float32' or 'float64' (the element type of the values), not ${describe(dtype)}.`);
  }
  if (!isFloatArray(data) && !Array.isArray(data)) {
    throw new TypeError(
      `${name}.data must be a Float32Array, a Float64Array or an array of numbers (as JSON.parse gives it back), not ${describe(data)}; ` +
        'convert it with Float64Array.from(...).',
    );
  }
  if (isFloatArray(data) && dtype !== undefined && dtype !== (types.isFloat32Array(data) ? 'float32' : 'float64')) {
    throw new TypeError(`${name}.dtype is '${dtype}' but ${name}.data is a ${data.constructor.name}; leave dtype out for a typed array, or make them agree.`);
  }
  if (!Array.isArray(shape) || shape.length !== 2) {
    throw new TypeError(`${name}.shape must be a two-element array [n, d], not ${describe(shape)}.`);
  }
  const [n, d] = shape as unknown[];
  for (const [axis, size] of [
    ['n', n],
    ['d', d],
  ] as const) {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
      throw new RangeError(`${name}.shape ${axis} must be a positive integer, not ${describe(size)}.`);
    }
  }
  if (data.length !== (n as number) * (d as number)) {
    throw new RangeError(`${name}.data has ${data.length} elements but shape [${n}, ${d}] needs ${(n as number) * (d as number)}.`);
  }
  const values = isFloatArray(data) ? inThisRealm(data) : fromNumbers(data, dtype ?? 'float64', name);
  const matrix = { data: values, n: n as number, d: d as number };
  checkFinite(matrix, name);
  return matrix;
}

/** The numbers of a matrix as JSON, in the typed array its dtype names. */
function fromNumbers(numbers: readonly unknown[], dtype: 'float32' | 'float64', name: string): Floats {
  const values = dtype === 'float32' ? new Float32Array(numbers.length) : new Float64Array(numbers.length);
  for (let i = 0; i < numbers.length; i++) {
    const x = numbers[i];
    if (typeof x !== 'number') {
      throw new TypeError(`${name}.data[${i}] is ${describe(x)}; every value must be a number (JSON writes NaN and Infinity as null).`);
    }
    values[i] = x;
    if (values[i] - values[i] !== 0 && Number.isFinite(x)) {
      throw new RangeError(
        `${name}.data[${i}] is ${x}, beyond the range of float32 (largest ${FLOAT32_MAX}), which dtype 'float32' asks for; leave dtype out for float64.`,
      );
    }
  }
  return values;
}

function fromRows(rows: readonly unknown[], name: string): NormalizedMatrix {
  const n = rows.length;
  if (n === 0) throw new RangeError(`${name} must contain at least one row, but it is empty.`);
  const rowLength = (row: unknown, i: number): number => {
    if (Array.isArray(row) || isFloatArray(row)) return row.length;
    throw new TypeError(`${name}[${i}] must be an array of numbers, a Float32Array or a Float64Array, not ${describe(row)}.`);
  };
  const d = rowLength(rows[0], 0);
  if (d === 0) throw new RangeError(`${name}[0] is empty; every row needs at least one column.`);
  let allFloat32 = true;
  for (let i = 0; i < n; i++) {
    const length = rowLength(rows[i], i);
    if (length !== d) {
      throw new RangeError(`${name}[${i}] has ${length} columns but ${name}[0] has ${d}; every row needs the same length.`);
    }
    if (!types.isFloat32Array(rows[i])) allFloat32 = false;
  }
  const data = allFloat32 ? new Float32Array(n * d) : new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = rows[i] as ArrayLike<unknown>;
    if (isFloatArray(row)) {
      data.set(row, i * d);
      continue;
    }
    for (let j = 0; j < d; j++) {
      const x = row[j];
      if (typeof x !== 'number') {
        throw new TypeError(`${name}[${i}][${j}] is ${describe(x)}; every value must be a number.`);
      }
      data[i * d + j] = x;
    }
  }
  const matrix = { data, n, d };
  checkFinite(matrix, name);
  return matrix;
}

function checkFinite({ data, n, d }: NormalizedMatrix, name: string): void {
  for (let i = 0; i < n * d; i++) {
    const x = data[i];
    if (x - x !== 0) {
      const row = Math.floor(i / d);
      throw new RangeError(`${name} row ${row} column ${i - row * d} is ${nonFinite(x)}; k-means needs finite values, so remove or impute that row.`);
    }
  }
}

/**
 * Cosine k-means divides every row by its length, so a row of zeros, which has no direction, is
 * refused; no other finite row is (lib/core/normalization.ts). `name(i)` names row i.
 */
function checkDirections({ data, n, d }: NormalizedMatrix, name: (row: number) => string, caller: Caller): void {
  for (let i = 0; i < n; i++) {
    let zero = true;
    for (let j = i * d; j < (i + 1) * d && zero; j++) zero = data[j] === 0;
    if (zero) {
      throw new RangeError(
        `${name(i)} has zero length; cosine k-means needs a direction for every row, so remove that row or use ${caller.setting('metric', 'euclidean')}.`,
      );
    }
  }
}

/** An options object whose keys are all among `known`; `of` names the function in the message for another one. */
function checkOptions<T>(options: unknown, known: readonly string[], of = ''): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object, not ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const suggestion = closestName(key, known);
      throw new TypeError(
        `options.${key} is not an option${of}${suggestion ? `; did you mean options.${suggestion}?` : ''} Known options: ${known.join(', ')}.`,
      );
    }
  }
  return options as T;
}

/** One finite, non-negative weight per point, not all zero, as a private Float64Array; null when absent. */
export function normalizeWeights(value: unknown, n: number, caller: Caller): Float64Array | null {
  if (value === undefined) return null;
  const name = caller.name('weights');
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    throw new TypeError(`${name} must be an array or typed array of numbers, not ${describe(value)}.`);
  }
  const source = value as ArrayLike<unknown>;
  if (source.length !== n) {
    throw new RangeError(`${name} has ${source.length} entries but there are ${n} points; give one weight per point.`);
  }
  const weights = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = source[i];
    if (typeof w !== 'number' && typeof w !== 'bigint') {
      throw new TypeError(`${name}[${i}] is ${describe(w)}; every weight must be a number.`);
    }
    const x = Number(w);
    if (!Number.isFinite(x) || x < 0) {
      throw new RangeError(`${name}[${i}] is ${nonFinite(x)}; weights must be finite and non-negative.`);
    }
    weights[i] = x;
    total += x;
  }
  if (total === 0) throw new RangeError(`${name} are all zero; at least one point needs a positive weight.`);
  return weights;
}

function normalizeInit(value: unknown, k: number, points: NormalizedMatrix, metric: Metric, caller: Caller): InitMethod | Floats {
  const init = optionOrDefault('init', value, caller);
  if (init === 'auto') return chooseInit(points.n, points.d, k);
  if (typeof init === 'string') return init;
  const name = caller.name('init');
  const centers = normalizeMatrix(init, name);
  if (metric === 'cosine') checkDirections(centers, (row) => `${name} row ${row}`, caller);
  if (centers.n !== k) {
    throw new RangeError(`${name} has ${centers.n} centres but k is ${k}; give exactly k rows.`);
  }
  if (centers.d !== points.d) {
    throw new RangeError(`${name} rows have ${centers.d} columns but the points have ${points.d}; the dimensions must match.`);
  }
  // A private copy in the points' element type: the fit never writes into the caller's array.
  if (!(points.data instanceof Float32Array)) return Float64Array.from(centers.data);
  const converted = Float32Array.from(centers.data);
  for (let i = 0; i < converted.length; i++) {
    // Float32Array.from turns a value past float32's range into ±Infinity without a word. One that
    // merely rounds to the largest float32 (as C's FLT_MAX literal, 3.40282347e38, does) is in range.
    if (!Number.isFinite(converted[i])) {
      const row = Math.floor(i / centers.d);
      throw new RangeError(
        `${name} row ${row} column ${i - row * centers.d} is ${centers.data[i]}, beyond the range of float32 (largest ${FLOAT32_MAX}), ` +
          "the element type of the points; pass the points as float64 (a Float64Array or number[][]), or centres within float32's range.",
      );
    }
  }
  return converted;
}

/**
 * Validates every argument of `kmeans`/`kmeansSync`; each failure names the parameter and the fix.
 * The caller says how to name them: as the API's options by default, as flags for the command line.
 */
export function normalizeFit(pointsValue: unknown, kValue: unknown, optionsValue: unknown, caller: Caller = API_CALLER): NormalizedFit {
  const points = normalizeMatrix(pointsValue, 'points');
  const options = checkOptions<KMeansOptions>(optionsValue, OPTION_NAMES);
  const k = checkInteger(
    kValue,
    caller.name('k'),
    K_ARGUMENT.rule.min,
    Math.min(points.n, K_ARGUMENT.rule.max),
    caller,
    `k counts clusters and cannot exceed the ${points.n} points`,
  );
  const metric = optionOrDefault('metric', options.metric, caller);
  if (metric === 'cosine') checkDirections(points, (row) => `points[${row}]`, caller);
  const init = normalizeInit(options.init, k, points, metric, caller);

  const nInitOption = optionOrDefault('nInit', options.nInit, caller);
  const nInit = nInitOption === 'auto' ? (init === 'random' ? 10 : 1) : nInitOption;
  if (typeof init !== 'string' && nInit !== 1) {
    throw new RangeError(
      `${caller.name('nInit')} must be 1 or ${caller.literal('auto')} when ${caller.name('init')} gives explicit centres: ` +
        'every run would start from the same centres.',
    );
  }
  const maxIterations = optionOrDefault('maxIterations', options.maxIterations, caller);
  const tolerance = optionOrDefault('tolerance', options.tolerance, caller);
  const seed = optionOrDefault('seed', options.seed, caller);
  const algorithm = optionOrDefault('algorithm', options.algorithm, caller);
  const memoryBudget = optionOrDefault('memoryBudget', options.memoryBudget, caller);
  const backend = optionOrDefault('backend', options.backend, caller);
  const threads = optionOrDefault('threads', options.threads, caller);
  const weights = normalizeWeights(options.weights, points.n, caller);

  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`${caller.name('signal')} must be an AbortSignal (from new AbortController().signal), not ${describe(options.signal)}.`);
  }
  if (options.onIteration !== undefined && typeof options.onIteration !== 'function') {
    throw new TypeError(`${caller.name('onIteration')} must be a function, not ${describe(options.onIteration)}.`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError(`${caller.name('onProgress')} must be a function, not ${describe(options.onProgress)}.`);
  }

  return {
    request: {
      data: points.data,
      n: points.n,
      d: points.d,
      k,
      weights,
      init,
      nInit,
      maxIterations,
      tolerance,
      seed,
      metric,
      threads,
    },
    algorithm,
    memoryBudget,
    backend,
    caller,
    signal: options.signal,
    onIteration: options.onIteration,
    onProgress: options.onProgress,
  };
}

/** Points and centroids of the same width: what `predict`, `transform` and `score` measure. */
function normalizePair(pointsValue: unknown, centroidsValue: unknown): { points: NormalizedMatrix; centroids: NormalizedMatrix } {
  const points = normalizeMatrix(pointsValue, 'points');
  const centroids = normalizeMatrix(centroidsValue, 'centroids');
  if (centroids.d !== points.d) {
    throw new RangeError(`centroids have ${centroids.d} columns but the points have ${points.d}; the dimensions must match.`);
  }
  return { points, centroids };
}

/** The metric of `predict`, `transform` or `score`; under cosine, every row must have a direction. */
function measuredMetric(value: Metric | undefined, points: NormalizedMatrix, centroids: NormalizedMatrix): Metric {
  const metric = optionOrDefault('metric', value, API_CALLER);
  if (metric === 'cosine') {
    checkDirections(points, (row) => `points[${row}]`, API_CALLER);
    checkDirections(centroids, (row) => `centroids[${row}]`, API_CALLER);
  }
  return metric;
}

/** Validates `predict(points, centroids, options)`. */
export function normalizePredict(
  pointsValue: unknown,
  centroidsValue: unknown,
  optionsValue: unknown,
): { points: NormalizedMatrix; centroids: NormalizedMatrix; metric: Metric } {
  const { points, centroids } = normalizePair(pointsValue, centroidsValue);
  const options = checkOptions<PredictOptions>(optionsValue, PREDICT_OPTION_NAMES, ' of predict');
  return { points, centroids, metric: measuredMetric(options.metric, points, centroids) };
}

/** Validated points and centroids of {@link transform} or {@link score}, with where and how to measure them. */
export interface NormalizedMeasure {
  points: NormalizedMatrix;
  centroids: NormalizedMatrix;
  backend: BackendName | 'auto';
  metric: Metric;
  /** null means every weight is 1. */
  weights: Float64Array | null;
}

/** Validates `transform(points, centroids, options)`. */
export function normalizeTransform(pointsValue: unknown, centroidsValue: unknown, optionsValue: unknown): NormalizedMeasure {
  const { points, centroids } = normalizePair(pointsValue, centroidsValue);
  const options = checkOptions<TransformOptions>(optionsValue, TRANSFORM_OPTION_NAMES, ' of transform');
  return {
    points,
    centroids,
    backend: optionOrDefault('backend', options.backend, API_CALLER),
    metric: measuredMetric(options.metric, points, centroids),
    weights: null,
  };
}

/** Validates `score(points, centroids, options)`. */
export function normalizeScore(pointsValue: unknown, centroidsValue: unknown, optionsValue: unknown): NormalizedMeasure {
  const { points, centroids } = normalizePair(pointsValue, centroidsValue);
  const options = checkOptions<ScoreOptions>(optionsValue, SCORE_OPTION_NAMES, ' of score');
  return {
    points,
    centroids,
    backend: optionOrDefault('backend', options.backend, API_CALLER),
    metric: measuredMetric(options.metric, points, centroids),
    weights: normalizeWeights(options.weights, points.n, API_CALLER),
  };
}
