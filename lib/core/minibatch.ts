import { type Floats, squaredDistance } from './distance.js';
import { nearestCenter } from './lloyd.js';
import { blockedSum } from './parallel.js';
import { Random } from './random.js';

/**
 * What one mini-batch step reports: the batch's weighted inertia before the centres moved, the
 * centres' summed squared shift, and how many starved centres were reassigned.
 */
export interface MiniBatchOutcome {
  inertia: number;
  centerShift: number;
  reassigned: number;
}

/**
 * Σ w_i ‖x_i − c_labels[i]‖² over n points (weights: null for all 1) in the blocked order of
 * lib/core/parallel.ts, against float64 centres: native/minibatch.hpp's `inertia_of_labels`.
 */
export function inertiaOfLabels(data: Floats, n: number, d: number, weights: Float64Array | null, centers: Float64Array, labels: Int32Array): number {
  return blockedSum(n, (i) => (weights ? weights[i] : 1) * squaredDistance(data, i, centers, labels[i], d));
}

/**
 * The centres whose weight seen is below `reassignmentRatio` × the largest, at most half the batch
 * (those of least weight, the lowest index first on ties), moved to distinct batch points drawn
 * uniformly; their weight seen becomes the least weight among the centres kept, so that they are
 * not reassigned again at once. Returns how many moved.
 */
export function reassignStarvedCenters(
  batch: Floats,
  m: number,
  d: number,
  centers: Float64Array,
  counts: Float64Array,
  k: number,
  reassignmentRatio: number,
  rng: Random,
): number {
  let largest = counts[0];
  for (let c = 1; c < k; c++) if (counts[c] > largest) largest = counts[c];
  let starved: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] < reassignmentRatio * largest) starved.push(c);
  const limit = Math.floor(m / 2);
  if (starved.length > limit) {
    // Array.prototype.sort is stable: equal counts keep the lower index first.
    starved = starved
      .sort((a, b) => counts[a] - counts[b])
      .slice(0, limit)
      .sort((a, b) => a - b);
  }
  if (starved.length === 0) return 0;
  const moved = new Uint8Array(k);
  for (const c of starved) moved[c] = 1;
  let leastKept = 0;
  let first = true;
  for (let c = 0; c < k; c++) {
    if (!moved[c] && (first || counts[c] < leastKept)) {
      leastKept = counts[c];
      first = false;
    }
  }
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  for (let r = 0; r < starved.length; r++) {
    const j = r + rng.nextIndex(m - r);
    const picked = order[j];
    order[j] = order[r];
    order[r] = picked;
    centers.set(batch.subarray(picked * d, picked * d + d), starved[r] * d);
    counts[starved[r]] = leastKept;
  }
  return starved.length;
}

/**
 * One step of mini-batch k-means (Sculley 2010; scikit-learn's `_mini_batch_step`), the same bits
 * as native/minibatch.hpp: the batch of m points is assigned to the nearest centres; every centre
 * that received weight moves to the weighted mean of its old position (weighted by all it has
 * seen, `counts`) and its new points; when `reassign` is set, starved centres jump to random batch
 * points. `centers` (k × d, float64), `counts` and the generator's words `rngState` are updated in
 * place. The inertia is the batch's before the centres move, in the blocked order of
 * lib/core/parallel.ts; the sums of the update are taken in batch order.
 */
export function miniBatchStep(
  batch: Floats,
  m: number,
  d: number,
  weights: Float64Array | null,
  centers: Float64Array,
  counts: Float64Array,
  k: number,
  reassign: boolean,
  reassignmentRatio: number,
  rngState: Uint32Array,
): MiniBatchOutcome {
  const weight = (i: number): number => (weights ? weights[i] : 1);
  const input = { data: batch, d, k };
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) labels[i] = nearestCenter(input, i, centers);
  const inertia = inertiaOfLabels(batch, m, d, weights, centers, labels);

  const previous = centers.slice();
  const batchWeight = new Float64Array(k);
  for (let i = 0; i < m; i++) batchWeight[labels[i]] += weight(i);
  for (let c = 0; c < k; c++) {
    if (batchWeight[c] > 0) for (let x = 0; x < d; x++) centers[c * d + x] *= counts[c];
  }
  for (let i = 0; i < m; i++) {
    const c = labels[i];
    if (batchWeight[c] === 0) continue;
    const w = weight(i);
    for (let x = 0; x < d; x++) centers[c * d + x] += w * batch[i * d + x];
  }
  for (let c = 0; c < k; c++) {
    if (batchWeight[c] > 0) {
      counts[c] += batchWeight[c];
      const alpha = 1 / counts[c];
      for (let x = 0; x < d; x++) centers[c * d + x] *= alpha;
    }
  }

  let reassigned = 0;
  if (reassign && reassignmentRatio > 0) {
    const rng = Random.fromState(rngState);
    reassigned = reassignStarvedCenters(batch, m, d, centers, counts, k, reassignmentRatio, rng);
    rng.saveState(rngState);
  }

  let centerShift = 0;
  for (let i = 0; i < k * d; i++) {
    const delta = centers[i] - previous[i];
    centerShift += delta * delta;
  }
  return { inertia, centerShift, reassigned };
}

/** Indices of one batch: `size` draws with replacement from [0, n). */
export function drawBatch(sampler: Random, n: number, size: number, indices: Uint32Array): void {
  for (let b = 0; b < size; b++) indices[b] = sampler.nextIndex(n);
}

/** Rows `indices` of `data`, one after another, into `into`: a plain loop, since a subarray per row costs more than its copy. */
export function gather(data: Floats, d: number, indices: Uint32Array, count: number, into: Floats): void {
  for (let b = 0; b < count; b++) {
    const from = indices[b] * d;
    const to = b * d;
    for (let j = 0; j < d; j++) into[to + j] = data[from + j];
  }
}

/**
 * The one-call fit's step, the same bits as native/minibatch.hpp: m of the n points drawn with
 * replacement by the generator whose words are `samplerState` (advanced in place; the indices of
 * drawBatch), copied with their weights into a batch, and miniBatchStep on it. The native backend
 * reads the points in place, without a batch crossing into it.
 */
export function sampledMiniBatchStep(
  points: Floats,
  n: number,
  d: number,
  weights: Float64Array | null,
  m: number,
  samplerState: Uint32Array,
  centers: Float64Array,
  counts: Float64Array,
  k: number,
  reassign: boolean,
  reassignmentRatio: number,
  rngState: Uint32Array,
): MiniBatchOutcome {
  const indices = new Uint32Array(m);
  const sampler = Random.fromState(samplerState);
  drawBatch(sampler, n, m, indices);
  sampler.saveState(samplerState);
  const batch = points instanceof Float32Array ? new Float32Array(m * d) : new Float64Array(m * d);
  gather(points, d, indices, m, batch);
  const batchWeights = weights && Float64Array.from(indices, (i) => weights[i]);
  return miniBatchStep(batch, m, d, batchWeights, centers, counts, k, reassign, reassignmentRatio, rngState);
}
