import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { closestName } from '../suggestion.js';
import type { Algorithm, BackendName, InitMethod } from '../types.js';
import { UsageError, quote } from './errors.js';
import type { DType } from './float-builder.js';
import type { Delimiter } from './read-delimited.js';
import { INPUT_FORMATS, type InputFormat } from './read-points.js';
import { CENTROID_FORMATS, type CentroidFormat } from './write-output.js';

/** Keyed by the package's own types, so a new algorithm or backend there fails to compile until listed here. */
const ALGORITHMS = Object.keys({ auto: 0, elkan: 0, hamerly: 0, lloyd: 0 } satisfies Record<Algorithm | 'auto', 0>) as Array<Algorithm | 'auto'>;
const BACKENDS = Object.keys({ auto: 0, native: 0, js: 0 } satisfies Record<BackendName | 'auto', 0>) as Array<BackendName | 'auto'>;

/** The command line, checked: every value has its type and range; file contents are checked later. */
export interface CliArgs {
  help: boolean;
  version: boolean;
  input: string;
  k: number;
  labels: string | undefined;
  centroids: string | undefined;
  centroidsFormat: CentroidFormat | undefined;
  seed: number | undefined;
  threads: number | undefined;
  /** A method, or the path of a file of starting centres. */
  init: InitMethod | { file: string };
  nInit: number | 'auto';
  maxIterations: number;
  tolerance: number;
  algorithm: Algorithm | 'auto';
  backend: BackendName | 'auto';
  format: InputFormat | undefined;
  delimiter: Delimiter | undefined;
  header: boolean | undefined;
  dims: number | undefined;
  dtype: DType | undefined;
  quiet: boolean;
}

interface OptionSpec {
  short?: string;
  boolean?: true;
  /** How --help shows the value. */
  value?: string;
  /** How --help shows the default; omitted for switches without one. */
  default?: string;
  help: string;
}

/** Every option, in --help order. Defaults here are the ones the parser applies. */
const OPTIONS = {
  k: { short: 'k', value: 'K', default: 'required', help: 'number of clusters' },
  labels: { value: 'FILE', default: 'stdout unless --centroids', help: 'write each row\'s cluster (0 to K-1): one per line (.txt, .csv, .tsv, .dat or no extension), .json: an array, .npy: int32; - for stdout' },
  centroids: { value: 'FILE', default: 'not written', help: 'write the K centres, one row each: .csv, .tsv, .txt, .json, .npy, .f32 or .f64 by extension; - for stdout' },
  'centroids-format': { value: 'FORMAT', default: 'from the extension (CSV on stdout)', help: `format of --centroids: ${CENTROID_FORMATS.join(', ')}` },
  seed: { value: 'N', default: 'random, shown in the summary', help: 'random seed, an integer from 0 to 4294967295; the same seed gives the same result' },
  threads: { value: 'N', default: `all cores (${availableParallelism()})`, help: 'threads of the native backend' },
  init: { value: 'METHOD|FILE', default: 'k-means++', help: 'k-means++, random, or a file of K starting centres (any input format)' },
  'n-init': { value: 'N|auto', default: 'auto', help: 'runs from different seeds, the best one kept; auto: 10 for random, else 1' },
  'max-iter': { value: 'N', default: '300', help: 'iteration cap per run' },
  tol: { value: 'X', default: '1e-4', help: 'relative tolerance on the centre shift; 0 runs until no label changes' },
  algorithm: { value: 'NAME', default: 'auto', help: `${ALGORITHMS.filter((name) => name !== 'auto').join(', ')}, or auto (chosen from n, d and k)` },
  backend: { value: 'NAME', default: 'auto', help: 'native, js, or auto (native when the addon loads)' },
  format: { value: 'FORMAT', default: 'from the extension, else detected', help: `input format: ${INPUT_FORMATS.join(', ')} (txt: delimiter detected)` },
  delimiter: { value: 'C', default: ', for csv, tab for tsv, else detected', help: 'field separator: one character, tab, or whitespace' },
  header: { boolean: true, default: 'detected', help: 'the first row is a header (detected: a header when a field is not a number)' },
  'no-header': { boolean: true, help: 'the first row is data' },
  dims: { value: 'D', default: 'from the file', help: 'values per row: required for .f32/.f64, checked for other formats' },
  dtype: { value: 'TYPE', default: 'float64; .npy and .f32 keep float32', help: 'float32 or float64: the type the points are read into and clustered in' },
  quiet: { short: 'q', boolean: true, help: 'no summary on stderr' },
  help: { short: 'h', boolean: true, help: 'show this help' },
  version: { short: 'V', boolean: true, help: 'show the version' },
} satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTIONS;

const HELP_WIDTH = 100;

export function helpText(): string {
  const rows = Object.entries(OPTIONS).map(([name, spec]: [string, OptionSpec]) => {
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
    '',
    'Clusters the rows of <file> into K clusters with exact k-means (Elkan\'s algorithm) and writes',
    'the labels and centroids. <file> may be CSV or TSV (header detected), whitespace-separated',
    'text, JSON (an array of rows), .npy (float32/float64, C order), or raw little-endian .f32/.f64',
    'with --dims; - reads standard input. A summary goes to stderr, with a progress bar when stderr',
    'is a terminal.',
    '',
    'Options:',
    ...rows.flatMap(([flag, text]) => wrap(text).map((line, i) => `  ${(i === 0 ? flag : '').padEnd(width)}${line}`)),
    '',
    'Examples:',
    '  elkan-kmeans points.csv -k 8 --labels labels.txt --centroids centres.csv --seed 1',
    '  elkan-kmeans pixels.f32 --dims 3 -k 16 --centroids palette.json',
    '  cat data.tsv | elkan-kmeans - -k 3 > labels.txt',
    '',
    'Exit status: 0 on success, 2 for a bad command line or input file, 1 for other failures.',
    '',
  ].join('\n');
}


function suggest(option: string): string {
  const best = closestName(option.replace(/^-+/, '').split('=')[0], Object.keys(OPTIONS));
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

function integer(value: string, flag: string, min: number, max: number): number {
  if (!/^\+?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, not ${quote(value)}`);
  const number = Number(value);
  if (number < min || number > max) throw new UsageError(`${flag} must be from ${min} to ${max}, not ${value}`);
  return number;
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

/** Parses and checks the command line; throws UsageError with a one-line message. */
export function parseCli(argv: readonly string[]): CliArgs {
  const options = Object.fromEntries(
    Object.entries(OPTIONS).map(([name, spec]: [string, OptionSpec]) => [
      name,
      { type: spec.boolean ? ('boolean' as const) : ('string' as const), ...(spec.short ? { short: spec.short } : {}) },
    ]),
  ) as Record<OptionName, { type: 'boolean' | 'string'; short?: string }>;
  let parsed: { values: Partial<Record<OptionName, string | boolean>>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw usageFromParseError(error as Error & { code?: string });
  }
  const values = parsed.values as Partial<Record<OptionName, string>> & Partial<Record<'header' | 'no-header' | 'quiet' | 'help' | 'version', boolean>>;
  const help = values.help === true;
  const version = values.version === true;
  const base = {
    help, version, input: '', k: 0, labels: undefined, centroids: undefined, centroidsFormat: undefined, seed: undefined,
    threads: undefined, init: 'k-means++' as const, nInit: 'auto' as const, maxIterations: 300, tolerance: 1e-4,
    algorithm: 'auto' as const, backend: 'auto' as const, format: undefined, delimiter: undefined, header: undefined,
    dims: undefined, dtype: undefined, quiet: values.quiet === true,
  };
  if (help || version) return base;

  const { positionals } = parsed;
  if (positionals.length === 0) throw new UsageError('no input file; give a file to cluster (or - for standard input)');
  if (positionals.length > 1) throw new UsageError(`one input file at a time, but got ${positionals.length}: ${positionals.map((p) => quote(p)).join(', ')}`);
  if (values.k === undefined) throw new UsageError('-k is required: how many clusters to find');
  if (values.header && values['no-header']) throw new UsageError('--header and --no-header contradict each other');

  if (values.init === '-' && positionals[0] === '-') throw new UsageError('the input and --init cannot both be standard input');
  const init = values.init === undefined || values.init === 'k-means++' || values.init === 'random'
    ? (values.init ?? 'k-means++') as InitMethod
    : { file: values.init };
  let tolerance = 1e-4;
  if (values.tol !== undefined) {
    const text = values.tol.trim();
    tolerance = /^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(tolerance)) throw new UsageError(`--tol must be a number ≥ 0, not ${quote(values.tol)}`);
  }
  return {
    ...base,
    input: positionals[0],
    k: integer(values.k, '-k', 1, 2 ** 31 - 1),
    labels: values.labels,
    centroids: values.centroids,
    centroidsFormat: values['centroids-format'] === undefined ? undefined : choice(values['centroids-format'], '--centroids-format', CENTROID_FORMATS),
    seed: values.seed === undefined ? undefined : integer(values.seed, '--seed', 0, 2 ** 32 - 1),
    threads: values.threads === undefined ? undefined : integer(values.threads, '--threads', 1, 1024),
    init,
    nInit: values['n-init'] === undefined || values['n-init'] === 'auto' ? 'auto' : integer(values['n-init'], '--n-init', 1, 1_000_000),
    maxIterations: values['max-iter'] === undefined ? 300 : integer(values['max-iter'], '--max-iter', 1, 2 ** 31 - 1),
    tolerance,
    algorithm: values.algorithm === undefined ? 'auto' : choice(values.algorithm, '--algorithm', ALGORITHMS),
    backend: values.backend === undefined ? 'auto' : choice(values.backend, '--backend', BACKENDS),
    format: values.format === undefined ? undefined : choice(values.format, '--format', INPUT_FORMATS),
    delimiter: values.delimiter === undefined ? undefined : delimiter(values.delimiter),
    header: values.header ? true : values['no-header'] ? false : undefined,
    dims: values.dims === undefined ? undefined : integer(values.dims, '--dims', 1, 2 ** 31 - 1),
    dtype: values.dtype === undefined ? undefined : choice(values.dtype, '--dtype', ['float32', 'float64'] as const),
  };
}
