/**
 * The throughput section's Node.js side: times `predict` (each point's nearest of k centres) on
 * float32 blobs for each d, through the public API on the addon and through the TypeScript
 * backend. Started by throughput.ts with a ThroughputJob as its one argument and OMP_NUM_THREADS
 * set to the thread count (predict takes every thread of the addon's budget); prints one
 * ThroughputOutput as JSON on stdout.
 */
import { predict } from '../lib/index.js';
import { jsBackend } from '../lib/js-backend.js';
import { loadNative } from '../lib/native-loader.js';
import { blobs, generateBlobs, initialCentres } from './datasets.js';
import type { RepetitionPolicy, ThroughputJob, ThroughputOutput, ThroughputTiming } from './protocol.js';

/** Centres of the blobs the points are drawn around; the k centroids are k distinct points. */
const BLOBS = 100;

type Assign = (points: Float32Array, n: number, d: number, centroids: Float32Array, k: number) => void;

const nativeAssign: Assign = (points, n, d, centroids, k) => {
  predict({ data: points, shape: [n, d] }, { data: centroids, shape: [k, d] });
};

const tsAssign: Assign = (points, n, d, centroids, k) => {
  // The backend's own predict, which the public one calls where the addon does not load.
  jsBackend.predict(points, n, d, Float64Array.from(centroids), k);
};

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** Two significant digits: n reads as chosen, not measured. */
function round2(x: number): number {
  const magnitude = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Math.round(x / magnitude) * magnitude;
}

function points(n: number, d: number, k: number): Float32Array {
  return generateBlobs(blobs(n, d, k, BLOBS, 'float32')) as Float32Array;
}

/**
 * n is set from the rate of a pass on a smaller draw, grown tenfold until a pass takes a tenth of
 * the target, so that start-up costs do not pass for the rate. The centroids are rows of the first
 * draw; every larger draw begins with it.
 */
function measureShape(assign: Assign, d: number, k: number, targetMs: number, minN: number, maxN: number, policy: RepetitionPolicy): ThroughputTiming {
  let n = minN;
  let data = points(n, d, k);
  const centroids = initialCentres(data, n, d, k) as Float32Array;
  assign(data, n, d, centroids, k);
  let passMs = timed(() => assign(data, n, d, centroids, k));
  while (passMs < targetMs / 10 && n < maxN) {
    n = Math.min(maxN, n * 10);
    data = points(n, d, k);
    assign(data, n, d, centroids, k);
    passMs = timed(() => assign(data, n, d, centroids, k));
  }
  const chosen = Math.min(maxN, Math.max(minN, round2((n * targetMs) / Math.max(passMs, 1e-3))));
  const run = (): void => assign(data, n, d, centroids, k);
  // The calibration already warmed up the shape it ended on; a new shape gets its own warm-up.
  if (chosen !== n) {
    n = chosen;
    data = points(n, d, k);
    for (let i = 0; i < policy.warmupIterations; i++) run();
  }
  const timesMs: number[] = [];
  let spentMs = 0;
  while (timesMs.length < policy.maxRepetitions && (timesMs.length < policy.minRepetitions || spentMs < policy.budgetMs)) {
    timesMs.push(timed(run));
    spentMs += timesMs[timesMs.length - 1];
  }
  return { d, n, k, timesMs };
}

function main(job: ThroughputJob): ThroughputOutput {
  const { k, targetMs, minN, maxValues, repetitions } = job;
  const loaded = loadNative();
  // Without the addon the public predict would fall back to TypeScript and be timed as native.
  const native = loaded.binding ? job.dims.map((d) => measureShape(nativeAssign, d, k, targetMs, minN, Math.floor(maxValues / d), repetitions)) : [];
  const ts = job.tsDims.map((d) => measureShape(tsAssign, d, k, job.tsTargetMs, k, Math.floor(maxValues / d), repetitions));
  const usage = process.resourceUsage();
  return {
    native,
    nativeError: loaded.error?.message ?? null,
    nativeThreads: loaded.binding?.maxThreads ?? 0,
    ts,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
  };
}

try {
  process.stdout.write(`${JSON.stringify(main(JSON.parse(process.argv[2]) as ThroughputJob))}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
