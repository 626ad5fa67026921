import type { FitHooks, FitOutput, FitRequest } from './backend.js';
import type { Floats } from './distance.js';

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

/** Multiplies by 2^exponent in two steps, since 2^exponent alone may not be a finite double. */
function scaled(values: Float64Array, exponent: number): Float64Array {
  const half = Math.trunc(exponent / 2);
  const first = 2 ** half;
  const second = 2 ** (exponent - half);
  return values.map((x) => x * first * second);
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
  return {
    request: {
      ...request,
      data: scaled(request.data as Float64Array, exponent),
      init: init ? scaled(init as Float64Array, exponent) : request.init,
    },
    hooks: {
      ...hooks,
      onIteration: onIteration && ((info) => onIteration({ ...info, centerShift: info.centerShift * 2 ** (-2 * exponent) })),
    },
    restore: (output) => ({
      ...output,
      centroids: scaled(output.centroids as Float64Array, -exponent),
      inertia: output.inertia * 2 ** (-2 * exponent),
    }),
  };
}

/** predict's points and centroids on one common exact scale. */
export function exactlyScaledPair(points: Floats, centroids: Floats): [Floats, Floats] {
  const exponent = scalingExponent(points, centroids);
  if (exponent === 0) return [points, centroids];
  return [scaled(points as Float64Array, exponent), scaled(centroids as Float64Array, exponent)];
}
