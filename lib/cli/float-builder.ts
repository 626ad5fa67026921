export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

/**
 * A typed array that grows as values are appended: the parsed points of a text file, built without
 * an intermediate JavaScript array. `reserve` lets a reader that knows the file size allocate about
 * the right amount up front, so the array is not copied as it grows.
 */
export class FloatBuilder {
  private array: FloatArray;
  length = 0;

  constructor(readonly dtype: DType, capacity = 1 << 16) {
    this.array = dtype === 'float32' ? new Float32Array(capacity) : new Float64Array(capacity);
  }

  get capacity(): number {
    return this.array.length;
  }

  push(value: number): void {
    if (this.length === this.array.length) this.grow(this.length + 1);
    this.array[this.length++] = value;
  }

  /** Makes room for at least `total` values in all. */
  reserve(total: number): void {
    if (total > this.array.length) this.grow(total, true);
  }

  private grow(needed: number, exact = false): void {
    const size = exact ? needed : Math.max(needed, Math.ceil(this.array.length * 1.5));
    const next = this.dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
    next.set(this.array.subarray(0, this.length));
    this.array = next;
  }

  /** The values, trimmed: a view when little capacity is unused, else a compact copy. */
  finish(): FloatArray {
    const unused = this.array.length - this.length;
    const values = unused <= this.length / 8 ? this.array.subarray(0, this.length) : this.array.slice(0, this.length);
    this.array = this.dtype === 'float32' ? new Float32Array(0) : new Float64Array(0);
    this.length = 0;
    return values;
  }
}
