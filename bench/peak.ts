/**
 * The machine's theoretical float32 peak, the yardstick of the throughput section: cores × FMA
 * units × float32 lanes per FMA × 2 flops × clock. Read from /proc/cpuinfo (and lscpu for the
 * clock) where they exist; elsewhere the peak is unknown and the table says so.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface PeakEstimate {
  /** GFLOP/s over the cores the run uses; null when the CPU could not be identified. */
  gflops: number | null;
  /** Physical cores the figure counts: the run's threads, at most one per core. */
  cores: number;
  fmaUnits: number;
  /** float32 lanes one FMA unit completes per cycle; null when unknown. */
  lanes: number | null;
  clockMHz: number | null;
  /** Where the clock came from, in words. */
  clockSource: string;
  /** How the lanes were decided, in words, for the report. */
  basis: string;
}

/** Both x86 vendors' current cores issue two vector FMAs per cycle; CPUs with one are not told apart. */
const FMA_UNITS = 2;

interface CpuInfo {
  vendor: string;
  family: number;
  model: number;
  flags: Set<string>;
  mhz: number | null;
  physicalCores: number;
}

function readCpuInfo(): CpuInfo | null {
  let text: string;
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
  const blocks = text.split(/\n\s*\n/).filter((b) => b.includes('processor'));
  if (blocks.length === 0) return null;
  const field = (block: string, name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1].trim();
  const first = blocks[0];
  // Logical processors sharing a physical and core id are SMT siblings: they share the FMA units.
  const cores = new Set(blocks.map((b) => `${field(b, 'physical id') ?? '0'}:${field(b, 'core id') ?? field(b, 'processor')}`));
  const mhz = Number(field(first, 'cpu MHz'));
  return {
    vendor: field(first, 'vendor_id') ?? 'unknown',
    family: Number(field(first, 'cpu family') ?? NaN),
    model: Number(field(first, 'model') ?? NaN),
    flags: new Set((field(first, 'flags') ?? '').split(/\s+/)),
    mhz: Number.isFinite(mhz) && mhz > 0 ? mhz : null,
    physicalCores: cores.size,
  };
}

/** lscpu's "CPU max MHz" (the highest clock the cores may run at), when lscpu exists and reports one. */
function lscpuMaxMHz(): number | null {
  const run = spawnSync('lscpu', [], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, timeout: 10_000 });
  if (run.status !== 0) return null;
  const mhz = Number(/^CPU max MHz:\s*([\d.]+)/m.exec(run.stdout)?.[1]);
  return Number.isFinite(mhz) && mhz > 0 ? mhz : null;
}

function lanesOf(cpu: CpuInfo): { lanes: number | null; basis: string } {
  const name = `${cpu.vendor} family ${cpu.family} model ${cpu.model}`;
  if (cpu.flags.has('avx512f')) {
    // Zen 4 (family 0x19, the only AMD family 25 cores with AVX-512) splits each 512-bit FMA into
    // two 256-bit halves: AVX-512 gives it no more lanes per cycle than AVX2.
    if (cpu.vendor === 'AuthenticAMD' && cpu.family === 25) {
      return { lanes: 8, basis: `${name}: Zen 4, AVX-512 executed as two 256-bit halves, so 8 float32 lanes per FMA unit` };
    }
    return { lanes: 16, basis: `${name}: AVX-512, 16 float32 lanes per FMA unit` };
  }
  if (cpu.flags.has('avx2') && cpu.flags.has('fma')) return { lanes: 8, basis: `${name}: AVX2 with FMA, 8 float32 lanes per FMA unit` };
  return { lanes: null, basis: `${name}: neither AVX2 with FMA nor AVX-512; peak unknown` };
}

/** The float32 peak over `threads` threads, at most one per physical core. */
export function estimatePeak(threads: number): PeakEstimate {
  const cpu = readCpuInfo();
  if (!cpu) {
    return {
      gflops: null,
      cores: threads,
      fmaUnits: FMA_UNITS,
      lanes: null,
      clockMHz: null,
      clockSource: 'unknown',
      basis: 'no /proc/cpuinfo on this system: CPU and clock unknown',
    };
  }
  const cores = Math.min(threads, cpu.physicalCores);
  const { lanes, basis } = lanesOf(cpu);
  const max = lscpuMaxMHz();
  const clockMHz = max ?? cpu.mhz;
  const clockSource =
    max !== null
      ? 'lscpu "CPU max MHz" (the highest clock the cores may reach)'
      : cpu.mhz !== null
        ? '/proc/cpuinfo "cpu MHz" (the clock the kernel reports, not a boost clock)'
        : 'unknown';
  const gflops = lanes !== null && clockMHz !== null ? (cores * FMA_UNITS * lanes * 2 * clockMHz) / 1000 : null;
  return { gflops, cores, fmaUnits: FMA_UNITS, lanes, clockMHz, clockSource, basis };
}
