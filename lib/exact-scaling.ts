import type { FitHooks, FitOutput, FitRequest } from './backend.js';
import { type Floats, squaredDistance } from './distance.js';
import { blockedSum } from './reduction.js';

/**
 * Squared distances of float64 values above about 1e154 overflow to Infinity, and below about
 * 1e-154 they vanish into zero, so every point looks equally near every centre; and the native
 * Elkan stores its lower bounds as float32, which saturate above about 3e38. Data beyond 2^±100
 * (about 1e±30) is multiplied by a power of two, which changes no digit of any value, fitted, and
 * the results are scaled back: labels as for exact arithmetic, centroids to the bit. Float32 data
 * needs none of this: its squares, summed in double, cannot overflow.
 */
const LIMIT_EXPONENT = 100;

function maxAbs(values: Floats): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const x = Math.abs(values[i]);
    if (x > max) max = x;
  }
  return max;
}

/**
 * x × 2^exponent, in steps of at most 2^±512 so that no factor is Infinity or zero: the product
 * overflows or underflows only when the result itself does.
 */
export function timesPowerOfTwo(x: number, exponent: number): number {
  let result = x;
  let left = exponent;
  while (left > 512) {
    result *= 2 ** 512;
    left -= 512;
  }
  while (left < -512) {
    result *= 2 ** -512;
    left += 512;
  }
  return result * 2 ** left;
}

function scaled(values: Float64Array, exponent: number): Float64Array {
  return values.map((x) => timesPowerOfTwo(x, exponent));
}

/** The power of two that brings the largest magnitude into [1, 2), or 0 when the data needs none. */
export function scalingExponent(...arrays: Floats[]): number {
  if (arrays.some((values) => !(values instanceof Float64Array))) return 0;
  const max = Math.max(...arrays.map(maxAbs));
  if (max === 0 || (max < 2 ** LIMIT_EXPONENT && max > 2 ** -LIMIT_EXPONENT)) return 0;
  return -Math.floor(Math.log2(max));
}

/** The request to run instead, and how to read its output in the caller's units. */
export function exactlyScaledFit(request: FitRequest, hooks: FitHooks): {
  request: FitRequest;
  hooks: FitHooks;
  restore: (output: FitOutput) => FitOutput;
} {
  const init = typeof request.init === 'string' ? undefined : request.init;
  const exponent = scalingExponent(request.data, ...(init ? [init] : []));
  if (exponent === 0) return { request, hooks, restore: (output) => output };
  const { onIteration } = hooks;
  const data = scaled(request.data as Float64Array, exponent);
  return {
    request: {
      ...request,
      data,
      init: init ? scaled(init as Float64Array, exponent) : request.init,
    },
    hooks: {
      ...hooks,
      onIteration: onIteration && ((info) => onIteration({ ...info, centerShift: timesPowerOfTwo(info.centerShift, -2 * exponent) })),
    },
    restore: (output) => {
      const centroids = scaled(output.centroids as Float64Array, -exponent);
      if (centroids.every(Number.isFinite)) {
        return { ...output, centroids, inertia: timesPowerOfTwo(output.inertia, -2 * exponent) };
      }
      // A weighted mean can round one unit in the last place past the largest of its points; at
      // the top of the double range that is Infinity, where the largest double is the mean. The
      // inertia is then measured again from the corrected centroids.
      const clamped = centroids.map((x) => (Number.isFinite(x) ? x : Math.sign(x) * Number.MAX_VALUE));
      const centers = scaled(clamped, exponent);
      const { n, d, weights } = request;
      const inertia = blockedSum(n, (i) => (weights ? weights[i] : 1) * squaredDistance(data, i, centers, output.labels[i], d));
      return { ...output, centroids: clamped, inertia: timesPowerOfTwo(inertia, -2 * exponent) };
    },
  };
}

/** predict's points and centroids on one common exact scale. */
export function exactlyScaledPair(points: Floats, centroids: Float64Array): [Floats, Float64Array] {
  const exponent = scalingExponent(points, centroids);
  if (exponent === 0) return [points, centroids];
  return [scaled(points as Float64Array, exponent), scaled(centroids as Float64Array, exponent)];
}
