import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../lib/cli/run.js';
import { sumChunkRows } from '../lib/core/centroid-update.js';
import { type Floats, squaredDistance } from '../lib/core/distance.js';
import { ROW_BLOCK, blockedSum } from '../lib/core/parallel.js';
import { Random } from '../lib/core/random.js';
import { kmeansSync, predict, score, transform } from '../lib/index.js';
import { FIT_OPTIONS } from '../lib/options.js';
import type { Algorithm, BackendName, KMeansOptions, KMeansResult, Matrix } from '../lib/types.js';
import { expectSameArray, sameValues } from './assertions.js';
import { type FloatArrayType, gaussianBlobs } from './helpers.js';

/*
 * Cosine k-means (lib/types.ts, KMeansOptions.metric, defines it) held to a spherical Lloyd written
 * here from that definition alone: points normalised once, centres the normalised weighted means
 * (summed in the fixed chunks every fit uses), labels the nearest centre in exact double squared
 * distance, the lowest index on ties.
 */

/** Every exact algorithm the options declare, so that one added there is held to the same oracle. */
const ALGORITHMS = FIT_OPTIONS.algorithm.rule.choices.filter((a): a is Algorithm => a !== 'auto');
const IMPLEMENTATIONS: Array<{ backend: BackendName; algorithm: Algorithm; threads: number }> = [
  ...ALGORITHMS.map((algorithm) => ({ backend: 'js' as const, algorithm, threads: 1 })),
  ...ALGORITHMS.flatMap((algorithm) => [1, 2].map((threads) => ({ backend: 'native' as const, algorithm, threads }))),
];

/** x / ‖x‖ per row, ‖x‖ summed in double in index order, stored in the type of `values`. */
function unitRows(values: Floats, n: number, d: number): Floats {
  const out = values instanceof Float32Array ? new Float32Array(n * d) : new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let squares = 0;
    for (let j = 0; j < d; j++) squares += values[i * d + j] * values[i * d + j];
    const norm = Math.sqrt(squares);
    for (let j = 0; j < d; j++) out[i * d + j] = values[i * d + j] / norm;
  }
  return out;
}

interface Reference {
  labels: Int32Array;
  centroids: Floats;
  inertia: number;
  iterations: number;
}

/** Spherical Lloyd from explicit centres, tolerance 0: until no label changes and no cluster was re-seeded, or no centre moves. */
function sphericalLloyd(points: Matrix, init: Floats, k: number, weights: Float64Array | undefined, maxIterations: number): Reference {
  const [n, d] = points.shape;
  const x = unitRows(points.data, n, d);
  const w = weights ?? new Float64Array(n).fill(1);
  let centers = unitRows(init, k, d);
  const labels = new Int32Array(n).fill(-1);
  const assign = (): number => {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (squaredDistance(x, i, centers, c, d) < squaredDistance(x, i, centers, best, d)) best = c;
      if (labels[i] !== best) changed++;
      labels[i] = best;
    }
    return changed;
  };
  let iterations = 0;
  let strict = false;
  while (iterations < maxIterations) {
    iterations++;
    const changed = assign();
    // Weighted sums in the fixed chunks of every fit: each chunk from zero in index order, chunks added in order.
    const sums = new Float64Array(k * d);
    const mass = new Float64Array(k);
    const rows = sumChunkRows(n, d, k);
    for (let start = 0; start < n; start += rows) {
      const chunk = new Float64Array(k * d);
      const chunkMass = new Float64Array(k);
      for (let i = start; i < Math.min(n, start + rows); i++) {
        chunkMass[labels[i]] += w[i];
        for (let j = 0; j < d; j++) chunk[labels[i] * d + j] += w[i] * x[i * d + j];
      }
      for (let e = 0; e < k * d; e++) sums[e] += chunk[e];
      for (let c = 0; c < k; c++) mass[c] += chunkMass[c];
    }
    // Empty clusters take the farthest points of positive weight off their centre.
    const empty = [...mass.keys()].filter((c) => mass[c] === 0);
    const far = [...labels.keys()]
      .filter((i) => w[i] > 0 && squaredDistance(x, i, centers, labels[i], d) > 0)
      .sort((a, b) => squaredDistance(x, b, centers, labels[b], d) - squaredDistance(x, a, centers, labels[a], d) || a - b)
      .slice(0, empty.length);
    far.forEach((i, e) => {
      for (let j = 0; j < d; j++) {
        sums[labels[i] * d + j] -= w[i] * x[i * d + j];
        sums[empty[e] * d + j] = w[i] * x[i * d + j];
      }
      mass[labels[i]] -= w[i];
      mass[empty[e]] = w[i];
    });
    const next = centers.slice();
    for (let c = 0; c < k; c++) {
      if (!(mass[c] > 0)) continue;
      const mean = Array.from({ length: d }, (_, j) => sums[c * d + j] / mass[c]);
      const norm = Math.sqrt(mean.reduce((s, m) => s + m * m, 0));
      if (norm > 0) for (let j = 0; j < d; j++) next[c * d + j] = mean[j] / norm;
    }
    let shift = 0;
    for (let c = 0; c < k; c++) shift += squaredDistance(centers, c, next, c, d);
    centers = next;
    if (changed === 0 && far.length === 0) {
      strict = true;
      break;
    }
    // Tolerance 0 still stops a run whose centres did not move.
    if (shift === 0) break;
  }
  if (!strict) assign();
  const inertia = blockedSum(n, (i) => w[i] * squaredDistance(x, i, centers, labels[i], d));
  return { labels, centroids: centers, inertia, iterations };
}

function expectReference(result: KMeansResult, reference: Reference, where: string): void {
  expectSameArray(result.labels, reference.labels, `labels, ${where}`);
  expect(sameValues(result.centroids.data, reference.centroids), `centroid bits, ${where}`).toBe(true);
  expect(result.inertia, `inertia, ${where}`).toBe(reference.inertia);
  expect(result.iterations, `iterations, ${where}`).toBe(reference.iterations);
}

/** k rows of the points, each times a random positive factor (so that init is normalised too), in the points' type. */
function scaledRows(points: Matrix, k: number, rng: Random): Matrix {
  const [n, d] = points.shape;
  const init = new (points.data.constructor as FloatArrayType)(k * d);
  for (let c = 0; c < k; c++) {
    const row = rng.nextIndex(n);
    const factor = 0.1 + 10 * rng.nextDouble();
    for (let j = 0; j < d; j++) init[c * d + j] = points.data[row * d + j] * factor;
  }
  return { data: init, shape: [k, d] };
}

function checkEveryImplementation(points: Matrix, k: number, init: Matrix, weights: Float64Array | undefined, maxIterations: number, what: string): void {
  const reference = sphericalLloyd(points, init.data, k, weights, maxIterations);
  for (const { backend, algorithm, threads } of IMPLEMENTATIONS) {
    const options: KMeansOptions = { metric: 'cosine', init, tolerance: 0, maxIterations, backend, algorithm, threads, ...(weights ? { weights } : {}) };
    expectReference(kmeansSync(points, k, options), reference, `${backend} ${algorithm} ${threads} thread(s), ${what}`);
  }
}

describe.each([
  ['float64', Float64Array],
  ['float32', Float32Array],
] as [string, FloatArrayType][])('cosine k-means on %s data', (_name, type) => {
  it('every algorithm on both backends and 1 or 2 threads reaches the spherical Lloyd labels, centroids, inertia and iterations on 40 random shapes', () => {
    const rng = new Random(type === Float32Array ? 32 : 64);
    for (let trial = 0; trial < 40; trial++) {
      const n = 2 + rng.nextIndex(300);
      const d = 1 + rng.nextIndex(40);
      const k = 1 + rng.nextIndex(Math.min(n, 12));
      const points = gaussianBlobs(trial + 1, n, d, 1 + rng.nextIndex(6), [0.5, 2, 8][rng.nextIndex(3)], type);
      const weights = trial % 3 === 0 ? Float64Array.from({ length: n }, () => (rng.nextIndex(5) === 0 ? 0 : 0.5 + rng.nextDouble())) : undefined;
      if (weights) weights[0] = 1;
      checkEveryImplementation(points, k, scaledRows(points, k, rng), weights, 100, `n ${n}, d ${d}, k ${k}, trial ${trial}`);
    }
  });

  it('the same on 5000 points, where the native fit takes two threads and the sums several chunks', () => {
    const points = gaussianBlobs(9, 5000, 16, 30, 4, type);
    const weights = Float64Array.from({ length: 5000 }, (_, i) => 1 + (i % 7));
    expect(sumChunkRows(5000, 16, 16)).toBeLessThan(5000);
    expect(ROW_BLOCK).toBeLessThan(5000);
    checkEveryImplementation(points, 16, scaledRows(points, 16, new Random(3)), weights, 20, '5000 × 16, k 16');
  });

  it('k-means++ and random seeding give the same bits on every implementation and thread count', () => {
    const points = gaussianBlobs(11, 4200, 8, 12, 3, type);
    for (const init of ['k-means++', 'random'] as const) {
      const fits = IMPLEMENTATIONS.map(({ backend, algorithm, threads }) =>
        kmeansSync(points, 10, { metric: 'cosine', init, seed: 5, nInit: 1, maxIterations: 15, backend, algorithm, threads }),
      );
      for (const fit of fits.slice(1)) {
        expectSameArray(fit.labels, fits[0].labels);
        expect(sameValues(fit.centroids.data, fits[0].centroids.data)).toBe(true);
        expect(fit.inertia).toBe(fits[0].inertia);
        expect(fit.iterations).toBe(fits[0].iterations);
      }
    }
  });
});

describe('cosine k-means semantics', () => {
  const points = gaussianBlobs(21, 500, 8, 5, 2);

  it('returns unit centroids and an inertia of Σ w · (2 − 2 cos), up to rounding', () => {
    const weights = Float64Array.from({ length: 500 }, (_, i) => 1 + (i % 3));
    const { labels, centroids, inertia } = kmeansSync(points, 5, { metric: 'cosine', seed: 1, weights, backend: 'js' });
    const d = 8;
    for (let c = 0; c < 5; c++) {
      let squares = 0;
      for (let j = 0; j < d; j++) squares += centroids.data[c * d + j] ** 2;
      expect(Math.abs(Math.sqrt(squares) - 1)).toBeLessThan(1e-15);
    }
    let expected = 0;
    for (let i = 0; i < 500; i++) {
      let dot = 0;
      let norm = 0;
      for (let j = 0; j < d; j++) {
        dot += points.data[i * d + j] * centroids.data[labels[i] * d + j];
        norm += points.data[i * d + j] ** 2;
      }
      expected += weights[i] * (2 - 2 * (dot / Math.sqrt(norm)));
    }
    expect(Math.abs(inertia - expected) / expected).toBeLessThan(1e-12);
  });

  it('keeps the old centre where the members cancel exactly and their mean has no direction', () => {
    for (const backend of ['js', 'native'] as const) {
      const fit = kmeansSync(
        [
          [1, 0],
          [-1, 0],
        ],
        1,
        { metric: 'cosine', init: [[1, 1]], backend },
      );
      expect(Array.from(fit.centroids.data)).toEqual([1 / Math.SQRT2, 1 / Math.SQRT2]);
      expect(fit.inertia).toBeCloseTo(4, 14);
      // The centre did not move: the run stops after one iteration.
      expect([fit.iterations, fit.converged]).toEqual([1, true]);
    }
  });

  it('ignores the length of every point: rows times powers of two from 2^-1070 (subnormal) to 2^900 give the same bits', () => {
    const [n, d] = points.shape;
    // Multiples of 1/16, so that even their subnormal multiples are exact.
    const dyadic = Float64Array.from(points.data, (x) => Math.round(x * 16) / 16 || 1);
    const stretched = Float64Array.from(dyadic, (x, e) => x * 2 ** [-1070, -900, -300, 0, 7, 500, 900][Math.floor(e / d) % 7]);
    for (const backend of ['js', 'native'] as const) {
      const options: KMeansOptions = { metric: 'cosine', seed: 3, backend, tolerance: 0 };
      const plain = kmeansSync({ data: dyadic, shape: [n, d] }, 6, options);
      const fit = kmeansSync({ data: stretched, shape: [n, d] }, 6, options);
      expectSameArray(fit.labels, plain.labels);
      expect(sameValues(fit.centroids.data, plain.centroids.data)).toBe(true);
      expect(fit.inertia).toBe(plain.inertia);
    }
  });

  it('differs from the euclidean fit of the same points', () => {
    const options: KMeansOptions = { seed: 2, backend: 'js' };
    const euclidean = kmeansSync(points, 5, options);
    const cosine = kmeansSync(points, 5, { ...options, metric: 'cosine' });
    expect(sameValues(cosine.labels, euclidean.labels)).toBe(false);
  });

  it('refuses a row of zeros, naming it, in the points and in explicit centres', () => {
    const rows = Array.from({ length: 20 }, (_, i) => [1 + i, 2]);
    rows[17] = [0, 0];
    expect(() => kmeansSync(rows, 2, { metric: 'cosine' })).toThrow(
      new RangeError("points[17] has zero length; cosine k-means needs a direction for every row, so remove that row or use metric: 'euclidean'."),
    );
    expect(() => kmeansSync(rows, 2)).not.toThrow();
    rows[17] = [1, 0];
    const init = [
      [1, 1],
      [0, 0],
    ];
    expect(() => kmeansSync(rows, 2, { metric: 'cosine', init })).toThrow(/^options\.init row 1 has zero length; cosine k-means needs a direction/);
    expect(() =>
      kmeansSync(rows, 2, {
        metric: 'cosine',
        init: [
          [1e-320, 0],
          [0, -1e300],
        ],
      }),
    ).not.toThrow();
  });

  it('refuses an unknown metric with the allowed ones', () => {
    expect(() => kmeansSync([[1], [2]], 1, { metric: 'cos' as never })).toThrow(/^options\.metric must be one of 'euclidean', 'cosine', not 'cos'\.$/);
  });
});

describe('predict with a metric', () => {
  const points = gaussianBlobs(31, 2000, 12, 8, 3, Float32Array);

  it("labels every point with the centroid of greatest cosine similarity, on both backends' fits", () => {
    for (const backend of ['js', 'native'] as const) {
      const fit = kmeansSync(points, 8, { metric: 'cosine', seed: 4, backend });
      expectSameArray(predict(points, fit.centroids, { metric: 'cosine' }), fit.labels);
    }
    const centroids = gaussianBlobs(32, 8, 12, 8, 3);
    const x = unitRows(points.data, 2000, 12);
    const c = unitRows(centroids.data, 8, 12);
    const expected = Int32Array.from({ length: 2000 }, (_, i) => {
      let best = 0;
      for (let j = 1; j < 8; j++) if (squaredDistance(x, i, c, j, 12) < squaredDistance(x, i, c, best, 12)) best = j;
      return best;
    });
    expectSameArray(predict(points, centroids, { metric: 'cosine' }), expected);
    expectSameArray(predict(points, centroids, { metric: 'euclidean' }), predict(points, centroids));
  });

  it('refuses rows of zeros and unknown options', () => {
    expect(() => predict([[1, 0]], [[0, 0]], { metric: 'cosine' })).toThrow(/^centroids\[0\] has zero length; cosine k-means needs a direction/);
    expect(() => predict([[1, 0]], [[1, 0]], { metic: 'cosine' } as never)).toThrow(
      /^options\.metic is not an option of predict; did you mean options\.metric\?/,
    );
    expect(() => transform([[0, 0]], [[1, 0]], { metric: 'cosine' })).toThrow(/^points\[0\] has zero length; cosine k-means needs a direction/);
    expect(() => score([[1, 0]], [[0, 0]], { metric: 'cosine' })).toThrow(/^centroids\[0\] has zero length; cosine k-means needs a direction/);
  });

  it('transform and score measure the normalised points against the normalised centroids, on both backends', () => {
    const centroids = gaussianBlobs(32, 8, 12, 8, 3);
    const x = unitRows(points.data, 2000, 12);
    const c = unitRows(centroids.data, 8, 12);
    const labels = predict(points, centroids, { metric: 'cosine' });
    const weights = Float64Array.from({ length: 2000 }, (_, i) => 1 + (i % 3));
    const expectedInertia = blockedSum(2000, (i) => weights[i] * squaredDistance(x, i, c, labels[i], 12));
    for (const backend of ['js', 'native'] as const) {
      const { data, shape } = transform(points, centroids, { metric: 'cosine', backend });
      expect(shape).toEqual([2000, 8]);
      const expected = Float64Array.from({ length: 2000 * 8 }, (_, at) => Math.sqrt(squaredDistance(x, Math.floor(at / 8), c, at % 8, 12)));
      expectSameArray(data, expected);
      expect(score(points, centroids, { metric: 'cosine', weights, backend })).toBe(-expectedInertia);
    }
  });
});

describe('the command line', () => {
  const folder = mkdtempSync(join(tmpdir(), 'elkan-kmeans-cosine-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const collect = (): Writable & { text: string } => {
      const stream = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          stream.text += chunk.toString();
          callback();
        },
      }) as Writable & { text: string };
      stream.text = '';
      return stream;
    };
    const [stdout, stderr] = [collect(), collect()];
    const code = await run(args, { stdin: Readable.from([]), stdout, stderr });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  it('--metric cosine fits as the API does', async () => {
    const points = gaussianBlobs(41, 300, 3, 4, 2);
    const file = join(folder, 'points.csv');
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => Array.from(points.data.subarray(i * 3, i * 3 + 3)).join(',')).join('\n'));
    const args = ['-k', '4', '--seed', '7', '--metric', 'cosine', '--labels', join(folder, 'l.txt'), '--centroids', join(folder, 'c.json')];
    expect((await cli([file, ...args])).code).toBe(0);
    const fit = kmeansSync(points, 4, { seed: 7, metric: 'cosine' });
    expect(readFileSync(join(folder, 'l.txt'), 'utf8').trim().split('\n').map(Number)).toEqual(Array.from(fit.labels));
    expect(JSON.parse(readFileSync(join(folder, 'c.json'), 'utf8')).flat()).toEqual(Array.from(fit.centroids.data));
  });

  it('names the zero row and the flag that fits it anyway', async () => {
    const file = join(folder, 'zero.csv');
    writeFileSync(file, '1,2\n0,0\n3,1\n');
    const { code, stderr } = await cli([file, '-k', '2', '--metric', 'cosine']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/points\[1\] has zero length; cosine k-means needs a direction for every row, so remove that row or use --metric euclidean/);
  });
});

/*
 * Real data, when ELKAN_KMEANS_DATA names a folder laid out as ../shared/data (X.f32 and
 * meta.json per dataset): npm test needs none of it.
 */
const realData = process.env.ELKAN_KMEANS_DATA;
if (realData) {
  describe('cosine k-means on real data (ELKAN_KMEANS_DATA)', () => {
    it.each([
      ['bigann10k_sift', 100, 'float32'],
      ['bigann10k_sift', 100, 'float64'],
      ['letter', 26, 'float32'],
      ['letter', 26, 'float64'],
    ] as const)('%s (k = %i) as %s: every implementation reaches the spherical Lloyd result from the same centres', (name, k, type) => {
      const meta = JSON.parse(readFileSync(join(realData, name, 'meta.json'), 'utf8')) as { n?: number; d?: number; shape?: number[] };
      const bytes = readFileSync(join(realData, name, 'X.f32'));
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      const data = type === 'float32' ? values.slice() : Float64Array.from(values);
      const d = meta.d ?? meta.shape![1];
      const points: Matrix = { data, shape: [data.length / d, d] };
      checkEveryImplementation(points, k, scaledRows(points, k, new Random(k)), undefined, 15, name);
    });
  });
}
