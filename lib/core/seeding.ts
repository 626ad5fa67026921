import { type Floats, squaredDistance } from './distance.js';
import { blockedSum, ROW_BLOCK } from './parallel.js';
import type { Random } from './random.js';
import type { Problem } from './types.js';

/** Writes row `src` of `data` as row `dst` of `centers`. */
function copyRow(data: Floats, src: number, centers: Floats, dst: number, d: number): void {
  centers.set(data.subarray(src * d, src * d + d), dst * d);
}

/**
 * k distinct points drawn uniformly (weights do not bias the draw, as in scikit-learn 1.2): a
 * partial Fisher-Yates shuffle of the indices, one draw per centre.
 */
export function randomCenters(input: Problem, rng: Random, centers: Floats): void {
  const { data, n, d, k } = input;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let c = 0; c < k; c++) {
    const j = c + rng.nextIndex(n - c);
    const picked = order[j];
    order[j] = order[c];
    order[c] = picked;
    copyRow(data, picked, centers, c, d);
  }
}

/**
 * Index drawn in proportion to `mass`: the first i whose running blocked sum exceeds u × total, or
 * the last point with mass when rounding runs off the end. The running sum at i is (sum of the
 * earlier blocks) + (sum of its own block up to i), which is how a parallel backend forms it from
 * per-block sums (native/seeding.hpp's block_sums and draw_proportional).
 */
function drawProportional(n: number, mass: (i: number) => number, total: number, rng: Random): number {
  const target = rng.nextDouble() * total;
  let before = 0;
  for (let start = 0; start < n; start += ROW_BLOCK) {
    const end = Math.min(n, start + ROW_BLOCK);
    let block = 0;
    for (let i = start; i < end; i++) block += mass(i);
    if (before + block > target) {
      let running = 0;
      for (let i = start; i < end; i++) {
        running += mass(i);
        if (before + running > target) return i;
      }
    }
    before += block;
  }
  for (let i = n - 1; i >= 0; i--) if (mass(i) > 0) return i;
  return n - 1;
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii; greedy variant as in scikit-learn): the first centre
 * is drawn in proportion to the weights; each next one is the best of 2 + ⌊ln k⌋ candidates drawn
 * in proportion to weight × squared distance to the nearest chosen centre, "best" meaning the
 * lowest resulting potential (the first such candidate on ties). A generator that yields after
 * each centre, so that an asynchronous fit can return to the event loop, and stop, while it seeds.
 */
export function* kmeansPlusPlusCenters(input: Problem, rng: Random, centers: Floats): Generator<void, void> {
  const { data, n, d, k, weights } = input;
  const trials = 2 + Math.floor(Math.log(k));

  const totalWeight = blockedSum(n, (i) => weights[i]);
  const first = drawProportional(n, (i) => weights[i], totalWeight, rng);
  copyRow(data, first, centers, 0, d);

  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = squaredDistance(data, i, centers, 0, d);
  let potential = blockedSum(n, (i) => weights[i] * closest[i]);
  const mass = (i: number): number => weights[i] * closest[i];

  const candidates = new Int32Array(trials);
  for (let c = 1; c < k; c++) {
    yield;
    for (let t = 0; t < trials; t++) candidates[t] = drawProportional(n, mass, potential, rng);

    let best = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const candidate = candidates[t];
      const candidatePotential = blockedSum(n, (i) => weights[i] * Math.min(closest[i], squaredDistance(data, i, data, candidate, d)));
      if (best < 0 || candidatePotential < bestPotential) {
        best = candidate;
        bestPotential = candidatePotential;
      }
    }

    copyRow(data, best, centers, c, d);
    for (let i = 0; i < n; i++) {
      const dist = squaredDistance(data, i, data, best, d);
      if (dist < closest[i]) closest[i] = dist;
    }
    potential = bestPotential;
  }
}
