import type { Floats } from './distance.js';

/**
 * What every phase of a fit reads (native/types.hpp's Problem): the points, read in place, and
 * their weights (all 1 when the caller gave none).
 */
export interface Problem {
  data: Floats;
  n: number;
  d: number;
  k: number;
  weights: Float64Array;
}
