import { describe, expect, it } from 'vitest';
import { kmeans, kmeansSync, predict } from '../lib/index.js';
import { normalizeFit } from '../lib/validate.js';

const POINTS = [
  [0, 0],
  [1, 1],
  [2, 2],
  [3, 3],
];

type Case = [label: string, points: unknown, k: unknown, options: unknown, error: typeof TypeError | typeof RangeError, message: RegExp];

const CASES: Case[] = [
  // points
  ['points is not an array', 'abc', 2, undefined, TypeError, /points must be an array of rows/],
  ['points is null', null, 2, undefined, TypeError, /points must be/],
  ['points is a flat typed array', new Float64Array(4), 2, undefined, TypeError, /needs its shape/],
  ['points is empty', [], 1, undefined, RangeError, /points must contain at least one row/],
  ['a row is empty', [[]], 1, undefined, RangeError, /points\[0\] is empty/],
  ['a row is not an array', [[1, 2], 'x'], 1, undefined, TypeError, /points\[1\] must be an array/],
  ['rows are ragged', [[1, 2], [3]], 1, undefined, RangeError, /points\[1\] has 1 columns but points\[0\] has 2/],
  [
    'a value is a string',
    [
      [1, 2],
      [3, '4'],
    ],
    1,
    undefined,
    TypeError,
    /points\[1\]\[1\] is the string "4"/,
  ],
  [
    'a value is NaN',
    [
      [1, 2],
      [3, NaN],
    ],
    1,
    undefined,
    RangeError,
    /points row 1 column 1 is NaN/,
  ],
  ['a value is Infinity', [[1, Infinity]], 1, undefined, RangeError, /points row 0 column 1 is Infinity/],
  [
    'matrix data is neither a float array nor numbers',
    { data: 'x', shape: [1, 2] },
    1,
    undefined,
    TypeError,
    /points\.data must be a Float32Array, a Float64Array or an array of numbers/,
  ],
  ['matrix data is an Int32Array', { data: new Int32Array(2), shape: [1, 2] }, 1, undefined, TypeError, /points\.data must be a Float32Array/],
  ['matrix shape is missing', { data: new Float64Array(4) }, 1, undefined, TypeError, /points\.shape must be a two-element array/],
  ['matrix shape has a fraction', { data: new Float64Array(4), shape: [2.5, 2] }, 1, undefined, RangeError, /points\.shape n must be a positive integer/],
  [
    'matrix shape does not match the data',
    { data: new Float64Array(5), shape: [2, 2] },
    1,
    undefined,
    RangeError,
    /points\.data has 5 elements but shape \[2, 2\] needs 4/,
  ],
  ['matrix data holds NaN', { data: Float32Array.of(1, NaN), shape: [1, 2] }, 1, undefined, RangeError, /points row 0 column 1 is NaN/],
  // k
  ['k is a string', POINTS, '2', undefined, TypeError, /k must be a number/],
  ['k is missing', POINTS, undefined, undefined, TypeError, /k must be a number/],
  ['k is zero', POINTS, 0, undefined, RangeError, /k must be an integer from 1 to 4/],
  ['k exceeds n', POINTS, 5, undefined, RangeError, /k must be an integer from 1 to 4, not 5/],
  ['k has a fraction', POINTS, 1.5, undefined, RangeError, /k must be an integer/],
  ['k is NaN', POINTS, NaN, undefined, RangeError, /k must be an integer/],
  // options
  ['options is not an object', POINTS, 2, 'fast', TypeError, /options must be an object/],
  ['an option is misspelt', POINTS, 2, { maxIter: 10 }, TypeError, /options\.maxIter is not an option; did you mean options\.maxIterations\?/],
  ['init is an unknown method', POINTS, 2, { init: 'kmeans++' }, RangeError, /options\.init must be one of 'auto', 'k-means\+\+', 'k-means\|\|', 'random'/],
  ['init is a number', POINTS, 2, { init: 3 }, TypeError, /options\.init must be an array of rows/],
  ['init has the wrong number of centres', POINTS, 2, { init: [[0, 0]] }, RangeError, /options\.init has 1 centres but k is 2/],
  ['init has the wrong width', POINTS, 2, { init: [[0], [1]] }, RangeError, /options\.init rows have 1 columns but the points have 2/],
  [
    'init holds NaN',
    POINTS,
    2,
    {
      init: [
        [0, 0],
        [NaN, 1],
      ],
    },
    RangeError,
    /options\.init row 1 column 0 is NaN/,
  ],
  [
    'init is beyond float32 for float32 points',
    { data: new Float32Array(8), shape: [4, 2] },
    2,
    {
      init: [
        [0, 0],
        [1, -1e39],
      ],
    },
    RangeError,
    /options\.init row 1 column 1 is -1e\+39, beyond the range of float32 \(largest 3\.4028234663852886e\+38\).*pass the points as float64.*or centres within float32's range/,
  ],
  ['nInit is zero', POINTS, 2, { nInit: 0 }, RangeError, /options\.nInit must be an integer from 1/],
  ['nInit is a string', POINTS, 2, { nInit: 'many' }, TypeError, /options\.nInit must be a number/],
  [
    'nInit > 1 with explicit centres',
    POINTS,
    2,
    {
      nInit: 3,
      init: [
        [0, 0],
        [1, 1],
      ],
    },
    RangeError,
    /options\.nInit must be 1 or 'auto' when options\.init gives explicit centres/,
  ],
  ['maxIterations is zero', POINTS, 2, { maxIterations: 0 }, RangeError, /options\.maxIterations must be an integer from 1/],
  ['maxIterations is Infinity', POINTS, 2, { maxIterations: Infinity }, RangeError, /options\.maxIterations must be an integer/],
  ['tolerance is negative', POINTS, 2, { tolerance: -1 }, RangeError, /options\.tolerance must be a finite number ≥ 0/],
  ['tolerance is NaN', POINTS, 2, { tolerance: NaN }, RangeError, /options\.tolerance must be a finite number/],
  ['tolerance is a string', POINTS, 2, { tolerance: '1e-4' }, TypeError, /options\.tolerance must be a number/],
  ['seed is negative', POINTS, 2, { seed: -1 }, RangeError, /options\.seed must be an integer from 0 to 4294967295/],
  ['seed is too large', POINTS, 2, { seed: 2 ** 32 }, RangeError, /options\.seed must be an integer/],
  ['seed has a fraction', POINTS, 2, { seed: 0.5 }, RangeError, /options\.seed must be an integer/],
  ['seed is a bigint', POINTS, 2, { seed: 1n }, TypeError, /options\.seed must be a number/],
  ['algorithm is unknown', POINTS, 2, { algorithm: 'yinyang' }, RangeError, /options\.algorithm must be one of 'auto', 'elkan', 'hamerly', 'lloyd'/],
  ['backend is unknown', POINTS, 2, { backend: 'gpu' }, RangeError, /options\.backend must be one of 'auto', 'native', 'js'/],
  ['threads is zero', POINTS, 2, { threads: 0 }, RangeError, /options\.threads must be an integer from 1/],
  ['threads has a fraction', POINTS, 2, { threads: 1.5 }, RangeError, /options\.threads must be an integer/],
  ['weights is a number', POINTS, 2, { weights: 1 }, TypeError, /options\.weights must be an array or typed array/],
  ['weights has the wrong length', POINTS, 2, { weights: [1, 1] }, RangeError, /options\.weights has 2 entries but there are 4 points/],
  ['a weight is negative', POINTS, 2, { weights: [1, -1, 1, 1] }, RangeError, /options\.weights\[1\] is -1; weights must be finite and non-negative/],
  ['a weight is NaN', POINTS, 2, { weights: [1, 1, NaN, 1] }, RangeError, /options\.weights\[2\] is NaN/],
  ['a weight is Infinity', POINTS, 2, { weights: [1, 1, 1, Infinity] }, RangeError, /options\.weights\[3\] is Infinity/],
  ['a weight is a string', POINTS, 2, { weights: [1, '1', 1, 1] }, TypeError, /options\.weights\[1\] is the string "1"/],
  ['all weights are zero', POINTS, 2, { weights: [0, 0, 0, 0] }, RangeError, /options\.weights are all zero/],
  ['signal is not an AbortSignal', POINTS, 2, { signal: {} }, TypeError, /options\.signal must be an AbortSignal/],
  ['onIteration is not a function', POINTS, 2, { onIteration: true }, TypeError, /options\.onIteration must be a function/],
];

describe('invalid arguments', () => {
  it.each(CASES)('kmeansSync throws when %s', (_label, points, k, options, error, message) => {
    const call = (): unknown => kmeansSync(points as never, k as never, options as never);
    expect(call).toThrow(error);
    expect(call).toThrow(message);
  });

  it.each(CASES)('kmeans rejects when %s', async (_label, points, k, options, error, message) => {
    const promise = kmeans(points as never, k as never, options as never);
    await expect(promise).rejects.toThrow(error);
    await expect(kmeans(points as never, k as never, options as never)).rejects.toThrow(message);
  });

  it('predict checks its points and centroids', () => {
    expect(() => predict([[1, 2]], [[1, 2, 3]])).toThrow(RangeError);
    expect(() => predict([[1, 2]], [[1, 2, 3]])).toThrow(/centroids have 3 columns but the points have 2/);
    expect(() => predict([[1, 2]], [])).toThrow(/centroids must contain at least one row/);
    expect(() => predict('x' as never, [[1, 2]])).toThrow(TypeError);
    expect(() => predict([[NaN, 2]], [[1, 2]])).toThrow(/points row 0 column 0 is NaN/);
  });

  it('refuses float64 centres that float32 points cannot hold, on either backend, and takes those it can', () => {
    const points = { data: Float32Array.of(0, 1, 2, 3), shape: [4, 1] as [number, number] };
    for (const backend of ['js', 'native'] as const) {
      for (const beyond of [3.5e38, -Number.MAX_VALUE]) {
        expect(() => kmeansSync(points, 2, { init: [[0], [beyond]], backend })).toThrow(/options\.init row 1 column 0 is .*beyond the range of float32/);
      }
      // FLT_MAX itself, and C's literal for it (3.40282347e38, which rounds to it), are in range.
      for (const edge of [3.4028234663852886e38, 3.40282347e38]) {
        const result = kmeansSync(points, 2, { init: [[0], [-edge]], backend, maxIterations: 1 });
        expect(Array.from(result.centroids.data).every(Number.isFinite)).toBe(true);
      }
      // Float64 points take any finite centre.
      expect(kmeansSync([[0], [1], [2], [3]], 2, { init: [[0], [1e39]], backend }).inertia).toBe(2);
    }
  });

  it('never modifies its inputs', () => {
    const data = Float64Array.from([0, 0, 1, 1, 5, 5, 6, 6]);
    const copy = data.slice();
    const init = [
      [0, 0],
      [6, 6],
    ];
    const weights = [1, 2, 3, 4];
    for (const backend of ['js', 'native'] as const) {
      kmeansSync({ data, shape: [4, 2] }, 2, { init, weights, backend });
    }
    expect(data).toEqual(copy);
    expect(init).toEqual([
      [0, 0],
      [6, 6],
    ]);
    expect(weights).toEqual([1, 2, 3, 4]);
  });
});

describe('zero copy', () => {
  it('hands typed-array matrices to the backend as they are, without a copy', () => {
    for (const data of [new Float32Array(12), new Float64Array(12)]) {
      data.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(normalizeFit({ data, shape: [4, 3] }, 2, {}).request.data).toBe(data);
    }
  });
});
