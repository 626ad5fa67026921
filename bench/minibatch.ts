/**
 * The minibatch section: mini-batch k-means against our default (exact) fit and scikit-learn's
 * MiniBatchKMeans with the same batch size, on one thread each: CPU time, and the inertia of each
 * one's centres over all points (float64, each point to its nearest centre).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kmeansSync, miniBatchKMeansSync } from '../lib/index.js';
import { loadNative } from '../lib/native-loader.js';
import { blobs, generateBlobs } from './datasets.js';
import type { PythonInfo } from './python.js';

export interface MiniBatchRow {
  implementation: string;
  cpuSeconds: number;
  wallSeconds: number;
  /** Over all points, float64, each point to its nearest centre. */
  inertia: number;
  /** Batches (mini-batch) or iterations (full fit). */
  steps: number;
}

export interface MiniBatchResult {
  n: number;
  d: number;
  k: number;
  batchSize: number;
  seed: number;
  rows: MiniBatchRow[];
  notes: string[];
}

function timed<T>(work: () => T): { value: T; cpuSeconds: number; wallSeconds: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = work();
  const used = process.cpuUsage(cpu);
  return { value, cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: (performance.now() - start) / 1000 };
}

export function runMiniBatch(
  quick: boolean,
  python: PythonInfo | undefined,
  pythonMissing: string,
  workDir: string,
  log: (line: string) => void,
): MiniBatchResult {
  const [n, d, k, batchSize] = quick ? [20_000, 8, 10, 256] : [1_000_000, 32, 100, 1024];
  const seed = 1;
  const points = generateBlobs(blobs(n, d, k, k, 'float32')) as Float32Array;
  const matrix = { data: points, shape: [n, d] as const };
  log(`\nMini-batch k-means: ${n} × ${d} float32 blobs, k = ${k}, batch ${batchSize}, one thread`);
  const rows: MiniBatchRow[] = [];
  const notes: string[] = [];

  // Without the addon, the TypeScript backend stands in (and says so in its row's name).
  const native = loadNative().binding !== undefined;
  const backends: Array<'native' | 'js'> = native ? (quick ? ['native', 'js'] : ['native']) : ['js'];
  for (const backend of backends) {
    const mini = timed(() => miniBatchKMeansSync(matrix, k, { seed, batchSize, threads: 1, backend }));
    rows.push({
      implementation: `ours miniBatchKMeans (${backend})`,
      cpuSeconds: mini.cpuSeconds,
      wallSeconds: mini.wallSeconds,
      inertia: mini.value.inertia,
      steps: mini.value.steps,
    });
    log(`  ours mini-batch (${backend}): ${mini.cpuSeconds.toFixed(2)} s CPU, inertia ${mini.value.inertia.toPrecision(8)}, ${mini.value.steps} steps`);
  }
  const full = timed(() => kmeansSync(matrix, k, { seed, threads: 1 }));
  rows.push({
    implementation: `ours kmeans default (${full.value.algorithm})`,
    cpuSeconds: full.cpuSeconds,
    wallSeconds: full.wallSeconds,
    inertia: full.value.inertia,
    steps: full.value.iterations,
  });
  log(`  ours full fit: ${full.cpuSeconds.toFixed(2)} s CPU, inertia ${full.value.inertia.toPrecision(8)}, ${full.value.iterations} iterations`);

  if (python) {
    const file = join(workDir, 'minibatch-points.f32');
    writeFileSync(file, Buffer.from(points.buffer, points.byteOffset, points.byteLength));
    const job = JSON.stringify({ points: file, n, d, k, batchSize, seed });
    const run = spawnSync(python.executable, [join(__dirname, 'sklearn_minibatch.py'), job], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status === 0) {
      const out = JSON.parse(run.stdout) as { cpuSeconds: number; wallSeconds: number; inertia: number; steps: number };
      rows.push({ implementation: `scikit-learn ${python.sklearn} MiniBatchKMeans`, ...out });
      log(`  scikit-learn mini-batch: ${out.cpuSeconds.toFixed(2)} s CPU, inertia ${out.inertia.toPrecision(8)}, ${out.steps} steps`);
    } else {
      notes.push(`scikit-learn's MiniBatchKMeans failed: ${run.stderr.trim().split('\n').pop()}`);
    }
  } else {
    notes.push(`scikit-learn left out: ${pythonMissing}`);
  }
  return { n, d, k, batchSize, seed, rows, notes };
}
