import { Random } from '../lib/core/random.js';
import type { Matrix } from '../lib/types.js';
import { S1_CENTROIDS, S1_POINTS, S1_SPREAD } from './fixtures/s1-centroids.js';

export type FloatArrayType = typeof Float32Array | typeof Float64Array;

function gaussian(rng: Random): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
}

/** n points in d dimensions around `centers` random centres in [-10, 10]^d, Gaussian with `spread`. */
export function gaussianBlobs(seed: number, n: number, d: number, centers: number, spread = 1, type: FloatArrayType = Float64Array): Matrix {
  const rng = new Random(seed);
  const means = Array.from({ length: centers * d }, () => rng.nextDouble() * 20 - 10);
  const data = new type(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.nextIndex(centers);
    for (let j = 0; j < d; j++) data[i * d + j] = means[c * d + j] + spread * gaussian(rng);
  }
  return { data, shape: [n, d] };
}

/**
 * Data full of exact and near ties, with initial centres that must travel: float32 values far
 * from zero (so few distinct values per column), every tenth point a copy of the one before, and
 * k initial centres on or next to the first three points (several of them identical).
 */
export function tiedData(seed: number): { points: Matrix; init: Matrix; k: number } {
  const rng = new Random(seed);
  const n = 50 + rng.nextIndex(400);
  const d = 1 + rng.nextIndex(12);
  const k = 2 + rng.nextIndex(20);
  const offset = 10 ** (rng.nextIndex(7) - 1);
  const spread = 10 ** (rng.nextIndex(4) - 3);
  const blobs = 1 + rng.nextIndex(k + 3);
  const means = Array.from({ length: blobs * d }, () => offset + (rng.nextDouble() * 2 - 1) * spread * 50);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.nextIndex(blobs);
    const copy = i > 0 && rng.nextIndex(10) === 0;
    for (let j = 0; j < d; j++) data[i * d + j] = copy ? data[(i - 1) * d + j] : means[c * d + j] + spread * (rng.nextDouble() - 0.5);
  }
  const init = new Float32Array(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) init[c * d + j] = data[(c % 3) * d + j] + c * spread * 1e-3;
  return { points: { data, shape: [n, d] }, init: { data: init, shape: [k, d] }, k };
}

/** An S1-like set drawn around the published S1 centres (see fixtures/s1-centroids.ts). */
export function s1Like(seed = 1, type: FloatArrayType = Float64Array): Matrix {
  const rng = new Random(seed);
  const data = new type(S1_POINTS * 2);
  for (let i = 0; i < S1_POINTS; i++) {
    const [cx, cy] = S1_CENTROIDS[i % S1_CENTROIDS.length];
    data[2 * i] = cx + S1_SPREAD * gaussian(rng);
    data[2 * i + 1] = cy + S1_SPREAD * gaussian(rng);
  }
  return { data, shape: [S1_POINTS, 2] };
}

/** Rows of a matrix as plain arrays. */
export function rows(matrix: Matrix): number[][] {
  const [n, d] = matrix.shape;
  return Array.from({ length: n }, (_, i) => Array.from(matrix.data.subarray(i * d, i * d + d)));
}

/** The first k rows of a matrix, as explicit initial centres. */
export function firstRows(matrix: Matrix, k: number): Matrix {
  const d = matrix.shape[1];
  return { data: matrix.data.slice(0, k * d), shape: [k, d] };
}
