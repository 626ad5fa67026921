import { halfCenterDistances, LargestShifts, PRUNE_MARGIN } from './center-distances.js';
import { type Floats, squaredDistance } from './distance.js';
import type { Assigner } from './kmeans.js';
import type { Problem } from './types.js';

/** Centres per group: t = k / 40, one group below 80 centres (native/yinyang.hpp holds the same, and why not the paper's k / 10). */
export const YINYANG_CENTERS_PER_GROUP = 40;

/** How many groups Yinyang forms for k centres (before dropping empty ones). */
export function yinyangGroupCount(k: number): number {
  return Math.max(1, Math.floor(k / YINYANG_CENTERS_PER_GROUP));
}

/** Rounds of Lloyd's algorithm over the initial centres that form the groups. */
const GROUPING_ROUNDS = 5;

const FLT_MIN = 2 ** -126;
const FLT_MAX = 3.4028234663852886e38;

/**
 * The groups of centres: `members` lists every centre, group by group and by index within a group;
 * group g holds members[starts[g]] to members[starts[g + 1]] − 1; groupOf[c] is c's group.
 */
export interface CenterGroups {
  members: Uint32Array;
  starts: Uint32Array;
  groupOf: Uint32Array;
}

/**
 * Groups the k centres by a few rounds of Lloyd's algorithm over them, from t evenly spaced
 * centres (c = ⌊g k / t⌋), ties to the lowest group, sums in index order; empty groups are
 * dropped. No randomness: native/yinyang.hpp forms the same groups.
 */
export function groupCenters(centers: Floats, k: number, d: number, t: number): CenterGroups {
  const means = new Float64Array(t * d);
  const sums = new Float64Array(t * d);
  const sizes = new Float64Array(t);
  const groupOf = new Uint32Array(k);
  for (let g = 0; g < t; g++) {
    const c = Math.floor((g * k) / t);
    for (let j = 0; j < d; j++) means[g * d + j] = centers[c * d + j];
  }
  for (let round = 0; round <= GROUPING_ROUNDS; round++) {
    for (let c = 0; c < k; c++) {
      let best = 0;
      let nearest = squaredDistance(centers, c, means, 0, d);
      for (let g = 1; g < t; g++) {
        const dist = squaredDistance(centers, c, means, g, d);
        if (dist < nearest) {
          nearest = dist;
          best = g;
        }
      }
      groupOf[c] = best;
    }
    if (round === GROUPING_ROUNDS) break;
    sums.fill(0);
    sizes.fill(0);
    for (let c = 0; c < k; c++) {
      const g = groupOf[c];
      for (let j = 0; j < d; j++) sums[g * d + j] += centers[c * d + j];
      sizes[g]++;
    }
    for (let g = 0; g < t; g++) {
      if (sizes[g] === 0) continue; // an empty group keeps its mean
      for (let j = 0; j < d; j++) means[g * d + j] = sums[g * d + j] / sizes[g];
    }
  }
  // Empty groups dropped, the rest renumbered in order.
  sizes.fill(0);
  for (let c = 0; c < k; c++) sizes[groupOf[c]]++;
  const renumber = new Uint32Array(t);
  const starts = [0];
  for (let g = 0; g < t; g++) {
    if (sizes[g] === 0) continue;
    renumber[g] = starts.length - 1;
    starts.push(starts[starts.length - 1] + sizes[g]);
  }
  const members = new Uint32Array(k);
  const next = starts.slice(0, -1);
  for (let c = 0; c < k; c++) {
    const g = renumber[groupOf[c]];
    groupOf[c] = g;
    members[next[g]++] = c;
  }
  return { members, starts: Uint32Array.from(starts), groupOf };
}

/** A float32 not above x, to store as a lower bound (native/elkan.hpp's as_lower_bound). */
function asLowerBound(x: number): number {
  const shrunk = x * (1 - 2 ** -22);
  return Math.fround(shrunk < FLT_MIN ? 0 : shrunk < FLT_MAX ? shrunk : FLT_MAX);
}

/**
 * Yinyang k-means (Ding et al., ICML 2015): exact k-means whose k centres are split once into
 * t ≈ k / 40 groups of nearby centres. Each point keeps an upper bound on the distance to its own
 * centre, a lower bound on the distance to every other centre (the global filter, loosened as
 * Hamerly's), and one lower bound per group over the group's centres other than its own (the
 * group filter): n × t bounds where Elkan keeps n × k. In a group that fails its filter, the
 * centres whose own shift leaves them behind the group's previous bound are skipped (the local
 * filter); the rest are measured, and ties are decided as Lloyd decides them, to the lowest index.
 *
 * Group bounds are stored as float32 rounded down plus the group's total shift when stored, as
 * native/elkan.hpp stores Elkan's, so that centersMoved never rewrites them.
 */
export class YinyangAssigner implements Assigner {
  private readonly upper: Float64Array;
  /** Per point: a lower bound on the distance to every centre but its own. */
  private readonly global: Float64Array;
  /** Per point and group: a lower bound plus the group's `moved` when it was stored. */
  private lower = new Float32Array(0);
  private readonly halfNearestCenter: Float64Array;
  private readonly shifts: Float64Array;
  private groups: CenterGroups = { members: new Uint32Array(0), starts: new Uint32Array(1), groupOf: new Uint32Array(0) };
  /** Each group's total largest shift so far; with a margin for its rounding; that margin before the last shift. */
  private moved = new Float64Array(0);
  private movedGenerously = new Float64Array(0);
  private beforeGenerously = new Float64Array(0);
  private boundsReady = false;

  constructor(private readonly input: Problem) {
    this.upper = new Float64Array(input.n);
    this.global = new Float64Array(input.n);
    this.halfNearestCenter = new Float64Array(input.k);
    this.shifts = new Float64Array(input.k);
  }

  assign(centers: Floats, labels: Int32Array): void {
    const { n, d, k } = this.input;
    if (!this.boundsReady) {
      this.groups = groupCenters(centers, k, d, yinyangGroupCount(k));
      const t = this.groups.starts.length - 1;
      this.lower = new Float32Array(n * t);
      this.moved = new Float64Array(t);
      this.movedGenerously = new Float64Array(t);
      this.beforeGenerously = new Float64Array(t);
      const squared = new Float64Array(k);
      for (let i = 0; i < n; i++) this.initBounds(i, centers, labels, squared);
      this.boundsReady = true;
      return;
    }
    halfCenterDistances(centers, k, d, this.halfNearestCenter);
    const t = this.groups.starts.length - 1;
    const scratch = {
      candidates: new Uint32Array(k),
      squared: new Float64Array(k),
      failed: new Uint32Array(t),
      begins: new Uint32Array(t + 1),
      skipped: new Uint8Array(t),
    };
    for (let i = 0; i < n; i++) this.updatePoint(i, centers, labels, scratch);
  }

  centersMoved(_centers: Floats, shifts: Float64Array, labels: Int32Array): void {
    const { n, k } = this.input;
    const { members, starts } = this.groups;
    this.shifts.set(shifts.subarray(0, k));
    const top = new LargestShifts(shifts, k);
    for (let g = 0; g + 1 < starts.length; g++) {
      let groupShift = 0;
      for (let m = starts[g]; m < starts[g + 1]; m++) groupShift = Math.max(groupShift, shifts[members[m]]);
      this.beforeGenerously[g] = this.movedGenerously[g];
      this.moved[g] += groupShift;
      // A margin for the rounding of the sums, as in native/elkan.hpp.
      this.movedGenerously[g] = this.moved[g] * (1 + 2 ** -30);
    }
    const { upper, global } = this;
    for (let i = 0; i < n; i++) {
      const label = labels[i];
      upper[i] += shifts[label];
      const moved = global[i] - top.otherThan(label);
      global[i] = moved > 0 ? moved : 0;
    }
  }

  /** First assignment: point i against every centre, as Lloyd's; every bound exact. */
  private initBounds(i: number, centers: Floats, labels: Int32Array, squared: Float64Array): void {
    const { data, d, k } = this.input;
    const { members, starts } = this.groups;
    let label = 0;
    for (let c = 0; c < k; c++) {
      squared[c] = squaredDistance(data, i, centers, c, d);
      if (squared[c] < squared[label]) label = c;
    }
    const t = starts.length - 1;
    let global = Infinity;
    for (let g = 0; g < t; g++) {
      let least = Infinity;
      for (let m = starts[g]; m < starts[g + 1]; m++) {
        const c = members[m];
        if (c !== label) least = Math.min(least, squared[c]);
      }
      least = Math.sqrt(least);
      this.lower[i * t + g] = this.storedLowerBound(least, g);
      global = Math.min(global, least);
    }
    labels[i] = label;
    this.upper[i] = Math.sqrt(squared[label]);
    this.global[i] = global;
  }

  /** Yinyang's step for point i (its upper and global bounds already moved by centersMoved). */
  private updatePoint(
    i: number,
    centers: Floats,
    labels: Int32Array,
    scratch: { candidates: Uint32Array; squared: Float64Array; failed: Uint32Array; begins: Uint32Array; skipped: Uint8Array },
  ): void {
    const { data, d } = this.input;
    const { members, starts, groupOf } = this.groups;
    const { lower, movedGenerously, beforeGenerously, shifts } = this;
    const t = starts.length - 1;
    const label = labels[i];
    if (this.upper[i] * PRUNE_MARGIN < Math.max(this.halfNearestCenter[label], this.global[i])) return;
    // The global filter again, from the group bounds: their least is often far above the global
    // bound, which shrinks by the largest shift of all centres.
    const lo = i * t;
    const groupsLeast = this.leastGroupBound(lo);
    this.global[i] = Math.max(this.global[i], groupsLeast);
    const ruledOut = Math.max(this.halfNearestCenter[label], groupsLeast);
    if (this.upper[i] * PRUNE_MARGIN < ruledOut) return;
    const ownSquared = squaredDistance(data, i, centers, label, d);
    const own = Math.sqrt(ownSquared);
    this.upper[i] = own;
    const reach = own * PRUNE_MARGIN;
    if (reach < ruledOut) return;

    // The group filter, then the local filter within each group that fails it.
    const { candidates, squared, failed, begins, skipped } = scratch;
    let count = 0;
    let failures = 0;
    for (let g = 0; g < t; g++) {
      if (reach + movedGenerously[g] < lower[lo + g]) continue;
      failed[failures] = g;
      begins[failures] = count;
      // Centre c is skipped when reach + before + shift_c < lower[g], tested as shift_c < lower[g] −
      // (reach + before): the rounding of that difference, 2^-53 of lower[g], is far below the
      // 2^-22 that the stored bound keeps below the exact one.
      const threshold = lower[lo + g] - (reach + beforeGenerously[g]);
      let skippedAny = 0;
      for (let m = starts[g]; m < starts[g + 1]; m++) {
        const c = members[m];
        if (c === label) continue;
        if (shifts[c] < threshold) {
          skippedAny = 1;
          continue;
        }
        candidates[count++] = c;
      }
      skipped[failures] = skippedAny;
      failures++;
    }
    begins[failures] = count;

    // The nearest: by squared distance, ties to the lowest index, as Lloyd's.
    let best = label;
    let bestSquared = ownSquared;
    for (let l = 0; l < count; l++) {
      const c = candidates[l];
      const dist = squaredDistance(data, i, centers, c, d);
      squared[l] = dist;
      if (dist < bestSquared || (dist === bestSquared && c < best)) {
        best = c;
        bestSquared = dist;
      }
    }

    // New bounds for the groups that failed: their measured centres other than the new label, and
    // their old bound where the local filter skipped some.
    for (let f = 0; f < failures; f++) {
      const g = failed[f];
      let least = Infinity;
      for (let l = begins[f]; l < begins[f + 1]; l++) if (candidates[l] !== best) least = Math.min(least, squared[l]);
      const measured = this.storedLowerBound(Math.sqrt(least), g);
      lower[lo + g] = skipped[f] ? Math.min(lower[lo + g], measured) : measured;
    }
    // The old centre, if the point left it, is one more centre of its group.
    if (best !== label) {
      const g = groupOf[label];
      lower[lo + g] = Math.min(lower[lo + g], this.storedLowerBound(own, g));
    }
    labels[i] = best;
    this.upper[i] = Math.sqrt(bestSquared);
    this.global[i] = this.leastGroupBound(lo);
  }

  /**
   * The least of the group bounds at lower[lo…], loosened by every shift since each was stored (the
   * stored float's rounding, 2^-22 of it, far above that of this difference).
   */
  private leastGroupBound(lo: number): number {
    const { lower, movedGenerously } = this;
    let least = Infinity;
    for (let g = 0; g < movedGenerously.length; g++) {
      const bound = lower[lo + g] - movedGenerously[g];
      if (bound < least) least = bound;
    }
    return least > 0 ? least : 0;
  }

  /** What is stored for a bound `dist` of group g: the distance plus g's total shift so far. */
  private storedLowerBound(dist: number, g: number): number {
    return asLowerBound(dist + this.moved[g]);
  }
}
