import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { squaredDistance } from '../core/distance.js';
import { blockedSum } from '../core/parallel.js';
import { fitValidated } from '../fit.js';
import { predict } from '../index.js';
import { MiniBatchKMeans } from '../minibatch.js';
import { FIT_OPTIONS } from '../options.js';
import type { KMeansOptions, KMeansResult, Matrix } from '../types.js';
import { normalizeFit } from '../validate.js';
import { CLI_CALLER, type CliArgs, helpText, parseCli } from './args.js';
import { type ColumnChoice, columnLabel, rowNumberColumn } from './columns.js';
import { CliError, UsageError, quote } from './errors.js';
import { type DecodedImage, imagePoints, isImagePath, readImage, writeQuantized } from './image.js';
import type { Batch, ParsedPoints } from './parsed.js';
import { Progress, type ProgressStream } from './progress.js';
import { type ReadPointsOptions, formatFromPath, readPoints } from './read-points.js';
import { readBatches } from './read-batches.js';
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

/** The input's points, and the decoded image when it is one (for --quantize). */
interface Input {
  points: ParsedPoints;
  image: DecodedImage | undefined;
}

/** How the input is read: its format flags, and what --columns and a --weights column make of its columns. */
function inputOptions(args: CliArgs): ReadPointsOptions {
  const weightColumn = args.weights !== undefined && 'column' in args.weights ? args.weights.column : undefined;
  const columns: ColumnChoice | undefined = args.columns === undefined && weightColumn === undefined ? undefined : { spec: args.columns, weight: weightColumn };
  return { format: args.format, delimiter: args.delimiter, header: args.header, dims: args.dims, dtype: args.dtype, columns };
}

async function readInput(args: CliArgs, io: CliIO, progress: Progress): Promise<Input> {
  if (args.format === undefined && args.input !== '-' && isImagePath(args.input)) {
    const image = await readImage(args.input);
    return { points: imagePoints(image, args.input), image };
  }
  const source = await openInput(args.input, io);
  const observed = observeSource(source, (bytes) => progress.read(bytes, source.size, source.name), io.signal);
  try {
    const points = await readPoints(observed, inputOptions(args));
    return { points, image: undefined };
  } finally {
    progress.clear();
  }
}

/** How a file other than the input (--init, --weights, predict's --centroids) is read: its format from its extension, the rest detected. */
function sideFile(format: ReadPointsOptions['format'], dims?: number): ReadPointsOptions {
  return { format, delimiter: undefined, header: undefined, dims, dtype: undefined, columns: undefined };
}

/** --weights FILE: one value per row of the input, in any input format. */
async function readWeights(file: string, n: number, io: CliIO): Promise<Float64Array> {
  const values = await readPoints(await openInput(file, io), sideFile(formatFromPath(file)));
  if (values.d !== 1) throw new CliError(`${file}: --weights needs one value per row, but its rows have ${values.d}`);
  if (values.n !== n) throw new CliError(`${file}: --weights has ${values.n} value${values.n === 1 ? '' : 's'} but the input has ${n} rows`);
  return Float64Array.from(values.data);
}

/**
 * A column that holds the row numbers (0, 1, 2, … or 1, 2, 3, …) is clustered like any other,
 * and dominates the distances; a warning names it and how to leave it out. Only when --columns
 * did not choose the columns already.
 */
function rowNumberWarning(args: CliArgs, points: ParsedPoints): string {
  if (args.columns !== undefined || args.quiet) return '';
  const feature = rowNumberColumn(points.data, points.n, points.d);
  if (feature < 0) return '';
  const column = points.fileColumns?.[feature] ?? feature;
  const name = points.columns?.[feature];
  const label = columnLabel(column, name);
  const first = points.data[feature];
  return (
    `${NAME}: warning: column ${column + 1}${name === undefined ? '' : ` (${quote(name)})`} holds the row numbers ${first}, ${first + 1}, ${first + 2}, …, ` +
    `which are clustered as a feature; if they are ids, leave the column out with --columns '!${label}'\n`
  );
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
  const centres = await readPoints(source, sideFile(formatFromPath(file)));
  return { data: centres.data, shape: [centres.n, centres.d] };
}

async function fit(args: CliArgs, points: ParsedPoints, io: CliIO, progress: Progress): Promise<KMeansResult> {
  const { init: initFlag, ...flags } = args.fit;
  const init = typeof initFlag === 'object' ? await readInit(initFlag.file, io) : initFlag;
  const weights = args.weights !== undefined && 'file' in args.weights ? await readWeights(args.weights.file, points.n, io) : points.weights;
  let runs = 1;
  let seeding = '';
  try {
    // Checked with the command line's names, so that a message about k larger than n or --init of
    // the wrong shape names the flags; the fit itself is the API's.
    const validated = normalizeFit(
      { data: points.data, shape: [points.n, points.d] },
      args.k,
      {
        ...flags,
        init,
        weights,
        signal: io.signal,
        onIteration: progress.enabled ? (info) => progress.iteration(info, points.n, runs) : undefined,
        onProgress: progress.enabled ? (info) => info.phase === 'seeding' && progress.seeding(info, runs, seeding) : undefined,
      } satisfies KMeansOptions,
      CLI_CALLER,
    );
    runs = validated.request.nInit;
    const { init: start } = validated.request;
    if (typeof start === 'string') seeding = start;
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

async function writeOutputs(
  { labels, centroids, image: quantized }: OutputPlan,
  { points, image }: Input,
  result: { labels: Int32Array; centroids: Matrix },
  io: CliIO,
): Promise<void> {
  if (centroids) await writeTarget(centroids.path, centroidBytes(result.centroids, centroids.format, points.columns), io.stdout);
  if (labels) await writeTarget(labels.path, labelBytes(result.labels, labels.format), io.stdout);
  if (quantized && image) await writeQuantized(quantized, image, result.labels, result.centroids);
}

/** predict: the centres of an earlier fit, read in any input format (the fit's --centroids output included). */
async function readCentroids(args: CliArgs, d: number, io: CliIO): Promise<{ centroids: Matrix; columns: string[] | undefined }> {
  const path = args.centroids as string;
  const format = args.centroidsFormat ?? formatFromPath(path);
  // Raw floats have no shape of their own: their rows are as wide as the points'.
  const centres = await readPoints(await openInput(path, io), sideFile(format, format === 'f32' || format === 'f64' ? d : undefined));
  return { centroids: { data: centres.data, shape: [centres.n, centres.d] }, columns: centres.columns };
}

/**
 * Centres are matched to the points by position. When both files name their columns (a fit's CSV
 * centroids carry the input's header) and the names differ, the columns are likely in another
 * order or not the same at all: worth a warning, though the positions decide.
 */
function columnMismatch(args: CliArgs, points: ParsedPoints, centres: string[] | undefined): string {
  const names = points.columns;
  if (args.quiet || names === undefined || centres === undefined || names.length !== centres.length) return '';
  if (names.every((name, j) => name === centres[j])) return '';
  const list = (columns: string[]): string => columns.map((name) => quote(name)).join(', ');
  return `${NAME}: warning: the columns of ${args.centroids} are ${list(centres)} but those of ${args.input} are ${list(names)}; they are matched by position\n`;
}

async function predictLabels(args: CliArgs, io: CliIO, now: () => number, progress: Progress): Promise<number> {
  const outputs = planOutputs(args.labels, undefined, undefined, [args.input, args.centroids as string], args.quantize);
  const start = now();
  const input = await readInput(args, io, progress);
  const { points } = input;
  const { centroids, columns } = await readCentroids(args, points.d, io);
  const read = now();
  const warning = columnMismatch(args, points, columns);
  if (warning) io.stderr.write(warning);
  let labels: Int32Array;
  try {
    labels = predict({ data: points.data, shape: [points.n, points.d] }, centroids);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new CliError(`${args.centroids}: ${error.message.replace(/\.$/, '')}`);
    throw error;
  }
  const predicted = now();
  await writeOutputs(outputs, input, { labels, centroids }, io);
  if (!args.quiet) {
    const k = centroids.shape[0];
    io.stderr.write(
      `${NAME}: predict: n ${points.n}, d ${points.d}, k ${k} (the centres of ${args.centroids}): ` +
        `read ${seconds(read - start)} (${points.description}), predict ${seconds(predicted - read)}\n`,
    );
  }
  return 0;
}

function summary(points: ParsedPoints, result: KMeansResult, k: number, readMs: number, fitMs: number): string {
  const inertia = Number(result.inertia.toPrecision(8));
  const dtype = points.data instanceof Float32Array ? 'float32' : 'float64';
  return [
    `${NAME}: n ${points.n}, d ${points.d}, k ${k}: ${result.iterations} iteration${result.iterations === 1 ? '' : 's'}` +
      ` (${result.converged ? 'converged' : `not converged: ${CLI_CALLER.name('maxIterations')} reached`}), inertia ${inertia}`,
    `${NAME}: read ${seconds(readMs)} (${points.description}, ${dtype}), fit ${seconds(fitMs)}` +
      ` on the ${result.backend} backend (${result.init === 'explicit' ? 'given centres' : `${result.init} seeding`}, ${result.algorithm}, ` +
      `${result.threads} thread${result.threads === 1 ? '' : 's'}), seed ${result.seed}`,
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
  if (args.quantize !== undefined) throw new UsageError('--quantize does not apply to --mini-batch, which streams rows of numbers, not an image');
  if (args.weights !== undefined && 'file' in args.weights) {
    throw new UsageError('--weights FILE does not apply to --mini-batch, which streams the input alone; give the weights as a column of the input');
  }
  if (outputs.labels && args.input === '-') throw new UsageError('--mini-batch reads the input twice to write labels, so it needs a file, not standard input');
  const { init: initFlag, seed, backend, threads } = args.fit;
  const init = typeof initFlag === 'object' ? await readInit(initFlag.file, io) : initFlag;
  const read = inputOptions(args);
  // The fitting pass shows batches fitted and bytes read (the step count is unknown until the file ends); the labelling pass, bytes read.
  let firstPass = { bytes: 0, total: undefined as number | undefined };
  const passes = async function* (fitting: boolean): AsyncGenerator<Batch, string> {
    const source = await openInput(args.input, io);
    if (fitting) firstPass = { bytes: 0, total: source.size };
    const observed = observeSource(source, (bytes) => (fitting ? (firstPass.bytes += bytes) : progress.read(bytes, source.size, source.name)), io.signal);
    return yield* readBatches(observed, read, size);
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
  const batches = passes(true);
  let description: string;
  for (let next = await batches.next(); ; next = await batches.next()) {
    if (next.done) {
      description = next.value;
      break;
    }
    const batch = next.value;
    try {
      model.partialFit({ data: batch.data, shape: [batch.n, batch.d] }, batch.weights && { weights: batch.weights });
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) {
        throw new CliError(`${args.input}: ${error.message.replace(/\.$/, '')}${n === 0 ? ` (the first batch, --mini-batch ${size} rows)` : ''}`);
      }
      throw error;
    }
    n += batch.n;
    d = batch.d;
    progress.miniBatch(model.steps, firstPass.bytes, firstPass.total);
  }
  progress.clear();
  let inertia: number | undefined;
  if (outputs.labels) {
    const labels = new Int32Array(n);
    const centers = model.centroids.data;
    inertia = 0;
    let row = 0;
    for await (const batch of passes(false)) {
      const batchLabels = model.predict({ data: batch.data, shape: [batch.n, batch.d] });
      labels.set(batchLabels, row);
      const { weights } = batch;
      inertia += blockedSum(batch.n, (i) => (weights ? weights[i] : 1) * squaredDistance(batch.data, i, centers, batchLabels[i], batch.d));
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
  // Until the command line is parsed, a bar that never draws; --quiet keeps it so.
  let progress = new Progress(io.stderr, now, true);
  try {
    const args = parseCli(argv);
    progress = new Progress(io.stderr, now, args.quiet);
    if (args.help || args.version) {
      await writeTarget('-', args.help ? helpText() : `${version()}\n`, io.stdout);
      return 0;
    }
    if (args.mode === 'predict') return await predictLabels(args, io, now, progress);
    // Before the input is read: a bad output path should not cost a read and a fit to find out.
    const inputs = [args.input];
    if (typeof args.fit.init === 'object') inputs.push(args.fit.init.file);
    if (args.weights !== undefined && 'file' in args.weights) inputs.push(args.weights.file);
    const outputs = planOutputs(args.labels, args.centroids, args.centroidsFormat, inputs, args.quantize);
    if (args.miniBatch !== undefined) {
      await runMiniBatch(args, args.miniBatch, outputs, io, progress);
      return 0;
    }
    const start = now();
    const input = await readInput(args, io, progress);
    const { points } = input;
    // Pixels are colours, never ids, though a gradient may count up like row numbers.
    const warning = input.image ? '' : rowNumberWarning(args, points);
    if (warning) io.stderr.write(warning);
    const read = now();
    const result = await fit(args, points, io, progress);
    const fitted = now();
    await writeOutputs(outputs, input, result, io);
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
