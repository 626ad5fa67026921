/**
 * The orchestrator's side of a measurement: writes the dataset where the child processes read it,
 * runs one child per implementation and configuration, and turns its raw output into a
 * Measurement. Children run one at a time, never concurrently, so they never compete for cores.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Dataset, writeDataset } from './datasets.js';
import { IMPLEMENTATIONS, type ImplementationId, type Variant, variantLabel } from './implementations.js';
import { evaluateInertia } from './inertia.js';
import { machineBusyMs } from './machine.js';
import type { DatasetFiles, MeasureJob, MeasureOutput, MeasureRefusal, RepetitionPolicy, StopRule } from './protocol.js';
import type { PythonInfo } from './python.js';

const ROOT = join(__dirname, '..');
const NODE_WORKER = join(__dirname, 'measure-worker.ts');
const JOB_TIMEOUT_MS = 10 * 60_000;

export interface Measurement {
  variant: Variant;
  label: string;
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped or failed. */
  note?: string;
  timesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  iterations: number;
  converged: boolean;
  msPerIteration: number;
  /** Inertia of its final centres, evaluated by inertia.ts. */
  inertia: number;
  /** What the library itself reported, when it reports anything. */
  reportedInertia: number | null;
  /** The algorithm our 'auto' took, for the implementations that choose. */
  algorithm?: string;
  peakRssMiB: number;
  /**
   * Cores' worth of CPU that other processes used while this measurement ran (the machine's busy
   * time less the child's and ours, over the wall time): anything well above 0 means the figure
   * was taken on a shared, busy machine.
   */
  backgroundCores: number;
}

export interface MeasureContext {
  workDir: string;
  python?: PythonInfo;
  /** Why scikit-learn runs are skipped, when they are. */
  pythonMissing?: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A measurement that did not happen, with the reason. */
export function unmeasured(variant: Variant, status: 'skipped' | 'failed', note: string): Measurement {
  return {
    variant,
    label: variantLabel(variant),
    status,
    note,
    timesMs: [],
    medianMs: NaN,
    minMs: NaN,
    maxMs: NaN,
    iterations: 0,
    converged: false,
    msPerIteration: NaN,
    inertia: NaN,
    reportedInertia: null,
    peakRssMiB: NaN,
    backgroundCores: NaN,
  };
}

/** Runs one measuring child to its end and parses the JSON line it ends its output with. */
function runChild<Output>(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: JOB_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && lastLine.startsWith('{')) {
        resolve(JSON.parse(lastLine) as Output);
        return;
      }
      const why = signal ? `killed by ${signal}${signal === 'SIGTERM' ? ' (timed out)' : ''}` : `exit code ${code}`;
      reject(new Error(`${why}: ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`));
    });
  });
}

/**
 * A child's output and the cores' worth of CPU other processes used while it ran (the machine's
 * busy time less the child's, as it reports it, and ours).
 */
export async function measureChild<Output extends { cpuMs: number }>(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ output: Output; backgroundCores: number }> {
  const busyBefore = machineBusyMs();
  const ownBefore = process.cpuUsage();
  const start = performance.now();
  const output = await runChild<Output>(command, args, env);
  const wallMs = performance.now() - start;
  const own = process.cpuUsage(ownBefore);
  const otherMs = machineBusyMs() - busyBefore - output.cpuMs - (own.user + own.system) / 1000;
  return { output, backgroundCores: Math.max(0, otherMs / wallMs) };
}

/**
 * FAISS alternates OpenMP loops with multi-threaded BLAS calls in every iteration, and libgomp's
 * default spin keeps its idle threads on the cores the BLAS threads then need: on 2 busy cores a
 * fit of 2 000 × 32 points, k = 8, took 500 ms at 2 threads, 90 ms with this spin, 10 ms on one
 * thread. It gets the short spin our addon sets for itself (lib/native-loader.ts), as ours runs
 * with it, unless the user chose one.
 */
function environmentFor(implementation: ImplementationId): NodeJS.ProcessEnv {
  const chosen = process.env.GOMP_SPINCOUNT !== undefined || process.env.OMP_WAIT_POLICY !== undefined;
  if (IMPLEMENTATIONS[implementation].script !== 'faiss_kmeans.py' || chosen) return process.env;
  return { ...process.env, GOMP_SPINCOUNT: '10000' };
}

/** Runs measurements on one dataset; its files live in the work folder until `release`. */
export class DatasetBench {
  private readonly files: DatasetFiles;
  /** Identical centres (native at any thread count, TS) are evaluated once. */
  private readonly inertiaByCentroids = new Map<string, number>();
  /** Sections asking for the same run (the thread sweep repeats comparison runs) share one measurement. */
  private readonly measured = new Map<string, Promise<Measurement>>();

  /**
   * `checkInertia` false takes each library's own inertia instead of evaluating it: for the
   * growth sweep, which compares times only and whose largest sizes would take seconds each.
   */
  constructor(
    readonly dataset: Dataset,
    private readonly context: MeasureContext,
    private readonly checkInertia = true,
  ) {
    this.files = writeDataset(dataset, context.workDir);
  }

  /** `stop` null: the implementation's own defaults, seeded with `seed` (the `*-default` implementations). */
  measure(variant: Variant, stop: StopRule | null, repetitions: RepetitionPolicy, seed = 0): Promise<Measurement> {
    const key = JSON.stringify([variant, stop, repetitions, seed]);
    let measurement = this.measured.get(key);
    if (!measurement) {
      measurement = this.run(variant, stop, repetitions, seed);
      this.measured.set(key, measurement);
    }
    return measurement;
  }

  release(): void {
    rmSync(this.files.points, { force: true });
    rmSync(this.files.init, { force: true });
  }

  private async run(variant: Variant, stop: StopRule | null, repetitions: RepetitionPolicy, seed: number): Promise<Measurement> {
    const info = IMPLEMENTATIONS[variant.implementation];
    const { python } = this.context;
    if (info.runtime === 'python' && !python) return unmeasured(variant, 'skipped', this.context.pythonMissing ?? 'no Python');
    if (info.script === 'faiss_kmeans.py' && !python!.faiss) {
      return unmeasured(variant, 'skipped', `${python!.executable} has no faiss (Debian: apt-get install python3-faiss)`);
    }
    const job: MeasureJob = { ...variant, data: this.files, stop, repetitions, seed };
    let measured: { output: MeasureOutput | MeasureRefusal; backgroundCores: number };
    try {
      measured =
        info.runtime === 'python'
          ? await measureChild<MeasureOutput>(python!.executable, [join(__dirname, info.script!), JSON.stringify(job)], environmentFor(variant.implementation))
          : await measureChild<MeasureOutput | MeasureRefusal>(process.execPath, ['--import', 'tsx', NODE_WORKER, JSON.stringify(job)]);
    } catch (error) {
      return unmeasured(variant, 'failed', error instanceof Error ? error.message : String(error));
    }
    const { output, backgroundCores } = measured;
    if ('refused' in output) return unmeasured(variant, 'skipped', `refused: ${output.refused}`);
    const medianMs = median(output.timesMs);
    return {
      variant,
      label: variantLabel(variant),
      status: 'ok',
      timesMs: output.timesMs,
      medianMs,
      minMs: Math.min(...output.timesMs),
      maxMs: Math.max(...output.timesMs),
      iterations: output.iterations,
      converged: output.converged,
      msPerIteration: medianMs / output.iterations,
      inertia: this.checkInertia ? this.inertiaOf(output.centroids) : (output.reportedInertia ?? NaN),
      reportedInertia: output.reportedInertia,
      ...(output.algorithm ? { algorithm: output.algorithm } : {}),
      peakRssMiB: output.peakRssBytes / 2 ** 20,
      backgroundCores,
    };
  }

  private inertiaOf(centroids: number[]): number {
    const key = centroids.join(',');
    let inertia = this.inertiaByCentroids.get(key);
    if (inertia === undefined) {
      const { points, n, d, k } = this.dataset;
      inertia = evaluateInertia(points, n, d, centroids, k);
      this.inertiaByCentroids.set(key, inertia);
    }
    return inertia;
  }
}
