import { type Floats, squaredDistance } from './distance.js';
import { blockedSum, ROW_BLOCK } from './parallel.js';
import { type Random, uniformAt } from './random.js';
import type { Problem } from './types.js';

/**
 * Counts a run's seeding steps and reports them: after every step when there are at most 100,
 * else each time another hundredth (rounded up) of them is done, and after the last, so that a
 * seeding of many centres is reported about 100 times whatever k (native/seeding.hpp's
 * SeedingProgress, the same steps). Also where seeding stops when its signal is aborted.
 */
export class SeedingProgress {
  private done = 0;
  private readonly every: number;

  constructor(
    private readonly report: ((done: number, total: number) => void) | undefined,
    private readonly signal: AbortSignal | undefined,
    private readonly aborted: (signal: AbortSignal) => unknown,
    readonly total: number,
  ) {
    this.every = Math.max(1, Math.ceil(total / 100));
  }

  /** Throws the abort error once the signal is aborted (a synchronous fit's callback may abort it). */
  check(): void {
    if (this.signal?.aborted) throw this.aborted(this.signal);
  }

  advance(steps = 1): void {
    const before = this.done;
    this.done = Math.min(this.total, this.done + steps);
    if (!this.report || this.done === before) return;
    if (this.done === this.total || Math.floor(this.done / this.every) !== Math.floor(before / this.every)) this.report(this.done, this.total);
  }

  finish(): void {
    this.advance(this.total - this.done);
  }
}

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
export function* kmeansPlusPlusCenters(input: Problem, rng: Random, centers: Floats, progress: SeedingProgress): Generator<void, void> {
  const { data, n, d, k, weights } = input;
  const trials = 2 + Math.floor(Math.log(k));

  const totalWeight = blockedSum(n, (i) => weights[i]);
  const first = drawProportional(n, (i) => weights[i], totalWeight, rng);
  copyRow(data, first, centers, 0, d);
  progress.advance();

  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = squaredDistance(data, i, centers, 0, d);
  let potential = blockedSum(n, (i) => weights[i] * closest[i]);
  const mass = (i: number): number => weights[i] * closest[i];

  const candidates = new Int32Array(trials);
  for (let c = 1; c < k; c++) {
    yield;
    progress.check();
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
    progress.advance();
  }
}

/** Rounds of k-means|| sampling (Bahmani et al.'s r, with which they found the seeding's cost levelled off). */
export const KMEANS_PARALLEL_ROUNDS = 5;
/** Points drawn per round as a multiple of k: ℓ = 2k. */
const KMEANS_PARALLEL_OVERSAMPLING = 2;

/**
 * Lowers closest[i] to the squared distance to the nearest of candidates [first, end) where that is
 * nearer, recording that candidate in nearest[i]: candidates tried in order, a strict comparison,
 * so the lowest index wins ties (native/seeding.hpp filters the candidates first, to the same end).
 * Yields, and stops if aborted, after every ROW_BLOCK points: a round against 2k new candidates
 * takes seconds in TypeScript, too long for an asynchronous fit to hold the event loop or an abort.
 */
function* nearerCandidates(
  input: Problem,
  chosen: number[],
  first: number,
  closest: Float64Array,
  nearest: Int32Array,
  progress: SeedingProgress,
): Generator<void, void> {
  const { data, n, d } = input;
  for (let i = 0; i < n; i++) {
    for (let t = first; t < chosen.length && closest[i] > 0; t++) {
      const dist = squaredDistance(data, i, data, chosen[t], d);
      if (dist < closest[i]) {
        closest[i] = dist;
        nearest[i] = t;
      }
    }
    if ((i + 1) % ROW_BLOCK === 0) {
      yield;
      progress.check();
    }
  }
}

/**
 * k-means|| (Bahmani, Moseley, Vattani, Kumar and Vassilvitskii, VLDB 2012; Spark MLlib's
 * seeding): a first point drawn by weight, then KMEANS_PARALLEL_ROUNDS rounds that each keep every
 * point with probability ℓ × weight × D² / φ (D² its squared distance to the nearest candidate so
 * far, φ their weighted sum, ℓ = 2k), then greedy k-means++ over the candidates, each weighted by
 * the points nearest to it. A round is one pass over the points where k-means++ makes k. With k or
 * fewer candidates (few distinct points), more are drawn by weight × D² while any point has some,
 * then the first points not taken, so that k centres always come out. Yields after every round,
 * and within a round after every ROW_BLOCK points.
 */
export function* kmeansParallelCenters(input: Problem, rng: Random, centers: Floats, progress: SeedingProgress): Generator<void, void> {
  const { data, n, d, k, weights } = input;
  const oversampling = KMEANS_PARALLEL_OVERSAMPLING * k;
  const chosen = [
    drawProportional(
      n,
      (i) => weights[i],
      blockedSum(n, (i) => weights[i]),
      rng,
    ),
  ];
  const closest = new Float64Array(n).fill(Infinity);
  const nearest = new Int32Array(n);
  yield* nearerCandidates(input, chosen, 0, closest, nearest, progress);
  const mass = (i: number): number => weights[i] * closest[i];

  for (let round = 0; round < KMEANS_PARALLEL_ROUNDS; round++) {
    progress.check();
    const potential = blockedSum(n, mass);
    const key = rng.nextUint32();
    if (potential > 0) {
      const first = chosen.length;
      for (let i = 0; i < n; i++) if (uniformAt(key, i) * potential < oversampling * mass(i)) chosen.push(i);
      yield* nearerCandidates(input, chosen, first, closest, nearest, progress);
    }
    progress.advance();
    yield;
  }

  if (chosen.length <= k) {
    const taken = new Uint8Array(n);
    for (const i of chosen) taken[i] = 1;
    let unused = 0;
    while (chosen.length < k) {
      const potential = blockedSum(n, mass);
      if (potential > 0) {
        chosen.push(drawProportional(n, mass, potential, rng));
        yield* nearerCandidates(input, chosen, chosen.length - 1, closest, nearest, progress);
      } else {
        while (taken[unused]) unused++;
        chosen.push(unused);
      }
      taken[chosen[chosen.length - 1]] = 1;
    }
    for (let c = 0; c < k; c++) copyRow(data, chosen[c], centers, c, d);
    progress.finish();
    return;
  }

  const m = chosen.length;
  const candidateWeights = new Float64Array(m);
  for (let i = 0; i < n; i++) candidateWeights[nearest[i]] += weights[i];
  const rows = data instanceof Float32Array ? new Float32Array(m * d) : new Float64Array(m * d);
  for (let c = 0; c < m; c++) copyRow(data, chosen[c], rows, c, d);
  yield* kmeansPlusPlusCenters({ data: rows, n: m, d, k, weights: candidateWeights }, rng, centers, progress);
}

/**
 * The initial centres of a run by k-means++, k-means|| or uniform draws (native/seeding.hpp's
 * seed_centers): k-means++ reports its k centres as steps, k-means|| its rounds and then its k.
 */
export function* seedCenters(
  input: Problem,
  init: 'k-means++' | 'k-means||' | 'random',
  rng: Random,
  centers: Floats,
  report: ((done: number, total: number) => void) | undefined,
  signal: AbortSignal | undefined,
  aborted: (signal: AbortSignal) => unknown,
): Generator<void, void> {
  if (init === 'k-means++') yield* kmeansPlusPlusCenters(input, rng, centers, new SeedingProgress(report, signal, aborted, input.k));
  else if (init === 'k-means||')
    yield* kmeansParallelCenters(input, rng, centers, new SeedingProgress(report, signal, aborted, KMEANS_PARALLEL_ROUNDS + input.k));
  else randomCenters(input, rng, centers);
}
