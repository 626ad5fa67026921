/**
 * What a run measures: the default plan (under 10 minutes on 2 cores), the quick one (under a
 * minute, for the test) and the rows added by --data. Sizes, caps and repetition budgets live here
 * and nowhere else.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type DatasetSpec, blobs, folderShape } from './datasets.js';
import { IMPLEMENTATIONS, type ImplementationId, type Variant, variant } from './implementations.js';
import type { RepetitionPolicy, StopRule } from './protocol.js';

/** One table row group: every variant on the same data, same initial centres, same stopping rule. */
export interface ComparisonRow {
  dataset: DatasetSpec;
  stop: StopRule;
  variants: Variant[];
}

export interface ThreadScalingPlan {
  dataset: DatasetSpec;
  stop: StopRule;
  implementations: ImplementationId[];
  threads: number[];
}

export type GrowthAxis = 'n' | 'k' | 'd';

export interface GrowthPlan {
  /** Every axis varies from this point; the data always holds `base.k` blobs, so k varies on the same data. */
  base: { n: number; k: number; d: number };
  axes: Record<GrowthAxis, number[]>;
  /** A fixed iteration count (tolerance 0 can only end it earlier), so time per iteration compares across sizes. */
  stop: StopRule;
  variants: Variant[];
  /** TS runs predicted slower than this per iteration are skipped (and reported as skipped). */
  tsLimitMsPerIteration: number;
}

/** The per-distance throughput of `predict` against numpy's matrix product (bench/throughput.ts). */
export interface ThroughputPlan {
  k: number;
  dims: number[];
  /** n is chosen per d so that one pass takes about this long. */
  targetMs: number;
  /** The TypeScript backend, on one thread, is timed on these dims only: it is some 50 times slower. */
  tsDims: number[];
  tsTargetMs: number;
  /** The most n × d values per shape: 200 MB of float32. */
  maxValues: number;
  /** Rows of numpy's product per block. */
  blockRows: number;
  /** `warmupIterations` counts untimed passes. */
  repetitions: RepetitionPolicy;
}

/** Every library with its own defaults, seeding included (bench/run.ts, runEndToEnd). */
export interface EndToEndPlan {
  datasets: DatasetSpec[];
  /** The one seed every library is given. */
  seed: number;
  implementations: ImplementationId[];
  repetitions: RepetitionPolicy;
}

/**
 * The rows for the distance filter: long fits where nearly every point-centre distance is
 * computed, ours against scikit-learn's Lloyd from the same centres (bench/run.ts, runDistance).
 */
export interface DistancePlan {
  rows: ComparisonRow[];
  repetitions: RepetitionPolicy;
}

/**
 * Cosine k-means against the Euclidean fit of the same points from the same centres (bench/run.ts,
 * runCosine): what normalising the centres at every update costs the accelerated fit.
 */
export interface CosinePlan {
  rows: ComparisonRow[];
  repetitions: RepetitionPolicy;
}

export interface Plan {
  comparison: ComparisonRow[];
  threadScaling: ThreadScalingPlan;
  growth: GrowthPlan;
  throughput: ThroughputPlan;
  endToEnd: EndToEndPlan;
  distance: DistancePlan;
  cosine: CosinePlan;
  /** For comparison and thread-scaling runs. */
  repetitions: RepetitionPolicy;
  growthRepetitions: RepetitionPolicy;
}

export interface FolderDataset {
  dir: string;
  k: number;
}

/** The folders of ../shared/data the committed report uses, with their usual k. */
export const REPORT_DATASETS: ReadonlyArray<{ name: string; k: number }> = [
  { name: 'franti_birch1', k: 100 },
  { name: 'letter', k: 26 },
  { name: 'bigann10k_sift', k: 100 },
  { name: 'skin_nonskin', k: 64 },
  { name: 'image_kodim23', k: 64 },
];

const TO_CONVERGENCE: StopRule = { tolerance: 1e-4, maxIterations: 300 };

/** Every implementation at its place in the tables; external JS libraries only where tolerance is 0. */
function allVariants(stop: StopRule, threads: number, include: (id: ImplementationId) => boolean = () => true): Variant[] {
  // Elkan, the mission's algorithm (what 'auto' takes from 16 dimensions and 32 centres), and Hamerly.
  const list: Variant[] = [variant('native-elkan', 1)];
  if (threads > 1) list.push(variant('native-elkan', threads));
  list.push(variant('native-hamerly', threads));
  list.push(variant('ts-elkan'), variant('ts-lloyd'), variant('ml-kmeans'), variant('skmeans'));
  list.push(variant('sklearn-elkan', threads), variant('sklearn-lloyd', threads));
  return list.filter((v) => include(v.implementation) && (stop.tolerance === 0 || IMPLEMENTATIONS[v.implementation].sharesTolerance));
}

/**
 * The iteration cap of a row the pure-JS libraries run in: about 2·10⁹ point-centre-dimension
 * terms (a few seconds of the slowest one, skmeans, per run), rounded down to 1, 2 or 5 × 10^m and
 * kept within [10, 300]. Tolerance 0: runs end at exact convergence or at the cap.
 */
function capFor(n: number, k: number, d: number): number {
  const raw = 2e9 / (n * k * d);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [5, 2, 1].find((m) => m * magnitude <= raw)! * magnitude;
  return Math.min(300, Math.max(10, step));
}

/** Powers of two below the core count, then the core count: 1, 2 here; 1, 2, 4, 8, 12 on 12 cores. */
export function threadCounts(cores: number): number[] {
  const counts: number[] = [];
  for (let t = 1; t < cores; t *= 2) counts.push(t);
  counts.push(cores);
  return counts;
}

const END_TO_END_IMPLEMENTATIONS: ImplementationId[] = ['ours-default', 'sklearn-default', 'faiss-default'];

/** The folders of ../shared/data the end-to-end section also runs on, when --data names the folder. */
const END_TO_END_FOLDERS: ReadonlyArray<{ name: string; k: number }> = [
  { name: 'bigann10k_sift', k: 100 },
  { name: 'letter', k: 26 },
];

/** Those of END_TO_END_FOLDERS that `dataDir` holds. */
export function endToEndFolders(dataDir: string | null): DatasetSpec[] {
  if (!dataDir) return [];
  return END_TO_END_FOLDERS.filter(({ name }) => existsSync(join(dataDir, name, 'X.f32'))).map(({ name, k }) => ({
    kind: 'folder',
    dir: join(dataDir, name),
    k,
  }));
}

/**
 * Lloyd from given centres at two shapes the issue names, the second also with every algorithm of
 * ours ('auto' included; an explicit Elkan whose bounds do not fit is refused, and shown so).
 */
interface LloydShape {
  n: number;
  d: number;
  k: number;
  iterations: number;
}

function distanceRows(all: number, wide: LloydShape, tall: LloydShape): ComparisonRow[] {
  const lloyd = (iterations: number): StopRule => ({ tolerance: 0, maxIterations: iterations });
  return [
    {
      dataset: blobs(wide.n, wide.d, wide.k, wide.k, 'float32'),
      stop: lloyd(wide.iterations),
      variants: [variant('native-lloyd', all), variant('sklearn-lloyd', all)],
    },
    {
      dataset: blobs(tall.n, tall.d, tall.k, tall.k, 'float32'),
      stop: lloyd(tall.iterations),
      variants: (['native-auto', 'native-lloyd', 'native-hamerly', 'native-yinyang', 'native-elkan', 'sklearn-lloyd'] as const).map((id) => variant(id, all)),
    },
  ];
}

/**
 * The cosine rows: 'auto' with each metric on one thread, tolerance 0 and a fixed iteration cap so
 * that both run as many iterations where neither converges first; bigann10k_sift too when --data
 * holds it.
 */
function cosineRows(embedding: DatasetSpec, dataDir: string | null, iterations: number): ComparisonRow[] {
  const stop: StopRule = { tolerance: 0, maxIterations: iterations };
  const variants = [variant('native-auto', 1), variant('native-auto-cosine', 1)];
  const sift =
    dataDir && existsSync(join(dataDir, 'bigann10k_sift', 'X.f32')) ? [{ kind: 'folder' as const, dir: join(dataDir, 'bigann10k_sift'), k: 100 }] : [];
  return [embedding, ...sift].map((dataset) => ({ dataset, stop, variants }));
}

export function defaultPlan(threads: number[], fashionMnistDir: string, dataDir: string | null = null): Plan {
  const all = Math.max(...threads);
  const main = blobs(100_000, 32, 100);
  const small = blobs(10_000, 8, 16);
  const exactSmall: StopRule = { tolerance: 0, maxIterations: capFor(10_000, 16, 8) };
  const exactMain: StopRule = { tolerance: 0, maxIterations: capFor(100_000, 100, 32) };
  return {
    comparison: [
      { dataset: small, stop: exactSmall, variants: allVariants(exactSmall, all) },
      // The headline: scikit-learn's defaults, to convergence. TS Lloyd would need ~20 s a run here.
      { dataset: main, stop: TO_CONVERGENCE, variants: allVariants(TO_CONVERGENCE, all, (id) => id !== 'ts-lloyd') },
      { dataset: main, stop: exactMain, variants: allVariants(exactMain, all) },
    ],
    threadScaling: {
      dataset: main,
      stop: TO_CONVERGENCE,
      implementations: ['native-elkan', 'native-hamerly', 'native-lloyd', 'sklearn-elkan', 'sklearn-lloyd'],
      threads,
    },
    growth: {
      base: { n: 100_000, k: 100, d: 32 },
      axes: { n: [1_000, 10_000, 100_000, 1_000_000], k: [8, 32, 128, 512, 1024], d: [2, 8, 32, 128, 784] },
      stop: { tolerance: 0, maxIterations: 10 },
      // One thread each: the growth of the work itself; the thread sweep shows what threads add.
      variants: [variant('native-elkan', 1), variant('ts-elkan')],
      tsLimitMsPerIteration: 20_000,
    },
    endToEnd: {
      datasets: [
        { kind: 'embedding', n: 50_000, d: 384, k: 256, directions: 500, noise: 1, seed: 20240601 },
        { kind: 'fashion-mnist', dir: fashionMnistDir, n: 70_000, k: 100 },
      ],
      seed: 1,
      implementations: END_TO_END_IMPLEMENTATIONS,
      // A fit takes seconds to tens of seconds here: two repetitions unless they are short.
      repetitions: { warmupIterations: 2, maxRepetitions: 5, minRepetitions: 2, budgetMs: 20_000 },
    },
    distance: {
      rows: distanceRows(all, { n: 200_000, d: 128, k: 1024, iterations: 20 }, { n: 2_000_000, d: 32, k: 1000, iterations: 10 }),
      // A fit takes from 10 s to two minutes (Elkan's 8 GB of bounds at 2 000 000 × 1000): repeated within 40 s.
      repetitions: { warmupIterations: 1, maxRepetitions: 3, minRepetitions: 1, budgetMs: 40_000 },
    },
    cosine: {
      rows: cosineRows({ kind: 'embedding', n: 50_000, d: 384, k: 100, directions: 500, noise: 1, seed: 20240601 }, dataDir, 20),
      repetitions: { warmupIterations: 1, maxRepetitions: 3, minRepetitions: 2, budgetMs: 20_000 },
    },
    throughput: {
      k: 1024,
      dims: [2, 8, 32, 128, 384, 784, 1536],
      targetMs: 500,
      tsDims: [32, 128],
      tsTargetMs: 500,
      maxValues: 50_000_000,
      blockRows: 1024,
      repetitions: { warmupIterations: 1, maxRepetitions: 7, minRepetitions: 3, budgetMs: 3_000 },
    },
    repetitions: { warmupIterations: 3, maxRepetitions: 5, minRepetitions: 3, budgetMs: 4_000 },
    growthRepetitions: { warmupIterations: 1, maxRepetitions: 3, minRepetitions: 1, budgetMs: 2_000 },
  };
}

export function quickPlan(threads: number[], fashionMnistDir: string, dataDir: string | null = null): Plan {
  const all = Math.max(...threads);
  const tiny = blobs(2_000, 4, 8);
  const exact: StopRule = { tolerance: 0, maxIterations: 100 };
  return {
    comparison: [{ dataset: tiny, stop: exact, variants: allVariants(exact, all) }],
    threadScaling: {
      dataset: tiny,
      stop: exact,
      implementations: ['native-elkan', 'native-hamerly', 'native-lloyd', 'sklearn-elkan', 'sklearn-lloyd'],
      threads,
    },
    growth: {
      base: { n: 2_000, k: 8, d: 4 },
      axes: { n: [500, 2_000, 8_000], k: [4, 16], d: [2, 16] },
      stop: { tolerance: 0, maxIterations: 5 },
      variants: [variant('native-elkan', 1), variant('ts-elkan')],
      tsLimitMsPerIteration: 1_000,
    },
    endToEnd: {
      datasets: [
        { kind: 'embedding', n: 2_000, d: 32, k: 8, directions: 20, noise: 1, seed: 20240601 },
        { kind: 'fashion-mnist', dir: fashionMnistDir, n: 2_000, k: 10 },
      ],
      seed: 1,
      implementations: END_TO_END_IMPLEMENTATIONS,
      repetitions: { warmupIterations: 1, maxRepetitions: 1, minRepetitions: 1, budgetMs: 0 },
    },
    distance: {
      rows: distanceRows(all, { n: 4_000, d: 32, k: 64, iterations: 5 }, { n: 16_000, d: 16, k: 32, iterations: 5 }),
      repetitions: { warmupIterations: 1, maxRepetitions: 1, minRepetitions: 1, budgetMs: 0 },
    },
    cosine: {
      rows: cosineRows({ kind: 'embedding', n: 2_000, d: 32, k: 8, directions: 20, noise: 1, seed: 20240601 }, dataDir, 5),
      repetitions: { warmupIterations: 1, maxRepetitions: 1, minRepetitions: 1, budgetMs: 0 },
    },
    throughput: {
      k: 64,
      dims: [2, 32, 128],
      targetMs: 10,
      tsDims: [32],
      tsTargetMs: 10,
      maxValues: 2_000_000,
      blockRows: 1024,
      repetitions: { warmupIterations: 1, maxRepetitions: 1, minRepetitions: 1, budgetMs: 0 },
    },
    repetitions: { warmupIterations: 1, maxRepetitions: 1, minRepetitions: 1, budgetMs: 0 },
    growthRepetitions: { warmupIterations: 1, maxRepetitions: 1, minRepetitions: 1, budgetMs: 0 },
  };
}

/** One row per folder: tolerance 0 and the cap of capFor (5 iterations in quick mode), every implementation. */
export function folderRows(folders: readonly FolderDataset[], threads: number[], quick: boolean): ComparisonRow[] {
  const all = Math.max(...threads);
  return folders.map(({ dir, k }) => {
    const { n, d } = folderShape(dir);
    const stop: StopRule = { tolerance: 0, maxIterations: quick ? 5 : capFor(n, k, d) };
    return { dataset: { kind: 'folder', dir, k }, stop, variants: allVariants(stop, all) };
  });
}
