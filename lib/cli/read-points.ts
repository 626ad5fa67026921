import { extname } from 'node:path';
import { Role, describeRoles, resolveColumns, splitColumns } from './columns.js';
import { InputError } from './errors.js';
import { readField } from './numbers.js';
import type { ParsedPoints, ReadOptions } from './parsed.js';
import { type Delimiter, readDelimited } from './read-delimited.js';
import { readNpy, readRaw } from './read-binary.js';
import { readJson } from './read-json.js';
import { type Source, peekSource } from './source.js';

export const INPUT_FORMATS = ['csv', 'tsv', 'txt', 'json', 'npy', 'f32', 'f64'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

const EXTENSIONS: Record<string, InputFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.txt': 'txt',
  '.dat': 'txt',
  '.json': 'json',
  '.npy': 'npy',
  '.f32': 'f32',
  '.f64': 'f64',
};

export interface ReadPointsOptions extends ReadOptions {
  /** --format, else from the extension, else sniffed from the first bytes. */
  format: InputFormat | undefined;
  /** --delimiter, else from the format (comma for CSV, tab for TSV) or sniffed. */
  delimiter: Delimiter | undefined;
  /** --header / --no-header, else detected. */
  header: boolean | undefined;
}

/** The format a path's extension names, if any. */
export function formatFromPath(path: string): InputFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

function firstLine(head: Buffer): string {
  const text = head.toString('utf8', 0, Math.min(head.length, 1 << 16));
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return line;
  }
  return '';
}

/**
 * From the first row: a comma, semicolon or bar when it has one; a tab when tab-separated fields
 * hold spaces between words (names in a header); else runs of spaces and tabs. Spaces between
 * numbers (`1 2\t3`) do not make a tab-separated file: that row is three whitespace-separated values.
 */
function sniffDelimiter(head: Buffer): Delimiter {
  const line = firstLine(head);
  for (const candidate of [',', ';', '|']) if (line.includes(candidate)) return candidate;
  const spacedName = (field: string): boolean =>
    /\S\s+\S/.test(field) &&
    field
      .trim()
      .split(/\s+/)
      .some((word) => readField(word).kind === 'text');
  if (line.includes('\t') && line.split('\t').some(spacedName)) return '\t';
  return 'whitespace';
}

function sniffFormat(head: Buffer, name: string): InputFormat {
  if (head.toString('latin1', 0, 6) === '\x93NUMPY') return 'npy';
  let p = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) p = 3;
  while (p < head.length && (head[p] === 32 || head[p] === 9 || head[p] === 10 || head[p] === 13)) p++;
  if (head[p] === 91 /* [ */) return 'json';
  if (head.subarray(0, 4096).includes(0)) {
    throw new InputError(name, 'looks binary but is not .npy; for raw values use --format f32 or f64 with --dims');
  }
  return 'txt';
}

/**
 * --columns and a --weights column for the formats read whole and without names (JSON, .npy,
 * raw): the columns are taken apart once every row is read.
 */
function chooseColumns(points: ParsedPoints, options: ReadPointsOptions, file: string): ParsedPoints {
  const choice = options.columns;
  if (choice === undefined) return points;
  const roles = resolveColumns(choice, points.d, undefined, file);
  const { data, d, weights } = splitColumns(points.data, points.n, points.d, roles, file);
  const chosen = describeRoles(roles);
  return {
    ...points,
    data,
    d,
    weights,
    fileColumns: Array.from(roles.keys()).filter((j) => roles[j] === Role.Feature),
    description: chosen ? `${points.description}, ${chosen}` : points.description,
  };
}

/**
 * The input's format (from --format, the extension or the content) and, for text, its delimiter
 * (from --delimiter, the format or the first row), with the source to read them from: the same
 * bytes, some perhaps already peeked at.
 */
export async function identifyInput(input: Source, options: ReadPointsOptions): Promise<{ source: Source; format: InputFormat; delimiter: Delimiter }> {
  let source = input;
  let format = options.format ?? formatFromPath(source.name === '<stdin>' ? '' : source.name);
  let delimiter = options.delimiter;
  if (format === undefined || (format === 'txt' && delimiter === undefined)) {
    const peeked = await peekSource(source);
    source = peeked.source;
    format ??= sniffFormat(peeked.head, source.name);
    if (format === 'txt' && delimiter === undefined) delimiter = sniffDelimiter(peeked.head);
  }
  return { source, format, delimiter: delimiter ?? (format === 'tsv' ? '\t' : format === 'csv' ? ',' : 'whitespace') };
}

/** Reads points in any supported format, choosing the reader from --format, the extension or the content. */
export async function readPoints(input: Source, options: ReadPointsOptions): Promise<ParsedPoints> {
  const { source, format, delimiter } = await identifyInput(input, options);
  switch (format) {
    case 'csv':
    case 'tsv':
    case 'txt':
      return readDelimited(source, { ...options, delimiter });
    case 'json':
      return chooseColumns(await readJson(source, options), options, source.name);
    case 'npy':
      return chooseColumns(await readNpy(source, options), options, source.name);
    case 'f32':
      return chooseColumns(await readRaw(source, 'float32', options), options, source.name);
    case 'f64':
      return chooseColumns(await readRaw(source, 'float64', options), options, source.name);
  }
}
