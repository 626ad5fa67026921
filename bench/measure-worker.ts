/**
 * One measurement in its own process, so that its peak memory is its own and no JIT state or
 * thread pool carries over from another implementation. Started by measure.ts with the job as
 * its one argument; prints one MeasureOutput as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import type { Matrix } from '../lib/index.js';
import { createRunner } from './node-runners.js';
import type { DatasetFiles, ElementType, MeasureJob, MeasureOutput, MeasureRefusal } from './protocol.js';

function readMatrix(path: string, rows: number, d: number, type: ElementType): Matrix {
  const bytes = readFileSync(path);
  const Type = type === 'float32' ? Float32Array : Float64Array;
  // A view when the buffer is aligned (large reads get their own), else a copy: a copy would
  // count the data twice in the peak memory.
  const buffer = bytes.byteOffset % Type.BYTES_PER_ELEMENT === 0 ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const offset = buffer === bytes.buffer ? bytes.byteOffset : 0;
  const data = new Type(buffer, offset, bytes.byteLength / Type.BYTES_PER_ELEMENT);
  if (data.length !== rows * d) throw new Error(`${path} holds ${data.length} values, expected ${rows} × ${d}.`);
  return { data, shape: [rows, d] };
}

/**
 * This process's own peak resident set. Linux's maxRSS also counts the resident set the parent had
 * when it started us (exec keeps the high-water mark of the forked copy), so every child reported
 * at least the orchestrator's size (117 MiB in a quick run, the same for all); /proc/self/status's
 * VmHWM is this program's alone. Elsewhere maxRSS is all there is.
 */
function peakRssBytes(): number {
  try {
    const kib = /^VmHWM:\s*(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kib !== undefined) return Number(kib) * 1024;
  } catch {
    // No /proc: not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

function cpuMs(): number {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
}

async function measure(job: MeasureJob): Promise<MeasureOutput | MeasureRefusal> {
  const files: DatasetFiles = job.data;
  const points = readMatrix(files.points, files.n, files.d, files.type);
  const init = readMatrix(files.init, files.k, files.d, files.type);
  const runner = await createRunner(job.implementation, { points, init, k: files.k, threads: job.threads, seed: job.seed });
  const { stop, repetitions: policy } = job;

  // A fit with its defaults warms up on a few iterations too: the warm-up only starts what a fit starts.
  const warmUp = stop ?? { tolerance: 0, maxIterations: policy.warmupIterations };
  runner.prepare({ ...warmUp, maxIterations: Math.min(warmUp.maxIterations, policy.warmupIterations) });
  try {
    await runner.fit();
  } catch (error) {
    // A RangeError before any work is a configuration the library will not run on this machine
    // (an explicit Elkan whose bounds exceed the memory budget): a row to skip, not a failure.
    if (error instanceof RangeError) return { refused: error.message, cpuMs: cpuMs() };
    throw error;
  }

  const timesMs: number[] = [];
  let spentMs = 0;
  while (timesMs.length < policy.maxRepetitions && (timesMs.length < policy.minRepetitions || spentMs < policy.budgetMs)) {
    runner.prepare(stop);
    const start = performance.now();
    await runner.fit();
    const elapsed = performance.now() - start;
    timesMs.push(elapsed);
    spentMs += elapsed;
  }
  // Every repetition is deterministic, so the last one's outcome stands for all.
  return { timesMs, ...runner.outcome(), peakRssBytes: peakRssBytes(), cpuMs: cpuMs() };
}

measure(JSON.parse(process.argv[2]) as MeasureJob).then(
  (output) => process.stdout.write(`${JSON.stringify(output)}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
