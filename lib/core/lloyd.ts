import { type Assigner, nearestCenter } from './assigner.js';
import type { Floats } from './distance.js';
import type { Problem } from './types.js';

/** Lloyd's algorithm: every point against every centre. The oracle of every accelerated variant. */
export class LloydAssigner implements Assigner {
  constructor(private readonly input: Problem) {}

  assign(centers: Floats, labels: Int32Array): void {
    const { n } = this.input;
    for (let i = 0; i < n; i++) labels[i] = nearestCenter(this.input, i, centers);
  }

  centersMoved(): void {}
}
