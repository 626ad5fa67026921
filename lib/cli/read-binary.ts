import { endianness } from 'node:os';
import { InputError } from './errors.js';
import { type DType, type FloatArray, allocateFloats, allocating } from './float-builder.js';
import type { ParsedPoints, ReadOptions } from './parsed.js';
import type { Source } from './source.js';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Element types a .npy file may hold; integers are read as float64. */
export interface Element {
  size: number;
  littleEndian: boolean;
  read: (view: DataView, offset: number, littleEndian: boolean) => number;
  /** The float type it stays as; undefined for integers (read as float64). */
  float?: DType;
}

const ELEMENTS: Record<string, Omit<Element, 'littleEndian'>> = {
  f4: { size: 4, read: (v, o, le) => v.getFloat32(o, le), float: 'float32' },
  f8: { size: 8, read: (v, o, le) => v.getFloat64(o, le), float: 'float64' },
  i1: { size: 1, read: (v, o) => v.getInt8(o) },
  u1: { size: 1, read: (v, o) => v.getUint8(o) },
  i2: { size: 2, read: (v, o, le) => v.getInt16(o, le) },
  u2: { size: 2, read: (v, o, le) => v.getUint16(o, le) },
  i4: { size: 4, read: (v, o, le) => v.getInt32(o, le) },
  u4: { size: 4, read: (v, o, le) => v.getUint32(o, le) },
  i8: { size: 8, read: (v, o, le) => Number(v.getBigInt64(o, le)) },
  u8: { size: 8, read: (v, o, le) => Number(v.getBigUint64(o, le)) },
};

/**
 * Copies a stream of bytes into a preallocated typed array (no second copy of the data), starting
 * after `skip` header bytes. Returns the number of payload bytes the source had.
 */
async function fill(chunks: AsyncIterator<Buffer>, first: Buffer, skip: number, target: Uint8Array): Promise<number> {
  let filled = 0;
  let total = 0;
  const take = (chunk: Buffer): void => {
    total += chunk.length;
    if (filled < target.length) {
      const part = chunk.subarray(0, target.length - filled);
      target.set(part, filled);
      filled += part.length;
    }
  };
  take(first.subarray(skip));
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) take(next.value);
  return total;
}

/** Converts big-endian or integer payloads, and checks every value is finite. */
function finishValues(
  file: string,
  bytes: Uint8Array,
  element: Element,
  n: number,
  d: number,
  dtype: DType,
  headerBytes: number,
  columnMajor = false,
): FloatArray {
  const count = n * d;
  const native = element.float !== undefined && element.littleEndian === LITTLE_ENDIAN_HOST;
  let values: FloatArray;
  if (native) {
    const view =
      element.float === 'float32' ? new Float32Array(bytes.buffer, bytes.byteOffset, count) : new Float64Array(bytes.buffer, bytes.byteOffset, count);
    if (element.float === dtype) {
      values = view;
    } else {
      values = allocateFloats(dtype, count, file);
      values.set(view);
    }
  } else {
    values = allocateFloats(dtype, count, file);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) values[i] = element.read(view, i * element.size, element.littleEndian);
  }
  for (let i = 0; i < count; i++) {
    const x = values[i];
    if (x - x !== 0) {
      const row = columnMajor ? i % n : Math.floor(i / d);
      const column = columnMajor ? Math.floor(i / n) : i - row * d;
      throw new InputError(
        file,
        `row ${row + 1}, column ${column + 1} (byte ${headerBytes + i * element.size}) is ${Number.isNaN(x) ? 'NaN' : x}; k-means needs finite numbers, so remove or impute that row`,
      );
    }
  }
  return values;
}

/** Reads raw little-endian float32 (.f32) or float64 (.f64) values, row-major, with --dims columns. */
export async function readRaw(source: Source, type: DType, options: ReadOptions): Promise<ParsedPoints> {
  const file = source.name;
  const d = options.dims;
  const size = type === 'float32' ? 4 : 8;
  if (d === undefined) throw new InputError(file, `raw ${type} values have no shape; give the number of columns with --dims`);
  const chunks = source.chunks[Symbol.asyncIterator]();
  let bytes: Uint8Array;
  let total: number;
  if (source.size !== undefined) {
    // Known size: one allocation of the right type and alignment, filled in place.
    bytes = new Uint8Array(allocateFloats(type, Math.floor(source.size / size), file).buffer);
    total = await fill(chunks, Buffer.alloc(0), 0, bytes);
  } else {
    const parts: Buffer[] = [];
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) parts.push(next.value);
    total = parts.reduce((sum, part) => sum + part.length, 0);
    const joined = allocating(file, `${total} bytes`, total, () => Buffer.concat(parts, total));
    bytes = new Uint8Array(allocateFloats(type, Math.floor(total / size), file).buffer);
    bytes.set(joined.subarray(0, bytes.length));
  }
  if (total === 0) throw new InputError(file, 'the file is empty');
  const rowBytes = size * d;
  if (total % rowBytes !== 0) {
    const values = total / size;
    const detail =
      total % size !== 0
        ? `${total} bytes is not a whole number of ${type} values (${size} bytes each)`
        : `${values} ${type} values do not fill rows of --dims ${d}: the last row would have ${values % d} of ${d} values`;
    throw new InputError(file, `${detail}; check --dims and the element type (.f32 is float32, .f64 is float64)`);
  }
  const n = total / rowBytes;
  const element: Element = { ...ELEMENTS[type === 'float32' ? 'f4' : 'f8'], littleEndian: true };
  const data = finishValues(file, bytes, element, n, d, options.dtype ?? type, 0);
  return { data, n, d, description: `raw ${type}, ${d} columns` };
}

export interface NpyHeader {
  element: Element;
  descr: string;
  fortran: boolean;
  shape: number[];
  headerBytes: number;
}

/** The header of a .npy file at the start of `head`, or 'need-more' when `head` is too short to hold it. */
export function parseNpyHeader(file: string, head: Buffer): NpyHeader | 'need-more' {
  if (head.length < 10) return 'need-more';
  if (head.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new InputError(file, 'is not a .npy file (it does not start with the \\x93NUMPY magic string)');
  }
  const major = head[6];
  if (major < 1 || major > 3) throw new InputError(file, `uses .npy format version ${major}.${head[7]}, which this reader does not know`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (head.length < 8 + lengthBytes) return 'need-more';
  const headerLength = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const headerBytes = 8 + lengthBytes + headerLength;
  if (head.length < headerBytes) return 'need-more';
  const text = head.toString(major === 3 ? 'utf8' : 'latin1', 8 + lengthBytes, headerBytes);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InputError(file, `has a .npy header without descr, fortran_order and shape: ${JSON.stringify(text.trim())}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const match = /^([<>|=])([fiu]\d)$/.exec(descr);
  const kind = match ? ELEMENTS[match[2]] : undefined;
  if (!match || !kind) {
    throw new InputError(file, `holds dtype '${descr}'; the CLI reads float32, float64 and integer arrays (save with .astype(np.float32) or np.float64)`);
  }
  const littleEndian = match[1] === '<' || match[1] === '|' || (match[1] === '=' && LITTLE_ENDIAN_HOST);
  return { element: { ...kind, littleEndian }, descr, fortran: fortran === 'True', shape, headerBytes };
}

/**
 * Reads a NumPy .npy file: float32 stays float32, float64 stays float64, integers become float64.
 * A 2-D array (n, d) is n rows; a 1-D array is one column (or --dims columns); higher dimensions
 * are flattened into rows of the last axis, so an (h, w, 3) image reads as h·w rows of 3.
 */
export async function readNpy(source: Source, options: ReadOptions): Promise<ParsedPoints> {
  const file = source.name;
  const chunks = source.chunks[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  let header: NpyHeader | 'need-more' = 'need-more';
  while (header === 'need-more') {
    const next = await chunks.next();
    if (next.done) {
      throw new InputError(file, head.length === 0 ? 'the file is empty' : `is too short for a .npy file (${head.length} bytes)`);
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
    header = parseNpyHeader(file, head);
  }
  const { element, descr, fortran, shape, headerBytes } = header;
  const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  if (shape.length === 0) throw new InputError(file, 'holds a single number (shape ()), not rows of points');
  if (shape.some((s) => !Number.isInteger(s) || s < 0)) throw new InputError(file, `has an invalid shape ${shapeText}`);
  let n: number;
  let d: number;
  if (shape.length === 1) {
    d = options.dims ?? 1;
    n = shape[0] / d;
    if (!Number.isInteger(n)) throw new InputError(file, `has ${shape[0]} values, which do not fill rows of --dims ${d}`);
  } else {
    d = shape[shape.length - 1];
    n = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    if (options.dims !== undefined && options.dims !== d) {
      throw new InputError(file, `has shape ${shapeText}, so rows of ${d} values, but --dims is ${options.dims}`);
    }
  }
  if (n === 0 || d === 0) throw new InputError(file, `has shape ${shapeText}: no values`);
  // In BigInt, so a header claiming an absurd shape is still measured exactly.
  const needed = shape.reduce((bytes, s) => bytes * BigInt(s), BigInt(element.size));
  const truncated = (available: number | bigint): InputError =>
    new InputError(file, `is truncated: shape ${shapeText} of '${descr}' needs ${needed} bytes of data but the file has ${available}`);
  // A header is only a claim: check it against the file before allocating what it asks for.
  if (source.size !== undefined && needed > BigInt(source.size - headerBytes)) throw truncated(Math.max(0, source.size - headerBytes));
  const payload = n * d * element.size;
  // Preallocated in the element's own type, so the bytes can be viewed in place when they are native floats.
  const bytes =
    element.float !== undefined
      ? new Uint8Array(allocateFloats(element.float, n * d, file, `shape ${shapeText} of '${descr}'`).buffer)
      : allocating(file, `shape ${shapeText} of '${descr}'`, payload, () => new Uint8Array(payload));
  const available = await fill(chunks, head, headerBytes, bytes);
  if (available < payload) throw truncated(available);
  if (fortran && shape.length > 2) {
    throw new InputError(file, `is in Fortran order with ${shape.length} dimensions; save it with np.ascontiguousarray`);
  }
  let data = finishValues(file, bytes, element, n, d, options.dtype ?? element.float ?? 'float64', headerBytes, fortran);
  if (fortran) {
    // Column-major (d × n in memory) to row-major.
    const rowMajor = allocateFloats(data instanceof Float32Array ? 'float32' : 'float64', n * d, file);
    for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) rowMajor[i * d + j] = data[j * n + i];
    data = rowMajor;
  }
  return { data, n, d, description: `.npy ${descr} ${shapeText}` };
}
