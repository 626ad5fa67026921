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
