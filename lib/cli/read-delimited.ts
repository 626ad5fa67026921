import { Role, columnLabel, describeRoles, namesWithRole, resolveColumns, usesNames } from './columns.js';
import { InputError, quote } from './errors.js';
import { type FloatArray, FloatBuilder, maxTextValues } from './float-builder.js';
import { readField, scanEnd, scanNumber } from './numbers.js';
import type { Batch, ParsedPoints, ReadOptions } from './parsed.js';
import type { Source } from './source.js';

/** A one-character field separator, or runs of spaces and tabs. */
export type Delimiter = string | 'whitespace';

export interface DelimitedOptions extends ReadOptions {
  delimiter: Delimiter;
  /** true: the first row is a header; false: it is data; undefined: a header when a field is not a number. */
  header: boolean | undefined;
}

const SPACE = 32;
const TAB = 9;
const NEWLINE = 10;
const RETURN = 13;
const HASH = 35;
const QUOTE = 34;

interface Field {
  text: string;
  /** 1-based column of the field's first non-blank character. */
  column: number;
}

/** Why a line could not be split into fields. */
class SplitError {
  constructor(
    readonly column: number,
    readonly message: string,
  ) {}
}

export function delimiterName(delimiter: Delimiter): string {
  if (delimiter === 'whitespace') return 'whitespace';
  if (delimiter === '\t') return 'tab';
  return quote(delimiter);
}

/**
 * Reads comma-, tab- or otherwise-separated numbers line by line as the chunks arrive: the text is
 * never held whole, only the parsed values (in a typed array sized from the file size) and the
 * current chunk. Blank lines and lines starting with '#' are skipped; fields may be quoted on one
 * line; a UTF-8 byte order mark is ignored.
 */
export async function readDelimited(source: Source, options: DelimitedOptions): Promise<ParsedPoints> {
  const parser = new DelimitedParser(source.name, options, source.size);
  const lines = parseLines(source, parser, true);
  while (!(await lines.next()).done) {
    // Every row stays in the parser until finish().
  }
  return parser.finish();
}

/**
 * readDelimited's rows `size` at a time (the last batch may be shorter), as --mini-batch streams
 * them: holds one batch, the rows of one chunk past it and the chunk. Returns how the file was read.
 */
export async function* readDelimitedBatches(source: Source, options: DelimitedOptions, size: number): AsyncGenerator<Batch, string> {
  const parser = new DelimitedParser(source.name, options, undefined);
  let batch: Batch | undefined;
  let first = 0;
  const take = (count: number): Batch => {
    batch ??= {
      data: (options.dtype ?? 'float64') === 'float32' ? new Float32Array(size * parser.d) : new Float64Array(size * parser.d),
      weights: options.columns?.weight ? new Float64Array(size) : undefined,
      n: 0,
      d: parser.d,
      first: 0,
    };
    parser.takeRows(count, batch.data, batch.weights);
    const taken = { ...batch, data: batch.data.subarray(0, count * parser.d), weights: batch.weights?.subarray(0, count), n: count, first };
    first += count;
    return taken;
  };
  const lines = parseLines(source, parser, false);
  while (!(await lines.next()).done) {
    while (parser.stored >= size) yield take(size);
  }
  parser.checkRows();
  if (parser.stored > 0) yield take(parser.stored);
  return parser.description();
}

/**
 * Feeds the source's lines to the parser, yielding after each chunk; `reserve`: size the parser's
 * array from the file size once the first rows show how long a row is (for a whole-file read).
 */
async function* parseLines(source: Source, parser: DelimitedParser, reserve: boolean): AsyncGenerator<void> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let consumed = 0;
  let estimated = !reserve;
  let first = true;
  for await (let chunk of source.chunks) {
    if (first) {
      first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        throw new InputError(source.name, 'contains NUL bytes, so it is not a text file; for binary data use .npy, or .f32/.f64 with --dims', {
          line: countLines(chunk, nul),
          column: undefined,
        });
      }
    }
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (pending.length > 0 && newline >= 0) {
      pending.push(chunk.subarray(0, newline));
      const line = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      parser.line(line, 0, line.length);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline >= 0) {
      parser.line(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_LINE_BYTES) {
        throw new InputError(source.name, `line is longer than ${MAX_LINE_BYTES >> 20} MiB; is this a text file with one row per line?`, {
          line: parser.lineNumber + 1,
        });
      }
    }
    consumed += chunk.length;
    if (!estimated && source.size !== undefined && parser.rows > 0) {
      // Size the array once from the average row length so far, with a little to spare.
      estimated = true;
      const rowsExpected = Math.ceil((source.size / consumed) * parser.rows * 1.05) + 16;
      parser.reserve(rowsExpected);
    }
    yield;
  }
  if (pending.length > 0) {
    const line = Buffer.concat(pending);
    parser.line(line, 0, line.length);
  }
  yield;
}

const MAX_LINE_BYTES = 64 << 20;

function countLines(bytes: Uint8Array, end: number): number {
  let lines = 1;
  for (let i = 0; i < end; i++) if (bytes[i] === NEWLINE) lines++;
  return lines;
}

class DelimitedParser {
  private readonly delimiter: number;
  private readonly whitespace: boolean;
  private readonly tabIsBlank: boolean;
  private readonly builder: FloatBuilder;
  /** The --weights column's values, when it names a column. */
  private readonly weights: FloatBuilder | undefined;
  /**
   * The most values the file can hold, which caps every reservation: a first row of millions of
   * fields must not reserve room for a thousand such rows. 0 for standard input, whose size is
   * unknown: its array grows as the values arrive.
   */
  private readonly maxValues: number;
  /** Fields per row once known; 0 before the first row. */
  private width = 0;
  /** Features per row: the fields that --columns and --weights leave. */
  d = 0;
  /** What each field is, when --columns or --weights make some fields other than features. */
  private roles: Uint8Array | undefined;
  private headerNames: string[] | undefined;
  /** Line that fixed the row width: the header's or the first data row's. */
  private widthLine = 0;
  private headerLine = 0;
  private columns: string[] | undefined;
  lineNumber = 0;
  /** Data rows read so far. */
  rows = 0;
  /** Of those, the rows takeRows has handed out. */
  private taken = 0;

  constructor(
    private readonly file: string,
    private readonly options: DelimitedOptions,
    size: number | undefined,
  ) {
    this.whitespace = options.delimiter === 'whitespace';
    this.delimiter = this.whitespace ? -1 : options.delimiter.charCodeAt(0);
    this.tabIsBlank = this.delimiter !== TAB;
    this.builder = new FloatBuilder(options.dtype ?? 'float64', file);
    this.weights = options.columns?.weight ? new FloatBuilder('float64', file) : undefined;
    this.maxValues = size === undefined ? 0 : maxTextValues(size);
  }

  /** Rows read and not yet taken. */
  get stored(): number {
    return this.rows - this.taken;
  }

  /** Moves the first `count` stored rows into `data` (and their weights into `weights`). */
  takeRows(count: number, data: FloatArray, weights: Float64Array | undefined): void {
    this.builder.take(count * this.d, data);
    if (this.weights && weights) this.weights.take(count, weights);
    this.taken += count;
  }

  reserve(rows: number): void {
    if (this.d > 0) this.builder.reserve(Math.min(rows * this.d, this.maxValues));
    this.weights?.reserve(Math.min(rows, this.maxValues));
  }

  line(bytes: Buffer, start: number, end: number): void {
    this.lineNumber++;
    if (end > start && bytes[end - 1] === RETURN) end--;
    let p = start;
    while (p < end && (bytes[p] === SPACE || bytes[p] === TAB)) p++;
    if (p === end || bytes[p] === HASH) return;
    if (this.width === 0) {
      this.firstRow(bytes, start, end);
      return;
    }
    const mark = this.builder.length;
    if (this.fastFields(bytes, start, end, this.width) !== this.width) {
      // Quotes, or something wrong: redo the line on strings, which either reads it or explains the problem.
      this.builder.length = mark;
      if (this.weights) this.weights.length = this.stored;
      this.slowRow(bytes.toString('utf8', start, end));
    }
    this.rows++;
  }

  private isBlank(byte: number): boolean {
    return byte === SPACE || (byte === TAB && this.tabIsBlank);
  }

  /**
   * The common case: unquoted numbers, at most `d` fields. Returns how many were read, or -1 for
   * "take the slow path" (quotes, text, more than `d` fields), which reads or explains the line.
   * Fields that --columns leaves out are passed over unread, so a text column costs nothing.
   */
  private fastFields(bytes: Buffer, start: number, end: number, d: number): number {
    return this.whitespace ? this.fastWhitespaceRow(bytes, start, end, d) : this.fastRow(bytes, start, end, d);
  }

  /** Fields separated by one delimiter byte. */
  private fastRow(bytes: Buffer, start: number, end: number, d: number): number {
    const { delimiter, builder, roles } = this;
    let p = start;
    let field = 0;
    for (;;) {
      if (field === d) return -1; // too many fields
      while (p < end && this.isBlank(bytes[p])) p++;
      const role = roles === undefined ? Role.Feature : roles[field];
      if (role === Role.Skip) {
        while (p < end && bytes[p] !== delimiter) {
          if (bytes[p] === QUOTE) return -1;
          p++;
        }
      } else {
        const value = scanNumber(bytes, p, end);
        if (value - value !== 0) return -1; // NaN (no number) or ±Infinity
        p = scanEnd;
        while (p < end && this.isBlank(bytes[p])) p++;
        if (role === Role.Feature) builder.push(value);
        else this.weights?.push(value);
      }
      field++;
      if (p === end) break;
      if (bytes[p] !== delimiter) return -1;
      p++;
    }
    return field;
  }

  private fastWhitespaceRow(bytes: Buffer, start: number, end: number, d: number): number {
    const { builder, roles } = this;
    let p = start;
    let field = 0;
    for (;;) {
      while (p < end && (bytes[p] === SPACE || bytes[p] === TAB)) p++;
      if (p === end) break;
      if (field === d) return -1;
      const role = roles === undefined ? Role.Feature : roles[field];
      if (role === Role.Skip) {
        while (p < end && bytes[p] !== SPACE && bytes[p] !== TAB) p++;
      } else {
        const value = scanNumber(bytes, p, end);
        if (value - value !== 0) return -1;
        p = scanEnd;
        if (p < end && bytes[p] !== SPACE && bytes[p] !== TAB) return -1;
        if (role === Role.Feature) builder.push(value);
        else this.weights?.push(value);
      }
      field++;
    }
    return field;
  }

  private split(line: string): Field[] {
    if (this.whitespace) {
      return Array.from(line.matchAll(/[^ \t]+/g), (match) => ({ text: match[0], column: match.index + 1 }));
    }
    const delimiter = String.fromCharCode(this.delimiter);
    const blank = (c: string | undefined): boolean => c === ' ' || (c === '\t' && this.tabIsBlank);
    const fields: Field[] = [];
    let i = 0;
    for (;;) {
      let j = i;
      while (j < line.length && blank(line[j])) j++;
      if (line.charCodeAt(j) === QUOTE) {
        let text = '';
        let k = j + 1;
        for (;;) {
          const close = line.indexOf('"', k);
          if (close < 0) throw new SplitError(j + 1, `field ${fields.length + 1} opens a quote that does not close on this line`);
          text += line.slice(k, close);
          k = close + 1;
          if (line[k] !== '"') break;
          text += '"';
          k++;
        }
        while (k < line.length && blank(line[k])) k++;
        if (k < line.length && line[k] !== delimiter) {
          throw new SplitError(k + 1, `unexpected ${quote(line[k])} after the closing quote of field ${fields.length + 1}`);
        }
        fields.push({ text, column: j + 1 });
        if (k >= line.length) return fields;
        i = k + 1;
      } else {
        const next = line.indexOf(delimiter, i);
        const stop = next < 0 ? line.length : next;
        fields.push({ text: line.slice(i, stop), column: Math.min(j, stop) + 1 });
        if (next < 0) return fields;
        i = next + 1;
      }
    }
  }

  private fields(line: string): Field[] {
    try {
      return this.split(line);
    } catch (error) {
      if (error instanceof SplitError) throw new InputError(this.file, error.message, { line: this.lineNumber, column: error.column });
      throw error;
    }
  }

  private firstRow(bytes: Buffer, start: number, end: number): void {
    const { dims, columns: choice } = this.options;
    if (this.options.header !== true && choice === undefined) {
      // A row of plain numbers is data, however wide: read at the speed of the rows after it, not
      // split into a string per field to look for a header.
      const count = this.fastFields(bytes, start, end, dims ?? Infinity);
      if (count > 0 && (dims === undefined || count === dims)) {
        this.width = this.d = count;
        this.widthLine = this.lineNumber;
        this.reserve(1024);
        this.rows++;
        return;
      }
      this.builder.length = 0;
    }
    const line = bytes.toString('utf8', start, end);
    const fields = this.fields(line);
    // Columns named by --columns or --weights need a header; columns left out by position do not
    // count in telling one: a row of numbers and a text label is data.
    let isHeader = this.options.header ?? (choice !== undefined && usesNames(choice) ? true : undefined);
    if (isHeader === undefined) {
      const counted = choice === undefined ? undefined : resolveColumns(choice, fields.length, undefined, this.file);
      isHeader = fields.some((field, j) => (counted === undefined || counted[j] !== Role.Skip) && readField(field.text).kind === 'text');
    }
    const width = dims ?? fields.length;
    if (isHeader) {
      if (dims !== undefined && fields.length !== dims) {
        throw new InputError(this.file, `the header has ${fields.length} fields but --dims is ${dims}`, { line: this.lineNumber, column: 1 });
      }
      this.headerNames = fields.map((field) => field.text.trim());
      this.headerLine = this.widthLine = this.lineNumber;
      this.setWidth(width);
      return;
    }
    this.setWidth(width);
    this.widthLine = this.lineNumber;
    this.reserve(1024);
    this.row(fields, line);
    this.rows++;
  }

  /** Fixes the fields per row, and with them the role of each field. */
  private setWidth(width: number): void {
    this.width = width;
    const { columns: choice } = this.options;
    const roles = choice === undefined ? undefined : resolveColumns(choice, width, this.headerNames, this.file);
    this.roles = roles?.every((role) => role === Role.Feature) ? undefined : roles;
    this.d = roles === undefined ? width : roles.filter((role) => role === Role.Feature).length;
    this.columns = this.headerNames && roles ? namesWithRole(this.headerNames, roles, Role.Feature) : this.headerNames;
  }

  private slowRow(line: string): void {
    this.row(this.fields(line), line);
  }

  /** Checks and stores one data row, or throws the first problem with its line and column. */
  private row(fields: Field[], line: string): void {
    const { width, roles } = this;
    const checked = Math.min(fields.length, width);
    for (let j = 0; j < checked; j++) {
      const role = roles === undefined ? Role.Feature : roles[j];
      if (role === Role.Skip) continue;
      const { text, column } = fields[j];
      const value = readField(text);
      const where = { line: this.lineNumber, column };
      const field = role === Role.Weight ? `field ${j + 1} (the --weights column)` : `field ${j + 1}`;
      switch (value.kind) {
        case 'empty':
          throw new InputError(this.file, `${field} is empty`, where);
        case 'non-finite':
          throw new InputError(this.file, `${field} is ${quote(text.trim())}; k-means needs finite numbers, so remove or impute this row`, where);
        case 'text': {
          // Text in the first data row is most likely a text column (a label, a name), not a stray value.
          const fix = role === Role.Feature && this.rows === 0 ? `; to leave this column out, add --columns '!${columnLabel(j, this.headerNames?.[j])}'` : '';
          throw new InputError(this.file, `${field} is ${quote(text.trim())}, not a number${fix}`, where);
        }
        case 'number':
          if (role === Role.Feature) this.builder.push(value.value);
          else this.weights?.push(value.value);
      }
    }
    if (fields.length !== width) {
      const column = fields.length > width ? fields[width].column : line.length + 1;
      throw new InputError(this.file, `this row has ${fields.length} field${fields.length === 1 ? '' : 's'} but ${this.expectation()}`, {
        line: this.lineNumber,
        column,
      });
    }
  }

  private expectation(): string {
    if (this.options.dims !== undefined) return `--dims is ${this.options.dims}`;
    if (this.headerLine > 0) return `the header on line ${this.headerLine} has ${this.width}`;
    return `line ${this.widthLine} has ${this.width}`;
  }

  /** Throws where the file has no data rows. */
  checkRows(): void {
    if (this.rows > 0) return;
    if (this.headerLine > 0) throw new InputError(this.file, 'the file has a header but no data rows', { line: this.headerLine });
    throw new InputError(this.file, this.lineNumber === 0 ? 'the file is empty' : 'the file has no data rows, only blank or comment lines', {
      line: Math.max(1, this.lineNumber),
    });
  }

  /** How the file was read, for the summary. */
  description(): string {
    const kind =
      this.options.delimiter === ',' ? 'CSV' : this.options.delimiter === '\t' ? 'TSV' : `text separated by ${delimiterName(this.options.delimiter)}`;
    const chosen = this.roles ? describeRoles(this.roles) : '';
    return `${this.headerLine > 0 ? `${kind}, header on line ${this.headerLine}` : `${kind}, no header`}${chosen ? `, ${chosen}` : ''}`;
  }

  finish(): ParsedPoints {
    this.checkRows();
    const { roles } = this;
    return {
      data: this.builder.finish(),
      n: this.rows,
      d: this.d,
      columns: this.columns,
      weights: this.weights?.finish() as Float64Array | undefined,
      fileColumns: roles && Array.from(roles.keys()).filter((j) => roles[j] === Role.Feature),
      description: this.description(),
    };
  }
}
