import { type Floats, squaredDistance } from './distance.js';
import type { Problem } from './types.js';

/**
 * The E-step of one exact algorithm. Lloyd and Elkan differ only here; the update step, the
 * convergence test and everything around them are shared (lib/js-backend.ts).
 */
export interface Assigner {
  /** Writes the index of the nearest centre of every point into `labels`. */
  assign(centers: Floats, labels: Int32Array): void;
  /** Tells the algorithm the centres moved to `centers`, each by `shifts[c]` (a distance, not squared). */
  centersMoved(centers: Floats, shifts: Float64Array, labels: Int32Array): void;
}

/** Index of the centre nearest to row `i`, the lowest index on ties. */
export function nearestCenter(input: Pick<Problem, 'data' | 'd' | 'k'>, i: number, centers: Floats): number {
  const { data, d, k } = input;
  let best = 0;
  let bestDistance = squaredDistance(data, i, centers, 0, d);
  for (let c = 1; c < k; c++) {
    const dist = squaredDistance(data, i, centers, c, d);
    if (dist < bestDistance) {
      bestDistance = dist;
      best = c;
    }
  }
  return best;
}
