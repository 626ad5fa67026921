/**
 * Decimal numbers straight from the bytes of a file, without making a string per field.
 *
 * Most numbers in data files have at most 15 significant digits and a small exponent; for those
 * the value is an exact integer times or divided by an exact power of ten, and one IEEE operation
 * rounds it correctly (Clinger's fast path), so the result equals `Number(text)`. Anything else is
 * handed to `Number` on the token's text.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Below this, mantissa * 10 + 9 stays under 2^53 and is exact. */
const MANTISSA_LIMIT = 900719925474099;

/** Position just past the token the last `scanNumber` call read (before any trailing blanks). */
export let scanEnd = 0;

/**
 * Reads a number `[+-]?(digits[.digits?] | .digits)([eE][+-]?digits)?` starting at `start`.
 * Returns NaN when no such number starts there; `scanEnd` is then meaningless.
 */
export function scanNumber(bytes: Uint8Array, start: number, end: number): number {
  let p = start;
  let negative = false;
  if (p < end) {
    const sign = bytes[p];
    if (sign === 45 /* - */) {
      negative = true;
      p++;
    } else if (sign === 43 /* + */) {
      p++;
    }
  }
  let mantissa = 0;
  let exact = true;
  let exponent = 0;
  let digits = 0;
  while (p < end) {
    const digit = bytes[p] - 48;
    if (digit < 0 || digit > 9) break;
    if (mantissa < MANTISSA_LIMIT) mantissa = mantissa * 10 + digit;
    else exact = false;
    digits++;
    p++;
  }
  if (p < end && bytes[p] === 46 /* . */) {
    p++;
    while (p < end) {
      const digit = bytes[p] - 48;
      if (digit < 0 || digit > 9) break;
      if (mantissa < MANTISSA_LIMIT) {
        mantissa = mantissa * 10 + digit;
        exponent--;
      } else {
        exact = false;
      }
      digits++;
      p++;
    }
  }
  if (digits === 0) return NaN;
  if (p < end && (bytes[p] | 32) === 101 /* e or E */) {
    let q = p + 1;
    let negativeExponent = false;
    if (q < end && (bytes[q] === 45 || bytes[q] === 43)) {
      negativeExponent = bytes[q] === 45;
      q++;
    }
    let power = 0;
    const first = q;
    while (q < end) {
      const digit = bytes[q] - 48;
      if (digit < 0 || digit > 9) break;
      if (power < 100_000) power = power * 10 + digit;
      q++;
    }
    if (q === first) return NaN; // "1e" or "1e+": not a number
    exponent += negativeExponent ? -power : power;
    p = q;
  }
  scanEnd = p;
  let value: number;
  if (exact && exponent === 0) value = mantissa;
  else if (exact && exponent > 0 && exponent <= 22) value = mantissa * POWERS_OF_TEN[exponent];
  else if (exact && exponent < 0 && exponent >= -22) value = mantissa / POWERS_OF_TEN[-exponent];
  else return Number(latin1(bytes, start, p));
  return negative ? -value : value;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_PATTERN = /^[+-]?(?:nan|inf|infinity)$/i;

/** How a field's text reads as a number: its value, or why it is not one. */
export type FieldValue = { kind: 'number'; value: number } | { kind: 'empty' } | { kind: 'non-finite' } | { kind: 'text' };

/** The slow, string-based reading of one field, used for headers and to explain errors. */
export function readField(text: string): FieldValue {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (NON_FINITE_PATTERN.test(trimmed)) return { kind: 'non-finite' };
  if (!NUMBER_PATTERN.test(trimmed)) return { kind: 'text' };
  const value = Number(trimmed);
  return Number.isFinite(value) ? { kind: 'number', value } : { kind: 'non-finite' };
}
