import type { ColumnChoice } from './columns.js';
import type { DType, FloatArray } from './float-builder.js';

/** Points read from a file: n rows of d values, row-major. */
export interface ParsedPoints {
  data: FloatArray;
  n: number;
  d: number;
  /** Column names from a CSV/TSV header, when the file had one: those of the features. */
  columns?: string[];
  /** The --weights column's values, when it named a column of the file. */
  weights?: Float64Array;
  /** For each feature, its column in the file (0-based), when --columns or --weights took some out. */
  fileColumns?: number[];
  /** How the file was read, for the summary (e.g. "CSV, header on line 1"). */
  description: string;
}

/** What every reader is told besides the bytes. */
export interface ReadOptions {
  /** --dims: required for raw files, checked against every other format. */
  dims: number | undefined;
  /** --dtype: the element type for text formats; binary formats keep theirs unless it is given. */
  dtype: DType | undefined;
  /** --columns and a --weights column: what each column of the file is. */
  columns: ColumnChoice | undefined;
}

/** One batch of rows of a streamed input: `data` is reused for the next batch, so read it before asking for that one. */
export interface Batch {
  data: FloatArray;
  n: number;
  d: number;
  /** The --weights column's values for these rows, when it named a column of the file. */
  weights?: Float64Array;
  /** Index of the batch's first row in the file. */
  first: number;
}
