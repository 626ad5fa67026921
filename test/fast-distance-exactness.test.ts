// The native core finds nearest centres through fast float32 distances with an error bound
// (native/distance_filter.hpp) and measures exactly only the centres the bound cannot rule out.
// Here is data built so that its rounding matters: exact ties, ties off by one unit in the last
// place, columns of very different magnitude, 1536 dimensions on the unit sphere, data far from
// the origin, values in float32's subnormal range and near where its squares overflow. Every
// result must still be the TypeScript reference's, which measures every distance exactly.
import { describe, expect, it } from 'vitest';
import { nearestCenter } from '../lib/core/lloyd.js';
import { Random } from '../lib/core/random.js';
import { kmeansSync, predict } from '../lib/index.js';
import type { KMeansOptions, Matrix } from '../lib/types.js';
import type { FloatArrayType } from './helpers.js';

interface Case {
  name: string;
  points: Matrix;
  init: Matrix;
  weights?: number[];
}

function gaussian(rng: Random): number {
  return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
}

/** The next representable value above x in the array's precision. */
function nextUp(x: number, type: FloatArrayType): number {
  const step = type === Float32Array ? 2 ** -23 : 2 ** -52;
  const bumped = x === 0 ? (type === Float32Array ? 2 ** -149 : Number.MIN_VALUE) : x + Math.abs(x) * step;
  return type === Float32Array ? Math.fround(bumped) : bumped;
}

/**
 * Points on the midpoints of pairs of centres, so exactly as far from both: the centres' 16
 * significant bits keep every midpoint, difference, square and sum exact in float64, while the
 * float32 products of the fast distances round. Every third
 * one moved by one unit in the last place of one coordinate, and every fifth a copy of the one
 * before. The last centre is a copy of the first, so ties between identical centres occur too.
 */
function midpointTies(seed: number, n: number, d: number, k: number, type: FloatArrayType): Case {
  const rng = new Random(seed);
  const centers = new type(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centers[c * d + j] = c === k - 1 ? centers[j] : (rng.nextIndex(32769) - 16384) / 256;
  const points = new type(n * d);
  for (let i = 0; i < n; i++) {
    const a = rng.nextIndex(k),
      b = rng.nextIndex(k);
    for (let j = 0; j < d; j++) points[i * d + j] = i % 5 === 4 ? points[(i - 1) * d + j] : (centers[a * d + j] + centers[b * d + j]) / 2;
    if (i % 3 === 0) {
      const j = rng.nextIndex(d);
      points[i * d + j] = nextUp(points[i * d + j], type);
    }
  }
  return { name: `midpoint ties ${n} × ${d}, k = ${k}`, points: { data: points, shape: [n, d] }, init: { data: centers, shape: [k, d] } };
}

/** Gaussian blobs whose columns are scaled by powers of two from 2^-20 to 2^20. */
function mixedMagnitudes(seed: number, n: number, d: number, k: number, type: FloatArrayType): Case {
  const rng = new Random(seed);
  const scale = Array.from({ length: d }, (_, j) => 2 ** (((j * 7) % 41) - 20));
  const means = Array.from({ length: k * d }, (_, i) => (rng.nextDouble() * 20 - 10) * scale[i % d]);
  const points = new type(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.nextIndex(k);
    for (let j = 0; j < d; j++) points[i * d + j] = means[c * d + j] + gaussian(rng) * 3 * scale[j];
  }
  return { name: `mixed magnitudes ${n} × ${d}, k = ${k}`, points: { data: points, shape: [n, d] }, init: firstRows(points, d, k) };
}

/** Unit vectors halfway between two of k random directions, so nearly tied between them. */
function sphereHalfway(seed: number, n: number, d: number, k: number): Case {
  const rng = new Random(seed);
  const unit = (v: number[]): number[] => {
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / norm);
  };
  const directions = Array.from({ length: k }, () => unit(Array.from({ length: d }, () => gaussian(rng))));
  const points = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const a = directions[rng.nextIndex(k)],
      b = directions[rng.nextIndex(k)];
    const noise = i % 2 ? 0 : 1e-6;
    points.set(unit(a.map((x, j) => x + b[j] + noise * gaussian(rng))), i * d);
  }
  const init = new Float32Array(k * d);
  directions.forEach((v, c) => init.set(v, c * d));
  return { name: `unit sphere ${n} × ${d}, k = ${k}`, points: { data: points, shape: [n, d] }, init: { data: init, shape: [k, d] } };
}

/** Blobs of unit spread around `offset` in every coordinate: map coordinates, timestamps. */
function farFromOrigin(seed: number, n: number, d: number, k: number, type: FloatArrayType, offset: number): Case {
  const rng = new Random(seed);
  const means = Array.from({ length: k * d }, () => offset + rng.nextDouble() * 4);
  const points = new type(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.nextIndex(k);
    for (let j = 0; j < d; j++) points[i * d + j] = means[c * d + j] + gaussian(rng) * 0.5;
  }
  return { name: `${offset} from the origin ${n} × ${d}, k = ${k}`, points: { data: points, shape: [n, d] }, init: firstRows(points, d, k) };
}

/** Float32 blobs scaled by `scale`: 2^-140 puts them among the subnormals, 2^60 near squares that overflow. */
function scaled(seed: number, n: number, d: number, k: number, scale: number): Case {
  const rng = new Random(seed);
  const means = Array.from({ length: k * d }, () => rng.nextIndex(64));
  const points = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.nextIndex(k);
    for (let j = 0; j < d; j++) points[i * d + j] = (means[c * d + j] + rng.nextIndex(8)) * scale;
  }
  return { name: `float32 × ${scale} ${n} × ${d}, k = ${k}`, points: { data: points, shape: [n, d] }, init: firstRows(points, d, k) };
}

function firstRows(points: Float32Array | Float64Array, d: number, k: number): Matrix {
  return { data: points.slice(0, k * d), shape: [k, d] };
}

const CASES: Case[] = [
  midpointTies(1, 900, 8, 12, Float64Array),
  midpointTies(2, 900, 24, 40, Float32Array),
  midpointTies(3, 600, 130, 33, Float32Array),
  { ...midpointTies(4, 700, 16, 20, Float64Array), weights: Array.from({ length: 700 }, (_, i) => (i % 7) / 3) },
  mixedMagnitudes(5, 1200, 41, 24, Float64Array),
  mixedMagnitudes(6, 1200, 41, 24, Float32Array),
  sphereHalfway(7, 300, 1536, 20),
  farFromOrigin(8, 1500, 8, 16, Float64Array, 1e6),
  farFromOrigin(9, 1500, 12, 16, Float32Array, 1e4),
  scaled(10, 800, 16, 10, 2 ** -140),
  scaled(11, 800, 16, 10, 2 ** 58),
  scaled(12, 800, 16, 10, 2 ** 62),
  // Enough centres for Yinyang to form several groups and measure a few groups' centres alone.
  midpointTies(13, 2000, 24, 200, Float32Array),
  mixedMagnitudes(14, 2400, 20, 240, Float64Array),
  farFromOrigin(15, 2000, 16, 200, Float32Array, 1e4),
];

function expectSame(actual: ReturnType<typeof kmeansSync>, expected: ReturnType<typeof kmeansSync>): void {
  expect(actual.labels).toEqual(expected.labels);
  expect(actual.centroids.data).toEqual(expected.centroids.data);
  expect(actual.inertia).toBe(expected.inertia);
  expect(actual.iterations).toBe(expected.iterations);
}

describe('exact answers where the fast distances round', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('predict gives each point its exactly nearest centre, lowest index on ties: %s', (_name, c) => {
    const [n, d] = c.points.shape;
    const k = c.init.shape[0];
    const centers = Float64Array.from(c.init.data);
    const expected = Int32Array.from({ length: n }, (_, i) => nearestCenter({ data: c.points.data, d, k }, i, centers));
    expect(predict(c.points, { data: centers, shape: [k, d] })).toEqual(expected);
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    'native Lloyd, Elkan, Hamerly and Yinyang from the same centres equal the TypeScript Lloyd: %s',
    (_name, c) => {
      const k = c.init.shape[0];
      const options: KMeansOptions = { init: c.init, tolerance: 0, maxIterations: 12, weights: c.weights };
      const reference = kmeansSync(c.points, k, { ...options, backend: 'js', algorithm: 'lloyd' });
      for (const algorithm of ['lloyd', 'elkan', 'hamerly', 'yinyang'] as const) {
        expectSame(kmeansSync(c.points, k, { ...options, backend: 'native', algorithm }), reference);
      }
    },
  );

  it.each(CASES.map((c) => [c.name, c] as const))("native k-means++ draws the TypeScript reference's centres: %s", (_name, c) => {
    const k = c.init.shape[0];
    const options: KMeansOptions = { seed: 17, maxIterations: 3, weights: c.weights };
    expectSame(kmeansSync(c.points, k, { ...options, backend: 'native', threads: 2 }), kmeansSync(c.points, k, { ...options, backend: 'js' }));
  });
});
