/**
 * The Node.js implementations behind one interface, each called through its documented API. Every
 * conversion an implementation needs (typed arrays to number[][], fresh copies of what it mutates)
 * happens in `prepare`, outside the timed `fit`.
 */
import { type Algorithm, type KMeansResult, type Matrix, type Metric, kmeans, kmeansSync } from '../lib/index.js';
import type { ImplementationId } from './implementations.js';
import type { StopRule } from './protocol.js';

export interface FitOutcome {
  iterations: number;
  converged: boolean;
  reportedInertia: number | null;
  centroids: number[];
  algorithm?: string;
}

export interface Runner {
  /** Untimed: sets up the next fit; null: with the library's own stopping rule. */
  prepare(stop: StopRule | null): void;
  /** Timed: the library call alone. */
  fit(): void | Promise<void>;
  /** Untimed: what the last fit produced. */
  outcome(): FitOutcome;
}

export interface RunnerInput {
  points: Matrix;
  init: Matrix;
  k: number;
  threads: number;
  /** For the runners that seed themselves. */
  seed: number;
}

function toRows({ data, shape: [n, d] }: Matrix): number[][] {
  const rows = new Array<number[]>(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(data.subarray(i * d, (i + 1) * d));
  return rows;
}

function expectStop(stop: StopRule | null, library: string): StopRule {
  if (!stop) throw new Error(`${library} only runs from given centres with a given stopping rule.`);
  return stop;
}

function expectExactStop(stop: StopRule | null, library: string): StopRule {
  // Their stopping rules match ours only at tolerance 0; plan.ts never asks for anything else.
  const rule = expectStop(stop, library);
  if (rule.tolerance !== 0) throw new Error(`${library} only runs in rows with tolerance 0, not ${rule.tolerance}.`);
  return rule;
}

function outcomeOf({ iterations, converged, inertia, centroids, algorithm }: KMeansResult): FitOutcome {
  return { iterations, converged, reportedInertia: inertia, centroids: Array.from(centroids.data), algorithm };
}

function ours(input: RunnerInput, backend: 'native' | 'js', algorithm: Algorithm | 'auto', metric: Metric = 'euclidean'): Runner {
  const { points, init, k, threads } = input;
  let stop: StopRule | undefined;
  let result: KMeansResult | undefined;
  return {
    prepare(rule) {
      stop = expectStop(rule, 'elkan-kmeans from given centres');
    },
    fit() {
      result = kmeansSync(points, k, {
        init,
        backend,
        algorithm,
        metric,
        threads,
        maxIterations: stop!.maxIterations,
        tolerance: stop!.tolerance,
      });
    },
    outcome() {
      return outcomeOf(result!);
    },
  };
}

/**
 * `kmeans(points, k, { seed })` as a user calls it, seeding included: the async call (it copies
 * the points off the event loop's hands), every option but the seed and the thread count at its
 * default. A stopping rule only comes for the warm-up, which seeds at random: it is there to start
 * threads and page memory in, and k-means++ can take longer than the fit's iterations.
 */
function oursDefaults({ points, k, threads, seed }: RunnerInput): Runner {
  let warmUp: StopRule | null = null;
  let result: KMeansResult | undefined;
  return {
    prepare(rule) {
      warmUp = rule;
    },
    async fit() {
      result = await kmeans(points, k, warmUp ? { seed, threads, init: 'random', nInit: 1, ...warmUp } : { seed, threads });
    },
    outcome() {
      return outcomeOf(result!);
    },
  };
}

async function mlKmeans({ points, init, k }: RunnerInput): Promise<Runner> {
  const { kmeans } = await import('ml-kmeans');
  const rows = toRows(points);
  let run: (() => ReturnType<typeof kmeans>) | undefined;
  let result: ReturnType<typeof kmeans> | undefined;
  return {
    prepare(rule) {
      const stop = expectExactStop(rule, 'ml-kmeans');
      const initialization = toRows(init);
      // ml-kmeans stops when no centre moved more than `tolerance` (squared distance): at 0, when none moved.
      run = () => kmeans(rows, k, { initialization, maxIterations: stop.maxIterations, tolerance: 0 });
    },
    fit() {
      result = run!();
    },
    outcome() {
      const { iterations, converged, centroids } = result!;
      return { iterations, converged, reportedInertia: null, centroids: centroids.flat() };
    },
  };
}

async function skmeansRunner({ points, init, k }: RunnerInput): Promise<Runner> {
  const skmeans = (await import('skmeans')).default;
  const rows = toRows(points);
  let maxIterations = 0;
  let initial: number[][] = [];
  let result: ReturnType<typeof skmeans> | undefined;
  return {
    prepare(rule) {
      maxIterations = expectExactStop(rule, 'skmeans').maxIterations;
      // skmeans writes its centres into the array it is given, so each fit gets a fresh copy.
      initial = toRows(init);
    },
    fit() {
      result = skmeans(rows, k, initial, maxIterations);
    },
    outcome() {
      // skmeans stops when no centre moved; its `it` counts the iterations before that last one,
      // or equals the cap when the cap stopped it.
      const converged = result!.it < maxIterations;
      return {
        iterations: converged ? result!.it + 1 : maxIterations,
        converged,
        reportedInertia: null,
        centroids: result!.centroids.flat(),
      };
    },
  };
}

export async function createRunner(implementation: ImplementationId, input: RunnerInput): Promise<Runner> {
  switch (implementation) {
    case 'native-elkan':
      return ours(input, 'native', 'elkan');
    case 'native-hamerly':
      return ours(input, 'native', 'hamerly');
    case 'native-yinyang':
      return ours(input, 'native', 'yinyang');
    case 'native-lloyd':
      return ours(input, 'native', 'lloyd');
    case 'native-auto':
      return ours(input, 'native', 'auto');
    case 'native-auto-cosine':
      return ours(input, 'native', 'auto', 'cosine');
    case 'ours-default':
      return oursDefaults(input);
    case 'ts-elkan':
      return ours(input, 'js', 'elkan');
    case 'ts-lloyd':
      return ours(input, 'js', 'lloyd');
    case 'ml-kmeans':
      return mlKmeans(input);
    case 'skmeans':
      return skmeansRunner(input);
    default:
      throw new Error(`${implementation} does not run in Node.js.`);
  }
}
