// How messages name an option: apart from options.ts so that algorithm-choice.ts, which options.ts
// imports, can name one too without a cycle.
import type { KMeansOptions } from './types.js';

export type OptionName = keyof KMeansOptions;

/** How a caller writes options and values, so that one check speaks the API's language or the command line's. */
export interface Caller {
  /** An option, or k, as the caller names it: options.maxIterations, --max-iterations. */
  name(option: OptionName | 'k'): string;
  /** An option set to a value as the caller would write it: algorithm: 'hamerly', --algorithm hamerly. */
  setting(option: OptionName, value: string): string;
  /** A name the caller may write as a value: 'auto' in code, auto on a command line. */
  literal(value: string): string;
  /** A value the caller gave, in a message about its type. */
  given(value: unknown): string;
}

/** A value in a message, with its type where the type is what is wrong. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return String(value);
  return `a value of type ${typeof value}`;
}

/** The API's own spelling: options.maxIterations, 'auto'. */
export const API_CALLER: Caller = {
  name: (option) => (option === 'k' ? 'k' : `options.${option}`),
  setting: (option, value) => `${option}: '${value}'`,
  literal: (value) => `'${value}'`,
  given: describe,
};
