/**
 * One yardstick for every implementation's result: the inertia of its final centres on the data,
 * computed here in float64 (each point to its nearest centre), not the figure each library reports
 * with its own precision and summation order.
 */
import type { Floats } from './datasets.js';

/**
 * Relative difference from our result beyond which a result is flagged. Equal fixed points agree
 * to ~1e-12; since a centroid is the mean of its points, a float32 rounding of the centres moves
 * the inertia only to second order, far below this. Anything above it is another local optimum or
 * another stopping point.
 */
export const INERTIA_RELATIVE_TOLERANCE = 1e-6;

export function evaluateInertia(points: Floats, n: number, d: number, centroids: readonly number[], k: number): number {
  const centres = Float64Array.from(centroids);
  const row = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = points[i * d + j];
    let best = Infinity;
    for (let c = 0; c < k; c++) {
      let sum = 0;
      const offset = c * d;
      for (let j = 0; j < d && sum < best; j++) {
        const diff = row[j] - centres[offset + j];
        sum += diff * diff;
      }
      if (sum < best) best = sum;
    }
    total += best;
  }
  return total;
}

export function relativeDifference(value: number, reference: number): number {
  return reference === 0 ? Math.abs(value) : Math.abs(value - reference) / Math.abs(reference);
}
