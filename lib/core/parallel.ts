/**
 * Sums over points are taken in fixed blocks of ROW_BLOCK rows: each block is summed in row order
 * from zero, and the block sums are added in block order. A parallel backend gives each block to
 * one thread and adds the block sums in the same order, so its result is the same bit for bit for
 * any thread count. native/parallel.hpp holds the same constant.
 */
export const ROW_BLOCK = 1024;

/** Σ term(i) for i in [0, n), in the blocked order. */
export function blockedSum(n: number, term: (i: number) => number): number {
  let total = 0;
  for (let start = 0; start < n; start += ROW_BLOCK) {
    const end = Math.min(n, start + ROW_BLOCK);
    let block = 0;
    for (let i = start; i < end; i++) block += term(i);
    total += block;
  }
  return total;
}

/**
 * First i whose running blocked sum of `mass` exceeds `target`, or -1 when none does. The running
 * sum at i is (sum of the earlier blocks) + (sum of its own block up to i), which is how a
 * parallel backend forms it from per-block sums.
 */
export function searchBlockedCumulative(n: number, mass: (i: number) => number, target: number): number {
  let before = 0;
  for (let start = 0; start < n; start += ROW_BLOCK) {
    const end = Math.min(n, start + ROW_BLOCK);
    let block = 0;
    for (let i = start; i < end; i++) block += mass(i);
    if (before + block > target) {
      let running = 0;
      for (let i = start; i < end; i++) {
        running += mass(i);
        if (before + running > target) return i;
      }
    }
    before += block;
  }
  return -1;
}
