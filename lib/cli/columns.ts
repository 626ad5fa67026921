import { closestName } from '../suggestion.js';
import { InputError, UsageError, quote } from './errors.js';
import type { FloatArray } from './float-builder.js';
import { allocateFloats } from './float-builder.js';

/**
 * A column of the input as the command line names it: a 1-based position (as `cut` and the
 * messages' "field 3" count) or a header name.
 */
export type ColumnRef = { position: number } | { name: string };

/** One item of --columns: a column, or a range of positions (`to` undefined: to the last column). */
type ColumnItem = { drop: boolean } & (ColumnRef | { from: number; to: number | undefined });

/** --columns, parsed: which columns are features. */
export interface ColumnSpec {
  text: string;
  items: ColumnItem[];
}

/** What a reader is asked to take out of each row: the features (--columns) and a weight column (--weights). */
export interface ColumnChoice {
  spec: ColumnSpec | undefined;
  weight: ColumnRef | undefined;
}

/** Per column of the file: a feature, the weight, or left out. */
export const enum Role {
  Skip = 0,
  Feature = 1,
  Weight = 2,
}

const POSITION = /^[1-9]\d*$/;
const RANGE = /^([1-9]\d*)-([1-9]\d*)?$/;

/** A single column: digits are a 1-based position, anything else a header name. */
export function parseColumnRef(text: string, flag: string): ColumnRef {
  const trimmed = text.trim();
  if (trimmed === '') throw new UsageError(`${flag} needs a column: a header name or a position from 1`);
  if (trimmed === '0') throw new UsageError(`${flag} counts columns from 1, so 0 is not a column`);
  return POSITION.test(trimmed) ? { position: Number(trimmed) } : { name: trimmed };
}

/**
 * --columns: a comma-separated list of names, 1-based positions and ranges (`2-5`, `3-` to the
 * last column); an item starting with `!` leaves that column out. Only `!` items: every other
 * column is kept. Columns are kept in the file's order, whatever the list's order.
 */
export function parseColumnSpec(text: string): ColumnSpec {
  const items = text.split(',').map((raw): ColumnItem => {
    const trimmed = raw.trim();
    const drop = trimmed.startsWith('!');
    const body = drop ? trimmed.slice(1).trim() : trimmed;
    if (body === '')
      throw new UsageError(`--columns has an empty item in ${quote(text)}; list names, positions from 1 or ranges like 2-5, separated by commas`);
    const range = RANGE.exec(body);
    if (range) {
      const from = Number(range[1]);
      const to = range[2] === undefined ? undefined : Number(range[2]);
      if (to !== undefined && to < from) throw new UsageError(`--columns range ${body} runs backwards; write ${to}-${from}`);
      return { drop, from, to };
    }
    return { drop, ...parseColumnRef(body, '--columns') };
  });
  return { text, items };
}

export function usesNames(choice: ColumnChoice): boolean {
  return (choice.weight !== undefined && 'name' in choice.weight) || (choice.spec?.items.some((item) => 'name' in item) ?? false);
}

/** A column for messages and for the fix a message proposes: its header name when it has a plain one, else its position. */
export function columnLabel(index: number, name: string | undefined): string {
  return name !== undefined && /^[\w.+-]+$/.test(name) && !POSITION.test(name) && !RANGE.test(name) ? name : String(index + 1);
}

/**
 * The role of each of the file's `width` columns. `names` is the header, if any; `where` names the
 * file for errors. Throws when a name or position is not in the file.
 */
export function resolveColumns(choice: ColumnChoice, width: number, names: readonly string[] | undefined, file: string): Uint8Array {
  const index = (ref: ColumnRef, flag: string): number => {
    if ('position' in ref) {
      if (ref.position > width) throw new InputError(file, `${flag} names column ${ref.position}, but the rows have ${width} field${width === 1 ? '' : 's'}`);
      return ref.position - 1;
    }
    if (names === undefined) {
      throw new InputError(file, `${flag} names the column ${quote(ref.name)}, but the file has no header; name columns by position, from 1`);
    }
    const found = names.indexOf(ref.name);
    if (found < 0) {
      const best = closestName(ref.name, names);
      throw new InputError(file, `${flag} names the column ${quote(ref.name)}, which the header does not have${best ? `; did you mean ${quote(best)}?` : ''}`);
    }
    return found;
  };
  const roles = new Uint8Array(width);
  const { spec, weight } = choice;
  const picks = spec?.items.filter((item) => !item.drop) ?? [];
  if (picks.length === 0) roles.fill(Role.Feature);
  const set = (item: ColumnItem, role: Role): void => {
    if ('from' in item) {
      if (item.from > width) throw new InputError(file, `--columns range ${item.from}-${item.to ?? ''} starts past the last of the rows' ${width} fields`);
      for (let j = item.from - 1; j < Math.min(item.to ?? width, width); j++) roles[j] = role;
    } else {
      roles[index(item, '--columns')] = role;
    }
  };
  for (const item of picks) set(item, Role.Feature);
  for (const item of spec?.items ?? []) if (item.drop) set(item, Role.Skip);
  if (weight !== undefined) roles[index(weight, '--weights')] = Role.Weight;
  if (!roles.includes(Role.Feature)) {
    throw new InputError(file, `--columns ${spec ? quote(spec.text) : ''} leaves no column to cluster; the rows have ${width} field${width === 1 ? '' : 's'}`);
  }
  return roles;
}

/** The names of the columns that have a role, in file order. */
export function namesWithRole(names: readonly string[] | undefined, roles: Uint8Array, role: Role): string[] | undefined {
  return names?.filter((_, j) => roles[j] === role);
}

/** A description of the choice for the summary: "columns 2-4, 6 of 6", or nothing when all are features. */
export function describeRoles(roles: Uint8Array): string {
  const kept: number[] = [];
  roles.forEach((role, j) => {
    if (role === Role.Feature) kept.push(j + 1);
  });
  if (kept.length === roles.length) return '';
  const runs: string[] = [];
  for (let i = 0; i < kept.length;) {
    let j = i;
    while (j + 1 < kept.length && kept[j + 1] === kept[j] + 1) j++;
    runs.push(j > i ? `${kept[i]}-${kept[j]}` : `${kept[i]}`);
    i = j + 1;
  }
  return `column${kept.length === 1 ? '' : 's'} ${runs.join(',')} of ${roles.length}`;
}

/**
 * Takes the features and the weight column out of rows already read whole (JSON, .npy, raw),
 * where every column is a number. Features keep the array's type; weights are float64.
 */
export function splitColumns(
  data: FloatArray,
  n: number,
  width: number,
  roles: Uint8Array,
  file: string,
): { data: FloatArray; d: number; weights: Float64Array | undefined } {
  const features: number[] = [];
  let weightColumn = -1;
  roles.forEach((role, j) => {
    if (role === Role.Feature) features.push(j);
    else if (role === Role.Weight) weightColumn = j;
  });
  const d = features.length;
  const weights = weightColumn < 0 ? undefined : new Float64Array(n);
  let out = data;
  if (d !== width) {
    out = allocateFloats(data instanceof Float32Array ? 'float32' : 'float64', n * d, file);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = data[i * width + features[j]];
  }
  if (weights) for (let i = 0; i < n; i++) weights[i] = data[i * width + weightColumn];
  return { data: out, d, weights };
}

/**
 * The feature that holds 0, 1, 2, … or 1, 2, 3, … down every row: a row number, which clusters
 * as a feature without meaning to. Ten rows at least, so that a short column of small counts is
 * not taken for one. Returns its index, or -1.
 */
export function rowNumberColumn(data: FloatArray, n: number, d: number): number {
  if (n < 10) return -1;
  for (let j = 0; j < d; j++) {
    const first = data[j];
    if (first !== 0 && first !== 1) continue;
    let i = 1;
    while (i < n && data[i * d + j] === first + i) i++;
    if (i === n) return j;
  }
  return -1;
}
