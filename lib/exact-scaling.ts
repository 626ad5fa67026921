import type { FitHooks, FitOutput, FitRequest } from './backend.js';
import { type Floats, squaredDistance } from './core/distance.js';
import { blockedSum } from './core/parallel.js';

/**
 * Multiplying values by a power of two changes no digit of them, and every product, sum and
 * comparison of a fit then scales with them exactly, barring subnormals: labels, iterations and
 * centroids come out as the same bits, and the inertia scales back exactly. Fits whose weights or
 * float64 values would overflow, or underflow needlessly, run on such a rescaled copy. The limits
 * come from the doubles (the largest is below 2^1024, the smallest normal one is 2^-1022,
 * significands have 53 bits) and from what a fit computes:
 *
 * Weights: the sums Σw, Σw·x and Σw·‖x − c‖² overflow for weights near 1e308, and products with
 * weights near or below 2^-1022 lose digits. When the largest weight lies outside
 * [2^-LIMIT_EXPONENT, 2^LIMIT_EXPONENT], every weight is multiplied by the power of two that
 * brings the largest into [1, 2). Either way the largest weight is then below 2^101.
 *
 * Float64 points and explicit centres, largest magnitude M, smallest non-zero one m:
 * - Ceiling. The largest sums of a fit are the inertia and the k-means++ potentials,
 *   Σw·‖x − c‖² ≤ Σw · d · (2M)² (every centre lies within the range of the points and the
 *   initial centres). No typed array is longer than 2^53, so n·d ≤ 2^53 and, with weights below
 *   2^101, Σw · d ≤ 2^154; M < 2^TOP_EXPONENT (2^432) keeps these sums below
 *   2^154 · 2^866 = 2^1020, 2^4 short of overflow, ample for rounding. The other sums are smaller:
 *   the summed centre shifts, at most k·d·(2M)², and the variances of the tolerance, at most
 *   n·(2M)² per column.
 * - Floor. Every non-zero difference of values of magnitude at least 2^e is a multiple of 2^(e-52),
 *   so its square is at least 2^(2e-104), and that times a largest weight of at least 2^-100 is a
 *   normal double when e ≥ FLOOR_EXPONENT (-409). With m ≥ 2^-409 no squared distance the data
 *   can resolve vanishes or loses digits to underflow.
 * - Moderate. The native Elkan stores its lower bounds as float32, which round to 0 below 2^-126
 *   and saturate at FLT_MAX (about 2^128): still bounds, so still exact, but pruning less. So
 *   data with M within 2^±LIMIT_EXPONENT (about 1e±30) and m ≥ 2^-409 runs as it is (and is not
 *   copied). Other data is multiplied by the power of two that brings M into [1, 2), or, when
 *   m < 2^-409 · M, by the least one that lifts m to the floor; and never by one that lifts M past
 *   the ceiling: where m is below about 2^-840 · M no scale satisfies both, and the largest
 *   values win (the smallest lose what does not fit).
 *
 * So [1, 3, 1e200] (M ≈ 2^664) is multiplied by 2^-409: the squared difference of 1 and 3 becomes
 * 2^-816, where with M in [1, 2) it would be 2^-1326, that is 0; M becomes about 2^255.
 * And [1e-170, 3e-170, 1] is scaled although M = 1 is ordinary: 1e-170 ≈ 2^-565, so squared
 * differences of the small values (4e-340) are 0 in double and k-means could not tell them apart.
 *
 * Float32 data needs no rescaling: its squared differences, below 2^258, summed in double cannot
 * overflow, and its smallest non-zero difference squared, 2^-298, is far above 2^-1022.
 */
const LIMIT_EXPONENT = 100;
const TOP_EXPONENT = 432;
const FLOOR_EXPONENT = -409;

/** The exponents of the largest and the smallest non-zero magnitude, or null when all are zero. */
function exponentRange(arrays: Floats[]): { top: number; bottom: number } | null {
  let max = 0;
  let min = Infinity;
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      const x = Math.abs(values[i]);
      if (x > max) max = x;
      if (x > 0 && x < min) min = x;
    }
  }
  if (max === 0) return null;
  return { top: Math.floor(Math.log2(max)), bottom: Math.floor(Math.log2(min)) };
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

export function scaled(values: Float64Array, exponent: number): Float64Array {
  return values.map((x) => timesPowerOfTwo(x, exponent));
}

/** The power of two that the points and centres are multiplied by (see above), 0 for none. */
export function scalingExponent(...arrays: Floats[]): number {
  if (arrays.some((values) => !(values instanceof Float64Array))) return 0;
  const range = exponentRange(arrays);
  if (range === null) return 0;
  const { top, bottom } = range;
  if (top < LIMIT_EXPONENT && top >= -LIMIT_EXPONENT && bottom >= FLOOR_EXPONENT) return 0;
  return Math.min(TOP_EXPONENT - 1 - top, Math.max(-top, FLOOR_EXPONENT - bottom));
}

/** The power of two that the weights are multiplied by (see above), 0 for none. */
export function weightExponent(weights: Float64Array): number {
  const top = exponentRange([weights])!.top;
  return top < LIMIT_EXPONENT && top >= -LIMIT_EXPONENT ? 0 : -top;
}

/** The request to run instead, and how to read its output in the caller's units. */
export function exactlyScaledFit<R extends Omit<FitRequest, 'algorithm'>>(
  request: R,
  hooks: FitHooks,
): {
  request: R;
  hooks: FitHooks;
  restore: (output: FitOutput) => FitOutput;
} {
  const init = typeof request.init === 'string' ? undefined : request.init;
  // Cosine k-means works on unit vectors, which normalisation brings into range row by row
  // (lib/core/normalization.ts): only its weights may need rescaling.
  const exponent = request.metric === 'cosine' ? 0 : scalingExponent(request.data, ...(init ? [init] : []));
  const weightsExponent = request.weights ? weightExponent(request.weights) : 0;
  if (exponent === 0 && weightsExponent === 0) return { request, hooks, restore: (output) => output };
  const weights = request.weights && weightsExponent !== 0 ? scaled(request.weights, weightsExponent) : request.weights;
  // Each term of the inertia is a weight times a squared difference.
  const inertiaExponent = -weightsExponent - 2 * exponent;
  if (exponent === 0) {
    return {
      request: { ...request, weights },
      hooks,
      restore: (output) => ({ ...output, inertia: timesPowerOfTwo(output.inertia, inertiaExponent) }),
    };
  }
  const { onIteration } = hooks;
  const data = scaled(request.data as Float64Array, exponent);
  return {
    request: {
      ...request,
      data,
      weights,
      init: init ? scaled(init as Float64Array, exponent) : request.init,
    },
    hooks: {
      ...hooks,
      onIteration: onIteration && ((info) => onIteration({ ...info, centerShift: timesPowerOfTwo(info.centerShift, -2 * exponent) })),
    },
    restore: (output) => {
      const centroids = scaled(output.centroids as Float64Array, -exponent);
      if (centroids.every(Number.isFinite)) {
        return { ...output, centroids, inertia: timesPowerOfTwo(output.inertia, inertiaExponent) };
      }
      // A weighted mean can round one unit in the last place past the largest of its points; at
      // the top of the double range that is Infinity, where the largest double is the mean. The
      // inertia is then measured again from the corrected centroids.
      const clamped = centroids.map((x) => (Number.isFinite(x) ? x : Math.sign(x) * Number.MAX_VALUE));
      const centers = scaled(clamped, exponent);
      const { n, d } = request;
      const inertia = blockedSum(n, (i) => (weights ? weights[i] : 1) * squaredDistance(data, i, centers, output.labels[i], d));
      return { ...output, centroids: clamped, inertia: timesPowerOfTwo(inertia, inertiaExponent) };
    },
  };
}

/**
 * Points and centroids (of predict, transform, score) on one common exact scale: both multiplied
 * by 2^exponent, the third element, so that distances come out multiplied by 2^exponent.
 */
export function exactlyScaledPair(points: Floats, centroids: Float64Array): [Floats, Float64Array, number] {
  // Float32 points cannot make a squared distance overflow or vanish (see above), but float64
  // centroids can: then the points are widened to float64, exactly, to share the centroids' scale.
  if (points instanceof Float32Array && scalingExponent(centroids) === 0) return [points, centroids, 0];
  const wide = points instanceof Float64Array ? points : Float64Array.from(points);
  const exponent = scalingExponent(wide, centroids);
  if (exponent === 0) return [wide, centroids, 0];
  return [scaled(wide, exponent), scaled(centroids, exponent), exponent];
}
