/**
 * A measuring child of the bigdata section (bench/bigdata.ts). Mode 'fit': reads the points file
 * into one Float32Array and times a default-style kmeansSync, which reads it in place. Mode
 * 'inertia': the float64 inertia of each given set of centroids over the full data, every point
 * to its nearest centre (the native predict, then exact double distances).
 */
import { openSync, readFileSync, readSync, closeSync } from 'node:fs';
import { kmeansSync, predict } from '../lib/index.js';

interface Job {
  mode: 'fit' | 'inertia';
  file: string;
  n: number;
  d: number;
  k: number;
  seed: number;
  tolerance: number;
  threads: number;
  centroidsFile?: string;
}

function readPoints(file: string, n: number, d: number): Float32Array {
  const points = new Float32Array(n * d);
  const bytes = new Uint8Array(points.buffer);
  const fd = openSync(file, 'r');
  try {
    for (let offset = 0; offset < bytes.length;) {
      const read = readSync(fd, bytes, offset, Math.min(1 << 30, bytes.length - offset), offset);
      if (read === 0) throw new Error(`${file} holds fewer than ${n} × ${d} float32 values`);
      offset += read;
    }
  } finally {
    closeSync(fd);
  }
  return points;
}

function peakRssBytes(): number {
  const kib = /^VmHWM:\s*(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kib !== undefined ? Number(kib) * 1024 : process.resourceUsage().maxRSS * 1024;
}

function cpuMs(): number {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
}

const job = JSON.parse(process.argv[2]) as Job;
const { n, d, k } = job;
const points = { data: readPoints(job.file, n, d), shape: [n, d] as [number, number] };
if (job.mode === 'fit') {
  const started = performance.now();
  const result = kmeansSync(points, k, { seed: job.seed, tolerance: job.tolerance, threads: job.threads });
  const seconds = (performance.now() - started) / 1000;
  const note = `init ${result.init}, ${result.algorithm}, ${result.converged ? 'converged' : 'at the iteration cap'}`;
  const output = { seconds, cpuMs: cpuMs(), iterations: result.iterations, peakRssBytes: peakRssBytes(), centroids: [...result.centroids.data], note };
  process.stdout.write(`${JSON.stringify(output)}\n`);
} else {
  const sets = JSON.parse(readFileSync(job.centroidsFile!, 'utf8')) as Array<number[] | null>;
  const inertias = sets.map((set) => {
    if (set === null) return null;
    const centres = Float64Array.from(set);
    const labels = predict(points, { data: centres, shape: [set.length / d, d] });
    let total = 0;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < d; j++) {
        const diff = points.data[i * d + j] - centres[labels[i] * d + j];
        sum += diff * diff;
      }
      total += sum;
    }
    return total;
  });
  process.stdout.write(`${JSON.stringify({ inertias, cpuMs: cpuMs() })}\n`);
}
