import { describe, expect, it } from 'vitest';
import { BOUNDS_BUDGET_BYTES, boundsBytes, chooseAlgorithm } from '../lib/algorithm-choice.js';
import { kmeansSync } from '../lib/index.js';
import { gaussianBlobs } from './helpers.js';

describe("algorithm: 'auto'", () => {
  it('takes Elkan from 16 dimensions and 32 centres, Hamerly below either', () => {
    expect(kmeansSync(gaussianBlobs(1, 300, 16, 32), 32, { seed: 1 }).algorithm).toBe('elkan');
    expect(kmeansSync(gaussianBlobs(1, 300, 8, 32), 32, { seed: 1 }).algorithm).toBe('hamerly');
    expect(kmeansSync(gaussianBlobs(1, 300, 128, 4), 16, { seed: 1 }).algorithm).toBe('hamerly');
  });

  it("never takes Elkan when its n × k bounds would not fit the memory budget", () => {
    expect(chooseAlgorithm('auto', 1000, 128, 100, 1e9)).toBe('elkan');
    expect(chooseAlgorithm('auto', 2_000_000, 128, 4000, BOUNDS_BUDGET_BYTES)).toBe('hamerly');
    expect(boundsBytes('hamerly', 2_000_000, 4000)).toBeLessThan(1e8);
  });
});

describe("algorithm: 'elkan' beyond the memory budget", () => {
  it('is refused up front with the bytes it needs and what to use instead', () => {
    const points = { data: new Float32Array(2_000_000), shape: [2_000_000, 1] as const };
    const call = (): unknown => kmeansSync(points, 4000, { algorithm: 'elkan' });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/options\.algorithm 'elkan' needs 64 GB for its n × k bounds \(n = 2000000, k = 4000\).*use algorithm: 'hamerly' \(32 MB, as exact\) or 'auto'/);
  });
});
