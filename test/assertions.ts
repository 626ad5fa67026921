import { expect } from 'vitest';

/** The same as toEqual on two arrays, or stricter: same type, same length, the same values by Object.is. */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * expect(actual).toEqual(expected) for labels and centroids, fast where they are equal: vitest's
 * toEqual walks a typed array through its generic equality, 70 ms for 20 000 labels, so the
 * arrays are compared here first and go to toEqual, for its verdict and diff, only when they differ.
 */
export function expectSameArray(actual: ArrayLike<number>, expected: ArrayLike<number>, message?: string): void {
  if (!sameValues(actual, expected)) expect(actual, message).toEqual(expected);
}
