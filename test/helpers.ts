import { Random } from '../lib/random.js';
import type { Matrix } from '../lib/types.js';
import { S1_CENTROIDS, S1_POINTS, S1_SPREAD } from './fixtures/s1-centroids.js';

export type FloatArrayType = typeof Float32Array | typeof Float64Array;

function gaussian(rng: Random): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
}

/** n points in d dimensions around `centers` random centres in [-10, 10]^d, Gaussian with `spread`. */
export function gaussianBlobs(
  seed: number, n: number, d: number, centers: number, spread = 1, type: FloatArrayType = Float64Array,
): Matrix {
  const rng = new Random(seed);
  const means = Array.from({ length: centers * d }, () => rng.nextDouble() * 20 - 10);
  const data = new type(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.nextIndex(centers);
    for (let j = 0; j < d; j++) data[i * d + j] = means[c * d + j] + spread * gaussian(rng);
  }
  return { data, shape: [n, d] };
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
