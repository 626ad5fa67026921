import { type Floats, squaredDistance } from './distance.js';
import type { Problem } from './problem.js';

export interface UpdateOutcome {
  /** Squared distance each centre moved. */
  shifts: Float64Array;
  /** Clusters that were empty and were re-seeded. */
  relocated: number;
}

/**
 * The M-step shared by every algorithm: each centre becomes the weighted mean of its points
 * (`labels` come from the assignment that used `oldCenters`).
 *
 * Each centre's sums run over its points in index order, in double. The native core gives each
 * thread whole centres, so the result does not depend on the thread count (the FAISS scheme)
 * and needs no per-thread k × d buffers.
 *
 * An empty cluster (zero total weight) is re-seeded as scikit-learn does: the points farthest from
 * their current centre (ties to the lower index) are moved, one per empty cluster, out of their
 * cluster's sums and into the empty one. A cluster left with zero weight keeps its old centre.
 */
export function updateCenters(
  input: Problem,
  labels: Int32Array,
  oldCenters: Floats,
  newCenters: Floats,
): UpdateOutcome {
  const { data, n, d, k, weights } = input;
  const sums = new Float64Array(k * d);
  const clusterWeights = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    const w = weights[i];
    clusterWeights[c] += w;
    const so = c * d;
    const xo = i * d;
    for (let j = 0; j < d; j++) sums[so + j] += w * data[xo + j];
  }

  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (clusterWeights[c] === 0) empty.push(c);
  const relocatedFrom = new Int32Array(k).fill(-1);
  if (empty.length > 0) {
    const far = farthestPoints(input, labels, oldCenters, empty.length);
    for (let e = 0; e < empty.length; e++) {
      const target = empty[e];
      const point = far[e];
      const source = labels[point];
      const w = weights[point];
      for (let j = 0; j < d; j++) {
        const x = w * data[point * d + j];
        sums[source * d + j] -= x;
        sums[target * d + j] = x;
      }
      clusterWeights[target] = w;
      clusterWeights[source] -= w;
      relocatedFrom[target] = point;
    }
  }

  for (let c = 0; c < k; c++) {
    const co = c * d;
    const w = clusterWeights[c];
    if (w > 0) {
      // A Float32Array rounds on store, exactly as the native core's cast to float does.
      for (let j = 0; j < d; j++) newCenters[co + j] = sums[co + j] / w;
    } else if (relocatedFrom[c] >= 0) {
      // A relocated point of weight zero: the centre sits on the point itself.
      newCenters.set(data.subarray(relocatedFrom[c] * d, relocatedFrom[c] * d + d), co);
    } else {
      newCenters.set(oldCenters.subarray(co, co + d), co);
    }
  }

  const shifts = new Float64Array(k);
  for (let c = 0; c < k; c++) shifts[c] = squaredDistance(oldCenters, c, newCenters, c, d);
  return { shifts, relocated: empty.length };
}

/** The `count` points farthest from their assigned centre, farthest first, ties to the lower index. */
function farthestPoints(input: Problem, labels: Int32Array, centers: Floats, count: number): Int32Array {
  const { data, n, d } = input;
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = squaredDistance(data, i, centers, labels[i], d);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => dist[b] - dist[a] || a - b);
  return Int32Array.from(order.slice(0, count));
}
