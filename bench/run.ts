/**
 * `npm run bench`: compares our backends with ml-kmeans, skmeans and scikit-learn on the same data
 * and initial centres, sweeps the thread count and the problem size, and writes results.json,
 * results.md and the SVG charts. Run with --help for the options; plan.ts holds what is measured.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { BIGDATA_DEFAULT, BIGDATA_QUICK, type BigDataResult, runBigData } from './bigdata.js';
import { type DatasetSpec, blobs, loadDataset } from './datasets.js';
import { variant } from './implementations.js';
import { INERTIA_RELATIVE_TOLERANCE } from './inertia.js';
import { type MachineInfo, describeMachine, summarizeMachine } from './machine.js';
import { DatasetBench, type MeasureContext, type Measurement, unmeasured } from './measure.js';
import { type MiniBatchResult, runMiniBatch } from './minibatch.js';
import { type BenchOptions, type Section, USAGE, parseOptions } from './options.js';
import { type GrowthAxis, type Plan, defaultPlan, endToEndFolders, folderRows, quickPlan } from './plan.js';
import { findPython } from './python.js';
import { growthChart, speedupChart } from './report-svg.js';
import { BUSY_CORES, formatReport } from './report-table.js';
import {
  type BenchResults,
  type ComparisonResult,
  type CosineResult,
  type DistanceResult,
  type EndToEndResult,
  type GrowthPoint,
  type GrowthResult,
  type ThreadScalingResult,
  type ThroughputResult,
  compareRow,
  cosineRow,
  distanceRow,
  endToEndRow,
  summarizeDataset,
  threadSeries,
} from './results.js';
import { runThroughput } from './throughput.js';

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function progress(m: Measurement): void {
  const outcome =
    m.status === 'ok'
      ? `${m.medianMs.toFixed(1)} ms median of ${m.timesMs.length}, ${m.iterations} iterations${m.converged ? '' : ' (cap)'}`
      : `${m.status}: ${m.note}`;
  log(`  ${m.label.padEnd(32)} ${outcome}`);
}

/** Datasets of the comparison and the thread sweep stay open between the two; the sweep reuses runs. */
class Benches {
  private readonly open = new Map<string, DatasetBench>();

  constructor(private readonly context: MeasureContext) {}

  get(spec: DatasetSpec): DatasetBench {
    const key = JSON.stringify(spec);
    let bench = this.open.get(key);
    if (!bench) {
      bench = new DatasetBench(loadDataset(spec), this.context);
      this.open.set(key, bench);
    }
    return bench;
  }

  releaseAll(): void {
    for (const bench of this.open.values()) bench.release();
    this.open.clear();
  }
}

async function runComparison(plan: Plan, options: BenchOptions, benches: Benches): Promise<ComparisonResult[]> {
  const rows = [...plan.comparison, ...folderRows(options.folders, options.threads, options.quick)];
  const results: ComparisonResult[] = [];
  for (const row of rows) {
    const bench = benches.get(row.dataset);
    log(`\n${bench.dataset.title} (${bench.dataset.type}), tolerance ${row.stop.tolerance}, at most ${row.stop.maxIterations} iterations`);
    const measurements: Measurement[] = [];
    for (const v of row.variants) {
      measurements.push(await bench.measure(v, row.stop, plan.repetitions));
      progress(measurements[measurements.length - 1]);
    }
    results.push(compareRow(bench.dataset, row.stop, measurements));
  }
  return results;
}

async function runThreadScaling(plan: Plan, benches: Benches): Promise<ThreadScalingResult> {
  const { dataset, stop, implementations, threads } = plan.threadScaling;
  const bench = benches.get(dataset);
  log(`\nThread scaling on ${bench.dataset.title}`);
  const series = [];
  for (const implementation of implementations) {
    const points: Measurement[] = [];
    for (const t of threads) {
      points.push(await bench.measure(variant(implementation, t), stop, plan.repetitions));
      progress(points[points.length - 1]);
    }
    series.push(threadSeries(implementation, points));
  }
  return { dataset: summarizeDataset(bench.dataset), stop, series };
}

async function runGrowth(plan: Plan, context: MeasureContext): Promise<GrowthResult> {
  const { base, axes, stop, variants, tsLimitMsPerIteration } = plan.growth;
  const result: GrowthResult = { base, stop, variants, axes: [] };
  for (const axis of Object.keys(axes) as GrowthAxis[]) {
    const points: GrowthPoint[] = [];
    // The last measured TS point of this axis, to predict the next one's time per iteration.
    let lastTs: { work: number; msPerIteration: number } | undefined;
    for (const value of axes[axis]) {
      const size = { ...base, [axis]: value };
      const bench = new DatasetBench(loadDataset(blobs(size.n, size.d, size.k, base.k)), context, false);
      log(`\nGrowth along ${axis}: ${bench.dataset.title}`);
      const work = size.n * size.k * size.d;
      const entries: Measurement[] = [];
      for (const v of variants) {
        const isTs = v.implementation.startsWith('ts-');
        const predicted = isTs && lastTs ? (lastTs.msPerIteration * work) / lastTs.work : 0;
        const m =
          predicted > tsLimitMsPerIteration
            ? unmeasured(v, 'skipped', `one iteration would take about ${(predicted / 1000).toFixed(0)} s (limit ${tsLimitMsPerIteration / 1000} s)`)
            : await bench.measure(v, stop, plan.growthRepetitions);
        if (isTs && m.status === 'ok') lastTs = { work, msPerIteration: m.msPerIteration };
        progress(m);
        entries.push(m);
      }
      bench.release();
      points.push({ value, ...size, entries });
    }
    result.axes.push({ axis, points });
  }
  return result;
}

async function runEndToEnd(plan: Plan, options: BenchOptions, context: MeasureContext): Promise<EndToEndResult[]> {
  const { seed, implementations, repetitions } = plan.endToEnd;
  const all = Math.max(...options.threads);
  const results: EndToEndResult[] = [];
  for (const spec of [...plan.endToEnd.datasets, ...endToEndFolders(options.dataDir)]) {
    const bench = new DatasetBench(loadDataset(spec), context);
    log(`\n${bench.dataset.title} (${bench.dataset.type}), every library with its defaults, seed ${seed}`);
    if (bench.dataset.note) log(`  (${bench.dataset.note})`);
    const measurements: Measurement[] = [];
    for (const implementation of implementations) {
      measurements.push(await bench.measure(variant(implementation, all), null, repetitions, seed));
      progress(measurements[measurements.length - 1]);
    }
    bench.release();
    results.push(endToEndRow(bench.dataset, seed, measurements));
  }
  return results;
}

async function runDistance(plan: Plan, context: MeasureContext): Promise<DistanceResult[]> {
  const results: DistanceResult[] = [];
  for (const { dataset, stop, variants } of plan.distance.rows) {
    // Each library's own inertia: evaluating it here would take minutes at 2 000 000 × 1000.
    const bench = new DatasetBench(loadDataset(dataset), context, false);
    log(`\n${bench.dataset.title} (${bench.dataset.type}), tolerance ${stop.tolerance}, ${stop.maxIterations} iterations`);
    const measurements: Measurement[] = [];
    for (const v of variants) {
      // 'auto' runs first; the algorithm it took would only repeat its fit (Elkan at 2 000 000 × 1000: minutes).
      const auto = measurements.find((m) => m.variant.implementation === 'native-auto' && m.status === 'ok');
      const repeat = auto !== undefined && v.implementation === `native-${auto.algorithm}` && v.threads === auto.variant.threads;
      measurements.push(
        repeat ? unmeasured(v, 'skipped', `the fit of 'auto', which took ${auto.algorithm}`) : await bench.measure(v, stop, plan.distance.repetitions),
      );
      progress(measurements[measurements.length - 1]);
    }
    bench.release();
    results.push(distanceRow(bench.dataset, stop, measurements));
  }
  return results;
}

async function runCosine(plan: Plan, context: MeasureContext): Promise<CosineResult[]> {
  const results: CosineResult[] = [];
  for (const { dataset, stop, variants } of plan.cosine.rows) {
    // Each fit's own inertia: the two metrics measure different things.
    const bench = new DatasetBench(loadDataset(dataset), context, false);
    log(`\n${bench.dataset.title} (${bench.dataset.type}), metric cosine against euclidean, tolerance ${stop.tolerance}, ${stop.maxIterations} iterations`);
    const measurements: Measurement[] = [];
    for (const v of variants) {
      measurements.push(await bench.measure(v, stop, plan.cosine.repetitions));
      progress(measurements[measurements.length - 1]);
    }
    bench.release();
    results.push(cosineRow(bench.dataset, stop, measurements));
  }
  return results;
}

function runNotes(machine: MachineInfo, pythonTried: string[], options: BenchOptions): string[] {
  const notes: string[] = [];
  if (!machine.python) {
    notes.push(
      options.pythonCandidates.length === 0
        ? 'scikit-learn left out (--no-python).'
        : `scikit-learn skipped: no Python with scikit-learn, numpy and threadpoolctl (${pythonTried.join('; ')}).`,
    );
  }
  if (!machine.native.loaded) notes.push(`The native addon did not load in the orchestrating process: ${machine.native.error}`);
  if (machine.backgroundCoresAtStart >= BUSY_CORES) {
    notes.push(`The machine was not idle at the start (other processes used ${machine.backgroundCoresAtStart.toFixed(2)} cores): expect noisy figures.`);
  }
  return notes;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let parsed: BenchOptions | 'help';
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed === 'help') {
    log(USAGE);
    return;
  }
  const options = parsed;
  const started = performance.now();
  const python = findPython(options.pythonCandidates);
  const machine = await describeMachine(python.info ?? null);
  const plan = options.quick
    ? quickPlan(options.threads, options.fashionMnistDir, options.dataDir)
    : defaultPlan(options.threads, options.fashionMnistDir, options.dataDir);
  const context: MeasureContext = {
    workDir: mkdtempSync(join(tmpdir(), 'elkan-kmeans-bench-')),
    python: python.info,
    pythonMissing: options.pythonCandidates.length === 0 ? 'left out (--no-python)' : 'no Python with scikit-learn',
  };
  log(`elkan-kmeans benchmark (${options.quick ? 'quick' : 'default'}) on ${summarizeMachine(machine)}`);

  const benches = new Benches(context);
  let comparison: ComparisonResult[] = [];
  let threadScaling: ThreadScalingResult | null = null;
  let growth: GrowthResult | null = null;
  let throughput: ThroughputResult | null = null;
  let endToEnd: EndToEndResult[] = [];
  let distance: DistanceResult[] = [];
  let cosine: CosineResult[] = [];
  let bigdata: BigDataResult | null = null;
  let miniBatch: MiniBatchResult | null = null;
  const sectionSeconds: BenchResults['sectionSeconds'] = {};
  const timed = async <T>(section: Section, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await work();
    sectionSeconds[section] = Math.round((performance.now() - start) / 1000);
    return result;
  };
  try {
    if (options.sections.includes('compare')) comparison = await timed('compare', () => runComparison(plan, options, benches));
    if (options.sections.includes('threads')) threadScaling = await timed('threads', () => runThreadScaling(plan, benches));
    benches.releaseAll();
    if (options.sections.includes('growth')) growth = await timed('growth', () => runGrowth(plan, context));
    if (options.sections.includes('throughput')) {
      log(`\nThroughput of the nearest-centre step, k = ${plan.throughput.k}, ${Math.max(...options.threads)} threads`);
      throughput = await timed('throughput', () =>
        runThroughput(plan.throughput, Math.max(...options.threads), context.python, context.pythonMissing ?? 'no Python', log),
      );
    }
    if (options.sections.includes('endtoend')) endToEnd = await timed('endtoend', () => runEndToEnd(plan, options, context));
    if (options.sections.includes('distance')) distance = await timed('distance', () => runDistance(plan, context));
    if (options.sections.includes('cosine')) cosine = await timed('cosine', () => runCosine(plan, context));
    if (options.sections.includes('bigdata')) {
      const base = options.quick ? BIGDATA_QUICK : BIGDATA_DEFAULT;
      const spec = options.bigdataShape ? { ...base, ...options.bigdataShape, components: options.bigdataShape.k } : base;
      bigdata = await timed('bigdata', () =>
        runBigData(spec, Math.max(...options.threads), context.workDir, context.python, context.pythonMissing ?? 'no Python', log),
      );
    }
    if (options.sections.includes('minibatch')) {
      miniBatch = await timed('minibatch', async () => runMiniBatch(options.quick, context.python, context.pythonMissing ?? 'no Python', context.workDir, log));
    }
  } finally {
    benches.releaseAll();
    rmSync(context.workDir, { recursive: true, force: true });
  }

  const results: BenchResults = {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    mode: options.quick ? 'quick' : 'default',
    durationSeconds: Math.round((performance.now() - started) / 1000),
    sectionSeconds,
    machine,
    repetitions: { comparison: plan.repetitions, growth: plan.growthRepetitions },
    inertiaTolerance: INERTIA_RELATIVE_TOLERANCE,
    notes: runNotes(machine, python.tried, options),
    comparison,
    threadScaling,
    growth,
    throughput,
    endToEnd,
    distance,
    cosine,
    bigdata,
    miniBatch,
  };
  writeOutputs(results, options.out);
}

function writeOutputs(results: BenchResults, out: string): void {
  mkdirSync(out, { recursive: true });
  const machine = summarizeMachine(results.machine);
  const written = [join(out, 'results.json'), join(out, 'results.md')];
  writeFileSync(written[0], `${JSON.stringify(results, null, 2)}\n`);
  const header = [
    '# elkan-kmeans benchmark results',
    '',
    `Measured ${results.createdAt.slice(0, 10)} on ${machine} in ${results.durationSeconds} s with \`${results.command}\`.`,
    '',
  ].join('\n');
  writeFileSync(written[1], `${header}\n${formatReport(results, 'markdown')}`);
  if (results.comparison.length > 0) {
    written.push(join(out, 'speedup.svg'));
    writeFileSync(written[written.length - 1], speedupChart(results.comparison, machine));
  }
  if (results.growth) {
    written.push(join(out, 'growth.svg'));
    writeFileSync(written[written.length - 1], growthChart(results.growth, machine));
  }
  log(formatReport(results, 'text'));
  log(`Done in ${results.durationSeconds} s. Wrote ${written.map((p) => relative(process.cwd(), p) || p).join(', ')}.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
