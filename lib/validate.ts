import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { types } from 'node:util';
import type { FitRequest } from './backend.js';
import { closestName } from './suggestion.js';
import type { Floats } from './core/distance.js';
import type { Algorithm, BackendName, InitMethod, IterationInfo, KMeansOptions } from './types.js';

/** Points in the one shape the backends take: a row-major typed array read in place. */
export interface NormalizedMatrix {
  data: Floats;
  n: number;
  d: number;
}

/** A validated fit: the backend request plus what the API layer itself acts on. */
export interface NormalizedFit {
  /** All but the algorithm, which depends on the memory of the backend that runs it (lib/index.ts). */
  request: Omit<FitRequest, 'algorithm'>;
  algorithm: Algorithm | 'auto';
  backend: BackendName | 'auto';
  signal?: AbortSignal;
  onIteration?: (info: IterationInfo) => void;
}

const OPTION_NAMES = [
  'init', 'nInit', 'maxIterations', 'tolerance', 'seed', 'algorithm', 'backend', 'threads',
  'weights', 'signal', 'onIteration',
] as const;

const SEED_LIMIT = 2 ** 32;
const FLOAT32_MAX = 3.4028234663852886e38;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return String(value);
  return `a value of type ${typeof value}`;
}

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

/** Accepts `number[][]`, an array of typed-array rows, or `{ data, shape: [n, d] }`. */
export function normalizeMatrix(value: unknown, name: string): NormalizedMatrix {
  if (Array.isArray(value)) return fromRows(value, name);
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && 'data' in value) {
    return fromMatrix(value as { data: unknown; shape?: unknown }, name);
  }
  const hint = ArrayBuffer.isView(value) ? `; a flat ${value.constructor.name} needs its shape: { data, shape: [n, d] }` : '';
  throw new TypeError(
    `${name} must be an array of rows (number[][] or typed-array rows) or a matrix { data: Float32Array | Float64Array, shape: [n, d] }, not ${describe(value)}${hint}.`,
  );
}

function fromMatrix(value: { data: unknown; shape?: unknown }, name: string): NormalizedMatrix {
  const { data, shape } = value;
  if (!isFloatArray(data)) {
    throw new TypeError(`${name}.data must be a Float32Array or Float64Array, not ${describe(data)}; convert it with Float64Array.from(...).`);
  }
  if (!Array.isArray(shape) || shape.length !== 2) {
    throw new TypeError(`${name}.shape must be a two-element array [n, d], not ${describe(shape)}.`);
  }
  const [n, d] = shape as unknown[];
  for (const [axis, size] of [['n', n], ['d', d]] as const) {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
      throw new RangeError(`${name}.shape ${axis} must be a positive integer, not ${describe(size)}.`);
    }
  }
  if (data.length !== (n as number) * (d as number)) {
    throw new RangeError(`${name}.data has ${data.length} elements but shape [${n}, ${d}] needs ${(n as number) * (d as number)}.`);
  }
  const matrix = { data: inThisRealm(data), n: n as number, d: d as number };
  checkFinite(matrix, name);
  return matrix;
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
      throw new RangeError(
        `${name} row ${row} column ${i - row * d} is ${nonFinite(x)}; k-means needs finite values, so remove or impute that row.`,
      );
    }
  }
}

function checkInteger(value: unknown, name: string, min: number, max: number, fix: string): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, not ${describe(value)}.`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, not ${value}; ${fix}.`);
  }
  return value;
}

function checkChoice<T extends string>(value: unknown, name: string, choices: readonly T[]): T {
  if (typeof value !== 'string') throw new TypeError(`${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, not ${describe(value)}.`);
  if (!(choices as readonly string[]).includes(value)) {
    throw new RangeError(`${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, not '${value}'.`);
  }
  return value as T;
}

function checkOptions(options: unknown): KMeansOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object, not ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      const suggestion = closestName(key, OPTION_NAMES);
      throw new TypeError(
        `options.${key} is not an option${suggestion ? `; did you mean options.${suggestion}?` : ''} Known options: ${OPTION_NAMES.join(', ')}.`,
      );
    }
  }
  return options as KMeansOptions;
}

function normalizeWeights(value: unknown, n: number): Float64Array | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    throw new TypeError(`options.weights must be an array or typed array of numbers, not ${describe(value)}.`);
  }
  const source = value as ArrayLike<unknown>;
  if (source.length !== n) {
    throw new RangeError(`options.weights has ${source.length} entries but there are ${n} points; give one weight per point.`);
  }
  const weights = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = source[i];
    if (typeof w !== 'number' && typeof w !== 'bigint') {
      throw new TypeError(`options.weights[${i}] is ${describe(w)}; every weight must be a number.`);
    }
    const x = Number(w);
    if (!Number.isFinite(x) || x < 0) {
      throw new RangeError(`options.weights[${i}] is ${nonFinite(x)}; weights must be finite and non-negative.`);
    }
    weights[i] = x;
    total += x;
  }
  if (total === 0) throw new RangeError('options.weights are all zero; at least one point needs a positive weight.');
  return weights;
}

function normalizeInit(value: unknown, k: number, points: NormalizedMatrix): InitMethod | Floats {
  if (value === undefined) return 'k-means++';
  if (typeof value === 'string') return checkChoice(value, 'options.init', ['k-means++', 'random'] as const);
  const centers = normalizeMatrix(value, 'options.init');
  if (centers.n !== k) {
    throw new RangeError(`options.init has ${centers.n} centres but k is ${k}; give exactly k rows.`);
  }
  if (centers.d !== points.d) {
    throw new RangeError(`options.init rows have ${centers.d} columns but the points have ${points.d}; the dimensions must match.`);
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
        `options.init row ${row} column ${i - row * centers.d} is ${centers.data[i]}, beyond the range of float32 (largest ${FLOAT32_MAX}), ` +
        'the element type of the points; pass the points as float64 (a Float64Array or number[][]), or centres within float32\'s range.',
      );
    }
  }
  return converted;
}

/** Validates every argument of `kmeans`/`kmeansSync`; each failure names the parameter and the fix. */
export function normalizeFit(pointsValue: unknown, kValue: unknown, optionsValue: unknown): NormalizedFit {
  const points = normalizeMatrix(pointsValue, 'points');
  const options = checkOptions(optionsValue);
  const k = checkInteger(kValue, 'k', 1, points.n, `k counts clusters and cannot exceed the ${points.n} points`);
  const init = normalizeInit(options.init, k, points);

  let nInit: number;
  if (options.nInit === undefined || options.nInit === 'auto') nInit = init === 'random' ? 10 : 1;
  else nInit = checkInteger(options.nInit, 'options.nInit', 1, 1_000_000, "use a positive integer or 'auto'");
  if (typeof init !== 'string' && nInit !== 1) {
    throw new RangeError('options.nInit must be 1 or \'auto\' when options.init gives explicit centres: every run would start from the same centres.');
  }

  const maxIterations = options.maxIterations === undefined
    ? 300
    : checkInteger(options.maxIterations, 'options.maxIterations', 1, 2 ** 31 - 1, 'use a positive integer');

  let tolerance = 1e-4;
  if (options.tolerance !== undefined) {
    if (typeof options.tolerance !== 'number') throw new TypeError(`options.tolerance must be a number, not ${describe(options.tolerance)}.`);
    if (!Number.isFinite(options.tolerance) || options.tolerance < 0) {
      throw new RangeError(`options.tolerance must be a finite number ≥ 0, not ${options.tolerance}; 0 runs until no label changes.`);
    }
    tolerance = options.tolerance;
  }

  const seed = options.seed === undefined
    ? randomInt(0, SEED_LIMIT)
    : checkInteger(options.seed, 'options.seed', 0, SEED_LIMIT - 1, 'seeds are 32-bit unsigned integers');

  const algorithm = options.algorithm === undefined ? 'auto' : checkChoice(options.algorithm, 'options.algorithm', ['auto', 'elkan', 'hamerly', 'lloyd'] as const);
  const backend = options.backend === undefined ? 'auto' : checkChoice(options.backend, 'options.backend', ['auto', 'native', 'js'] as const);
  const threads = options.threads === undefined
    ? availableParallelism()
    : checkInteger(options.threads, 'options.threads', 1, 1024, 'use a positive integer (default: all cores)');
  const weights = normalizeWeights(options.weights, points.n);

  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError(`options.signal must be an AbortSignal (from new AbortController().signal), not ${describe(options.signal)}.`);
  }
  if (options.onIteration !== undefined && typeof options.onIteration !== 'function') {
    throw new TypeError(`options.onIteration must be a function, not ${describe(options.onIteration)}.`);
  }

  return {
    request: {
      data: points.data, n: points.n, d: points.d, k, weights, init, nInit, maxIterations, tolerance, seed,
      threads,
    },
    algorithm,
    backend,
    signal: options.signal,
    onIteration: options.onIteration,
  };
}

/** Validates `predict(points, centroids)`. */
export function normalizePredict(pointsValue: unknown, centroidsValue: unknown): { points: NormalizedMatrix; centroids: NormalizedMatrix } {
  const points = normalizeMatrix(pointsValue, 'points');
  const centroids = normalizeMatrix(centroidsValue, 'centroids');
  if (centroids.d !== points.d) {
    throw new RangeError(`centroids have ${centroids.d} columns but the points have ${points.d}; the dimensions must match.`);
  }
  return { points, centroids };
}
