import { totalmem } from 'node:os';
import type { Backend } from './backend.js';
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

/** The most memory an algorithm's bounds may take: half of this machine's memory. */
export const BOUNDS_BUDGET_BYTES = totalmem() / 2;

function formatBytes(bytes: number): string {
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
 * The algorithm a fit runs: 'auto' takes Elkan where the backend runs it faster than Hamerly
 * (Backend.elkanPays) and its n × k bounds fit the budget, else Hamerly (n bounds). An explicit 'elkan' that does not fit is refused up front
 * rather than left to exhaust the machine's memory, in a message that names the option as the caller
 * does. The bytes are those of the backend that will run the fit: the native core stores Elkan's
 * bounds in half the bytes of the TypeScript one.
 */
export function chooseAlgorithm(
  requested: Algorithm | 'auto',
  n: number,
  d: number,
  k: number,
  backend: Pick<Backend, 'boundsBytes' | 'elkanPays'>,
  budget = BOUNDS_BUDGET_BYTES,
  caller: Caller = API_CALLER,
): Algorithm {
  const elkanBytes = backend.boundsBytes('elkan', n, k);
  if (requested === 'auto') return backend.elkanPays(n, d, k) && elkanBytes <= budget ? 'elkan' : 'hamerly';
  if (requested === 'elkan' && elkanBytes > budget) {
    throw new RangeError(
      `${caller.name('algorithm')} ${caller.literal('elkan')} needs ${formatBytes(elkanBytes)} for its n × k bounds (n = ${n}, k = ${k}), ` +
        `more than the ${formatBytes(budget)} allowed (half of this machine's memory); ` +
        `use ${caller.setting('algorithm', 'hamerly')} (${formatBytes(backend.boundsBytes('hamerly', n, k))}, as exact) or ${caller.literal('auto')}.`,
    );
  }
  return requested;
}
