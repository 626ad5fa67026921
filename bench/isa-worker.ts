/**
 * Child process of isa-variants.ts: loads one build of the addon directly, fits the same data
 * `repetitions` times after a warm-up, and prints the times as JSON. Going straight to the
 * binding lets builds that the package loader would not pick (a -march=native one) run the
 * identical call.
 */
import { createRequire } from 'node:module';
import type { NativeBinding } from '../lib/binding.js';
import { loadDataset, blobs } from './datasets.js';

const [addonPath, algorithm, repetitions] = process.argv.slice(2);
const binding = createRequire(__filename)(addonPath) as NativeBinding;
const { points, init, n, d, k } = loadDataset(blobs(100_000, 32, 100));
const fit = (): number => {
  const started = performance.now();
  binding.fitSync(
    {
      data: points,
      n,
      d,
      k,
      weights: null,
      init,
      nInit: 1,
      maxIterations: 300,
      tolerance: 1e-4,
      seed: 0,
      algorithm: algorithm as 'elkan' | 'hamerly' | 'lloyd',
      metric: 'euclidean',
      threads: 1,
    },
    null,
    null,
  );
  return performance.now() - started;
};
fit();
const times = Array.from({ length: Number(repetitions) }, fit);
process.stdout.write(JSON.stringify({ isa: binding.isa, times }));
