import { halfCenterDistances, PRUNE_MARGIN } from './center-distances.js';
import { type Floats, squaredDistance } from './distance.js';
import type { Assigner } from './kmeans.js';
import type { Problem } from './types.js';

/**
 * Elkan's algorithm (ICML 2003): exact k-means that skips distance computations with the triangle
 * inequality. Each point keeps an upper bound on the distance to its own centre and a lower bound
 * on the distance to every centre (n × k); a centre c is skipped when the upper bound is below its
 * lower bound or below half the distance between c and the point's centre. The steps follow
 * scikit-learn's `_k_means_elkan.pyx`, so both reach Lloyd's labels from the same centres.
 */
export class ElkanAssigner implements Assigner {
  private readonly upper: Float64Array;
  private readonly lower: Float64Array;
  /** Half the distance between every pair of centres, k × k. */
  private readonly halfCenterDistance: Float64Array;
  /** Half the distance from each centre to its nearest other centre. */
  private readonly halfNearestCenter: Float64Array;
  private boundsReady = false;

  constructor(private readonly input: Problem) {
    const { n, k } = input;
    this.upper = new Float64Array(n);
    this.lower = new Float64Array(n * k);
    this.halfCenterDistance = new Float64Array(k * k);
    this.halfNearestCenter = new Float64Array(k);
  }

  assign(centers: Floats, labels: Int32Array): void {
    if (!this.boundsReady) {
      this.measureCenters(centers);
      this.initBounds(centers, labels);
      this.boundsReady = true;
      return;
    }
    const { data, n, d, k } = this.input;
    const { upper, lower, halfCenterDistance, halfNearestCenter } = this;
    for (let i = 0; i < n; i++) {
      let label = labels[i];
      let bound = upper[i];
      let reach = bound * PRUNE_MARGIN;
      if (halfNearestCenter[label] > reach) continue;
      let tight = false;
      let boundSquared = 0;
      const lo = i * k;
      for (let c = 0; c < k; c++) {
        if (c === label || reach < lower[lo + c] || reach < halfCenterDistance[label * k + c]) continue;
        if (!tight) {
          boundSquared = squaredDistance(data, i, centers, label, d);
          bound = Math.sqrt(boundSquared);
          reach = bound * PRUNE_MARGIN;
          lower[lo + label] = bound;
          tight = true;
          if (reach < lower[lo + c] || reach < halfCenterDistance[label * k + c]) continue;
        }
        const squared = squaredDistance(data, i, centers, c, d);
        const dist = Math.sqrt(squared);
        lower[lo + c] = dist;
        // Nearer by squared distance, or as near and lower-numbered: Lloyd's choice.
        if (squared < boundSquared || (squared === boundSquared && c < label)) {
          label = c;
          bound = dist;
          reach = bound * PRUNE_MARGIN;
          boundSquared = squared;
        }
      }
      labels[i] = label;
      upper[i] = bound;
    }
  }

  centersMoved(centers: Floats, shifts: Float64Array, labels: Int32Array): void {
    const { n, k } = this.input;
    const { upper, lower } = this;
    for (let i = 0; i < n; i++) {
      upper[i] += shifts[labels[i]];
      const lo = i * k;
      for (let c = 0; c < k; c++) {
        const moved = lower[lo + c] - shifts[c];
        lower[lo + c] = moved > 0 ? moved : 0;
      }
    }
    this.measureCenters(centers);
  }

  /** First assignment: every point against the centres in order, skipping by half centre distances. */
  private initBounds(centers: Floats, labels: Int32Array): void {
    const { data, n, d, k } = this.input;
    const { upper, lower, halfCenterDistance } = this;
    for (let i = 0; i < n; i++) {
      const lo = i * k;
      let label = 0;
      let boundSquared = squaredDistance(data, i, centers, 0, d);
      let bound = Math.sqrt(boundSquared);
      lower[lo] = bound;
      for (let c = 1; c < k; c++) {
        if (bound * PRUNE_MARGIN < halfCenterDistance[label * k + c]) continue;
        const squared = squaredDistance(data, i, centers, c, d);
        const dist = Math.sqrt(squared);
        lower[lo + c] = dist;
        if (squared < boundSquared) {
          label = c;
          bound = dist;
          boundSquared = squared;
        }
      }
      labels[i] = label;
      upper[i] = bound;
    }
  }

  private measureCenters(centers: Floats): void {
    const { d, k } = this.input;
    halfCenterDistances(centers, k, d, this.halfNearestCenter, this.halfCenterDistance);
  }
}
