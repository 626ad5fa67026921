/**
 * The throughput section: the rate of our all-pairs distance step, as `predict` runs it, in
 * GFLOP/s, beside numpy's float32 matrix product on the same shapes and the machine's peak. The
 * Node.js side runs in bench/throughput-worker.ts, numpy's in bench/numpy_matmul.py.
 */
import { join } from 'node:path';
import { measureChild } from './measure.js';
import { estimatePeak } from './peak.js';
import type { ThroughputPlan } from './plan.js';
import type { MatmulJob, MatmulOutput, ThroughputJob, ThroughputOutput } from './protocol.js';
import type { PythonInfo } from './python.js';
import { type ThroughputEntry, type ThroughputResult, throughputEntry } from './results.js';

/** One block of points per thread: the addon gives a thread no fewer points (native/parallel.hpp). */
const POINTS_PER_THREAD = 4096;

/**
 * numpy's environment, less two OpenBLAS overrides some machines set for other programs: a forced
 * core type or L2 size would time another BLAS than the one numpy picks here. Only this child
 * drops them; scikit-learn's runs keep the environment as it is.
 */
function numpyEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function runThroughput(
  plan: ThroughputPlan,
  threads: number,
  python: PythonInfo | undefined,
  pythonMissing: string,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const { k, repetitions } = plan;
  const notes: string[] = [];
  const job: ThroughputJob = {
    k,
    dims: plan.dims,
    targetMs: plan.targetMs,
    minN: Math.max(k, POINTS_PER_THREAD * threads),
    maxValues: plan.maxValues,
    tsDims: plan.tsDims,
    tsTargetMs: plan.tsTargetMs,
    repetitions,
  };
  // predict takes every thread of the addon's budget, which OMP_NUM_THREADS sets as the addon loads.
  const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
  let node: { output: ThroughputOutput; backgroundCores: number } | undefined;
  try {
    node = await measureChild<ThroughputOutput>(process.execPath, ['--import', 'tsx', join(__dirname, 'throughput-worker.ts'), JSON.stringify(job)], env);
  } catch (error) {
    notes.push(`The Node.js throughput run failed: ${message(error)}`);
  }
  const native = (node?.output.native ?? []).map(throughputEntry);
  if (node?.output.nativeError) notes.push(`Native column empty: ${node.output.nativeError}`);
  if (node && node.output.native.length > 0 && node.output.nativeThreads !== threads) {
    notes.push(`The addon's predict had ${node.output.nativeThreads} threads, not ${threads}.`);
  }
  for (const e of native) log(`  native predict d = ${e.d}, n = ${e.n}: ${e.medianMs.toFixed(1)} ms, ${e.gflops.toFixed(1)} GFLOP/s`);

  let numpyRows: ThroughputEntry[] = [];
  let numpy: ThroughputResult['numpy'] = null;
  let numpyBackground: number | null = null;
  if (!python) {
    notes.push(`numpy column empty: ${pythonMissing}.`);
  } else if (native.length > 0) {
    const matmul: MatmulJob = { shapes: native.map(({ d, n }) => ({ d, n, k })), threads, blockRows: plan.blockRows, repetitions };
    try {
      const run = await measureChild<MatmulOutput>(python.executable, [join(__dirname, 'numpy_matmul.py'), JSON.stringify(matmul)], numpyEnvironment());
      numpyRows = run.output.rows.map(throughputEntry);
      numpy = { version: run.output.numpy, blas: run.output.blas };
      numpyBackground = run.backgroundCores;
    } catch (error) {
      notes.push(`numpy's run failed: ${message(error)}`);
    }
    for (const e of numpyRows) log(`  numpy X @ C.T d = ${e.d}, n = ${e.n}: ${e.medianMs.toFixed(1)} ms, ${e.gflops.toFixed(1)} GFLOP/s`);
  }

  const peak = estimatePeak(threads);
  const rows = plan.dims.map((d) => {
    const ours = native.find((e) => e.d === d) ?? null;
    const theirs = numpyRows.find((e) => e.d === d) ?? null;
    return {
      d,
      native: ours,
      numpy: theirs,
      oursOverNumpy: ours && theirs ? ours.gflops / theirs.gflops : NaN,
      fractionOfPeak: ours && peak.gflops !== null ? ours.gflops / peak.gflops : NaN,
    };
  });
  const ts = (node?.output.ts ?? []).map(throughputEntry).map((e) => {
    const ours = native.find((n) => n.d === e.d);
    return { ...e, nativeOverTs: ours ? ours.gflops / e.gflops : NaN };
  });
  for (const e of ts) log(`  TS backend predict d = ${e.d}, n = ${e.n}: ${e.medianMs.toFixed(1)} ms, ${e.gflops.toFixed(2)} GFLOP/s`);
  return {
    k,
    threads,
    targetMs: plan.targetMs,
    blockRows: plan.blockRows,
    peak,
    numpy,
    rows,
    ts,
    notes,
    backgroundCores: { node: node?.backgroundCores ?? NaN, numpy: numpyBackground },
  };
}
