/**
 * Property-based tests (fast-check): generated shapes and values, including n = 1, d = 1, k = 1,
 * k = n, duplicate points, constant columns, float64 values near 1e±300 and subnormals, and float32
 * data down to its subnormals. The eight implementations (native and TypeScript × Elkan, Hamerly,
 * Yinyang, Lloyd) never throw on valid input, never return NaN, return the inertia of their own labels and
 * centroids, never write into their inputs, and native matches TypeScript to the bit. On continuous
 * data (no exact distance ties) all eight give Lloyd's labels and iterations; where exact ties are
 * common (duplicate points, values underflowing against 1e+300) Elkan, Hamerly and Yinyang may keep a tied
 * point where Lloyd moves it, so there every label must only be a nearest centroid.
 *
 * The five regression tests at the end pin the bugs these properties found, reduced to the
 * smallest inputs: float64 inertia restored past 2^512, float32 differences overflowing, and a
 * weighted mean rounding past Number.MAX_VALUE.
 *
 * The fast-check seed is fixed so a failure reproduces; PROPERTY_SEED=<n> tries another stream and
 * PROPERTY_RUNS_SCALE=<x> multiplies the number of runs (e.g. 20 for a long search).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { squaredDistance } from '../lib/core/distance.js';
import { exactlyScaledPair, timesPowerOfTwo } from '../lib/exact-scaling.js';
import { kmeans, kmeansSync, predict } from '../lib/index.js';
import { Random } from '../lib/core/random.js';
import type { Algorithm, BackendName, KMeansOptions, KMeansResult, PointsInput } from '../lib/types.js';
import { sameValues } from './assertions.js';

const SEED = Number(process.env.PROPERTY_SEED ?? 20261125);
const SCALE = Number(process.env.PROPERTY_RUNS_SCALE ?? 1);

function settings(numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)), endOnFailure: false };
}

type Floats = Float32Array | Float64Array;
type Form = 'matrix' | 'rows' | 'typed-rows';

/** One generated fit: the points, k, and the options every implementation gets. */
interface Case {
  label: string;
  data: Floats;
  n: number;
  d: number;
  k: number;
  form: Form;
  weights: number[] | undefined;
  init: 'k-means++' | 'random' | Floats;
  nInit: number | 'auto';
  tolerance: number;
  seed: number;
  maxIterations: number;
}

const ALGORITHM_LIST = ['elkan', 'hamerly', 'yinyang', 'lloyd'] as const satisfies readonly Algorithm[];
/** Every algorithm natively, then every algorithm in TypeScript: the TypeScript Lloyd is the last. */
const IMPLEMENTATIONS: Array<{ backend: BackendName; algorithm: Algorithm }> = (['native', 'js'] as const).flatMap((backend) =>
  ALGORITHM_LIST.map((algorithm) => ({ backend, algorithm })),
);
const JS_LLOYD = IMPLEMENTATIONS.length - 1;

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** n, d, k with the corner cases n = 1, d = 1, k = 1 and k = n drawn often. */
const shapeArb = fc
  .record({
    n: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 8 }), fc.integer({ min: 2, max: 60 })),
    d: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 6 })),
  })
  .chain(({ n, d }) =>
    fc.record({
      n: fc.constant(n),
      d: fc.constant(d),
      k: fc.oneof(fc.constant(1), fc.constant(n), fc.integer({ min: 1, max: Math.min(n, 12) })),
    }),
  );

/**
 * Continuous values come from the project's seeded generator, not from fast-check's own number
 * arbitraries: those lean towards small integers and shrink every value towards 0, which creates
 * duplicate points and exact distance ties, where the accelerated algorithms may legitimately
 * break a tie otherwise than Lloyd. Integers of `bits` bits drawn uniformly make exact ties so
 * unlikely that every implementation must give the same labels. fast-check still shrinks the
 * shape and the options; the values keep their (unshrinkable) stream seed.
 */
function uniformIntegers(stream: number, count: number, bits: number): number[] {
  const rng = new Random(stream);
  return Array.from({ length: count }, () => Math.floor(rng.nextDouble() * 2 ** (bits + 1)) - 2 ** bits);
}

const streamArb = fc.noShrink(fc.nat({ max: 2 ** 32 - 1 }));

/** Weights for continuous data: positive, drawn from the stream, or none. */
function continuousWeights(stream: number, n: number): number[] {
  return uniformIntegers(stream ^ 0x5bd1e995, n, 10).map((x) => (Math.abs(x) + 1) / 64);
}

/** The options part of a case, for n points of dimension d; `centres` draws k × d explicit centres. */
function optionsArb(weights: fc.Arbitrary<number[] | undefined>, centres: fc.Arbitrary<Floats>) {
  return fc.record({
    form: fc.constantFrom<Form>('matrix', 'matrix', 'rows', 'typed-rows'),
    weights,
    init: fc.oneof(
      { weight: 4, arbitrary: fc.constant<'k-means++'>('k-means++') },
      { weight: 2, arbitrary: fc.constant<'random'>('random') },
      { weight: 1, arbitrary: centres },
    ),
    nInit: fc.constantFrom<number | 'auto'>('auto', 'auto', 1, 2),
    tolerance: fc.constantFrom(0, 1e-4),
    seed: fc.nat({ max: 2 ** 32 - 1 }),
    maxIterations: fc.constantFrom(300, 300, 3),
  });
}

/** Weights with zeros and repeated values, never all zero (tie-prone generators). */
function anyWeights(n: number): fc.Arbitrary<number[] | undefined> {
  return fc
    .option(
      fc
        .array(
          fc.oneof(
            fc.constant(0),
            fc.constant(1),
            fc.integer({ min: 1, max: 1000 }).map((w) => w / 64),
          ),
          { minLength: n, maxLength: n },
        )
        .map((w) => (w.some((x) => x > 0) ? w : [1, ...w.slice(1)])),
      { freq: 3 },
    )
    .map((w) => w ?? undefined);
}

function finishCase(label: string, data: Floats, n: number, d: number, k: number, options: Omit<Case, 'label' | 'data' | 'n' | 'd' | 'k'>): Case {
  // Explicit centres with more than one run are refused by design.
  const nInit = typeof options.init === 'string' ? options.nInit : 'auto';
  return { label, data, n, d, k, ...options, nInit };
}

/**
 * Continuous float64 values: integers of 31 bits times 2^(exponent - 20), exactly representable,
 * at magnitude 1 or near 1e+300 (exponent 997), 1e+307 (1013), 1e-300 (-997) or in the subnormal
 * range (-1040: every value below 2^-1022). Some columns may be constant.
 */
const FLOAT64_EXPONENTS = [0, 0, 0, 997, 1013, -997, -1040];

const continuous64 = shapeArb.chain(({ n, d, k }) =>
  fc
    .record({
      exponent: fc.constantFrom(...FLOAT64_EXPONENTS),
      stream: streamArb,
      constantColumns: fc.array(fc.boolean(), { minLength: d, maxLength: d }),
      weighted: fc.boolean(),
    })
    .chain(({ exponent, stream, constantColumns, weighted }) => {
      const unit = 2 ** (exponent - 20);
      const values = uniformIntegers(stream, n * d, 30);
      const data = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        // Column 0 always varies: with every column constant all points would coincide (exact ties).
        for (let j = 0; j < d; j++) data[i * d + j] = (constantColumns[j] && j > 0 ? values[j] : values[i * d + j]) * unit;
      }
      const centres = streamArb.map((s) => Float64Array.from(uniformIntegers(s, k * d, 30), (x) => x * unit));
      const weights = fc.constant(weighted ? continuousWeights(stream, n) : undefined);
      return optionsArb(weights, centres).map((options) => finishCase(`float64, 2^${exponent}`, data, n, d, k, options));
    }),
);

/**
 * Continuous float32 values: integers of 23 bits times 2^exponent, exact in float32, at magnitude
 * about 1e+3, near the float32 maximum (2^100 × 2^23 ≈ 1e37) or every value subnormal (2^-149).
 */
const continuous32 = shapeArb.chain(({ n, d, k }) =>
  fc
    .record({
      exponent: fc.constantFrom(-10, -10, 100, -149),
      stream: streamArb,
      weighted: fc.boolean(),
    })
    .chain(({ exponent, stream, weighted }) => {
      const unit = 2 ** exponent;
      const data = Float32Array.from(uniformIntegers(stream, n * d, 22), (x) => x * unit);
      const centres = streamArb.map((s) => Float32Array.from(uniformIntegers(s, k * d, 22), (x) => x * unit));
      const weights = fc.constant(weighted ? continuousWeights(stream, n) : undefined);
      return optionsArb(weights, centres).map((options) => finishCase(`float32, 2^${exponent}`, data, n, d, k, options));
    }),
);

/** Few distinct points, each repeated: exact ties everywhere, empty clusters when k > distinct. */
const duplicates = shapeArb.chain(({ n, d, k }) =>
  fc
    .record({
      pool: fc
        .array(fc.integer({ min: -4, max: 4 }), { minLength: d, maxLength: d })
        .chain((first) =>
          fc.array(fc.array(fc.integer({ min: -4, max: 4 }), { minLength: d, maxLength: d }), { minLength: 0, maxLength: 4 }).map((rest) => [first, ...rest]),
        ),
      picks: fc.array(fc.nat(), { minLength: n, maxLength: n }),
      float32: fc.boolean(),
      exponent: fc.constantFrom(0, 0, 997, -1060),
    })
    .chain(({ pool, picks, float32, exponent }) => {
      const Type = float32 ? Float32Array : Float64Array;
      const unit = float32 ? 1 : 2 ** exponent;
      const data = new Type(n * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = pool[picks[i] % pool.length][j] * unit;
      const centres = fc.array(fc.integer({ min: -4, max: 4 }), { minLength: k * d, maxLength: k * d }).map((v) => Type.from(v.map((x) => x * unit)) as Floats);
      return optionsArb(anyWeights(n), centres).map((options) =>
        finishCase(`duplicates of ${pool.length} points, ${Type.name}, 2^${float32 ? 0 : exponent}`, data, n, d, k, options),
      );
    }),
);

/**
 * Any finite doubles (fast-check's own mix of 0, -0, subnormals, ±MAX_VALUE and everything
 * between), or any finite float32 values: huge and tiny values in one set, so squared distances
 * underflow against each other after scaling and ties are common.
 */
const anyValues = shapeArb.chain(({ n, d, k }) =>
  fc.boolean().chain((float32) => {
    const value = float32 ? fc.float({ noNaN: true, noDefaultInfinity: true }) : fc.double({ noNaN: true, noDefaultInfinity: true });
    const Type = float32 ? Float32Array : Float64Array;
    const centres = fc.array(value, { minLength: k * d, maxLength: k * d }).map((v) => Type.from(v) as Floats);
    return fc
      .array(value, { minLength: n * d, maxLength: n * d })
      .chain((values) => optionsArb(anyWeights(n), centres).map((options) => finishCase(`any ${Type.name} values`, Type.from(values), n, d, k, options)));
  }),
);

/** Rows at 1e+300 and rows at 1 in one float64 set. */
const mixedMagnitudes = shapeArb.chain(({ n, d, k }) =>
  fc
    .record({
      stream: streamArb,
      huge: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    })
    .chain(({ stream, huge }) => {
      const values = uniformIntegers(stream, n * d, 20);
      const data = new Float64Array(n * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = values[i * d + j] * (huge[i] ? 2 ** 980 : 2 ** -10);
      const centres = streamArb.map((s) => Float64Array.from(uniformIntegers(s, k * d, 20), (x) => x * 2 ** -10));
      return optionsArb(anyWeights(n), centres).map((options) => finishCase('rows at 1e+300 and at 1', data, n, d, k, options));
    }),
);

// ---------------------------------------------------------------------------------------------
// Running and checking
// ---------------------------------------------------------------------------------------------

function pointsOf(c: Case): PointsInput {
  const rowsOf = (): Floats[] => Array.from({ length: c.n }, (_, i) => c.data.slice(i * c.d, (i + 1) * c.d));
  switch (c.form) {
    case 'matrix':
      return { data: c.data, shape: [c.n, c.d] };
    case 'rows':
      return rowsOf().map((row) => Array.from(row));
    case 'typed-rows':
      return rowsOf();
  }
}

function optionsOf(c: Case): KMeansOptions {
  const init = typeof c.init === 'string' ? c.init : { data: c.init, shape: [c.k, c.d] as const };
  return {
    seed: c.seed,
    tolerance: c.tolerance,
    nInit: c.nInit,
    maxIterations: c.maxIterations,
    init,
    ...(c.weights ? { weights: c.weights } : {}),
  };
}

/** A deep copy of everything a fit receives, to check afterwards that nothing was written. */
function snapshot(points: PointsInput, options: KMeansOptions): string {
  const plain = (value: unknown): unknown => {
    if (ArrayBuffer.isView(value)) return `${value.constructor.name}:${Array.from(value as Floats, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}`;
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, plain(v)]));
    return Object.is(value, -0) ? '-0' : value;
  };
  return JSON.stringify(plain({ points, options }));
}

function describeCase(c: Case): string {
  const init = typeof c.init === 'string' ? c.init : `explicit ${c.init.constructor.name}[${Array.from(c.init).join(', ')}]`;
  return (
    `${c.label}: n ${c.n}, d ${c.d}, k ${c.k}, form ${c.form}, seed ${c.seed}, tolerance ${c.tolerance}, nInit ${c.nInit}, ` +
    `maxIterations ${c.maxIterations}, init ${init}, weights ${c.weights ? `[${c.weights.join(', ')}]` : 'none'}, ` +
    `data ${c.data.constructor.name}[${Array.from(c.data).join(', ')}]`
  );
}

function valuesOf(c: Case): Floats[] {
  return typeof c.init === 'string' ? [c.data] : [c.data, c.init];
}

/**
 * `check(holds, () => expect(...))` runs the expect only where the plain condition fails, for its
 * message and diff. The properties make about half a million checks, and vitest's bookkeeping on
 * every expect() call, with the case descriptions built for their messages, took two thirds of
 * this file's time. A condition that fails where its expect passes still fails the test.
 */
function check(holds: boolean, explain: () => void): void {
  if (holds) return;
  explain();
  expect.fail('a check failed where its expect passed');
}

/**
 * The result's inertia equals Σ w‖x − c‖² recomputed here from its labels and centroids, on data
 * brought to magnitude 1 by a power of two (so that no square overflows or underflows) and scaled
 * back at the end: Infinity only where the true value exceeds the largest double, 0 where it is 0.
 * Float32 results are compared loosely: their centroids were rounded to float32 after the fit.
 */
function expectInertia(c: Case, result: KMeansResult, where: () => string): void {
  const centroids = result.centroids.data;
  let max = 0;
  for (const values of [...valuesOf(c), centroids]) for (const x of values) max = Math.max(max, Math.abs(x));
  const exponent = max === 0 ? 0 : Math.floor(Math.log2(max));
  let sum = 0;
  let scale = 0;
  let totalWeight = 0;
  for (let i = 0; i < c.n; i++) {
    const w = c.weights ? c.weights[i] : 1;
    totalWeight += w;
    const label = result.labels[i];
    for (let j = 0; j < c.d; j++) {
      const x = timesPowerOfTwo(c.data[i * c.d + j], -exponent);
      const y = timesPowerOfTwo(centroids[label * c.d + j], -exponent);
      sum += w * (x - y) ** 2;
      scale += w * (x * x + y * y);
    }
  }
  const expected = timesPowerOfTwo(timesPowerOfTwo(sum, exponent), exponent);
  // Rounding, relative to the squared magnitudes; plus what underflows in the library's squares:
  // terms below 2^-1022 at the scale of the largest value (explicit initial centres included).
  const relative = centroids instanceof Float32Array ? 1e-6 : 1e-12;
  const underflow = totalWeight * c.d * 2 ** -1020;
  const slack = timesPowerOfTwo(timesPowerOfTwo(scale * relative + underflow, exponent), exponent) + underflow;
  const message = (): string => `${where()}: inertia ${result.inertia}, recomputed ${expected}`;
  if (!Number.isFinite(expected)) {
    check(result.inertia === Infinity, () => expect(result.inertia, message()).toBe(Infinity));
  } else {
    check(result.inertia >= 0 && Math.abs(result.inertia - expected) <= slack, () => {
      expect(result.inertia, message()).toBeGreaterThanOrEqual(0);
      expect(Math.abs(result.inertia - expected) <= slack, message()).toBe(true);
    });
  }
}

/**
 * Runs the eight implementations on one case, checking what must hold for every valid input. With
 * `sameBits`, native and TypeScript must agree to the bit, algorithm by algorithm; otherwise (data
 * whose squared distances fall into the subnormal range, where sqrt-based bounds lose their
 * margin) only on the inertia.
 */
function fitAll(c: Case, sameBits = true): KMeansResult[] {
  const points = pointsOf(c);
  const options = optionsOf(c);
  const before = snapshot(points, options);
  const results = IMPLEMENTATIONS.map(({ backend, algorithm }) => {
    const result = kmeansSync(points, c.k, { ...options, backend, algorithm });
    const where = (): string => `${backend} ${algorithm} on ${describeCase(c)}`;
    check(result.backend === backend, () => expect(result.backend, where()).toBe(backend));
    check(result.algorithm === algorithm, () => expect(result.algorithm, where()).toBe(algorithm));
    check(result.labels.length === c.n, () => expect(result.labels, where()).toHaveLength(c.n));
    check(
      result.labels.every((label) => label >= 0 && label < c.k),
      () => expect.fail(`labels out of range: ${where()}`),
    );
    check(!Number.isNaN(result.inertia), () => expect.fail(`${where()}: inertia ${result.inertia}`));
    expectInertia(c, result, where);
    const { shape } = result.centroids;
    check(Array.isArray(shape) && shape.length === 2 && shape[0] === c.k && shape[1] === c.d, () => expect(shape, where()).toEqual([c.k, c.d]));
    // Float32 stays float32 unless the rows came as plain number arrays.
    const type = c.form === 'rows' ? Float64Array : (c.data.constructor as typeof Float64Array);
    check(result.centroids.data instanceof type, () => expect(result.centroids.data, where()).toBeInstanceOf(type));
    check(result.centroids.data.every(Number.isFinite), () => expect.fail(`${where()}: centroids ${result.centroids.data}`));
    check(result.iterations >= 1 && result.iterations <= c.maxIterations, () => {
      expect(result.iterations, where()).toBeGreaterThanOrEqual(1);
      expect(result.iterations, where()).toBeLessThanOrEqual(c.maxIterations);
    });
    check(result.seed === c.seed, () => expect(result.seed, where()).toBe(c.seed));
    return result;
  });
  const after = snapshot(points, options);
  check(after === before, () => expect(after, `inputs modified: ${describeCase(c)}`).toBe(before));
  // The native core reproduces the TypeScript one bit for bit, algorithm by algorithm.
  for (let a = 0; a < ALGORITHM_LIST.length; a++) {
    const [native, js] = [results[a], results[a + ALGORITHM_LIST.length]];
    const where = (): string => `native vs js ${IMPLEMENTATIONS[a].algorithm} on ${describeCase(c)}`;
    if (!sameBits) {
      const difference = relativeDifference(native.inertia, js.inertia);
      check(difference < 1e-9, () => expect(difference, where()).toBeLessThan(1e-9));
      continue;
    }
    check(sameValues(native.labels, js.labels), () => expect(native.labels, where()).toEqual(js.labels));
    check(native.iterations === js.iterations, () => expect(native.iterations, where()).toBe(js.iterations));
    check(native.converged === js.converged, () => expect(native.converged, where()).toBe(js.converged));
    check(Object.is(native.inertia, js.inertia), () => expect(native.inertia, where()).toBe(js.inertia));
    check(sameValues(native.centroids.data, js.centroids.data), () => expect(native.centroids.data, where()).toEqual(js.centroids.data));
  }
  return results;
}

function relativeDifference(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

/** Exact agreement: Elkan, Hamerly and Yinyang reach Lloyd's labels and iterations. */
function expectExactAgreement(c: Case, results: KMeansResult[]): void {
  const lloyd = results[JS_LLOYD];
  results.forEach((result, i) => {
    const where = (): string => `${IMPLEMENTATIONS[i].backend} ${IMPLEMENTATIONS[i].algorithm} vs js lloyd on ${describeCase(c)}`;
    check(sameValues(result.labels, lloyd.labels), () => expect(result.labels, where()).toEqual(lloyd.labels));
    check(result.iterations === lloyd.iterations, () => expect(result.iterations, where()).toBe(lloyd.iterations));
    check(result.converged === lloyd.converged, () => expect(result.converged, where()).toBe(lloyd.converged));
    const difference = relativeDifference(result.inertia, lloyd.inertia);
    check(difference < 1e-12, () => expect(difference, where()).toBeLessThan(1e-12));
  });
}

/**
 * Where squared distances reach the subnormal range (rows at 1e+300 beside rows at 1, once scaled),
 * they keep only a few significant bits, more rounding than the bounds' margin (PRUNE_MARGIN)
 * allows for, so Elkan, Hamerly and Yinyang are not held to Lloyd's exact path there. What must still hold:
 * every label is a nearest centroid of the returned centroids (ties allowed), measured with the
 * library's own distance on its own exact scale.
 */
function expectNearestLabels(c: Case, results: KMeansResult[]): void {
  const data = c.form === 'rows' ? Float64Array.from(c.data) : c.data;
  results.forEach((result, r) => {
    const [points, centroids] = exactlyScaledPair(data, Float64Array.from(result.centroids.data));
    const distance = squaredDistance;
    for (let i = 0; i < c.n; i++) {
      const own = distance(points, i, centroids, result.labels[i], c.d);
      for (let j = 0; j < c.k; j++) {
        const other = distance(points, i, centroids, j, c.d);
        if (other < own) {
          expect.fail(
            `${IMPLEMENTATIONS[r].backend} ${IMPLEMENTATIONS[r].algorithm}: point ${i} has label ${result.labels[i]} at squared distance ${own}, but centroid ${j} is at ${other}; ${describeCase(c)}`,
          );
        }
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('properties of the eight implementations', () => {
  it('agree exactly on labels and iterations for continuous float64 data, at every magnitude', () => {
    fc.assert(
      fc.property(continuous64, (c) => {
        const results = fitAll(c);
        expectExactAgreement(c, results);
        // The labels are the nearest centroids of the returned centroids (sklearn's final assignment).
        expect(predict(pointsOf(c), results[JS_LLOYD].centroids), `predict on ${describeCase(c)}`).toEqual(results[JS_LLOYD].labels);
      }),
      settings(800),
    );
  });

  it('agree exactly on labels and iterations for continuous float32 data, subnormals included', () => {
    fc.assert(
      fc.property(continuous32, (c) => {
        expectExactAgreement(c, fitAll(c));
      }),
      settings(800),
    );
  });

  it('give the same fit at 2^e times the data as at magnitude 1 (float64, exact power-of-two scaling)', () => {
    const exponent = fc.constantFrom(997, 1013, -997, -1040);
    fc.assert(
      fc.property(
        continuous64.filter((c) => c.label === 'float64, 2^0'),
        exponent,
        (c, e) => {
          const scale = (values: Floats): Float64Array => Float64Array.from(values, (x) => x * 2 ** e);
          const scaled: Case = { ...c, data: scale(c.data), init: typeof c.init === 'string' ? c.init : scale(c.init) };
          const base = fitAll(c);
          const results = fitAll(scaled);
          results.forEach((result, i) => {
            const where = `${IMPLEMENTATIONS[i].backend} ${IMPLEMENTATIONS[i].algorithm} at 2^${e} on ${describeCase(c)}`;
            expect(result.labels, where).toEqual(base[i].labels);
            expect(result.iterations, where).toBe(base[i].iterations);
            // Away from the subnormals the centroids scale back to the bit.
            if (e > -1000) expect(Array.from(result.centroids.data), where).toEqual(Array.from(base[i].centroids.data, (x) => x * 2 ** e));
          });
        },
      ),
      settings(250),
    );
  });

  it('agree exactly on labels and iterations with duplicate points (exact ties)', () => {
    fc.assert(
      fc.property(duplicates, (c) => {
        expectExactAgreement(c, fitAll(c));
      }),
      settings(900),
    );
  });

  it('never throw, return NaN or write into their inputs for any finite values, ±MAX_VALUE and subnormals mixed', () => {
    fc.assert(
      fc.property(anyValues, (c) => {
        // No label check: where squared distances are subnormal (a few significant bits), the bounds
        // of Elkan and Hamerly lose their margin and a label may miss the nearest centroid.
        fitAll(c, false);
      }),
      settings(900),
    );
  });

  it('give nearest-centroid labels for rows at 1e+300 mixed with rows at 1', () => {
    fc.assert(
      fc.property(mixedMagnitudes, (c) => {
        expectNearestLabels(c, fitAll(c));
      }),
      settings(450),
    );
  });

  it('k = n puts every distinct point in its own cluster; k = 1 puts all in one', () => {
    const distinct = continuous64.filter((c) => c.label === 'float64, 2^0' && (c.k === c.n || c.k === 1));
    fc.assert(
      fc.property(distinct, (c) => {
        const results = fitAll(c);
        for (const result of results) {
          if (c.k === 1) {
            expect(Array.from(result.labels).every((label) => label === 0)).toBe(true);
          } else if (new Set(Array.from({ length: c.n }, (_, i) => Array.from(c.data.subarray(i * c.d, (i + 1) * c.d)).join())).size === c.n) {
            const positive = c.weights ? c.weights.filter((w) => w > 0).length : c.n;
            if (typeof c.init === 'string' && positive === c.n) {
              expect(new Set(result.labels).size, describeCase(c)).toBe(c.n);
              expect(result.inertia, describeCase(c)).toBe(0);
            }
          }
        }
      }),
      settings(300),
    );
  });

  it('async native fits give the synchronous TypeScript results', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(continuous64, continuous32), async (c) => {
        const points = pointsOf(c);
        const options = optionsOf(c);
        const before = snapshot(points, options);
        for (const algorithm of ALGORITHM_LIST) {
          const [native, js] = await Promise.all([
            kmeans(points, c.k, { ...options, algorithm, backend: 'native' }),
            kmeans(points, c.k, { ...options, algorithm, backend: 'js' }),
          ]);
          const reference = kmeansSync(points, c.k, { ...options, algorithm: 'lloyd', backend: 'js' });
          for (const result of [native, js]) {
            expect(result.labels, describeCase(c)).toEqual(reference.labels);
            expect(result.iterations, describeCase(c)).toBe(reference.iterations);
          }
          expect(native.inertia).toBe(js.inertia);
        }
        expect(snapshot(points, options)).toBe(before);
      }),
      settings(150),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Regressions: the bugs the properties above found, reduced to the smallest inputs.
// ---------------------------------------------------------------------------------------------

describe('regressions found by the properties', () => {
  const BACKENDS = ['native', 'js'] as const;
  const ALGORITHMS = ALGORITHM_LIST;

  it('float64 data beyond 2^512: an inertia of 0 is restored as 0, not NaN', () => {
    for (const backend of BACKENDS) {
      for (const algorithm of ALGORITHMS) {
        const options = { seed: 0, backend, algorithm } as const;
        expect(kmeansSync({ data: Float64Array.of(1e300), shape: [1, 1] }, 1, options).inertia).toBe(0);
        expect(kmeansSync({ data: Float64Array.of(0, 0, 8.371160993642713e298), shape: [3, 1] }, 3, { ...options, init: 'random' }).inertia).toBe(0);
        expect(
          kmeansSync(
            [
              [1e300, 1],
              [1e300, 1],
            ],
            1,
            options,
          ).inertia,
        ).toBe(0);
      }
    }
  });

  it('float64 data beyond 2^512: a finite inertia is restored finite', () => {
    // Centroid -2^512/3; squared distances 2^1024/9, 2^1024/9 and 4 × 2^1024/9: the inertia is 2/3 × 2^1024 ≈ 1.198e308.
    const expected = (4 / 3) * 2 ** 1023;
    for (const backend of BACKENDS) {
      const result = kmeansSync(
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, -(2 ** 512)],
        ],
        1,
        { seed: 0, backend },
      );
      expect(Math.abs(result.inertia - expected) / expected).toBeLessThan(1e-12);
    }
  });

  it('float64 data beyond 2^512: onIteration reports a centre shift of 0 as 0', () => {
    const shifts: number[] = [];
    kmeansSync({ data: new Float64Array(8), shape: [8, 1] }, 3, {
      seed: 0,
      tolerance: 0,
      backend: 'js',
      init: [[0], [1e300], [0]],
      onIteration: ({ centerShift }) => shifts.push(centerShift),
    });
    expect(shifts.some(Number.isNaN), `centre shifts ${shifts.join(', ')}`).toBe(false);
  });

  it("float32 coordinates more than FLT_MAX apart: finite inertia and Lloyd's labels", () => {
    for (const backend of BACKENDS) {
      // Two points, two clusters: each point is its own centre, so the labels are [1, 0] and the inertia 0.
      const pair = { data: Float32Array.of(3.4e38, -3.4e38), shape: [2, 1] } as const;
      for (const algorithm of ALGORITHMS) {
        const result = kmeansSync(pair, 2, { seed: 0, tolerance: 0, backend, algorithm });
        expect({ algorithm, labels: Array.from(result.labels), inertia: result.inertia }).toEqual({ algorithm, labels: [1, 0], inertia: 0 });
      }
      // One cluster: centroid ≈ 1e38, inertia 2 × (2e38)² + (4e38)² ≈ 2.4e77, far inside the double range.
      const three = kmeansSync({ data: Float32Array.of(3e38, -3e38, 3e38), shape: [3, 1] }, 1, { seed: 0, backend });
      const c = three.centroids.data[0];
      const expected = 2 * (Math.fround(3e38) - c) ** 2 + (Math.fround(-3e38) - c) ** 2;
      expect(Math.abs(three.inertia - expected) / expected).toBeLessThan(1e-6);
      // A point of weight 0 at Infinity's distance: 0 × Infinity = NaN, where the inertia is 0.
      const weighted = kmeansSync({ data: Float32Array.of(3.4e38, -3.4e38), shape: [2, 1] }, 1, { seed: 0, backend, weights: [1, 0] });
      expect(weighted.inertia).toBe(0);
    }
  });

  it('float64 values at MAX_VALUE: a weighted mean that rounds past it comes back finite', () => {
    const max = Number.MAX_VALUE;
    for (const backend of BACKENDS) {
      const result = kmeansSync({ data: Float64Array.of(max, max, max), shape: [3, 1] }, 1, { seed: 0, backend, weights: [0.1, 0.1, 1] });
      const [centroid] = result.centroids.data;
      expect(Number.isFinite(centroid), `centroid ${centroid}`).toBe(true);
      expect((max - centroid) / max).toBeLessThan(1e-15);
      expect(Number.isFinite(result.inertia), `inertia ${result.inertia}`).toBe(true);
    }
  });
});
