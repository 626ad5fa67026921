import { type Floats, squaredDistance } from './distance.js';
import type { Assigner } from './kmeans.js';
import type { Problem } from './types.js';

/** Index of the centre nearest to row `i`, the lowest index on ties. */
export function nearestCenter(input: Pick<Problem, 'data' | 'd' | 'k'>, i: number, centers: Floats): number {
  const { data, d, k } = input;
  let best = 0;
  let bestDistance = squaredDistance(data, i, centers, 0, d);
  for (let c = 1; c < k; c++) {
    const dist = squaredDistance(data, i, centers, c, d);
    if (dist < bestDistance) {
      bestDistance = dist;
      best = c;
    }
  }
  return best;
}

/** Lloyd's algorithm: every point against every centre. The oracle of every accelerated variant. */
export class LloydAssigner implements Assigner {
  constructor(private readonly input: Problem) {}

  assign(centers: Floats, labels: Int32Array): void {
    const { n } = this.input;
    for (let i = 0; i < n; i++) labels[i] = nearestCenter(this.input, i, centers);
  }

  centersMoved(): void {}
}
