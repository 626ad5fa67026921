import type { Floats, SquaredDistance } from './distance.js';

/**
 * What every phase of a fit reads (native/types.hpp's Problem): the points, read in place, their
 * weights (all 1 when the caller gave none), and the distance that matches their element type.
 */
export interface Problem {
  data: Floats;
  n: number;
  d: number;
  k: number;
  weights: Float64Array;
  distance: SquaredDistance;
}
