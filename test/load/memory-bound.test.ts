/**
 * result.memoryBytes bounds what a fit allocates: a native fit of 300 000 × 32 float32 points,
 * k = 256, in a fresh process (test/load/fit-peak-rss-child.ts), raises the peak resident set
 * above the resident set just before it by at most memoryBytes plus SLACK, for Elkan (about 310 MB
 * of n × k float32 bounds) and Hamerly. SLACK covers what the bound leaves out: V8's own objects,
 * the allocator's slack, pages of the addon touched for the first time.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MB = 1024 * 1024;
const SLACK = 32 * MB;
const [N, D, K] = [300_000, 32, 256];

function measured(algorithm: string): { memoryBytes: number; growth: number } {
  const child = join(__dirname, 'fit-peak-rss-child.ts');
  const output = execFileSync(process.execPath, ['--import', 'tsx', child, String(N), String(D), String(K), algorithm], { encoding: 'utf8' });
  const { memoryBytes, before, peakBefore, peakAfter } = JSON.parse(output) as Record<string, number>;
  // The points are made in place, so nothing before the fit peaked above the resident set.
  expect(peakBefore - before).toBeLessThan(SLACK);
  return { memoryBytes, growth: peakAfter - before };
}

describe('memoryBytes bounds the peak resident set a fit adds', () => {
  for (const algorithm of ['elkan', 'hamerly']) {
    it(`${algorithm}: ${N} × ${D} float32, k = ${K}`, () => {
      const { memoryBytes, growth } = measured(algorithm);
      console.log(`${algorithm}: memoryBytes ${(memoryBytes / MB).toFixed(1)} MiB, peak RSS growth ${(growth / MB).toFixed(1)} MiB`);
      expect(growth).toBeLessThanOrEqual(memoryBytes + SLACK);
      // The measurement sees the fit: Elkan's lower bounds alone are N × K floats.
      if (algorithm === 'elkan') expect(growth).toBeGreaterThan(4 * N * K);
    });
  }
});
