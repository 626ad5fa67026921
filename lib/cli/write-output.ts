import { accessSync, constants, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname, extname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Matrix } from '../types.js';
import { CliError, UsageError, describeFsError } from './errors.js';

export const CENTROID_FORMATS = ['csv', 'tsv', 'txt', 'json', 'npy', 'f32', 'f64'] as const;
export type CentroidFormat = (typeof CENTROID_FORMATS)[number];

const CENTROID_EXTENSIONS: Record<string, CentroidFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.txt': 'txt',
  '.json': 'json',
  '.npy': 'npy',
  '.f32': 'f32',
  '.f64': 'f64',
};

/** How labels are written: one per line, a JSON array, or int32 .npy. */
export type LabelFormat = 'lines' | 'json' | 'npy';

/**
 * One label per line is also a one-column CSV or TSV, so the text extensions the input reader
 * takes all mean lines. No extension means lines too, for names like labels or /dev/stdout.
 */
const LABEL_EXTENSIONS: Record<string, LabelFormat> = {
  '': 'lines',
  '.txt': 'lines',
  '.csv': 'lines',
  '.tsv': 'lines',
  '.tab': 'lines',
  '.dat': 'lines',
  '.json': 'json',
  '.npy': 'npy',
};

function extensionList(extensions: Record<string, unknown>): string {
  const named = Object.keys(extensions).filter((extension) => extension !== '');
  return `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}`;
}

/** The format for a centroids path: --centroids-format, else its extension; stdout defaults to CSV. */
function centroidFormat(path: string, explicit: CentroidFormat | undefined): CentroidFormat {
  if (explicit) return explicit;
  if (path === '-') return 'csv';
  const format = CENTROID_EXTENSIONS[extname(path).toLowerCase()];
  if (!format) {
    throw new UsageError(
      `cannot tell the format of --centroids ${path} from its extension; use ${extensionList(CENTROID_EXTENSIONS)}, or give --centroids-format`,
    );
  }
  return format;
}

function labelFormat(path: string): LabelFormat {
  if (path === '-') return 'lines';
  const format = LABEL_EXTENSIONS[extname(path).toLowerCase()];
  if (!format) {
    throw new UsageError(
      `cannot tell the format of --labels ${path} from its extension; use ${extensionList(LABEL_EXTENSIONS)}, or no extension for one label per line`,
    );
  }
  return format;
}

/** What a path names, so that two spellings of one file (or two links to it) compare equal. */
function identity(path: string): string {
  try {
    const info = statSync(path);
    return `${info.dev}:${info.ino}`;
  } catch {
    return resolve(path);
  }
}

/**
 * Fails now, before the input is read and the points fitted, if a path cannot be written.
 * Checked with access() rather than by opening the file: opening for writing would truncate an
 * existing file that a failed read or fit should leave as it was, and opening to append would
 * leave an empty file behind. The write after the fit still reports what no check can foresee,
 * such as a full disk.
 */
function checkWritable(path: string): void {
  let reason: string | undefined;
  try {
    const info = statSync(path, { throwIfNoEntry: false });
    if (info?.isDirectory()) reason = 'is a directory';
    else if (info) accessSync(path, constants.W_OK);
    else accessSync(dirname(resolve(path)), constants.W_OK | constants.X_OK);
  } catch (error) {
    reason = describeFsError(error, 'no such directory');
  }
  if (reason !== undefined) throw new CliError(`cannot write ${path}: ${reason}`);
}

export interface OutputPlan {
  labels: { path: string; format: LabelFormat } | undefined;
  centroids: { path: string; format: CentroidFormat } | undefined;
  /** The quantised image (--quantize), its format from the extension. */
  image: string | undefined;
}

/**
 * The outputs the command line asks for, checked before anything is read: known formats, places
 * that can be written, and no file named twice (labels over centroids, or either over an input).
 */
export function planOutputs(
  labelsPath: string | undefined,
  centroidsPath: string | undefined,
  centroidsFormat: CentroidFormat | undefined,
  inputs: readonly string[],
  imagePath?: string,
): OutputPlan {
  // Labels go to stdout when no output is named.
  const labels = labelsPath ?? (centroidsPath === undefined && imagePath === undefined ? '-' : undefined);
  if (labels === '-' && centroidsPath === '-') {
    throw new UsageError('--labels and --centroids cannot both go to standard output; write one of them to a file');
  }
  const plan: OutputPlan = {
    labels: labels === undefined ? undefined : { path: labels, format: labelFormat(labels) },
    centroids: centroidsPath === undefined ? undefined : { path: centroidsPath, format: centroidFormat(centroidsPath, centroidsFormat) },
    image: imagePath,
  };
  const files: Array<[flag: string, path: string]> = [];
  if (plan.labels && plan.labels.path !== '-') files.push(['--labels', plan.labels.path]);
  if (plan.centroids && plan.centroids.path !== '-') files.push(['--centroids', plan.centroids.path]);
  if (imagePath !== undefined) files.push(['--quantize', imagePath]);
  for (let i = 0; i < files.length; i++) {
    const twin = files.slice(0, i).find(([, path]) => identity(path) === identity(files[i][1]));
    if (twin) throw new UsageError(`${twin[0]} and ${files[i][0]} both name ${files[i][1]}; one would overwrite the other, so give them different files`);
  }
  for (const [flag, path] of files) {
    const input = inputs.find((file) => file !== '-' && identity(file) === identity(path));
    if (input !== undefined) throw new UsageError(`${flag} ${path} is the input file ${input}; writing it would destroy the data, so choose another file`);
    checkWritable(path);
  }
  return plan;
}

/** Shortest decimal text that reads back as the same float32. */
function float32Text(x: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = x.toPrecision(digits);
    if (Math.fround(Number(text)) === x) return String(Number(text));
  }
  return String(Number(x.toPrecision(9)));
}

function numberText(data: Float32Array | Float64Array): (x: number) => string {
  return data instanceof Float32Array ? float32Text : String;
}

function csvName(name: string, delimiter: string): string {
  return name.includes(delimiter) || name.includes('"') || name.includes('\n') ? `"${name.replace(/"/g, '""')}"` : name;
}

/** A .npy file (format 1.0): the header padded to a multiple of 64 bytes, then the little-endian values. */
export function npyBytes(array: Float32Array | Float64Array | Int32Array, shape: readonly number[]): Buffer {
  const descr = array instanceof Float32Array ? '<f4' : array instanceof Float64Array ? '<f8' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), littleEndian(array)]);
}

function littleEndian(array: Float32Array | Float64Array | Int32Array): Buffer {
  if (endianness() === 'LE') return Buffer.from(array.buffer.slice(array.byteOffset, array.byteOffset + array.byteLength));
  const out = Buffer.alloc(array.byteLength);
  const size = array.BYTES_PER_ELEMENT;
  for (let i = 0; i < array.length; i++) {
    if (array instanceof Float32Array) out.writeFloatLE(array[i], i * size);
    else if (array instanceof Float64Array) out.writeDoubleLE(array[i], i * size);
    else out.writeInt32LE(array[i], i * size);
  }
  return out;
}

/** The centroids in a format: text with one row per line, JSON rows, .npy, or raw floats. */
export function centroidBytes(centroids: Matrix, format: CentroidFormat, columns: string[] | undefined): Buffer | string {
  const {
    data,
    shape: [k, d],
  } = centroids;
  const text = numberText(data);
  const row = (i: number): string[] => Array.from({ length: d }, (_, j) => text(data[i * d + j]));
  switch (format) {
    case 'npy':
      return npyBytes(data, [k, d]);
    case 'f32':
      return littleEndian(data instanceof Float32Array ? data : Float32Array.from(data));
    case 'f64':
      return littleEndian(data instanceof Float64Array ? data : Float64Array.from(data));
    case 'json':
      return `[\n${Array.from({ length: k }, (_, i) => `  [${row(i).join(', ')}]`).join(',\n')}\n]\n`;
    case 'csv':
    case 'tsv':
    case 'txt': {
      const delimiter = format === 'csv' ? ',' : format === 'tsv' ? '\t' : ' ';
      const lines = Array.from({ length: k }, (_, i) => row(i).join(delimiter));
      if (columns && columns.length === d && format !== 'txt') lines.unshift(columns.map((name) => csvName(name, delimiter)).join(delimiter));
      return `${lines.join('\n')}\n`;
    }
  }
}

/** Labels: .npy (int32), .json (an array), else one per line. */
export function labelBytes(labels: Int32Array, format: LabelFormat): Buffer | string {
  if (format === 'npy') return npyBytes(labels, [labels.length]);
  if (format === 'json') return `[${labels.join(',')}]\n`;
  // One join per block keeps memory at a few strings for millions of labels.
  const blocks: string[] = [];
  for (let i = 0; i < labels.length; i += 65536) blocks.push(labels.subarray(i, i + 65536).join('\n'));
  return `${blocks.join('\n')}\n`;
}

/**
 * Writes to a file, or to stdout for '-'. A failure here comes after the fit, from the system
 * (a full disk), so it exits 1, not 2 like the checks made up front.
 */
export async function writeTarget(path: string, content: Buffer | string, stdout: Writable): Promise<void> {
  try {
    if (path === '-') {
      await new Promise<void>((resolve, reject) => {
        stdout.write(content, (error) => (error ? reject(error) : resolve()));
      });
    } else {
      await writeFile(path, content);
    }
  } catch (error) {
    // A reader that stops early (`elkan-kmeans data.csv -k 3 | head`) is not an error.
    if (path === '-' && (error as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw new CliError(`cannot write ${path === '-' ? 'standard output' : path}: ${describeFsError(error, 'no such directory')}`, 1);
  }
}
