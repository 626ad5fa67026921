import type { Floats } from './distance.js';
import { ROW_BLOCK } from './parallel.js';

/**
 * scikit-learn's tolerance: `relative × mean of the per-feature variances` (unweighted), the
 * bound on the summed squared centre shift. Means and variances are summed in the blocked order
 * of lib/core/parallel.ts, one partial vector per block.
 */
export function absoluteTolerance(data: Floats, n: number, d: number, relative: number): number {
  if (relative === 0) return 0;
  const blockedColumnSums = (term: (value: number, j: number) => number): Float64Array => {
    const total = new Float64Array(d);
    const block = new Float64Array(d);
    for (let start = 0; start < n; start += ROW_BLOCK) {
      const end = Math.min(n, start + ROW_BLOCK);
      block.fill(0);
      for (let i = start; i < end; i++) {
        for (let j = 0; j < d; j++) block[j] += term(data[i * d + j], j);
      }
      for (let j = 0; j < d; j++) total[j] += block[j];
    }
    return total;
  };
  const means = blockedColumnSums((x) => x);
  for (let j = 0; j < d; j++) means[j] /= n;
  const squares = blockedColumnSums((x, j) => (x - means[j]) * (x - means[j]));
  let sum = 0;
  for (let j = 0; j < d; j++) sum += squares[j] / n;
  return relative * (sum / d);
}
