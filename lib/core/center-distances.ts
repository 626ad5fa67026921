import { type Floats, squaredDistance } from './distance.js';

/**
 * The factor on a point's upper bound in every pruning test of Elkan and Hamerly
 * (native/center_distances.hpp holds the same): a centre that the bounds put no further than the
 * point's own one, give or take rounding, is measured rather than ruled out, and a tie counts as
 * "not further". Then ties and near-ties are decided as Lloyd decides them, on squared distances
 * and to the lowest index, and the accelerated algorithms reach Lloyd's labels on any data.
 */
export const PRUNE_MARGIN = 1 + 2 ** -30;

/**
 * Half the distance from each centre to its nearest other centre (`nearest`, k entries) and, when
 * `matrix` is given, between every pair of centres (k × k): the centre-side terms of Elkan's and
 * Hamerly's tests. native/center_distances.hpp computes the same.
 */
export function halfCenterDistances(centers: Floats, k: number, d: number, nearest: Float64Array, matrix?: Float64Array): void {
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
