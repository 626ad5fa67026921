import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Caller } from '../caller.js';
import {
  CLI_FIT_OPTIONS,
  type CheckedOptionName,
  FIT_OPTIONS,
  K_ARGUMENT,
  MINI_BATCH_OPTIONS,
  type OptionSpec,
  allowedValues,
  checkInteger,
  checkOption,
  defaultOnCommandLine,
  flagName,
} from '../options.js';
import { closestName } from '../suggestion.js';
import type { InitMethod, KMeansOptions } from '../types.js';
import { type ColumnRef, type ColumnSpec, parseColumnRef, parseColumnSpec } from './columns.js';
import { UsageError, quote } from './errors.js';
import type { DType } from './float-builder.js';
import type { Delimiter } from './read-delimited.js';
import { IMAGE_EXTENSIONS, isImagePath } from './image.js';
import { INPUT_FORMATS, type InputFormat } from './read-points.js';
import { CENTROID_FORMATS, type CentroidFormat } from './write-output.js';

/** The command line's spelling in messages: flags, and values as typed (quoted only when they need it). */
export const CLI_CALLER: Caller = {
  name: (option) => (option === 'k' ? '-k' : `--${flagName(option)}`),
  setting: (option, value) => `--${flagName(option)} ${CLI_CALLER.literal(value)}`,
  literal: (value) => (/^[\w.+-]+$/.test(value) ? value : quote(value)),
  given: (value) => (typeof value === 'string' ? quote(value) : String(value)),
};

/** The API's options as given on the command line, checked; absent ones are left for the API's defaults. */
export type FitFlags = Partial<Pick<KMeansOptions, Exclude<CheckedOptionName, 'init'>>> & {
  /** A method, or the path of a file of starting centres. */
  init?: InitMethod | { file: string };
};

/** Where the weights come from: a file of one value per row, or a column of the input. */
export type WeightsSource = { file: string } | { column: ColumnRef };

/** The command line, checked: every value has its type and range; file contents are checked later. */
export interface CliArgs {
  help: boolean;
  version: boolean;
  /** fit: cluster the input; predict: label it with the --centroids of an earlier fit. */
  mode: 'fit' | 'predict';
  input: string;
  /** 0 in predict mode, where the centroids give k. */
  k: number;
  labels: string | undefined;
  centroids: string | undefined;
  centroidsFormat: CentroidFormat | undefined;
  fit: FitFlags;
  format: InputFormat | undefined;
  delimiter: Delimiter | undefined;
  header: boolean | undefined;
  dims: number | undefined;
  dtype: DType | undefined;
  columns: ColumnSpec | undefined;
  weights: WeightsSource | undefined;
  /** An image to write with every pixel replaced by its centroid. */
  quantize: string | undefined;
  /** --mini-batch: rows per batch of a streamed mini-batch fit; undefined for a full fit in memory. */
  miniBatch: number | undefined;
  quiet: boolean;
}

interface FlagSpec {
  short?: string;
  boolean?: true;
  /** How --help shows the value. */
  value?: string;
  /** How --help shows the default; omitted for switches without one. */
  default?: string;
  help: string;
}

/** What --help adds to an API option's declared help, where the command line takes it differently. */
const COMMAND_LINE_NOTES: Partial<Record<CheckedOptionName, string>> = {
  init: 'here a FILE of them, in any input format',
};

/** An API option as a flag: its value, help and default all from the declaration in lib/options.ts. */
function fitFlag(option: CheckedOptionName): FlagSpec {
  const spec: OptionSpec = FIT_OPTIONS[option];
  const note = COMMAND_LINE_NOTES[option];
  return {
    value: spec.cliValue,
    default: defaultOnCommandLine(spec),
    help: `${spec.help}${note ? `; ${note}` : ''}. Takes ${allowedValues(spec.rule, CLI_CALLER)}`,
  };
}

/** Every flag, in --help order. The API's options come from their declarations; the rest are the command line's own. */
const FLAGS: Record<string, FlagSpec> = {
  k: { short: 'k', value: K_ARGUMENT.cliValue, default: 'required', help: `${K_ARGUMENT.help}. Takes ${allowedValues(K_ARGUMENT.rule, CLI_CALLER)}` },
  labels: {
    value: 'FILE',
    default: 'stdout unless --centroids',
    help: "write each row's cluster (0 to K-1): one per line (.txt, .csv, .tsv, .dat or no extension), .json: an array, .npy: int32; - for stdout",
  },
  centroids: {
    value: 'FILE',
    default: 'not written',
    help: 'write the K centres, one row each: .csv, .tsv, .txt, .json, .npy, .f32 or .f64 by extension; - for stdout',
  },
  'centroids-format': {
    value: 'FORMAT',
    default: 'from the extension (CSV on stdout)',
    help: `format of --centroids: ${CENTROID_FORMATS.join(', ')} (in predict mode, of the file read)`,
  },
  quantize: {
    value: 'FILE',
    default: 'not written',
    help: `for an image input: write the image with every pixel's colour replaced by its centroid (${IMAGE_EXTENSIONS.join(', ')} by extension)`,
  },
  ...Object.fromEntries(CLI_FIT_OPTIONS.map((option) => [flagName(option), fitFlag(option)])),
  weights: {
    value: 'FILE|COLUMN',
    default: FIT_OPTIONS.weights.default.text,
    help:
      `${FIT_OPTIONS.weights.help}: a file of one value per row (any input format), or a column of the input ` +
      'by header name or position from 1, which is then not a feature (a name that is an existing file is the file)',
  },
  columns: {
    value: 'SPEC',
    default: 'all',
    help:
      "the input's columns to cluster: header names, positions from 1 and ranges (2-5, 3- to the last), comma-separated; " +
      "!COLUMN leaves one out (only ! items: all the others are kept). Kept in the file's order",
  },
  'mini-batch': {
    value: 'SIZE',
    default: 'off: an exact fit in memory',
    help:
      "mini-batch k-means (the package's MiniBatchKMeans) over the input streamed in batches of SIZE rows, one pass, " +
      'never holding more than one batch and the model: for text, .f32, .f64 and .npy files larger than memory; --columns, a --weights ' +
      'column, --init, --seed, --backend and --threads apply; labels take a second pass over the file. ' +
      `Takes ${allowedValues(MINI_BATCH_OPTIONS.batchSize.rule, CLI_CALLER)}`,
  },
  format: { value: 'FORMAT', default: 'from the extension, else detected', help: `input format: ${INPUT_FORMATS.join(', ')} (txt: delimiter detected)` },
  delimiter: { value: 'C', default: ', for csv, tab for tsv, else detected', help: 'field separator: one character, tab, or whitespace' },
  header: { boolean: true, default: 'detected', help: 'the first row is a header (detected: a header when a field is not a number)' },
  'no-header': { boolean: true, help: 'the first row is data' },
  dims: { value: 'D', default: 'from the file', help: 'values per row: required for .f32/.f64, checked for other formats' },
  dtype: { value: 'TYPE', default: 'float64; .npy and .f32 keep float32', help: 'float32 or float64: the type the points are read into and clustered in' },
  quiet: { short: 'q', boolean: true, help: 'no progress bar, summary or warnings on stderr' },
  help: { short: 'h', boolean: true, help: 'show this help' },
  version: { short: 'V', boolean: true, help: 'show the version' },
};

const HELP_WIDTH = 100;

export function helpText(): string {
  const rows = Object.entries(FLAGS).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    const text = spec.default ? `${spec.help} [default: ${spec.default}]` : spec.help;
    return [flag, text] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const wrap = (text: string): string[] => {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(' ')) {
      if (line !== '' && width + 2 + line.length + 1 + word.length > HELP_WIDTH) {
        lines.push(line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    return [...lines, line];
  };
  return [
    'Usage: elkan-kmeans <file> -k K [options]',
    '       elkan-kmeans predict <file> --centroids FILE [--labels FILE] [options]',
    '',
    'Clusters the rows of <file> into K clusters with exact k-means and writes the labels and',
    "centroids. The algorithm is Elkan's or Hamerly's, chosen from the shape of the data and the",
    "memory (or Lloyd's, by --algorithm); the summary names the one that ran. <file> may be CSV or TSV",
    '(header detected), whitespace-separated text, JSON (an array of rows), .npy (float32/float64,',
    'C order), or raw little-endian .f32/.f64 with --dims; - reads standard input. A summary goes to',
    'stderr, with a progress bar when stderr is a terminal. The fitting options are those of the',
    "package's kmeans(), in kebab case: maxIterations is --max-iterations.",
    '',
    'predict labels every row of <file> with its nearest centre from --centroids (a file in any input',
    'format, such as the --centroids of a fit), as the fit writes labels.',
    '',
    `Images (${IMAGE_EXTENSIONS.join(', ')}) are read through the optional package sharp (npm install sharp):`,
    'every pixel is a point (r, g, b), 0 to 255, float32; alpha is not a feature and --quantize keeps it.',
    '',
    'Options:',
    ...rows.flatMap(([flag, text]) => wrap(text).map((line, i) => `  ${(i === 0 ? flag : '').padEnd(width)}${line}`)),
    '',
    'Examples:',
    '  elkan-kmeans points.csv -k 8 --labels labels.txt --centroids centres.csv --seed 1',
    '  elkan-kmeans pixels.f32 --dims 3 -k 16 --centroids palette.json',
    '  cat data.tsv | elkan-kmeans - -k 3 > labels.txt',
    "  elkan-kmeans iris.csv -k 3 --columns '!species' --centroids centres.csv",
    '  elkan-kmeans sales.csv -k 5 --columns 2-4 --weights amount',
    '  elkan-kmeans predict new.csv --centroids centres.csv --labels new-labels.txt',
    '  elkan-kmeans photo.png -k 16 --seed 1 --quantize photo-16.png --centroids palette.csv',
    '  elkan-kmeans huge.npy -k 100 --mini-batch 4096 --centroids centres.npy',
    '',
    'Exit status: 0 on success, 2 for a bad command line or input file, 1 for other failures.',
    '',
  ].join('\n');
}

function suggest(option: string): string {
  const best = closestName(option.replace(/^-+/, '').split('=')[0], Object.keys(FLAGS));
  return best ? `; did you mean --${best}?` : '';
}

/** parseArgs' errors in one line each. */
function usageFromParseError(error: Error & { code?: string }): UsageError {
  const option = /'(-[^ ']*)/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${option}${suggest(option)}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/ambiguous/.test(error.message)) {
        return new UsageError(`${option} needs a value; for a value starting with '-', write ${option}=-VALUE`);
      }
      if (/does not take an argument/.test(error.message)) return new UsageError(`${option} takes no value`);
      return new UsageError(`${option} needs a value`);
    default:
      return new UsageError(error.message.split('\n')[0]);
  }
}

/** A number as JavaScript writes one; anything else stays text, for the declaration's check to refuse by type. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A flag's text as the value the API would be given: a number where the option takes numbers. */
function asValue(text: string, numeric: boolean): unknown {
  return numeric && NUMBER.test(text.trim()) ? Number(text.trim()) : text;
}

/** The declarations' checks, with the flag's name in the message; one line, without the API's full stop. */
function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(error.message.replace(/\.$/, ''));
    throw error;
  }
}

function checkFitFlag(option: CheckedOptionName, text: string): unknown {
  const { rule } = FIT_OPTIONS[option];
  return usage(() => checkOption(option, asValue(text, rule.type !== 'choice'), CLI_CALLER));
}

function integer(value: string, flag: string, min: number, max: number): number {
  return usage(() => checkInteger(asValue(value, true), flag, min, max, CLI_CALLER));
}

function choice<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}, not ${quote(value)}`);
  }
  return value as T;
}

function delimiter(value: string): Delimiter {
  const lower = value.toLowerCase();
  if (value === '\t' || value === '\\t' || lower === 'tab') return '\t';
  if (value === ' ' || lower === 'space' || lower === 'whitespace') return 'whitespace';
  if (value.length !== 1 || value === '"' || value === '\n' || value === '\r') {
    throw new UsageError(`--delimiter must be one character, tab or whitespace, not ${quote(value)}`);
  }
  return value;
}

const INIT_METHODS: readonly string[] = FIT_OPTIONS.init.rule.choices;

/** Parses and checks the command line; throws UsageError with a one-line message. */
export function parseCli(argv: readonly string[]): CliArgs {
  const options = Object.fromEntries(
    Object.entries(FLAGS).map(([name, spec]) => [
      name,
      { type: spec.boolean ? ('boolean' as const) : ('string' as const), ...(spec.short ? { short: spec.short } : {}) },
    ]),
  );
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageFromParseError(error as Error & { code?: string });
  }
  const values = parsed.values as Record<string, string | undefined> & Partial<Record<'header' | 'no-header' | 'quiet' | 'help' | 'version', boolean>>;
  const help = values.help === true;
  const version = values.version === true;
  const base = {
    help,
    version,
    mode: 'fit' as const,
    input: '',
    k: 0,
    labels: undefined,
    centroids: undefined,
    centroidsFormat: undefined,
    fit: {},
    format: undefined,
    delimiter: undefined,
    header: undefined,
    dims: undefined,
    dtype: undefined,
    columns: undefined,
    weights: undefined,
    quantize: undefined,
    miniBatch: undefined,
    quiet: values.quiet === true,
  };
  if (help || version) return base;

  // A file named predict is ./predict.
  const mode: CliArgs['mode'] = parsed.positionals[0] === 'predict' ? 'predict' : 'fit';
  const positionals = mode === 'predict' ? parsed.positionals.slice(1) : parsed.positionals;
  if (positionals.length === 0) throw new UsageError(`no input file; give a file to ${mode === 'fit' ? 'cluster' : 'label'} (or - for standard input)`);
  if (positionals.length > 1) throw new UsageError(`one input file at a time, but got ${positionals.length}: ${positionals.map((p) => quote(p)).join(', ')}`);
  const [input] = positionals;
  if (values.header && values['no-header']) throw new UsageError('--header and --no-header contradict each other');
  const image = values.format === undefined && input !== '-' && isImagePath(input);
  if (image && values.columns !== undefined) throw new UsageError("--columns does not apply to an image: its points are the pixels' r, g, b");
  if (values.quantize !== undefined) {
    if (!image) throw new UsageError(`--quantize needs an image input (${IMAGE_EXTENSIONS.join(', ')}), not ${quote(input)}`);
    if (!isImagePath(values.quantize)) throw new UsageError(`--quantize ${values.quantize}: give an image file, ${IMAGE_EXTENSIONS.join(', ')} by extension`);
  }
  const common = {
    ...base,
    mode,
    input,
    labels: values.labels,
    centroids: values.centroids,
    centroidsFormat: values['centroids-format'] === undefined ? undefined : choice(values['centroids-format'], '--centroids-format', CENTROID_FORMATS),
    format: values.format === undefined ? undefined : choice(values.format, '--format', INPUT_FORMATS),
    delimiter: values.delimiter === undefined ? undefined : delimiter(values.delimiter),
    header: values.header ? true : values['no-header'] ? false : undefined,
    dims: values.dims === undefined ? undefined : integer(values.dims, '--dims', 1, 2 ** 31 - 1),
    dtype: values.dtype === undefined ? undefined : choice(values.dtype, '--dtype', ['float32', 'float64'] as const),
    columns: values.columns === undefined ? undefined : parseColumnSpec(values.columns),
    quantize: values.quantize,
  };

  if (mode === 'predict') {
    // Predicting takes the centres as they are: nothing to fit, so no k, fitting options or weights.
    if (values.centroids === undefined) throw new UsageError('predict needs --centroids FILE: the centres of an earlier fit');
    if (values.centroids === '-' && input === '-') throw new UsageError('the input and --centroids cannot both be standard input');
    const fitOnly = ['k', ...CLI_FIT_OPTIONS.map(flagName), 'weights'].find((name) => values[name] !== undefined);
    if (fitOnly !== undefined) {
      throw new UsageError(`${fitOnly === 'k' ? '-k' : `--${fitOnly}`} is for fitting; predict labels the points with the centres of --centroids as they are`);
    }
    return common;
  }
  if (values.k === undefined) throw new UsageError('-k is required: how many clusters to find');

  const fit: Record<string, unknown> = {};
  for (const option of CLI_FIT_OPTIONS) {
    const text = values[flagName(option)];
    if (text === undefined) continue;
    // --init names a method or, failing that, a file of centres, read once the points are.
    if (option === 'init' && !INIT_METHODS.includes(text)) {
      if (text === '-' && positionals[0] === '-') throw new UsageError('the input and --init cannot both be standard input');
      fit.init = { file: text };
    } else {
      fit[option] = checkFitFlag(option, text);
    }
  }
  return {
    ...common,
    k: integer(values.k, CLI_CALLER.name('k'), K_ARGUMENT.rule.min, K_ARGUMENT.rule.max),
    fit: fit as FitFlags,
    weights: values.weights === undefined ? undefined : weightsSource(values.weights, input, image),
    miniBatch:
      values['mini-batch'] === undefined
        ? undefined
        : integer(values['mini-batch'], '--mini-batch', MINI_BATCH_OPTIONS.batchSize.rule.min, MINI_BATCH_OPTIONS.batchSize.rule.max),
  };
}

/**
 * --weights: a position is a column; otherwise an existing file is the file, and anything else a
 * column name (checked against the header once it is read).
 */
function weightsSource(text: string, input: string, image: boolean): WeightsSource {
  if (text === '-') {
    if (input === '-') throw new UsageError('the input and --weights cannot both be standard input');
    return { file: text };
  }
  const column = parseColumnRef(text, '--weights');
  if ('name' in column && existsSync(text)) return { file: text };
  if (image) throw new UsageError(`--weights ${text} is no file, and an image has no columns; give a file of one weight per pixel`);
  return { column };
}
