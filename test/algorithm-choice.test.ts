import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOUNDS_BUDGET_BYTES, chooseAlgorithm } from '../lib/algorithm-choice.js';
import { kmeansSync } from '../lib/index.js';
import { jsBackend } from '../lib/js-backend.js';
import { nativeBoundsBytes, nativeElkanPays } from '../lib/native-backend.js';
import { gaussianBlobs } from './helpers.js';

describe("algorithm: 'auto'", () => {
  it('takes Elkan where the backend runs it faster: natively from 128 dimensions and 32 centres, in TypeScript from 16 and 32', () => {
    expect(kmeansSync(gaussianBlobs(1, 300, 128, 32), 32, { seed: 1, backend: 'native' }).algorithm).toBe('elkan');
    expect(kmeansSync(gaussianBlobs(1, 300, 64, 32), 32, { seed: 1, backend: 'native' }).algorithm).toBe('hamerly');
    expect(kmeansSync(gaussianBlobs(1, 300, 16, 32), 32, { seed: 1, backend: 'js' }).algorithm).toBe('elkan');
    expect(kmeansSync(gaussianBlobs(1, 300, 8, 32), 32, { seed: 1, backend: 'js' }).algorithm).toBe('hamerly');
    expect(kmeansSync(gaussianBlobs(1, 300, 128, 4), 16, { seed: 1 }).algorithm).toBe('hamerly');
  });

  it("takes Hamerly natively where Elkan's bounds would pass 1 GiB, whatever the memory", () => {
    expect(chooseAlgorithm('auto', 2_000_000, 128, 1000, { boundsBytes: nativeBoundsBytes, elkanPays: nativeElkanPays }, 1e12)).toBe('hamerly');
    expect(chooseAlgorithm('auto', 200_000, 128, 1024, { boundsBytes: nativeBoundsBytes, elkanPays: nativeElkanPays }, 1e12)).toBe('elkan');
  });

  it('never takes Elkan when its n × k bounds would not fit the memory budget', () => {
    expect(chooseAlgorithm('auto', 1000, 128, 100, jsBackend, 1e9)).toBe('elkan');
    expect(chooseAlgorithm('auto', 2_000_000, 128, 4000, jsBackend, BOUNDS_BUDGET_BYTES)).toBe('hamerly');
    expect(jsBackend.boundsBytes('hamerly', 2_000_000, 4000)).toBeLessThan(1e8);
  });
});

describe("algorithm: 'elkan' beyond the memory budget", () => {
  it('is refused up front with the bytes it needs and what to use instead', () => {
    const points = { data: new Float32Array(2_000_000), shape: [2_000_000, 1] as const };
    const call = (): unknown => kmeansSync(points, 4000, { algorithm: 'elkan', backend: 'js' });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(
      /options\.algorithm 'elkan' needs 64 GB for its n × k bounds \(n = 2000000, k = 4000\).*use algorithm: 'hamerly' \(32 MB, as exact\) or 'auto'/,
    );
  });
});

describe("algorithm: 'yinyang' beyond the memory budget", () => {
  it('is refused up front with the bytes its n × k / 40 bounds need, and runs within it', () => {
    const [n, d, k] = [2_000_000, 32, 4000];
    const bytes = nativeBoundsBytes('yinyang', n, k);
    // 100 float32 group bounds per point, and two double bounds.
    expect(bytes).toBeGreaterThan(4 * n * 100);
    expect(bytes).toBeLessThan(4 * n * 100 + 16 * n + 1e6);
    const native = { boundsBytes: nativeBoundsBytes, elkanPays: nativeElkanPays };
    expect(chooseAlgorithm('yinyang', n, d, k, native, bytes)).toBe('yinyang');
    expect(() => chooseAlgorithm('yinyang', n, d, k, native, bytes - 1)).toThrow(
      /^options\.algorithm 'yinyang' needs 832 MB for its n × k \/ 40 bounds \(n = 2000000, k = 4000\).*use algorithm: 'hamerly' \(32 MB, as exact\) or 'auto'\.$/,
    );
  });
});

describe('the memory budget', () => {
  const native = { boundsBytes: nativeBoundsBytes, elkanPays: nativeElkanPays };

  it('charges a backend for the bounds it stores: a native Elkan fit that 8 bytes per bound would refuse runs', () => {
    const [n, d, k] = [200_000, 128, 1000];
    const budget = nativeBoundsBytes('elkan', n, k);
    expect(jsBackend.boundsBytes('elkan', n, k)).toBeGreaterThan(budget);
    expect(chooseAlgorithm('elkan', n, d, k, native, budget)).toBe('elkan');
    expect(chooseAlgorithm('auto', n, d, k, native, budget)).toBe('elkan');
    expect(() => chooseAlgorithm('elkan', n, d, k, jsBackend, budget)).toThrow(RangeError);
    expect(chooseAlgorithm('auto', n, d, k, jsBackend, budget)).toBe('hamerly');
    // One byte less and the native fit is refused too: the budget is a limit, not a hint.
    expect(() => chooseAlgorithm('elkan', n, d, k, native, budget - 1)).toThrow(/needs 810 MB for its n × k bounds/);
  });

  it('states the bytes per Elkan lower bound that each core allocates', () => {
    // The coefficient of n × k: the terms in n alone or k alone cancel.
    const perBound = (bytes: (algorithm: 'elkan', n: number, k: number) => number): number =>
      bytes('elkan', 2, 2) - bytes('elkan', 1, 2) - bytes('elkan', 2, 1) + bytes('elkan', 1, 1);
    const nativeType = /std::vector<(float|double)> lower_;/.exec(readFileSync(join(__dirname, '../native/elkan.hpp'), 'utf8'))?.[1];
    expect(perBound(nativeBoundsBytes)).toBe({ float: 4, double: 8 }[nativeType ?? 'missing']);
    const jsType = /this\.lower = new (Float32|Float64)Array\(n \* k\)/.exec(readFileSync(join(__dirname, '../lib/core/elkan.ts'), 'utf8'))?.[1];
    expect(perBound(jsBackend.boundsBytes)).toBe({ Float32: 4, Float64: 8 }[jsType ?? 'missing']);
  });
});
