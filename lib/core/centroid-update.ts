import { type Floats, squaredDistance } from './distance.js';
import { normalizeRow } from './normalization.js';
import { ROW_BLOCK } from './parallel.js';
import type { Problem } from './types.js';

/** At most this many chunks, and at most SUM_CHUNK_BYTES of chunk sums (native/centroid_update.hpp). */
export const MAX_SUM_CHUNKS = 64;
export const SUM_CHUNK_BYTES = 32 * 1024 * 1024;

/**
 * Rows per chunk of the centroid sums: whole ROW_BLOCKs, as many chunks as MAX_SUM_CHUNKS and
 * SUM_CHUNK_BYTES of k × (d + 1) doubles each allow. Depends on the shape only, never on threads.
 */
export function sumChunkRows(n: number, d: number, k: number): number {
  const blocks = Math.max(1, Math.ceil(n / ROW_BLOCK));
  const affordable = Math.max(1, Math.floor(SUM_CHUNK_BYTES / (8 * k * (d + 1))));
  const chunks = Math.min(blocks, MAX_SUM_CHUNKS, affordable);
  return ROW_BLOCK * Math.ceil(blocks / chunks);
}

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
 * Sums are taken in double over fixed chunks of consecutive points (sumChunkRows): within a chunk
 * each centre's sums run over its points in index order from zero, and the chunk sums are added
 * in chunk order. The native core sums the chunks in parallel and adds them in the same order, so
 * the result does not depend on the thread count.
 *
 * An empty cluster (zero total weight) is re-seeded as scikit-learn does: the points farthest from
 * their current centre (ties to the lower index) are moved, one per empty cluster, out of their
 * cluster's sums and into the empty one. Only points of positive weight that are off their
 * centre are moved, since only such a move lowers the inertia. A point of weight zero leaves its
 * new cluster as empty as before; one on its centre puts a second centre on the same spot, and
 * the next assignment gives the spot to the lower-numbered one: either move would be made again
 * at every iteration, and the run would never converge strictly (scikit-learn, for the same
 * reason, no longer relocates when every point is on its centre: its issue 28055). Empty clusters
 * beyond the number of such points, and any cluster a move leaves with zero weight, keep their old
 * centres; only the clusters re-seeded count as relocated.
 *
 * With `unitCenters` (cosine k-means) each new mean, taken in double, is normalised
 * (normalization.ts); a mean of length zero, whose points cancel exactly, keeps the old centre as
 * an empty cluster does.
 */
export function updateCenters(input: Problem, labels: Int32Array, oldCenters: Floats, newCenters: Floats, unitCenters = false): UpdateOutcome {
  const { data, n, d, k, weights } = input;
  const sums = new Float64Array(k * d);
  const clusterWeights = new Float64Array(k);
  const chunkSums = new Float64Array(k * d);
  const chunkWeights = new Float64Array(k);
  const rows = sumChunkRows(n, d, k);
  for (let start = 0; start < n; start += rows) {
    chunkSums.fill(0);
    chunkWeights.fill(0);
    for (let i = start, end = Math.min(n, start + rows); i < end; i++) {
      const c = labels[i];
      const w = weights[i];
      chunkWeights[c] += w;
      const so = c * d;
      const xo = i * d;
      for (let j = 0; j < d; j++) chunkSums[so + j] += w * data[xo + j];
    }
    for (let e = 0; e < k * d; e++) sums[e] += chunkSums[e];
    for (let c = 0; c < k; c++) clusterWeights[c] += chunkWeights[c];
  }

  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (clusterWeights[c] === 0) empty.push(c);
  const far = empty.length > 0 ? farthestPoints(input, labels, oldCenters, empty.length) : new Int32Array(0);
  for (let e = 0; e < far.length; e++) {
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
  }

  const scratch = unitCenters ? new Float64Array(d) : undefined;
  for (let c = 0; c < k; c++) {
    const co = c * d;
    const w = clusterWeights[c];
    let moved = w > 0;
    if (moved && scratch) {
      for (let j = 0; j < d; j++) sums[co + j] /= w;
      moved = normalizeRow(sums, c, d, newCenters, c, scratch);
    } else if (moved) {
      // A Float32Array rounds on store, exactly as the native core's cast to float does.
      for (let j = 0; j < d; j++) newCenters[co + j] = sums[co + j] / w;
    }
    if (!moved) newCenters.set(oldCenters.subarray(co, co + d), co);
  }

  const shifts = new Float64Array(k);
  for (let c = 0; c < k; c++) shifts[c] = squaredDistance(oldCenters, c, newCenters, c, d);
  return { shifts, relocated: far.length };
}

/**
 * Up to `count` points of positive weight and positive distance from their assigned centre, the
 * farthest first, ties to the lower index.
 */
function farthestPoints(input: Problem, labels: Int32Array, centers: Floats, count: number): Int32Array {
  const { data, n, d, weights } = input;
  const dist = new Float64Array(n);
  const movable: number[] = [];
  for (let i = 0; i < n; i++) {
    dist[i] = squaredDistance(data, i, centers, labels[i], d);
    if (weights[i] > 0 && dist[i] > 0) movable.push(i);
  }
  movable.sort((a, b) => dist[b] - dist[a] || a - b);
  return Int32Array.from(movable.slice(0, count));
}
