import { InputError } from './errors.js';

export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

/**
 * Runs an allocation for an input file. Sizes come from the file (a header's shape, the length of
 * a row), so one too large for this process is bad input, not a bug: its RangeError ("Invalid
 * typed array length", "Array buffer allocation failed") becomes an InputError naming the file.
 */
export function allocating<T>(file: string, what: string, bytes: number, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new InputError(
      file,
      `too large to load: ${what}, ${Math.ceil(bytes / 1e9)} GB in one array, is more than this process can allocate; cluster a sample of the rows`,
    );
  }
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

/**
 * The values of an input, on a SharedArrayBuffer: kmeans() reads points there in place where it
 * copies those on an ArrayBuffer, so that the command line holds one copy of its input, not two.
 * Nothing writes them while the fit runs.
 */
export function allocateFloats(dtype: DType, length: number, file: string, what = `${length} ${dtype} values`): FloatArray {
  return allocating(file, what, length * BYTES[dtype], () => {
    const buffer = new SharedArrayBuffer(length * BYTES[dtype]);
    return dtype === 'float32' ? new Float32Array(buffer) : new Float64Array(buffer);
  });
}

/**
 * The most values a text file of `size` bytes can hold (a digit and a separator each), so that an
 * estimate made from its first rows never reserves more than the file could fill.
 */
export function maxTextValues(size: number): number {
  return Math.floor(size / 2) + 1;
}

/**
 * A typed array that grows as values are appended: the parsed points of a text file, built without
 * an intermediate JavaScript array. `reserve` lets a reader that knows the file size allocate about
 * the right amount up front, so the array is not copied as it grows.
 */
export class FloatBuilder {
  private array: FloatArray;
  length = 0;

  constructor(
    readonly dtype: DType,
    private readonly file: string,
    capacity = 1 << 16,
  ) {
    this.array = allocateFloats(dtype, capacity, file);
  }

  get capacity(): number {
    return this.array.length;
  }

  push(value: number): void {
    if (this.length === this.array.length) {
      const size = Math.ceil(this.array.length * 1.5);
      this.grow(allocateFloats(this.dtype, size, this.file, `over ${this.length} ${this.dtype} values`));
    }
    this.array[this.length++] = value;
  }

  /**
   * Makes room for at least `total` values in all. Only an estimate: when that much cannot be
   * allocated the array grows as values arrive, and fails only if they really do not fit.
   */
  reserve(total: number): void {
    if (total <= this.array.length) return;
    try {
      this.grow(allocateFloats(this.dtype, total, this.file));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }

  private grow(next: FloatArray): void {
    next.set(this.array.subarray(0, this.length));
    this.array = next;
  }

  /** Moves the first `count` values into `into` and the rest to the front: a streamed batch taken. */
  take(count: number, into: FloatArray): void {
    into.set(this.array.subarray(0, count));
    this.array.copyWithin(0, count, this.length);
    this.length -= count;
  }

  /** The values, trimmed: a view when little capacity is unused, else a compact copy. */
  finish(): FloatArray {
    const unused = this.array.length - this.length;
    let values = this.array.subarray(0, this.length);
    if (unused > this.length / 8) {
      const compact = allocateFloats(this.dtype, this.length, this.file);
      compact.set(values);
      values = compact;
    }
    this.array = this.dtype === 'float32' ? new Float32Array(0) : new Float64Array(0);
    this.length = 0;
    return values;
  }
}
