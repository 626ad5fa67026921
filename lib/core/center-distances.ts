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
 * The largest of the k centre shifts, which centre made it, and the second largest: every other
 * centre moved at most the largest, and for the points of the centre that moved most the second
 * largest bounds the others (Hamerly's and Yinyang's global bound; native/center_distances.hpp).
 */
export class LargestShifts {
  largest = 0;
  second = 0;
  center = -1;

  constructor(shifts: Float64Array, k: number) {
    for (let c = 0; c < k; c++) {
      if (shifts[c] > this.largest) {
        this.second = this.largest;
        this.largest = shifts[c];
        this.center = c;
      } else if (shifts[c] > this.second) {
        this.second = shifts[c];
      }
    }
  }

  otherThan(c: number): number {
    return c === this.center ? this.second : this.largest;
  }
}

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
