import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { squaredDistance } from '../core/distance.js';
import { blockedSum } from '../core/parallel.js';
import { fitValidated } from '../fit.js';
import { MiniBatchKMeans } from '../minibatch.js';
import { FIT_OPTIONS } from '../options.js';
import type { KMeansOptions, KMeansResult, Matrix } from '../types.js';
import { normalizeFit } from '../validate.js';
import { CLI_CALLER, type CliArgs, helpText, parseCli } from './args.js';
import { CliError, UsageError } from './errors.js';
import type { ParsedPoints } from './parsed.js';
import { Progress, type ProgressStream } from './progress.js';
import { readBatches } from './read-batches.js';
import { formatFromPath, readPoints } from './read-points.js';
import { type Source, fileSource, observeSource, streamSource } from './source.js';
import { type OutputPlan, centroidBytes, labelBytes, planOutputs, writeTarget } from './write-output.js';

/** The process streams, passed in so tests can run the CLI in-process. */
export interface CliIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable & ProgressStream;
  /** Aborts reading and fitting (main.ts connects it to Ctrl-C). */
  signal?: AbortSignal;
  /** A clock in milliseconds, for the timings and the progress bar's redraws; performance.now by default. */
  now?: () => number;
}

const NAME = 'elkan-kmeans';

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

async function openInput(path: string, io: CliIO): Promise<Source> {
  return path === '-' ? streamSource(io.stdin) : fileSource(path);
}

async function readInput(args: CliArgs, io: CliIO, progress: Progress): Promise<ParsedPoints> {
  const source = await openInput(args.input, io);
  const observed = observeSource(source, (bytes) => progress.read(bytes, source.size, source.name), io.signal);
  try {
    return await readPoints(observed, {
      format: args.format,
      delimiter: args.delimiter,
      header: args.header,
      dims: args.dims,
      dtype: args.dtype,
    });
  } finally {
    progress.clear();
  }
}

async function readInit(file: string, io: CliIO): Promise<Matrix> {
  let source: Source;
  try {
    source = await openInput(file, io);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    const methods = FIT_OPTIONS.init.rule.choices.map(CLI_CALLER.literal).join(', ');
    throw new UsageError(`${CLI_CALLER.name('init')} must be ${methods} or a file of starting centres, but ${error.message}`);
  }
  const centres = await readPoints(source, {
    format: formatFromPath(file),
    delimiter: undefined,
    header: undefined,
    dims: undefined,
    dtype: undefined,
  });
  return { data: centres.data, shape: [centres.n, centres.d] };
}

async function fit(args: CliArgs, points: ParsedPoints, io: CliIO, progress: Progress): Promise<KMeansResult> {
  const { init: initFlag, ...flags } = args.fit;
  const init = typeof initFlag === 'object' ? await readInit(initFlag.file, io) : initFlag;
  let runs = 1;
  try {
    // Checked with the command line's names, so that a message about k larger than n or --init of
    // the wrong shape names the flags; the fit itself is the API's.
    const validated = normalizeFit(
      { data: points.data, shape: [points.n, points.d] },
      args.k,
      {
        ...flags,
        init,
        signal: io.signal,
        onIteration: progress.enabled ? (info) => progress.iteration(info, points.n, runs) : undefined,
      } satisfies KMeansOptions,
      CLI_CALLER,
    );
    runs = validated.request.nInit;
    const { init: start } = validated.request;
    progress.status(`fitting: ${typeof start === 'string' ? `${start} seeding` : 'starting'}, k ${args.k}`);
    return await fitValidated(validated);
  } catch (error) {
    // The checks that need the data (k larger than n, --init of the wrong shape) are usage errors here.
    if (error instanceof TypeError || error instanceof RangeError) throw new CliError(error.message.replace(/\.$/, ''));
    if (error instanceof Error && error.name !== 'AbortError') throw new CliError(error.message.split('\n')[0], 1);
    throw error;
  } finally {
    progress.clear();
  }
}

async function writeOutputs({ labels, centroids }: OutputPlan, points: ParsedPoints, result: KMeansResult, io: CliIO): Promise<void> {
  if (centroids) await writeTarget(centroids.path, centroidBytes(result.centroids, centroids.format, points.columns), io.stdout);
  if (labels) await writeTarget(labels.path, labelBytes(result.labels, labels.format), io.stdout);
}

function summary(points: ParsedPoints, result: KMeansResult, k: number, readMs: number, fitMs: number): string {
  const inertia = Number(result.inertia.toPrecision(8));
  const dtype = points.data instanceof Float32Array ? 'float32' : 'float64';
  return [
    `${NAME}: n ${points.n}, d ${points.d}, k ${k}: ${result.iterations} iteration${result.iterations === 1 ? '' : 's'}` +
      ` (${result.converged ? 'converged' : `not converged: ${CLI_CALLER.name('maxIterations')} reached`}), inertia ${inertia}`,
    `${NAME}: read ${seconds(readMs)} (${points.description}, ${dtype}), fit ${seconds(fitMs)}` +
      ` on the ${result.backend} backend (${result.algorithm}, ${result.threads} thread${result.threads === 1 ? '' : 's'}), seed ${result.seed}`,
    '',
  ].join('\n');
}

/** The fit flags a streamed mini-batch fit does not take: they belong to the exact fit. */
const EXACT_FIT_FLAGS = ['nInit', 'maxIterations', 'tolerance', 'algorithm'] as const;

/**
 * --mini-batch: one pass of MiniBatchKMeans.partialFit over the input's batches, then, when labels
 * are asked for, a second pass that labels every row and measures the inertia. Holds one batch,
 * the model and the labels.
 */
async function runMiniBatch(args: CliArgs, size: number, outputs: OutputPlan, io: CliIO, progress: Progress): Promise<void> {
  for (const option of EXACT_FIT_FLAGS) {
    if (args.fit[option] !== undefined) throw new UsageError(`${CLI_CALLER.name(option)} applies to the exact fit, not to --mini-batch`);
  }
  const format = args.format ?? formatFromPath(args.input);
  if (format === undefined) throw new UsageError('--mini-batch needs the input format: give --format npy, f32 or f64, or a file with that extension');
  if (outputs.labels && args.input === '-') throw new UsageError('--mini-batch reads the input twice to write labels, so it needs a file, not standard input');
  const { init: initFlag, seed, backend, threads } = args.fit;
  const init = typeof initFlag === 'object' ? await readInit(initFlag.file, io) : initFlag;
  const read = { dims: args.dims, dtype: args.dtype };
  const passes = async function* (): AsyncGenerator<{ data: Float32Array | Float64Array; n: number; d: number }, string> {
    const source = await openInput(args.input, io);
    const observed = observeSource(source, (bytes) => progress.read(bytes, source.size, source.name), io.signal);
    return yield* readBatches(observed, format, read, size);
  };
  const start = io.now?.() ?? performance.now();
  let model: MiniBatchKMeans;
  try {
    model = new MiniBatchKMeans(args.k, { init, seed, backend, threads });
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new CliError(error.message.replace(/\.$/, ''));
    throw error;
  }
  let n = 0;
  let d = 0;
  const batches = passes();
  let description: string;
  for (let next = await batches.next(); ; next = await batches.next()) {
    if (next.done) {
      description = next.value;
      break;
    }
    const batch = next.value;
    try {
      model.partialFit({ data: batch.data, shape: [batch.n, batch.d] });
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) {
        throw new CliError(`${args.input}: ${error.message.replace(/\.$/, '')}${n === 0 ? ` (the first batch, --mini-batch ${size} rows)` : ''}`);
      }
      throw error;
    }
    n += batch.n;
    d = batch.d;
  }
  progress.clear();
  let inertia: number | undefined;
  if (outputs.labels) {
    const labels = new Int32Array(n);
    const centers = model.centroids.data;
    inertia = 0;
    let row = 0;
    for await (const batch of passes()) {
      const batchLabels = model.predict({ data: batch.data, shape: [batch.n, batch.d] });
      labels.set(batchLabels, row);
      inertia += blockedSum(batch.n, (i) => squaredDistance(batch.data, i, centers, batchLabels[i], batch.d));
      row += batch.n;
    }
    progress.clear();
    if (row !== n) throw new CliError(`${args.input} changed between the two passes: ${n} rows, then ${row}`);
    await writeTarget(outputs.labels.path, labelBytes(labels, outputs.labels.format), io.stdout);
  }
  if (outputs.centroids) await writeTarget(outputs.centroids.path, centroidBytes(model.centroids, outputs.centroids.format, undefined), io.stdout);
  if (!args.quiet) {
    const elapsed = (io.now?.() ?? performance.now()) - start;
    io.stderr.write(
      `${NAME}: n ${n}, d ${d}, k ${args.k}: mini-batch, ${model.steps} batch${model.steps === 1 ? '' : 'es'} of up to ${size} rows` +
        `${inertia === undefined ? '' : `, inertia ${Number(inertia.toPrecision(8))}`}\n` +
        `${NAME}: ${seconds(elapsed)} (${description}) on the ${model.backend} backend, seed ${model.seed}\n`,
    );
  }
}

/**
 * The command line tool: returns the exit code (0 success, 2 bad command line or input, 1 other
 * failures, 130 interrupted) and never throws. Errors are one line on stderr, without a stack.
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const now = io.now ?? (() => performance.now());
  const progress = new Progress(io.stderr, now);
  try {
    const args = parseCli(argv);
    if (args.help || args.version) {
      await writeTarget('-', args.help ? helpText() : `${version()}\n`, io.stdout);
      return 0;
    }
    // Before the input is read: a bad output path should not cost a read and a fit to find out.
    const inputs = typeof args.fit.init === 'object' ? [args.input, args.fit.init.file] : [args.input];
    const outputs = planOutputs(args.labels, args.centroids, args.centroidsFormat, inputs);
    if (args.miniBatch !== undefined) {
      await runMiniBatch(args, args.miniBatch, outputs, io, progress);
      return 0;
    }
    const start = now();
    const points = await readInput(args, io, progress);
    const read = now();
    const result = await fit(args, points, io, progress);
    const fitted = now();
    await writeOutputs(outputs, points, result, io);
    if (!args.quiet) io.stderr.write(summary(points, result, args.k, read - start, fitted - read));
    return 0;
  } catch (error) {
    progress.clear();
    if (error instanceof UsageError) {
      io.stderr.write(`${NAME}: ${error.message} (see ${NAME} --help)\n`);
      return error.exitCode;
    }
    if (error instanceof CliError) {
      io.stderr.write(`${NAME}: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof Error && error.name === 'AbortError') {
      io.stderr.write(`${NAME}: interrupted\n`);
      return 130;
    }
    const detail = process.env.ELKAN_KMEANS_DEBUG ? `\n${(error as Error)?.stack ?? error}` : ' (set ELKAN_KMEANS_DEBUG=1 to see the stack)';
    io.stderr.write(`${NAME}: internal error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}${detail}\n`);
    return 1;
  }
}
