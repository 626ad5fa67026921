import { InputError, quote } from './errors.js';
import { FloatBuilder, maxTextValues } from './float-builder.js';
import { scanEnd, scanNumber } from './numbers.js';
import type { ParsedPoints, ReadOptions } from './parsed.js';
import type { Source } from './source.js';

const OPEN = 91; // [
const CLOSE = 93; // ]
const COMMA = 44;
const NEWLINE = 10;

function isSpace(byte: number): boolean {
  return byte === 32 || byte === 10 || byte === 13 || byte === 9;
}

/** Bytes that end a number token: whitespace and JSON punctuation. */
function isTokenEnd(byte: number): boolean {
  return isSpace(byte) || byte === COMMA || byte === OPEN || byte === CLOSE || byte === 123 || byte === 125 || byte === 58 || byte === 34;
}

/** Where the parser is in `[[1, 2], [3, 4]]`. */
const enum State {
  /** Before the outer '['. */
  Start,
  /** After the outer '[' or a row's ',': a row or (at first) ']'. */
  RowOrEnd,
  /** After a ',' between rows: a row. */
  Row,
  /** After a row's ']': ',' or the outer ']'. */
  AfterRow,
  /** After a row's '[': a value or (at first) ']'. */
  ValueOrClose,
  /** After a ',' inside a row: a value. */
  Value,
  /** After a value: ',' or ']'. */
  AfterValue,
  /** After the outer ']': only whitespace. */
  Done,
}

/**
 * Reads a JSON array of rows of numbers, `[[1, 2], [3, 4]]`, as a stream of tokens: the text is
 * never held whole, and every error names its line and column.
 */
export async function readJson(source: Source, options: ReadOptions): Promise<ParsedPoints> {
  const file = source.name;
  const builder = new FloatBuilder(options.dtype ?? 'float64', file);
  let d = options.dims ?? 0;
  let state = State.Start;
  let rows = 0;
  let rowValues = 0;
  let line = 1;
  /** Absolute offset of the current line's first byte. */
  let lineStart = 0;
  /** Absolute offset of `buffer[0]`. */
  let base = 0;
  let carry: Buffer | undefined;
  let seenBytes = false;
  let estimated = false;

  const fail = (message: string, offset: number): never => {
    throw new InputError(file, message, { line, column: offset - lineStart + 1 });
  };
  const describeToken = (bytes: Buffer, p: number): string => {
    const byte = bytes[p];
    if (byte === 34) return 'a string';
    if (byte === 123) return 'an object';
    let end = p;
    while (end < bytes.length && !isTokenEnd(bytes[end]) && end - p < 40) end++;
    return quote(bytes.toString('utf8', p, Math.max(end, p + 1)));
  };
  const expected = (what: string, bytes: Buffer, p: number): never => fail(`expected ${what}, found ${describeToken(bytes, p)}`, base + p);
  const rowWidth = (): string => (options.dims !== undefined ? `--dims is ${options.dims}` : `row 1 has ${d}`);

  const consume = (bytes: Buffer, limit: number): void => {
    let p = 0;
    while (p < limit) {
      const byte = bytes[p];
      if (isSpace(byte)) {
        if (byte === NEWLINE) {
          line++;
          lineStart = base + p + 1;
        }
        p++;
        continue;
      }
      switch (state) {
        case State.Start:
          if (byte !== OPEN) expected("'[' to open an array of rows", bytes, p);
          state = State.RowOrEnd;
          p++;
          break;
        case State.RowOrEnd:
        case State.Row:
          if (byte === CLOSE && state === State.RowOrEnd) fail('the array has no rows', base + p);
          if (byte !== OPEN)
            expected(
              rows === 0 && state === State.RowOrEnd ? "'[' to open a row (the file must hold an array of rows, like [[1, 2], [3, 4]])" : "'[' to open a row",
              bytes,
              p,
            );
          state = State.ValueOrClose;
          rowValues = 0;
          p++;
          break;
        case State.AfterRow:
          if (byte === COMMA) state = State.Row;
          else if (byte === CLOSE) state = State.Done;
          else expected("',' or ']' after a row", bytes, p);
          p++;
          break;
        case State.ValueOrClose:
        case State.Value:
        case State.AfterValue:
          if (byte === CLOSE && state !== State.Value) {
            if (rowValues === 0) fail(`row ${rows + 1} is empty`, base + p);
            if (d === 0) d = rowValues;
            if (rowValues !== d) fail(`row ${rows + 1} has ${rowValues} value${rowValues === 1 ? '' : 's'} but ${rowWidth()}`, base + p);
            rows++;
            state = State.AfterRow;
            p++;
          } else if (state === State.AfterValue) {
            if (byte !== COMMA) expected("',' or ']' after a value", bytes, p);
            state = State.Value;
            p++;
          } else {
            const value = scanNumber(bytes, p, limit);
            if (value !== value || (scanEnd < limit && !isTokenEnd(bytes[scanEnd]))) expected('a number', bytes, p);
            if (value - value !== 0)
              fail(`value ${rowValues + 1} of row ${rows + 1} is ${quote(bytes.toString('latin1', p, scanEnd))}, which is not a finite number`, base + p);
            if (d > 0 && rowValues === d) fail(`row ${rows + 1} has more than ${d} values; ${rowWidth()}`, base + p);
            builder.push(value);
            rowValues++;
            state = State.AfterValue;
            p = scanEnd;
          }
          break;
        case State.Done:
          fail(`unexpected ${describeToken(bytes, p)} after the end of the array`, base + p);
      }
    }
  };

  for await (const chunk of source.chunks) {
    if (!seenBytes && chunk.length > 0) {
      seenBytes = true;
    }
    let bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
    if (base === 0 && !carry && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
      base = 3;
      lineStart = 3;
    }
    // Consume up to the last byte that ends a token; a number cut by the chunk waits for the next one.
    let limit = bytes.length;
    while (limit > 0 && !isTokenEnd(bytes[limit - 1])) limit--;
    consume(bytes, limit);
    carry = limit < bytes.length ? Buffer.from(bytes.subarray(limit)) : undefined;
    if (carry && carry.length > 1 << 20) fail('a value is longer than 1 MiB', base + limit);
    base += limit;
    if (!estimated && source.size !== undefined && rows > 0 && d > 0) {
      estimated = true;
      builder.reserve(Math.min(Math.ceil((source.size / base) * rows * 1.05 + 16) * d, maxTextValues(source.size)));
    }
  }
  if (carry) {
    // The file ends inside a token: read it with an end marker so it is complete.
    const bytes = Buffer.concat([carry, Buffer.from(' ')]);
    consume(bytes, bytes.length);
  }
  if (!seenBytes || state === State.Start) {
    throw new InputError(file, seenBytes ? 'the file holds only whitespace; expected an array of rows' : 'the file is empty', { line });
  }
  if (state !== State.Done) {
    throw new InputError(file, 'the file ends before the array is closed', { line, column: base - lineStart + 1 });
  }
  return { data: builder.finish(), n: rows, d, description: 'JSON array of rows' };
}
