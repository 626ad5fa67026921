/** What the figures were measured on, recorded with them. */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem, type } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { loadNative } from '../lib/native-loader.js';
import type { PythonInfo } from './python.js';

export interface MachineInfo {
  cpu: string;
  logicalCores: number;
  memoryGiB: number;
  os: string;
  node: string;
  native: { loaded: boolean; openmp: boolean; maxThreads: number; error?: string };
  libraries: Record<string, string>;
  python: PythonInfo | null;
  /** Cores' worth of CPU other processes used in the second before the run: other work skews every figure. */
  backgroundCoresAtStart: number;
}

/** Busy milliseconds summed over all cores since boot. */
export function machineBusyMs(): number {
  return cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

async function backgroundCores(sampleMs: number): Promise<number> {
  const before = machineBusyMs();
  await sleep(sampleMs);
  return (machineBusyMs() - before) / sampleMs;
}

function packageVersion(name: string): string {
  // Not require.resolve: ml-kmeans's exports map hides its package.json.
  const path = join(__dirname, '..', 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

export async function describeMachine(python: PythonInfo | null): Promise<MachineInfo> {
  const native = loadNative();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    logicalCores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    native: native.binding
      ? { loaded: true, openmp: native.binding.openmp, maxThreads: native.binding.maxThreads }
      : { loaded: false, openmp: false, maxThreads: 0, error: native.error.message },
    libraries: { 'ml-kmeans': packageVersion('ml-kmeans'), skmeans: packageVersion('skmeans') },
    python,
    backgroundCoresAtStart: await backgroundCores(1000),
  };
}

/** One line for headers and chart titles. */
export function summarizeMachine(machine: MachineInfo): string {
  return `${machine.cpu}, ${machine.logicalCores} logical cores, ${machine.memoryGiB} GiB, ${machine.os}, Node.js ${machine.node}`;
}
