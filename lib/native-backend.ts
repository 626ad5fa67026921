import { type Backend, type FitHooks, type FitRequest, type FitShape, abortError, kmeansParallelCandidates } from './backend.js';
import type { NativeBinding, NativeIterationCallback, NativeSeedingCallback } from './binding.js';
import { yinyangGroupCount } from './core/yinyang.js';
import { sumChunkRows } from './core/centroid-update.js';
import { ROW_BLOCK } from './core/parallel.js';
import type { Algorithm } from './types.js';

/** What onIteration or onProgress threw, kept to end the fit with. */
type Failure = { thrown?: { value: unknown } };

/**
 * The callback the addon calls after every iteration. It never throws into the addon: what
 * onIteration or onProgress throws is kept in `failure` and ends the fit, and nothing is reported once the fit
 * is told to stop. Returning true asks the native loop to stop: how a synchronous fit sees its
 * signal.
 */
function iterationCallback(request: FitRequest, hooks: FitHooks, failure: Failure): NativeIterationCallback | null {
  const { onIteration, onProgress, signal } = hooks;
  if (!onIteration && !onProgress && !signal) return null;
  const { maxIterations } = request;
  return (run, iteration, changed, centerShift) =>
    reported(hooks, failure, () => {
      onIteration?.({ run, iteration, changed, centerShift });
      onProgress?.({ phase: 'iterating', run, iteration, maxIterations });
    });
}

/** The callback the addon calls while it seeds, on the same terms as iterationCallback's. */
function seedingCallback(hooks: FitHooks, failure: Failure): NativeSeedingCallback | null {
  const { onProgress } = hooks;
  if (!onProgress) return null;
  return (run, done, total) => reported(hooks, failure, () => onProgress({ phase: 'seeding', run, done, total }));
}

/** Runs a report unless the fit is stopping; true (stop) when it threw or the signal is aborted. */
function reported(hooks: FitHooks, failure: Failure, report: () => void): boolean {
  if (failure.thrown || hooks.signal?.aborted) return true;
  try {
    report();
  } catch (value) {
    failure.thrown = { value };
    return true;
  }
  return hooks.signal?.aborted === true;
}

function isNativeAbort(error: unknown): boolean {
  return error instanceof Error && (error as { code?: string }).code === 'ABORT_ERR';
}

/**
 * What native/elkan.hpp and native/hamerly.hpp allocate: Elkan's lower bounds (n × k) are float32,
 * half the bytes of the TypeScript ones, and its upper bounds (n), centre-to-centre table (k × k)
 * and four per-centre arrays (nearest centre, last shift, total shift and its margin) double;
 * Hamerly keeps two double bounds per point and its nearest-centre distances; Yinyang two double
 * bounds per point, float32 group bounds (n × t, native/yinyang.hpp), and per centre and group its
 * tables.
 */
export function nativeBoundsBytes(algorithm: Algorithm, n: number, k: number): number {
  switch (algorithm) {
    case 'elkan':
      return 8 * n + 4 * n * k + 8 * k * (k + 4);
    case 'hamerly':
      return 16 * n + 8 * k;
    case 'yinyang': {
      const t = yinyangGroupCount(k);
      return 16 * n + 4 * n * t + 40 * k + 33 * t;
    }
    case 'lloyd':
      return 0;
  }
}

/** The widest of native/distance_filter.hpp's per-ISA constants: FILTER_PANEL and FILTER_BLOCK_ROWS (8 × FILTER_TILE_ROWS). */
const FILTER_PANEL_MAX = 32;
const FILTER_BLOCK_ROWS_MAX = 96;

/**
 * native/distance_filter.hpp's DistanceFilter for n points and k centres: shift_ (d), the point
 * norms (n doubles), the packed centres (k rounded up to whole panels, d floats each), their
 * norms_ and slack_ (floats) and norms64_ (doubles); and per thread its FilterScratch (a block of
 * packed rows, its tile and lanes) and CandidateScratch (k indices, a row as doubles).
 */
function filterBytes(n: number, d: number, k: number, threads: number): number {
  const stride = Math.ceil(k / FILTER_PANEL_MAX) * FILTER_PANEL_MAX + FILTER_PANEL_MAX;
  const perThread = 4 * FILTER_BLOCK_ROWS_MAX * (d + stride + 16) + 4 * k + 8 * d;
  return 8 * d + 8 * n + 4 * stride * (d + 2) + 8 * k + threads * perThread;
}

/** native/seeding.hpp's kmeans_plus_plus_centers over m points (the data, or k-means||'s candidates). */
function kmeansPlusPlusBytes(m: number, d: number, k: number, threads: number): number {
  const trials = 2 + Math.floor(Math.log(k));
  const blocks = Math.ceil(m / ROW_BLOCK);
  return (
    (8 + 8 + 4 + 4) * m + // closest, radius, nearest, nearer
    2 * 8 * blocks + // weight_blocks, mass_blocks
    8 * trials * (1 + blocks + k + d) + // candidates, partial, reach, trial_rows
    8 * k + // reach_all
    threads * (4 * m + 8 * ROW_BLOCK * trials) + // each thread's outside list and measured block
    filterBytes(m, d, k, threads)
  );
}

/**
 * An upper bound of the bytes native/kmeans.hpp's fit allocates, with native/binding.cpp's copies,
 * for the shape: what the caller's points do not already hold. The peak over its phases, each
 * term traced to the code that allocates it. Not counted: the addon's code, OpenMP's thread stacks,
 * the allocator's slack and V8's own objects (a few MB in all).
 */
export function nativeFitBytes(shape: FitShape): number {
  const { n, d, k, algorithm, init, metric, elementBytes: e, nInit, weighted } = shape;
  // parallel.hpp's effective_threads: at most one per MIN_POINTS_PER_THREAD points.
  const threads = Math.max(1, Math.min(shape.threads, Math.ceil(n / 4096)));
  const explicit = init === 'explicit';
  const blocks = Math.ceil(n / ROW_BLOCK);
  // Held from start to end: binding.cpp's copies for kmeans() (points, weights, centres) and the
  // exact rescaling's (lib/exact-scaling.ts), kmeans.hpp's normalised copies under cosine, the
  // best run kept while others run (labels and centres) and each run's centres.
  const input = n * d * e + (weighted ? 8 * n : 0) + (explicit ? k * d * e : 0);
  const held = shape.inputCopies * input + (metric === 'cosine' ? n * d * e + (explicit ? k * d * e : 0) : 0) + (nInit > 1 ? 4 * n + k * d * e : 0) + k * d * e;
  // tolerance.hpp's column sums: a row of d doubles per block, and the means and squares.
  const setup = 8 * d * (blocks + 3);
  let seeding = 4 * n; // random_centers' order
  if (init === 'k-means++') seeding = kmeansPlusPlusBytes(n, d, k, threads);
  if (init === 'k-means||') {
    const m = kmeansParallelCandidates(n, k);
    seeding =
      (8 + 4) * n + // closest, nearest
      n / 8 + // taken (vector<bool>)
      2 * 4 * m + // chosen and the per-block sampled lists
      m * (8 + d * e) + // candidate_weights, candidate_rows
      8 * d * Math.min(m, ROW_BLOCK) * threads + // nearer_candidates' rows as doubles
      filterBytes(n, d, k, threads) +
      kmeansPlusPlusBytes(m, d, k, threads);
  }
  const chunks = Math.ceil(n / sumChunkRows(n, d, k));
  const iterating =
    4 * n + // labels
    k * d * e + // next centres
    8 * k * 3 + // shifts, the outcome's shifts, moved_down
    // centroid_update.hpp's CentroidUpdater: chunk sums and weights, changed counts, summed labels,
    // totals, the cosine scratch; and farthest_points' distances and movable points for relocations.
    8 * chunks * (k * d + k + 1) +
    4 * n +
    8 * (k * d + k) +
    (metric === 'cosine' ? 8 * k * d : 0) +
    16 * n +
    // elkan.hpp's bounds and centre tables, hamerly.hpp's bounds, flags and rescan list.
    nativeBoundsBytes(algorithm, n, k) +
    (algorithm === 'elkan' ? 8 * k + threads * 4 * k : 0) +
    (algorithm === 'hamerly' ? 5 * n : 0) +
    // yinyang.hpp: its flags and rescan list, the centres in group order and their shifts, the
    // grouping's means and sums (t × d) and its tables, and each thread's Scratch and squared distances.
    (algorithm === 'yinyang' ? 5 * n + 8 * k * (d + 1) + 16 * yinyangGroupCount(k) * d + 12 * k + threads * (24 * k + 16 * yinyangGroupCount(k)) : 0) +
    filterBytes(n, d, k, threads) +
    // distance.hpp's AsDouble: each assigner's centres as doubles (float32 points), and each thread's row.
    (e === 4 ? 8 * k * d : 0) +
    threads * 8 * d;
  // The result: the fit's labels and centroids, binding.cpp's JavaScript copies of them, and
  // lib/fit.ts's cluster sizes.
  const result = 2 * (4 * n + k * d * e) + 8 * k;
  return Math.ceil(held + Math.max(setup, seeding, iterating, result));
}

/**
 * The algorithms the native core runs fastest first for the shape, memory aside, from the grid in
 * docs/algorithm-choice.md (bench/algorithm-grid.ts: one thread, 50 000 points, same centres, run
 * to tolerance 1e-4). `bfloat16`: whether the core's distance filter has its bfloat16 tiles (the
 * addon's isa 'avx512bf16'), which Lloyd's passes and Hamerly's rescans go through and Yinyang's
 * group scans do not: from 8 to 127 dimensions Hamerly then wins or comes within 1.4× of Lloyd at
 * every k of the grid, where Yinyang took 1.3–2.4× Hamerly's time, and over longer fits Hamerly's
 * bounds pay (0.69× Lloyd's time on 500 000 × 32, k = 1000, 45 iterations); but in fits capped at
 * 20 iterations or fewer with k ≥ 512 they do not, and Lloyd, which keeps none, took 0.78–1.00×
 * Hamerly's time (0.78× on the benchmark's 2 000 000 × 32, k = 1000, 10 iterations).
 * Hamerly, whose rescans go through the fast distance filter, wins from 5 to 127 dimensions below
 * 512 centres; Yinyang's group bounds win from 512 centres (0.91× Hamerly's time at d = 8,
 * k = 512; 0.82× at d = 32, k = 1024; a tie at d = 64), in very few dimensions from 256 (0.71× at
 * d = 2, k = 256; 0.28× at k = 1024) and on embeddings from 256 (0.76× Elkan's at d = 128; 0.92× at
 * d = 384); Elkan's n × k bounds win on embeddings with fewer centres (0.80× Hamerly's at d = 128,
 * k = 16), unless they pass 1 GiB, where reading and writing them costs more than they save.
 */
export function nativeAlgorithmPreference(n: number, d: number, k: number, maxIterations = 300, bfloat16 = false): Algorithm[] {
  if (d <= 4) return k >= 256 ? ['yinyang', 'hamerly'] : ['hamerly'];
  // The filter, and with it the bfloat16 tiles, serves from 8 dimensions (native/distance_filter.hpp).
  if (bfloat16 && d >= 8 && d < 128) return k >= 512 && maxIterations <= 20 ? ['lloyd'] : ['hamerly'];
  if (d < 128) return k >= 512 ? ['yinyang', 'hamerly'] : ['hamerly'];
  const yinyangFirst = k >= 256 || n * k > 2 ** 28;
  return yinyangFirst ? ['yinyang', 'elkan', 'hamerly'] : ['elkan', 'yinyang', 'hamerly'];
}

/**
 * The addon behind the Backend interface. The thread budget lives in the addon, so that it holds
 * for the whole process, Workers included.
 */
export function createNativeBackend(binding: NativeBinding): Backend {
  const settled = (error: unknown, failure: Failure, signal?: AbortSignal): unknown => {
    if (failure.thrown) return failure.thrown.value;
    if (signal && isNativeAbort(error)) return abortError(signal);
    return error;
  };
  return {
    name: 'native',
    fitSync(request, hooks) {
      const { signal } = hooks;
      if (signal?.aborted) throw abortError(signal);
      const failure: Failure = {};
      try {
        return binding.fitSync(request, iterationCallback(request, hooks, failure), seedingCallback(hooks, failure));
      } catch (error) {
        throw settled(error, failure, signal);
      }
    },
    async fit(request, hooks) {
      const { signal } = hooks;
      if (signal?.aborted) throw abortError(signal);
      const failure: Failure = {};
      const handle = binding.fit(request, iterationCallback(request, hooks, failure), seedingCallback(hooks, failure));
      const cancel = (): void => handle.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      try {
        const output = await handle.promise;
        // The fit can finish before a report that onIteration then throws on reaches it.
        if (failure.thrown) throw failure.thrown.value;
        return output;
      } catch (error) {
        throw settled(error, failure, signal);
      } finally {
        signal?.removeEventListener('abort', cancel);
      }
    },
    boundsBytes: nativeBoundsBytes,
    fitBytes: nativeFitBytes,
    algorithmPreference: (n, d, k, maxIterations) => nativeAlgorithmPreference(n, d, k, maxIterations, binding.isa === 'avx512bf16'),
    predict(data, n, d, centers, k, threads = binding.maxThreads) {
      return binding.predict(data, n, d, centers, k, threads);
    },
    transform(data, n, d, centers, k) {
      return binding.transform(data, n, d, centers, k, binding.maxThreads);
    },
    seedCenters(data, n, d, k, weights, init, rngState, centers, threads, report) {
      binding.seedCenters(data, n, d, k, weights, init, rngState, centers, report ? (_run, done, total) => report(done, total) : null, threads);
    },
    inertiaOfLabels(data, n, d, weights, centers, k, labels, threads = binding.maxThreads) {
      return binding.inertiaOfLabels(data, n, d, weights, centers, k, labels, threads);
    },
    miniBatchStep(...step) {
      return binding.miniBatchStep(...step);
    },
    sampledMiniBatchStep(...step) {
      return binding.sampledMiniBatchStep(...step);
    },
  };
}
