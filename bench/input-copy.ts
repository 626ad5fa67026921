/**
 * What kmeans() pays for working on its own copy of points on an ArrayBuffer (native/binding.cpp),
 * against points on a SharedArrayBuffer (read in place) and kmeansSync (read in place): the time
 * the call blocks the event loop before it returns its promise, the whole fit, and the peak
 * resident set. Each variant runs in a process of its own, so that peaks do not mix.
 *   npx tsx bench/input-copy.ts [n] [d]
 */
import { spawnSync } from 'node:child_process';
import { kmeans, kmeansSync } from '../lib/index.js';

const [n, d] = [Number(process.argv[2] ?? 1_000_000), Number(process.argv[3] ?? 128)];
const variant = process.argv[4];
const OPTIONS = { seed: 1, k: 16, init: 'random' as const, maxIterations: 3, tolerance: 0, algorithm: 'lloyd' as const, backend: 'native' as const };

async function measure(kind: string): Promise<void> {
  const buffer = kind === 'shared' ? new SharedArrayBuffer(n * d * 4) : new ArrayBuffer(n * d * 4);
  const data = new Float32Array(buffer);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.618) * 100;
  const before = process.resourceUsage().maxRSS;
  const { k, ...options } = OPTIONS;
  const started = performance.now();
  let blocked = 0;
  if (kind === 'sync') {
    kmeansSync({ data, shape: [n, d] }, k, options);
  } else {
    const fit = kmeans({ data, shape: [n, d] }, k, options);
    blocked = performance.now() - started;
    await fit;
  }
  const total = performance.now() - started;
  const peak = process.resourceUsage().maxRSS;
  process.stdout.write(JSON.stringify({ kind, blocked, total, dataMB: (n * d * 4) / 2 ** 20, peakMB: peak / 1024, growthMB: (peak - before) / 1024 }));
}

if (variant) {
  void measure(variant);
} else {
  console.log(`${n} × ${d} float32 (${((n * d * 4) / 2 ** 20).toFixed(0)} MiB), Lloyd, k = 16, 3 iterations; each variant 3 times in a fresh process`);
  console.log('| variant | event loop blocked by the call | whole fit | peak RSS | RSS growth during the fit |');
  console.log('|---|---:|---:|---:|---:|');
  for (const kind of ['plain', 'shared', 'sync']) {
    const runs = Array.from({ length: 3 }, () => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, String(n), String(d), kind], { encoding: 'utf8' });
      return JSON.parse(child.stdout) as { blocked: number; total: number; peakMB: number; growthMB: number };
    });
    const median = (values: number[]): number => values.sort((a, b) => a - b)[1];
    const label = { plain: 'kmeans(), ArrayBuffer (copied)', shared: 'kmeans(), SharedArrayBuffer (in place)', sync: 'kmeansSync (in place)' }[kind];
    const blocked = kind === 'sync' ? 'all of it' : `${median(runs.map((r) => r.blocked)).toFixed(0)} ms`;
    console.log(
      `| ${label} | ${blocked} | ${median(runs.map((r) => r.total)).toFixed(0)} ms | ` +
        `${median(runs.map((r) => r.peakMB)).toFixed(0)} MiB | ${median(runs.map((r) => r.growthMB)).toFixed(0)} MiB |`,
    );
  }
}
