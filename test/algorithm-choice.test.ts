import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MEMORY_BUDGET, chooseAlgorithm } from '../lib/algorithm-choice.js';
import type { Backend, FitShape } from '../lib/backend.js';
import { kmeans, kmeansSync } from '../lib/index.js';
import { jsBackend } from '../lib/js-backend.js';
import { nativeAlgorithmPreference, nativeBoundsBytes, nativeFitBytes } from '../lib/native-backend.js';
import type { Algorithm } from '../lib/types.js';
import { gaussianBlobs } from './helpers.js';

const native: Pick<Backend, 'fitBytes' | 'algorithmPreference'> = { fitBytes: nativeFitBytes, algorithmPreference: nativeAlgorithmPreference };
const backends = { native, js: jsBackend };

function shape(n: number, d: number, k: number, more: Partial<FitShape> = {}): Omit<FitShape, 'algorithm'> {
  return {
    n,
    d,
    k,
    init: 'k-means++',
    metric: 'euclidean',
    elementBytes: 4,
    nInit: 1,
    weighted: false,
    threads: 1,
    maxIterations: 300,
    inputCopies: 0,
    ...more,
  };
}

describe("algorithm: 'auto'", () => {
  it("takes the backend's fastest for the shape: natively Hamerly in middle dimensions, Yinyang with many centres, Elkan on embeddings with few", () => {
    expect(kmeansSync(gaussianBlobs(1, 300, 128, 32), 32, { seed: 1, backend: 'native' }).algorithm).toBe('elkan');
    expect(kmeansSync(gaussianBlobs(1, 300, 64, 32), 32, { seed: 1, backend: 'native' }).algorithm).toBe('hamerly');
    expect(kmeansSync(gaussianBlobs(1, 3000, 2, 300), 300, { seed: 1, backend: 'native', init: 'random' }).algorithm).toBe('yinyang');
    expect(kmeansSync(gaussianBlobs(1, 300, 16, 32), 32, { seed: 1, backend: 'js' }).algorithm).toBe('elkan');
    expect(kmeansSync(gaussianBlobs(1, 300, 8, 32), 32, { seed: 1, backend: 'js' }).algorithm).toBe('hamerly');
    expect(kmeansSync(gaussianBlobs(1, 3000, 2, 300), 300, { seed: 1, backend: 'js', init: 'random', maxIterations: 2 }).algorithm).toBe('yinyang');
    expect(chooseAlgorithm('auto', shape(200_000, 32, 256), jsBackend, 1e12)).toBe('elkan');
    expect(kmeansSync(gaussianBlobs(1, 300, 32, 4), 16, { seed: 1 }).algorithm).toBe('hamerly');
    expect(chooseAlgorithm('auto', shape(200_000, 128, 1024), native, 1e12)).toBe('yinyang');
    expect(chooseAlgorithm('auto', shape(200_000, 384, 256), native, 1e12)).toBe('yinyang');
    expect(chooseAlgorithm('auto', shape(200_000, 384, 128), native, 1e12)).toBe('elkan');
    expect(chooseAlgorithm('auto', shape(200_000, 32, 1024), native, 1e12)).toBe('yinyang');
    expect(chooseAlgorithm('auto', shape(200_000, 32, 256), native, 1e12)).toBe('hamerly');
  });

  it('takes Hamerly natively in 8 to 127 dimensions where the CPU has the bfloat16 tiles, Lloyd for short fits with many centres, and keeps the rest of the rule', () => {
    const bfloat16: Pick<Backend, 'fitBytes' | 'algorithmPreference'> = {
      fitBytes: nativeFitBytes,
      algorithmPreference: (n, d, k, maxIterations) => nativeAlgorithmPreference(n, d, k, maxIterations, true),
    };
    expect(chooseAlgorithm('auto', shape(200_000, 32, 1024), bfloat16, 1e12)).toBe('hamerly');
    expect(chooseAlgorithm('auto', shape(2_000_000, 8, 4096), bfloat16, 1e12)).toBe('hamerly');
    expect(chooseAlgorithm('auto', shape(2_000_000, 32, 1000, { maxIterations: 10 }), bfloat16, 1e12)).toBe('lloyd');
    expect(chooseAlgorithm('auto', shape(2_000_000, 32, 256, { maxIterations: 10 }), bfloat16, 1e12)).toBe('hamerly');
    expect(chooseAlgorithm('auto', shape(2_000_000, 32, 1000, { maxIterations: 10 }), native, 1e12)).toBe('yinyang');
    // Below 8 dimensions the filter does not serve; from 128 the grid's data are embeddings, whose
    // nearest centres lie too close for the bfloat16 bound.
    expect(chooseAlgorithm('auto', shape(200_000, 6, 1024), bfloat16, 1e12)).toBe('yinyang');
    expect(chooseAlgorithm('auto', shape(200_000, 128, 1024), bfloat16, 1e12)).toBe('yinyang');
    expect(chooseAlgorithm('auto', shape(200_000, 384, 128), bfloat16, 1e12)).toBe('elkan');
  });

  it("takes Yinyang natively on embeddings where Elkan's bounds would pass 1 GiB, whatever the memory", () => {
    expect(chooseAlgorithm('auto', shape(2_000_000, 384, 200), native, 1e12)).toBe('yinyang');
    expect(chooseAlgorithm('auto', shape(200_000, 384, 200), native, 1e12)).toBe('elkan');
  });

  it('never takes Elkan when its n × k bounds would not fit the default budget', () => {
    expect(chooseAlgorithm('auto', shape(1000, 128, 100), jsBackend, 1e9)).toBe('elkan');
    expect(chooseAlgorithm('auto', shape(2_000_000, 128, 4000), jsBackend, DEFAULT_MEMORY_BUDGET)).toBe('hamerly');
  });

  for (const [name, backend] of Object.entries(backends)) {
    it(`falls back from Elkan to Hamerly to Lloyd as the budget shrinks, and refuses below Lloyd's bytes (${name})`, () => {
      const fit = shape(200_000, 128, 128);
      const bytes = (algorithm: Algorithm): number => backend.fitBytes({ ...fit, algorithm });
      expect(bytes('elkan')).toBeGreaterThan(bytes('hamerly'));
      expect(bytes('hamerly')).toBeGreaterThan(bytes('lloyd'));
      expect(chooseAlgorithm('auto', fit, backend, bytes('elkan'))).toBe('elkan');
      // Natively Yinyang comes between them on embeddings.
      if (name === 'native') {
        expect(chooseAlgorithm('auto', fit, backend, bytes('elkan') - 1)).toBe('yinyang');
        expect(chooseAlgorithm('auto', fit, backend, bytes('yinyang') - 1)).toBe('hamerly');
      } else {
        expect(chooseAlgorithm('auto', fit, backend, bytes('elkan') - 1)).toBe('hamerly');
      }
      expect(chooseAlgorithm('auto', fit, backend, bytes('hamerly') - 1)).toBe('lloyd');
      expect(chooseAlgorithm('auto', fit, backend, bytes('lloyd'))).toBe('lloyd');
      expect(() => chooseAlgorithm('auto', fit, backend, bytes('lloyd') - 1)).toThrow(RangeError);
      expect(() => chooseAlgorithm('auto', fit, backend, bytes('lloyd') - 1)).toThrow(
        /A fit of 200000 × 128 points with k = 128 needs .* even with algorithm: 'lloyd' \(the least memory\), more than the .* of options\.memoryBudget; raise options\.memoryBudget/,
      );
    });
  }
});

describe('an explicit algorithm beyond memoryBudget', () => {
  it('is refused up front with the bytes it needs and what to use instead', () => {
    const points = { data: new Float32Array(2_000_000), shape: [2_000_000, 1] as const };
    const call = (): unknown => kmeansSync(points, 4000, { algorithm: 'elkan', backend: 'js' });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(
      /options\.algorithm 'elkan' needs 64 GB for this fit \(n = 2000000, d = 1, k = 4000\), more than the .* of options\.memoryBudget; use algorithm: 'hamerly' \(\d+ MB, as exact\), 'auto', or raise options\.memoryBudget\./,
    );
  });

  for (const backend of ['native', 'js'] as const) {
    it(`names the option as the caller gave it, with the lighter algorithm that fits (${backend})`, async () => {
      const points = gaussianBlobs(1, 2000, 8, 4, 1, Float32Array);
      const { memoryBytes } = kmeansSync(points, 64, { algorithm: 'hamerly', backend, seed: 1, init: 'random', maxIterations: 3 });
      const call = { algorithm: 'elkan', backend, seed: 1, init: 'random', maxIterations: 3, memoryBudget: memoryBytes } as const;
      expect(() => kmeansSync(points, 64, call)).toThrow(/options\.algorithm 'elkan' needs .* use algorithm: 'hamerly'/);
      await expect(kmeans(points, 64, { ...call, algorithm: 'lloyd', memoryBudget: 999 })).rejects.toThrow(
        /options\.algorithm 'lloyd' needs .* more than the 999 B of options\.memoryBudget; raise options\.memoryBudget\./,
      );
      expect(kmeansSync(points, 64, { ...call, algorithm: 'hamerly' }).memoryBytes).toBe(memoryBytes);
    });
  }
});

describe("algorithm: 'yinyang' beyond memoryBudget", () => {
  it('is refused up front with the bytes its fit needs, and runs within it', () => {
    const fit = shape(2_000_000, 32, 4000);
    const bytes = nativeFitBytes({ ...fit, algorithm: 'yinyang' });
    // 100 float32 group bounds per point, and two double bounds.
    expect(nativeBoundsBytes('yinyang', 2_000_000, 4000)).toBeGreaterThan(4 * 2_000_000 * 100);
    expect(bytes).toBeGreaterThan(nativeBoundsBytes('yinyang', 2_000_000, 4000));
    expect(chooseAlgorithm('yinyang', fit, native, bytes)).toBe('yinyang');
    expect(() => chooseAlgorithm('yinyang', fit, native, bytes - 1)).toThrow(
      /^options\.algorithm 'yinyang' needs \d+ MB for this fit \(n = 2000000, d = 32, k = 4000\).*use algorithm: 'hamerly' \(\d+ MB, as exact\), 'auto', or raise options\.memoryBudget\.$/,
    );
  });
});

describe('memoryBytes', () => {
  for (const backend of ['native', 'js'] as const) {
    it(`bounds the fit that ran and grows with what it allocates (${backend})`, async () => {
      const points = gaussianBlobs(2, 1500, 16, 4, 1, Float32Array);
      const [n, d] = points.shape;
      const fit = (options: object, data = points): number =>
        kmeansSync(data, 64, { seed: 3, backend, init: 'random', maxIterations: 3, ...options }).memoryBytes;
      const elkan = fit({ algorithm: 'elkan' });
      const hamerly = fit({ algorithm: 'hamerly' });
      const lloyd = fit({ algorithm: 'lloyd' });
      // Elkan's n × k lower bounds (float32 natively, float64 in TypeScript) outweigh Hamerly's few per point.
      expect(elkan).toBeGreaterThan(hamerly + 2 * n * 64);
      expect(hamerly).toBeGreaterThan(lloyd);
      expect(lloyd).toBeGreaterThan(0);
      // Cosine holds a normalised copy of the points for the whole fit.
      expect(fit({ algorithm: 'hamerly', metric: 'cosine' }) - hamerly).toBeGreaterThanOrEqual(n * d * 4);
      // Float64 points: their normalised copy takes twice the bytes (natively, float32 centres are widened to doubles anyway).
      const wide = { data: Float64Array.from(points.data), shape: points.shape };
      expect(fit({ algorithm: 'hamerly', metric: 'cosine' }, wide) - fit({ algorithm: 'hamerly', metric: 'cosine' })).toBeGreaterThanOrEqual(n * d * 4);
      // kmeans() copies points on an ArrayBuffer; on a SharedArrayBuffer it reads them in place.
      const copied = (await kmeans(points, 64, { seed: 3, backend, init: 'random', maxIterations: 3, algorithm: 'hamerly' })).memoryBytes;
      expect(copied - hamerly).toBe(n * d * 4);
      const shared = new Float32Array(new SharedArrayBuffer(points.data.byteLength));
      shared.set(points.data);
      expect(
        (await kmeans({ data: shared, shape: points.shape }, 64, { seed: 3, backend, init: 'random', maxIterations: 3, algorithm: 'hamerly' })).memoryBytes,
      ).toBe(hamerly);
      // The same number survives JSON.
      expect(JSON.parse(JSON.stringify(kmeansSync(points, 64, { seed: 3, backend, init: 'random', maxIterations: 3, algorithm: 'elkan' }))).memoryBytes).toBe(
        elkan,
      );
    });
  }

  it("charges each backend for its own bounds: the native core's float32 Elkan bounds take half the TypeScript ones", () => {
    const fit = { ...shape(200_000, 128, 1000), algorithm: 'elkan' as const };
    expect(jsBackend.fitBytes(fit) - nativeFitBytes(fit)).toBeGreaterThan(4 * 200_000 * 1000 * 0.9);
    const budget = nativeFitBytes(fit);
    expect(chooseAlgorithm('elkan', fit, native, budget)).toBe('elkan');
    expect(() => chooseAlgorithm('elkan', fit, jsBackend, budget)).toThrow(RangeError);
    expect(chooseAlgorithm('auto', fit, jsBackend, budget)).toBe('hamerly');
    // One byte less and the native fit is refused too: the budget is a limit, not a hint.
    expect(() => chooseAlgorithm('elkan', fit, native, budget - 1)).toThrow(/options\.algorithm 'elkan' needs/);
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
