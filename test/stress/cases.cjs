// Random calls of the public API for the stress harness (test/stress/run.cjs): problems of every
// shape, element type and option, and the check that a native result is the TypeScript
// reference's, bit for bit.
require('tsx/cjs');
const { Random } = require('../../lib/core/random.ts');
const { gaussianBlobs, tiedData } = require('../helpers.ts');
const { kmeansSync } = require('../../lib/index.ts');

const pick = (rng, values) => values[rng.nextIndex(values.length)];

/** A random problem: points, k and options, always valid. */
function randomProblem(rng) {
  let points;
  let k;
  let init;
  const kind = rng.nextIndex(6);
  if (kind === 0) {
    ({ points, k, init } = tiedData(rng.nextUint32()));
  } else if (kind === 1) {
    // Many centres in enough dimensions for the distance filter: Yinyang forms several groups.
    k = 80 + rng.nextIndex(220);
    const n = k + rng.nextIndex(3000);
    const d = 8 + rng.nextIndex(24);
    points = gaussianBlobs(rng.nextUint32(), n, d, 1 + rng.nextIndex(k + 3), 10 ** (rng.nextIndex(4) - 2), pick(rng, [Float32Array, Float64Array]));
    init = { data: points.data.slice(0, k * d), shape: [k, d] };
  } else {
    const n = 1 + rng.nextIndex(rng.nextIndex(4) === 0 ? 20_000 : 2000);
    const d = 1 + rng.nextIndex(24);
    k = 1 + rng.nextIndex(Math.min(n, 40));
    points = gaussianBlobs(rng.nextUint32(), n, d, 1 + rng.nextIndex(k + 3), 10 ** (rng.nextIndex(4) - 2), pick(rng, [Float32Array, Float64Array]));
    init = { data: points.data.slice(0, k * d), shape: [k, d] };
  }
  const [n] = points.shape;
  const options = {
    seed: rng.nextUint32(),
    algorithm: pick(rng, ['auto', 'elkan', 'hamerly', 'yinyang', 'lloyd']),
    maxIterations: 1 + rng.nextIndex(60),
    tolerance: pick(rng, [0, 1e-4, 1e-2]),
    threads: 1 + rng.nextIndex(4),
  };
  const initChoice = rng.nextIndex(3);
  if (initChoice === 1) options.init = 'random';
  if (initChoice === 2) options.init = init;
  else options.nInit = 1 + rng.nextIndex(3);
  if (rng.nextIndex(3) === 0) {
    const weights = Float64Array.from({ length: n }, () => (rng.nextIndex(5) === 0 ? 0 : rng.nextDouble() * 3));
    weights[rng.nextIndex(n)] = 1;
    options.weights = weights;
  }
  return { points, k, options };
}

/** The points on a buffer of the given kind: 'plain', 'resizable' or 'shared'. */
function onBuffer(points, kind) {
  const { data, shape } = points;
  const Type = data.constructor;
  const buffer =
    kind === 'shared'
      ? new SharedArrayBuffer(data.byteLength)
      : kind === 'resizable'
        ? new ArrayBuffer(data.byteLength, { maxByteLength: data.byteLength * 2 })
        : new ArrayBuffer(data.byteLength);
  const copy = new Type(buffer, 0, data.length);
  copy.set(data);
  return { data: copy, shape };
}

function reference(problem) {
  return kmeansSync(problem.points, problem.k, { ...problem.options, backend: 'js', signal: undefined, onIteration: undefined });
}

/**
 * Why `result` is not `expected`, or null when it is the same bit for bit. Under `algorithm:
 * 'auto'` each backend picks where it runs fastest (native and TypeScript differ), and every
 * exact algorithm gives the same bits, so then only the kind of algorithm is checked.
 */
function difference(result, expected, problem) {
  const requested = problem.options.algorithm ?? 'auto';
  for (const field of ['inertia', 'iterations', 'converged', 'seed', ...(requested === 'auto' ? [] : ['algorithm'])]) {
    if (!Object.is(result[field], expected[field])) return `${field} ${result[field]} instead of ${expected[field]}`;
  }
  if (requested === 'auto' && result.algorithm !== 'elkan' && result.algorithm !== 'hamerly') return `'auto' ran ${result.algorithm}`;
  const same = (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  if (!same(result.labels, expected.labels)) return 'labels differ';
  if (result.centroids.data.constructor !== expected.centroids.data.constructor || !same(result.centroids.data, expected.centroids.data)) {
    return 'centroids differ';
  }
  return null;
}

function describe(problem) {
  const { points, k, options } = problem;
  const shown = { ...options, init: typeof options.init === 'object' ? 'explicit' : options.init, weights: options.weights ? 'given' : undefined };
  return `${points.data.constructor.name} ${points.shape.join('×')}, k ${k}, ${JSON.stringify(shown)}`;
}

module.exports = { Random, randomProblem, onBuffer, reference, difference, describe, pick };
