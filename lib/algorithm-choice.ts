import { totalmem } from 'node:os';
import type { Backend, FitShape } from './backend.js';
import { API_CALLER, type Caller } from './caller.js';
import type { Algorithm, InitMethod } from './types.js';

/**
 * Where the TypeScript Elkan beats Hamerly, measured on Gaussian blobs (n = 50 000, one thread,
 * same centres): from d = 16 with k ≥ 32, Elkan took 0.95 to 0.51 of Hamerly's time; with d ≤ 8
 * or k ≤ 16 Hamerly was as fast or up to 1.4× faster, its single bound cheaper than k bounds that
 * prune little there. The native core's crossover lies higher (lib/native-backend.ts): its
 * Hamerly rescans through the fast distance filter.
 */
export const ELKAN_MIN_DIMENSIONS = 16;
export const ELKAN_MIN_CENTERS = 32;

/**
 * Where the TypeScript Yinyang beats Hamerly below ELKAN_MIN_DIMENSIONS: from k = 256 (0.64× of
 * Hamerly's time at d = 2, 0.70× at d = 8; n = 20 000, one thread, run to tolerance 1e-4,
 * `npx tsx bench/algorithm-grid.ts --backend js`); at k ≤ 64 Hamerly was 1.2–2.3× faster.
 */
export const JS_YINYANG_MIN_CENTERS = 256;

/**
 * The cost, k (2 + ln k) n d (greedy k-means++'s distance terms: 2 + ⌊ln k⌋ candidates for each of
 * k centres, each measured against n points of d values), above which `init: 'auto'` takes
 * k-means|| instead of k-means++. Natively on one core, k-means++ seeded 4.3 to 9 × 10⁹ of that
 * cost a second (50 000 × 384, k = 256: 4.0 s; 500 000 × 32, k = 1000: 33 s) and k-means|| the
 * same fits in 1.7 s and 5.7 s. Up to 10¹⁰, about a second, k-means++ stays: scikit-learn's
 * seeding, the same centres as before, and little to gain; beyond, k-means|| saves seconds to
 * minutes for centres as good after the fit (README.md, Seeding large fits).
 */
export const KMEANS_PARALLEL_MIN_COST = 1e10;

/** What `init: 'auto'` runs for n points of d values and k centres. */
export function chooseInit(n: number, d: number, k: number): InitMethod {
  return k * (2 + Math.log(k)) * n * d > KMEANS_PARALLEL_MIN_COST ? 'k-means||' : 'k-means++';
}

/** `memoryBudget`'s default: half of this machine's memory, in whole bytes. */
export const DEFAULT_MEMORY_BUDGET = Math.floor(totalmem() / 2);

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

/**
 * The algorithm a fit runs. 'auto' takes the first of the backend's preference (fastest first)
 * whose whole fit (Backend.fitBytes) fits the budget, else Lloyd, which needs the least; an
 * explicit algorithm that does not fit, and an 'auto' that even Lloyd does not, are refused up
 * front rather than left to exhaust the machine's memory, in a message that names the options as
 * the caller does. The bytes are those of the backend that will run the fit: the native core
 * stores Elkan's bounds in half the bytes of the TypeScript one.
 */
export function chooseAlgorithm(
  requested: Algorithm | 'auto',
  shape: Omit<FitShape, 'algorithm'>,
  backend: Pick<Backend, 'fitBytes' | 'algorithmPreference'>,
  budget = DEFAULT_MEMORY_BUDGET,
  caller: Caller = API_CALLER,
): Algorithm {
  const bytes = (algorithm: Algorithm): number => backend.fitBytes({ ...shape, algorithm });
  const fits = (algorithm: Algorithm): boolean => bytes(algorithm) <= budget;
  const { n, d, k, maxIterations } = shape;
  const allowed = `more than the ${formatBytes(budget)} of ${caller.name('memoryBudget')}`;
  if (requested === 'auto') {
    const chosen = [...backend.algorithmPreference(n, d, k, maxIterations), 'lloyd' as const].find(fits);
    if (chosen) return chosen;
    throw new RangeError(
      `A fit of ${n} × ${d} points with k = ${k} needs ${formatBytes(bytes('lloyd'))} even with ${caller.setting('algorithm', 'lloyd')} (the least memory), ` +
        `${allowed}; raise ${caller.name('memoryBudget')}, or fit fewer points or centres.`,
    );
  }
  if (!fits(requested)) {
    const lighter = (['hamerly', 'lloyd'] as const).find((algorithm) => algorithm !== requested && fits(algorithm));
    throw new RangeError(
      `${caller.name('algorithm')} ${caller.literal(requested)} needs ${formatBytes(bytes(requested))} for this fit (n = ${n}, d = ${d}, k = ${k}), ${allowed}; ` +
        (lighter ? `use ${caller.setting('algorithm', lighter)} (${formatBytes(bytes(lighter))}, as exact), ${caller.literal('auto')}, or ` : '') +
        `raise ${caller.name('memoryBudget')}.`,
    );
  }
  return requested;
}
