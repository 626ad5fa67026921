import type { Floats } from './distance.js';

/**
 * Cosine k-means' one normalisation (native/normalization.hpp computes the same bits): a row x
 * becomes x / ‖x‖, with ‖x‖ = √(Σ x_j²) summed in double in index order, each quotient taken in
 * double and stored in the output's element type.
 *
 * The row is first multiplied by the power of two 2^-e that brings its largest magnitude into
 * [1, 2): exact, so for every row whose squares neither overflow nor vanish in double the result
 * is x / ‖x‖ to the bit, and rows near the ends of double's range (1e200, 1e-200) are normalised
 * as well instead of becoming Infinity or 0 / 0. Only a row of zeros has no direction.
 */

/** e with 2^e ≤ m < 2^(e+1), for a positive finite m (C's ilogb). */
function binaryExponent(m: number): number {
  let e = Math.floor(Math.log2(m));
  // Math.log2 may round across a power of two; 2 ** e is exact for every e a double can have.
  if (2 ** e > m) e--;
  else if (2 ** (e + 1) <= m) e++;
  return e;
}

/**
 * Writes row `i` of `source` (width d), normalised, into row `o` of `target`. Returns false, and
 * writes nothing, when the row is all zeros. `scratch` holds d doubles.
 */
export function normalizeRow(source: ArrayLike<number>, i: number, d: number, target: Floats, o: number, scratch: Float64Array): boolean {
  const offset = i * d;
  let largest = 0;
  for (let j = 0; j < d; j++) largest = Math.max(largest, Math.abs(source[offset + j]));
  if (largest === 0) return false;
  const e = binaryExponent(largest);
  // 2^-e is a double for e ≥ -1023; a subnormal largest value is lifted in two exact steps.
  if (e >= -1023) {
    const factor = 2 ** -e;
    for (let j = 0; j < d; j++) scratch[j] = source[offset + j] * factor;
  } else {
    const rest = 2 ** (-e - 1023);
    for (let j = 0; j < d; j++) scratch[j] = source[offset + j] * 2 ** 1023 * rest;
  }
  let squares = 0;
  for (let j = 0; j < d; j++) squares += scratch[j] * scratch[j];
  const norm = Math.sqrt(squares);
  const to = o * d;
  // A Float32Array rounds on store, as the native core's cast to float does.
  for (let j = 0; j < d; j++) target[to + j] = scratch[j] / norm;
  return true;
}

/**
 * The n rows of `data`, normalised, in a new array of its element type. Throws a RangeError for a
 * row of zeros, which the API refuses before a fit (lib/validate.ts).
 */
export function normalizedRows(data: Floats, n: number, d: number): Floats {
  const target = data instanceof Float32Array ? new Float32Array(n * d) : new Float64Array(n * d);
  const scratch = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (!normalizeRow(data, i, d, target, i, scratch)) throw new RangeError(`row ${i} has zero length and no direction`);
  }
  return target;
}
