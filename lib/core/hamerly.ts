import { halfCenterDistances, LargestShifts, PRUNE_MARGIN } from './center-distances.js';
import { type Floats, squaredDistance } from './distance.js';
import type { Assigner } from './kmeans.js';
import type { Problem } from './types.js';

/**
 * Hamerly's algorithm (SDM 2010): exact k-means with two bounds per point, an upper bound on the
 * distance to its own centre and one lower bound on the distance to every other centre. Memory
 * grows with n, not n × k as in Elkan, and each test is cheap, which wins in low dimensions; when
 * the bounds fail, the point is compared with every centre as in Lloyd, ties to the lowest index.
 */
export class HamerlyAssigner implements Assigner {
  private readonly upper: Float64Array;
  private readonly lower: Float64Array;
  /** Half the distance from each centre to its nearest other centre. */
  private readonly halfNearestCenter: Float64Array;
  private boundsReady = false;

  constructor(private readonly input: Problem) {
    this.upper = new Float64Array(input.n);
    this.lower = new Float64Array(input.n);
    this.halfNearestCenter = new Float64Array(input.k);
  }

  assign(centers: Floats, labels: Int32Array): void {
    const { data, n, d } = this.input;
    const { upper, lower, halfNearestCenter } = this;
    if (!this.boundsReady) {
      for (let i = 0; i < n; i++) this.scan(i, centers, labels);
      this.boundsReady = true;
      return;
    }
    this.measureCenters(centers);
    for (let i = 0; i < n; i++) {
      const label = labels[i];
      const bound = Math.max(halfNearestCenter[label], lower[i]);
      if (upper[i] * PRUNE_MARGIN < bound) continue;
      upper[i] = Math.sqrt(squaredDistance(data, i, centers, label, d));
      if (upper[i] * PRUNE_MARGIN < bound) continue;
      this.scan(i, centers, labels);
    }
  }

  centersMoved(_centers: Floats, shifts: Float64Array, labels: Int32Array): void {
    const { n, k } = this.input;
    // Every other centre moved at most the largest shift; for points of the centre that moved
    // most, the second largest.
    const top = new LargestShifts(shifts, k);
    const { upper, lower } = this;
    for (let i = 0; i < n; i++) {
      const label = labels[i];
      upper[i] += shifts[label];
      const moved = lower[i] - top.otherThan(label);
      lower[i] = moved > 0 ? moved : 0;
    }
  }

  /** Compares point i with every centre: the nearest becomes its label, the second its lower bound. */
  private scan(i: number, centers: Floats, labels: Int32Array): void {
    const { data, d, k } = this.input;
    let best = 0;
    let bestDistance = squaredDistance(data, i, centers, 0, d);
    let secondDistance = Infinity;
    for (let c = 1; c < k; c++) {
      const dist = squaredDistance(data, i, centers, c, d);
      if (dist < bestDistance) {
        secondDistance = bestDistance;
        bestDistance = dist;
        best = c;
      } else if (dist < secondDistance) {
        secondDistance = dist;
      }
    }
    labels[i] = best;
    this.upper[i] = Math.sqrt(bestDistance);
    this.lower[i] = Math.sqrt(secondDistance);
  }

  private measureCenters(centers: Floats): void {
    const { d, k } = this.input;
    halfCenterDistances(centers, k, d, this.halfNearestCenter);
  }
}
