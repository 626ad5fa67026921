import { InputError, UsageError } from './errors.js';
import type { DType } from './float-builder.js';
import { describeRoles, resolveColumns, splitColumns } from './columns.js';
import type { Batch, ReadOptions } from './parsed.js';
import { type NpyHeader, parseNpyHeader } from './read-binary.js';
import { readDelimitedBatches } from './read-delimited.js';
import { type InputFormat, type ReadPointsOptions, identifyInput } from './read-points.js';
import type { Source } from './source.js';

/** The formats a mini-batch fit streams: text row by row, binary rows of a fixed width without parsing. */
export const STREAMED_FORMATS = ['csv', 'tsv', 'txt', 'npy', 'f32', 'f64'] as const satisfies readonly InputFormat[];

/** Where the rows start and how they are stored. */
interface Layout {
  d: number;
  type: DType;
  /** Rows the file says it has (.npy); undefined for raw files, which end where the bytes do. */
  rows: number | undefined;
  headerBytes: number;
  description: string;
}

function npyLayout(file: string, header: NpyHeader, options: ReadOptions): Layout {
  const { element, descr, fortran, shape, headerBytes } = header;
  const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  const little = element.littleEndian;
  if (element.float === undefined || !little || fortran || shape.length < 1) {
    throw new InputError(
      file,
      `holds '${descr}'${fortran ? ' in Fortran order' : ''}; --mini-batch streams little-endian float32 or float64 in C order ` +
        '(save with np.ascontiguousarray(x, dtype=np.float32))',
    );
  }
  const d = shape.length === 1 ? (options.dims ?? 1) : shape[shape.length - 1];
  if (shape.length > 1 && options.dims !== undefined && options.dims !== d) {
    throw new InputError(file, `has shape ${shapeText}, so rows of ${d} values, but --dims is ${options.dims}`);
  }
  const values = shape.reduce((a, b) => a * b, 1);
  if (values % d !== 0 || values === 0) throw new InputError(file, `has shape ${shapeText}, which does not make rows of ${d} values`);
  return { d, type: element.float, rows: values / d, headerBytes, description: `.npy ${descr} ${shapeText}` };
}

/**
 * The rows of a text, .npy, .f32 or .f64 input, `size` at a time (the last batch may be shorter),
 * with --columns and a --weights column applied, converted to --dtype when it is given. Holds one
 * batch and one chunk of the source (text: and the rows of one chunk past the batch) at most.
 * Returns how the file was read.
 */
export async function* readBatches(input: Source, options: ReadPointsOptions, size: number): AsyncGenerator<Batch, string> {
  const { source, format, delimiter } = await identifyInput(input, options);
  if (format === 'csv' || format === 'tsv' || format === 'txt') return yield* readDelimitedBatches(source, { ...options, delimiter }, size);
  const choice = options.columns;
  const binary = readBinaryBatches(source, format, { ...options, columns: undefined }, size);
  if (choice === undefined) return yield* binary;
  // Columns are taken apart batch by batch, as chooseColumns does for a whole file.
  let roles: Uint8Array | undefined;
  for (let next = await binary.next(); ; next = await binary.next()) {
    if (next.done) {
      const chosen = roles ? describeRoles(roles) : '';
      return chosen ? `${next.value}, ${chosen}` : next.value;
    }
    const batch = next.value;
    roles ??= resolveColumns(choice, batch.d, undefined, source.name);
    yield { ...batch, ...splitColumns(batch.data, batch.n, batch.d, roles, source.name) };
  }
}

/** readBatches for the binary formats, every column. */
async function* readBinaryBatches(source: Source, format: InputFormat, options: ReadOptions, size: number): AsyncGenerator<Batch, string> {
  const file = source.name;
  if (!(STREAMED_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--mini-batch streams ${STREAMED_FORMATS.join(', ')} files, not ${format}; convert the points to one of those first`);
  }
  const chunks = source.chunks[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let layout: Layout;
  if (format === 'npy') {
    let header: NpyHeader | 'need-more' = 'need-more';
    while (header === 'need-more') {
      const next = await chunks.next();
      if (next.done) throw new InputError(file, pending.length === 0 ? 'the file is empty' : `is too short for a .npy file (${pending.length} bytes)`);
      pending = pending.length === 0 ? next.value : Buffer.concat([pending, next.value]);
      header = parseNpyHeader(file, pending);
    }
    layout = npyLayout(file, header, options);
    pending = pending.subarray(layout.headerBytes);
  } else {
    const type: DType = format === 'f32' ? 'float32' : 'float64';
    if (options.dims === undefined) throw new InputError(file, `raw ${type} values have no shape; give the number of columns with --dims`);
    layout = { d: options.dims, type, rows: undefined, headerBytes: 0, description: `raw ${type}, ${options.dims} columns` };
  }
  const { d, type } = layout;
  const valueBytes = type === 'float32' ? 4 : 8;
  const rowBytes = d * valueBytes;
  const bytes = new Uint8Array(size * rowBytes);
  const values = type === 'float32' ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
  const dtype = options.dtype ?? type;
  const out = dtype === type ? values : dtype === 'float32' ? new Float32Array(size * d) : new Float64Array(size * d);
  let filled = 0;
  let rows = 0;

  function* emit(count: number): Generator<Batch> {
    const view = values.subarray(0, count * d);
    for (let i = 0; i < view.length; i++) {
      const x = view[i];
      if (x - x !== 0) {
        const row = Math.floor(i / d);
        throw new InputError(
          file,
          `row ${rows + row + 1}, column ${i - row * d + 1} is ${Number.isNaN(x) ? 'NaN' : x}; k-means needs finite numbers, so remove or impute that row`,
        );
      }
    }
    if (out !== values) out.set(view);
    yield { data: out.subarray(0, count * d), n: count, d, first: rows };
    rows += count;
  }

  for (let chunk: Buffer | undefined = pending; chunk !== undefined;) {
    let offset = 0;
    while (offset < chunk.length) {
      const part = chunk.subarray(offset, offset + bytes.length - filled);
      bytes.set(part, filled);
      filled += part.length;
      offset += part.length;
      if (filled === bytes.length) {
        yield* emit(size);
        filled = 0;
      }
    }
    const next = await chunks.next();
    chunk = next.done ? undefined : next.value;
  }
  if (filled % rowBytes !== 0) {
    throw new InputError(
      file,
      `ends inside a row: ${filled % rowBytes} bytes past the last whole row of ${d} ${type} values; check --dims and the element type`,
    );
  }
  if (filled > 0) yield* emit(filled / rowBytes);
  if (rows === 0) throw new InputError(file, 'has no rows');
  if (layout.rows !== undefined && rows !== layout.rows) {
    throw new InputError(file, `is truncated: its header promises ${layout.rows} rows of ${d} values but it holds ${rows}`);
  }
  return layout.description;
}
