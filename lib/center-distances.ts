import { type Floats, squaredDistance } from './distance.js';

/**
 * Half the distance from each centre to its nearest other centre (`nearest`, k entries) and, when
 * `matrix` is given, between every pair of centres (k × k): the centre-side terms of Elkan's and
 * Hamerly's tests. native/center_distances.hpp computes the same.
 */
export function halfCenterDistances(
  centers: Floats, k: number, d: number, nearest: Float64Array, matrix?: Float64Array,
): void {
  nearest.fill(Infinity);
  for (let a = 0; a < k; a++) {
    if (matrix) matrix[a * k + a] = 0;
    for (let b = a + 1; b < k; b++) {
      const half = 0.5 * Math.sqrt(squaredDistance(centers, a, centers, b, d));
      if (matrix) {
        matrix[a * k + b] = half;
        matrix[b * k + a] = half;
      }
      if (half < nearest[a]) nearest[a] = half;
      if (half < nearest[b]) nearest[b] = half;
    }
  }
}
