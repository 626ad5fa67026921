// The stress harness (scripts/stress.sh runs it against an AddressSanitizer and
// UndefinedBehaviorSanitizer build of the addon): for the given number of seconds, drives the
// public API with random shapes, element types and options, aborts, throwing callbacks, buffer
// transfers and resizes, Workers that exit or are terminated mid-fit, and bad arguments. Every
// call must be right (the TypeScript reference's result, bit for bit), or refused with a
// TypeError, RangeError or AbortError; a sanitizer report or a crash ends the process.
//   node test/stress/run.cjs [seconds] [seed]
require('tsx/cjs');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { Random, randomProblem, onBuffer, reference, difference, describe, pick } = require('./cases.cjs');
const { kmeans, kmeansSync, predict } = require('../../lib/index.ts');
const { jsBackend } = require('../../lib/js-backend.ts');

const seconds = Number(process.argv[2] ?? 600);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 32);
const rng = new Random(seed);
const counts = { right: 0, refused: 0, aborted: 0, workersTerminated: 0 };
const mismatches = [];

function fail(what, problem) {
  mismatches.push(problem ? `${what}: ${describe(problem)}` : what);
}

function expectRight(result, problem, expected, what) {
  const wrong = difference(result, expected, problem);
  if (wrong) fail(`${what}: ${wrong}`, problem);
  else counts.right++;
}

const isRefusal = (error) => error instanceof TypeError || error instanceof RangeError;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const calls = {
  // A plain fit, synchronous or not, on any kind of buffer.
  async fit() {
    const problem = randomProblem(rng);
    const expected = reference(problem);
    const points = onBuffer(problem.points, pick(rng, ['plain', 'resizable', 'shared']));
    const options = { ...problem.options, backend: 'native' };
    const result = rng.nextIndex(2) === 0 ? kmeansSync(points, problem.k, options) : await kmeans(points, problem.k, options);
    expectRight(result, problem, expected, 'fit');
    const centroids = { data: result.centroids.data, shape: result.centroids.shape };
    const labels = predict(points, centroids);
    const jsLabels = jsBackend.predict(points.data, points.shape[0], points.shape[1], Float64Array.from(centroids.data), problem.k);
    if (!labels.every((label, i) => label === jsLabels[i])) fail('predict differs from the TypeScript backend', problem);
    else counts.right++;
  },

  // An abort from a timer or from onIteration: the right result, or an AbortError.
  async abort() {
    const problem = randomProblem(rng);
    const expected = reference(problem);
    const controller = new AbortController();
    const atIteration = 1 + rng.nextIndex(5);
    const timer = setTimeout(() => controller.abort(), rng.nextIndex(20));
    let afterAbort = 0;
    const options = {
      ...problem.options,
      backend: 'native',
      signal: controller.signal,
      onIteration: ({ iteration }) => {
        if (controller.signal.aborted) afterAbort++;
        if (iteration === atIteration) controller.abort();
      },
    };
    try {
      expectRight(await kmeans(problem.points, problem.k, options), problem, expected, 'abort');
    } catch (error) {
      if (error.name === 'AbortError') counts.aborted++;
      else fail(`abort: ${error}`, problem);
    } finally {
      clearTimeout(timer);
    }
    if (afterAbort > 0) fail(`onIteration called ${afterAbort} times after the abort`, problem);
  },

  // onIteration throws something at some iteration: the fit rejects with exactly that.
  async throwingCallback() {
    const problem = randomProblem(rng);
    const expected = reference(problem);
    const thrown = pick(rng, [new Error('thrown'), 'a string', 7, undefined, null, { an: 'object' }]);
    const at = 1 + rng.nextIndex(4);
    let threw = false;
    const options = {
      ...problem.options,
      backend: 'native',
      onIteration: ({ iteration }) => {
        if (iteration === at) {
          threw = true;
          throw thrown;
        }
      },
    };
    const sync = rng.nextIndex(2) === 0;
    try {
      const result = sync ? kmeansSync(problem.points, problem.k, options) : await kmeans(problem.points, problem.k, options);
      if (threw) fail('the fit resolved although onIteration threw', problem);
      else expectRight(result, problem, expected, 'throwing callback');
    } catch (error) {
      if (threw && error === thrown) counts.refused++;
      else fail(`throwing callback: rejected with ${String(error)}`, problem);
    }
  },

  // The caller transfers or shrinks the points' buffer while kmeans() runs: no effect on the fit.
  async transfer() {
    const problem = randomProblem(rng);
    const expected = reference(problem);
    const kind = pick(rng, ['clone', 'resize', 'worker']);
    const points = onBuffer(problem.points, kind === 'resize' ? 'resizable' : 'plain');
    const fit = kmeans(points, problem.k, { ...problem.options, backend: 'native' });
    const buffer = points.data.buffer;
    await sleep(rng.nextIndex(5));
    if (kind === 'clone') structuredClone(buffer, { transfer: [buffer] });
    if (kind === 'resize') buffer.resize(0);
    if (kind === 'worker') {
      const worker = new Worker('require("node:worker_threads").parentPort.once("message", () => process.exit(0))', { eval: true });
      worker.postMessage(buffer, [buffer]);
      await new Promise((resolve) => worker.once('exit', resolve));
    }
    expectRight(await fit, problem, expected, `transfer (${kind})`);
  },

  // onIteration of kmeansSync detaches or shrinks the points: a TypeError.
  async syncDetach() {
    const problem = randomProblem(rng);
    const kind = pick(rng, ['clone', 'resize']);
    const points = onBuffer(problem.points, kind === 'resize' ? 'resizable' : 'plain');
    try {
      kmeansSync(points, problem.k, {
        ...problem.options,
        backend: 'native',
        onIteration: () => {
          const buffer = points.data.buffer;
          if (kind === 'clone') structuredClone(buffer, { transfer: [buffer] });
          else buffer.resize(0);
        },
      });
      fail('kmeansSync returned although onIteration detached the points', problem);
    } catch (error) {
      if (error instanceof TypeError && /detached or resized/.test(error.message)) counts.refused++;
      else fail(`sync detach: ${error}`, problem);
    }
  },

  // Bad arguments: a TypeError or RangeError, never a result or a crash.
  async badInput() {
    const problem = randomProblem(rng);
    const { points, k, options } = problem;
    const [n, d] = points.shape;
    const broken = pick(rng, [
      () => [points, n + 1, options],
      () => [points, 0, options],
      () => [{ data: points.data, shape: [n + 1, d] }, k, options],
      () => [points, k, { ...options, threads: 0 }],
      () => [points, k, { ...options, weights: new Float64Array(n).fill(-1) }],
      () => [points, k, { ...options, weights: new Float64Array(n) }],
      () => [points, k, { ...options, init: { data: new Float64Array(k * d + 1), shape: [k, d + 1] } }],
      () => [points, k, { ...options, maxIter: 3 }],
      () => [points, k, { ...options, tolerance: Number.NaN }],
      () => {
        const data = points.data.slice();
        data[rng.nextIndex(data.length)] = pick(rng, [Number.NaN, Infinity, -Infinity]);
        return [{ data, shape: points.shape }, k, options];
      },
    ])();
    try {
      if (rng.nextIndex(2) === 0) kmeansSync(broken[0], broken[1], { ...broken[2], backend: 'native' });
      else await kmeans(broken[0], broken[1], { ...broken[2], backend: 'native' });
      fail('a bad argument was accepted', problem);
    } catch (error) {
      if (isRefusal(error)) counts.refused++;
      else fail(`bad input: ${error}`, problem);
    }
  },

  // Several fits at once, sharing the thread budget.
  async concurrent() {
    const problems = Array.from({ length: 2 + rng.nextIndex(5) }, () => randomProblem(rng));
    const results = await Promise.all(problems.map((p) => kmeans(p.points, p.k, { ...p.options, backend: 'native' })));
    results.forEach((result, i) => expectRight(result, problems[i], reference(problems[i]), 'concurrent'));
  },

  // A Worker fits and checks random problems, and is terminated at a random moment or finishes.
  async worker() {
    const worker = new Worker(path.join(__dirname, 'worker.cjs'), { workerData: { seed: rng.nextUint32(), fits: 1 + rng.nextIndex(4) } });
    worker.on('message', (message) => {
      if (message.mismatch) fail(message.mismatch);
      else counts.right += message.right;
    });
    const exited = new Promise((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    });
    if (rng.nextIndex(2) === 0) {
      await sleep(rng.nextIndex(200));
      await worker.terminate();
      counts.workersTerminated++;
    }
    await exited;
  },
};

async function main() {
  const names = Object.keys(calls);
  const end = Date.now() + seconds * 1000;
  let lastProgress = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgress > 120_000) {
      console.error(`stress: no call finished for 2 minutes (seed ${seed}); a hang`);
      process.exit(1);
    }
  }, 5000);
  let started = 0;
  while (Date.now() < end) {
    const name = pick(rng, names);
    started++;
    try {
      await calls[name]();
    } catch (error) {
      fail(`${name}: unexpected ${(error && error.stack) || error}`);
    }
    lastProgress = Date.now();
    if (mismatches.length >= 5) break;
  }
  clearInterval(watchdog);
  const total = counts.right + counts.refused + counts.aborted;
  console.log(
    `stress: ${seconds} s, seed ${seed}: ${started} scenarios, ${total} calls checked: ` +
      `${counts.right} right, ${counts.refused} refused (TypeError, RangeError or the callback's throw), ${counts.aborted} aborted; ` +
      `${counts.workersTerminated} Workers terminated mid-work; ${mismatches.length} wrong`,
  );
  for (const mismatch of mismatches) console.error(`stress: WRONG: ${mismatch}`);
  process.exitCode = mismatches.length === 0 ? 0 : 1;
}

main();
