import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DEFAULT_MEMORY_BUDGET, ELKAN_MIN_CENTERS, ELKAN_MIN_DIMENSIONS, JS_YINYANG_MIN_CENTERS, KMEANS_PARALLEL_MIN_COST } from './algorithm-choice.js';
import type { Caller, OptionName } from './caller.js';
import type { Algorithm, BackendName, InitMethod, KMeansOptions, Metric, MiniBatchKMeansOptions, MiniBatchModelOptions } from './types.js';

type MiniBatchModelOptionName = keyof MiniBatchModelOptions;
type MiniBatchOptionName = keyof MiniBatchKMeansOptions;

export type { OptionName } from './caller.js';

/*
 * Every option of a fit, declared once: what values it takes, its default, its help. The API's
 * checks (validate.ts), the command line's flags, --help and messages (cli/args.ts) and the docs
 * (the @default tags in types.ts and the README's table, held to this by test/option-spec.test.ts)
 * are all made from these declarations, so none of them can state a range or default of its own.
 */

/** What values an option takes. */
export type OptionRule =
  /** An integer from min to max; with `auto`, also the string 'auto'. */
  | { type: 'integer'; min: number; max: number; auto?: true }
  /** A finite number, at least min (and at most max, where given). */
  | { type: 'number'; min: number; max?: number }
  /** One of the strings; with `centres`, also k explicit centres (checked against the points in validate.ts). */
  | { type: 'choice'; choices: readonly string[]; centres?: true }
  /** Values checked against the data or by kind in validate.ts, and not taken by the command line. */
  | { type: 'weights' | 'signal' | 'function' };

export interface OptionSpec {
  rule: OptionRule;
  /**
   * The value the API fills in when the option is absent, or, for a default that depends on the
   * call or the machine, how it is chosen (`text`) and the function that chooses it.
   */
  default: { value: string | number } | { text: string; choose?: () => number };
  /** What the option does, as --help and the docs say it. */
  help: string;
  /** Why the range is what it is, appended to an out-of-range message. */
  fix?: string;
  /** How --help shows the flag's value; absent for the options the command line does not take. */
  cliValue?: string;
}

/** Keyed by the package's own types, so that a new method, algorithm or backend there fails to compile until listed here. */
const INIT_METHODS = Object.keys({ auto: 0, 'k-means++': 0, 'k-means||': 0, random: 0 } satisfies Record<InitMethod | 'auto', 0>) as Array<InitMethod | 'auto'>;
const ALGORITHMS = Object.keys({ auto: 0, elkan: 0, hamerly: 0, yinyang: 0, lloyd: 0 } satisfies Record<Algorithm | 'auto', 0>) as Array<Algorithm | 'auto'>;
const METRICS = Object.keys({ euclidean: 0, cosine: 0 } satisfies Record<Metric, 0>) as Metric[];
const BACKENDS = Object.keys({ auto: 0, native: 0, js: 0 } satisfies Record<BackendName | 'auto', 0>) as Array<BackendName | 'auto'>;

/** The upper bound of a count that the native core keeps in an int32. */
const INT32_MAX = 2 ** 31 - 1;

/** The options in the order --help and the docs list them; `satisfies` makes this list exactly KMeansOptions' keys. */
export const FIT_OPTIONS = {
  init: {
    rule: { type: 'choice', choices: INIT_METHODS, centres: true },
    default: { value: 'auto' },
    help:
      'how the first centres are chosen: k-means++ (greedy and weighted, 2 + ⌊ln k⌋ candidates per step), ' +
      'k-means|| (5 sampling passes of about 2k points each, then k-means++ over them), random (k distinct points), ' +
      `auto (k-means++ while k (2 + ln k) n d is at most ${KMEANS_PARALLEL_MIN_COST.toExponential().replace('e+', 'e')}, else k-means||), ` +
      'or k starting centres',
    cliValue: 'METHOD|FILE',
  },
  nInit: {
    rule: { type: 'integer', min: 1, max: 1_000_000, auto: true },
    default: { value: 'auto' },
    help: 'runs from different seeds, the one of lowest inertia kept; auto is 10 for random and 1 otherwise ' + '(explicit centres allow only 1)',
    cliValue: 'N|auto',
  },
  maxIterations: {
    rule: { type: 'integer', min: 1, max: INT32_MAX },
    default: { value: 300 },
    help: 'iteration cap per run',
    cliValue: 'N',
  },
  tolerance: {
    rule: { type: 'number', min: 0 },
    default: { value: 1e-4 },
    help:
      "relative tolerance: a run stops once the centres' summed squared shift is at most tolerance × the " +
      'mean per-feature variance; 0 runs until no label changes',
    fix: '0 runs until no label changes',
    cliValue: 'X',
  },
  seed: {
    rule: { type: 'integer', min: 0, max: 2 ** 32 - 1 },
    default: { text: 'drawn at random', choose: () => randomInt(0, 2 ** 32) },
    help: 'seed of the random generator, reported in the result; the same seed gives the same result on every ' + 'backend, machine and thread count',
    fix: 'seeds are 32-bit unsigned integers',
    cliValue: 'N',
  },
  algorithm: {
    rule: { type: 'choice', choices: ALGORITHMS },
    default: { value: 'auto' },
    help:
      'the exact algorithm: elkan (n × k bounds), hamerly (n bounds), yinyang (n × k / 40 bounds, for many centres) ' +
      'or lloyd (none); auto takes the fastest for the shape on the backend, as measured (docs/algorithm-choice.md; ' +
      `TypeScript: Elkan from ${ELKAN_MIN_DIMENSIONS} dimensions and ${ELKAN_MIN_CENTERS} centres, Yinyang below ${ELKAN_MIN_DIMENSIONS} dimensions ` +
      `from ${JS_YINYANG_MIN_CENTERS} centres, else Hamerly) whose fit fits memoryBudget, ` +
      'else the next fastest, else Lloyd',
    cliValue: 'NAME',
  },
  memoryBudget: {
    rule: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER },
    default: { text: "half of this machine's memory", choose: () => DEFAULT_MEMORY_BUDGET },
    help:
      "bytes the fit's own memory may take (an upper bound, counted before it starts; the caller's points not included): " +
      'auto takes the fastest algorithm that fits, an explicit algorithm that does not fit is refused',
    cliValue: 'BYTES',
  },
  metric: {
    rule: { type: 'choice', choices: METRICS },
    default: { value: 'euclidean' },
    help:
      'euclidean, or cosine (spherical k-means): points and centres normalised to unit length, each point ' +
      'labelled with its most similar centre; rows of zeros are refused',
    cliValue: 'NAME',
  },
  backend: {
    rule: { type: 'choice', choices: BACKENDS },
    default: { value: 'auto' },
    help: 'native (the C++ addon), js (TypeScript), or auto: native when the addon loads, else js',
    cliValue: 'NAME',
  },
  threads: {
    rule: { type: 'integer', min: 1, max: 1024 },
    // The native core gives a fit one thread per 4096 points at most (MIN_POINTS_PER_THREAD in
    // native/parallel.hpp), and the process's thread budget caps every fit.
    default: { text: 'one per 4096 points, up to all cores', choose: availableParallelism },
    help:
      'most threads of the native backend (js runs on one); a fit of n points takes at most ⌈n / 4096⌉, ' +
      "and no more than the process's thread budget (OMP_NUM_THREADS, else all cores)",
    cliValue: 'N',
  },
  weights: {
    rule: { type: 'weights' },
    default: { text: '1 for every point' },
    help: 'one finite, non-negative weight per point, not all zero',
  },
  signal: {
    rule: { type: 'signal' },
    default: { text: 'none' },
    help:
      'an AbortSignal: the fit stops, natively within its current pass over the points (in milliseconds), and rejects with an ' +
      'AbortError; in TypeScript between iterations and seeding steps',
  },
  onIteration: {
    rule: { type: 'function' },
    default: { text: 'none' },
    help: 'called on the calling thread after every iteration with { run, iteration, changed, centerShift }',
  },
  onProgress: {
    rule: { type: 'function' },
    default: { text: 'none' },
    help:
      "called on the calling thread with { phase: 'seeding', run, done, total } while a run is seeded " +
      "(about 100 times at most) and { phase: 'iterating', run, iteration, maxIterations } after every iteration",
  },
} as const satisfies Record<OptionName, OptionSpec>;

/** k, the argument every fit needs: declared here too, so that the command line's -k is checked as the API checks k. */
export const K_ARGUMENT = {
  rule: { type: 'integer', min: 1, max: INT32_MAX },
  help: 'number of clusters, at most the number of points',
  cliValue: 'K',
} as const satisfies Omit<OptionSpec, 'default'>;

/** The options whose values the spec checks on its own, without the data: numbers and names. */
export type CheckedOptionName = {
  [N in OptionName]: (typeof FIT_OPTIONS)[N]['rule']['type'] extends 'integer' | 'number' | 'choice' ? N : never;
}[OptionName];

/** The command line's flag for an option: its name in kebab case (maxIterations is max-iterations). */
export function flagName(option: OptionName): string {
  return option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The options the command line takes as flags, in --help order. */
export const CLI_FIT_OPTIONS = (Object.keys(FIT_OPTIONS) as OptionName[]).filter(
  (option) => (FIT_OPTIONS[option] as OptionSpec).cliValue !== undefined,
) as CheckedOptionName[];

/** The values a rule allows, as a caller writes them: "an integer from 1 to 1024", "one of 'auto', 'js'". */
export function allowedValues(rule: OptionRule, caller: Caller): string {
  switch (rule.type) {
    case 'integer':
      return `an integer from ${rule.min} to ${rule.max}${rule.auto ? ` or ${caller.literal('auto')}` : ''}`;
    case 'number':
      return rule.max === undefined ? `a finite number ≥ ${rule.min}` : `a number from ${rule.min} to ${rule.max}`;
    case 'choice':
      return `one of ${rule.choices.map(caller.literal).join(', ')}${rule.centres ? ', or k centres' : ''}`;
    case 'weights':
      return 'one finite, non-negative weight per point';
    case 'signal':
      return 'an AbortSignal';
    case 'function':
      return 'a function';
  }
}

/** A default as code writes it (`'auto'`, `1e-4`), or how it is chosen. */
export function defaultInCode(spec: OptionSpec): string {
  if (!('value' in spec.default)) return spec.default.text;
  const { value } = spec.default;
  return typeof value === 'string' ? `'${value}'` : numberText(value);
}

/** A default as a command line writes it (`auto`, `1e-4`), or how it is chosen. */
export function defaultOnCommandLine(spec: OptionSpec): string {
  if (!('value' in spec.default)) return spec.default.text;
  const { value } = spec.default;
  return typeof value === 'string' ? value : numberText(value);
}

/** The shorter of a number's plain and exponential forms: 300, 1e-4. */
function numberText(value: number): string {
  const plain = String(value);
  const exponential = value.toExponential().replace('e+', 'e');
  return exponential.length < plain.length ? exponential : plain;
}

/** Checks an integer against [min, max]; the messages name the parameter as the caller does. */
export function checkInteger(value: unknown, name: string, min: number, max: number, caller: Caller, fix?: string, auto = false): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number${auto ? ` or ${caller.literal('auto')}` : ''}, not ${caller.given(value)}.`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const allowed = allowedValues({ type: 'integer', min, max, ...(auto ? { auto: true } : {}) }, caller);
    throw new RangeError(`${name} must be ${allowed}, not ${value}${fix ? `; ${fix}` : ''}.`);
  }
  return value;
}

/**
 * Checks one option's value by its declaration. Explicit `init` centres pass through unchecked:
 * whether they fit the points is validate.ts's to say.
 */
export function checkOption<N extends CheckedOptionName>(option: N, value: unknown, caller: Caller): Exclude<KMeansOptions[N], undefined> {
  const { rule, fix } = FIT_OPTIONS[option] as OptionSpec;
  return checkRule(rule, value, caller.name(option), caller, fix) as Exclude<KMeansOptions[N], undefined>;
}

/** Checks a value against a rule of numbers or names; `name` is the parameter as the caller writes it. */
export function checkRule(rule: OptionRule, value: unknown, name: string, caller: Caller, fix?: string): unknown {
  switch (rule.type) {
    case 'integer':
      if (rule.auto && value === 'auto') return value;
      return checkInteger(value, name, rule.min, rule.max, caller, fix, rule.auto);
    case 'number':
      if (typeof value !== 'number') throw new TypeError(`${name} must be a number, not ${caller.given(value)}.`);
      if (!Number.isFinite(value) || value < rule.min || (rule.max !== undefined && value > rule.max)) {
        throw new RangeError(`${name} must be ${allowedValues(rule, caller)}, not ${value}${fix ? `; ${fix}` : ''}.`);
      }
      return value;
    case 'choice':
      if (rule.centres && typeof value !== 'string') return value;
      if (typeof value !== 'string') throw new TypeError(`${name} must be ${allowedValues(rule, caller)}, not ${caller.given(value)}.`);
      if (!rule.choices.includes(value)) {
        throw new RangeError(`${name} must be ${allowedValues(rule, caller)}, not ${caller.literal(value)}${fix ? `; ${fix}` : ''}.`);
      }
      return value;
    default:
      throw new Error(`${name} is not checked by its declaration alone`);
  }
}

/** An option's checked value, or its declared default when it is absent. */
export function optionOrDefault<N extends CheckedOptionName>(option: N, value: unknown, caller: Caller): Exclude<KMeansOptions[N], undefined> {
  if (value !== undefined) return checkOption(option, value, caller);
  const fallback = (FIT_OPTIONS[option] as OptionSpec).default;
  if ('value' in fallback) return fallback.value as Exclude<KMeansOptions[N], undefined>;
  if (!fallback.choose) throw new Error(`${option} has no default to choose`);
  return fallback.choose() as Exclude<KMeansOptions[N], undefined>;
}

/**
 * The options of mini-batch k-means (lib/minibatch.ts) that its model, MiniBatchKMeans, takes; the
 * ones it shares with a full fit are the same declarations. scikit-learn's MiniBatchKMeans defaults.
 */
export const MINI_BATCH_MODEL_OPTIONS = {
  init: FIT_OPTIONS.init,
  initSize: {
    rule: { type: 'integer', min: 1, max: INT32_MAX },
    default: { text: '3 × batchSize (3072 for partialFit), or 3 × k when that is below k' },
    help: 'points sampled (with replacement) for the initial centres, when there are more',
    cliValue: 'N',
  },
  reassignmentRatio: {
    rule: { type: 'number', min: 0, max: 1 },
    default: { value: 0.01 },
    help:
      'a centre whose weight seen is below this fraction of the largest is moved to a random batch point, ' +
      'every 10 × k points seen or when a centre has seen nothing; 0 never moves one',
    cliValue: 'X',
  },
  seed: FIT_OPTIONS.seed,
  backend: FIT_OPTIONS.backend,
  threads: FIT_OPTIONS.threads,
} as const satisfies Record<MiniBatchModelOptionName, OptionSpec>;

/** The options of the one-call mini-batch fit, miniBatchKMeans and miniBatchKMeansSync: the model's and these. */
export const MINI_BATCH_OPTIONS = {
  ...MINI_BATCH_MODEL_OPTIONS,
  batchSize: {
    rule: { type: 'integer', min: 1, max: INT32_MAX },
    default: { value: 1024 },
    help: 'points per step, drawn with replacement (at most the number of points)',
    cliValue: 'N',
  },
  maxIterations: {
    rule: { type: 'integer', min: 1, max: INT32_MAX },
    default: { value: 100 },
    help: 'passes over the points: the fit takes at most ⌊maxIterations × n / batchSize⌋ steps',
    cliValue: 'N',
  },
  tolerance: {
    rule: { type: 'number', min: 0 },
    default: { value: 0 },
    help: 'stop once a step moves the centres by a summed squared shift of at most tolerance × the mean per-feature variance; 0 never stops on it',
    cliValue: 'X',
  },
  maxNoImprovement: {
    rule: { type: 'integer', min: 0, max: INT32_MAX },
    default: { value: 10 },
    help: 'stop after this many steps without a new low of the smoothed batch inertia; 0 never stops on it',
    cliValue: 'N',
  },
  weights: FIT_OPTIONS.weights,
  signal: FIT_OPTIONS.signal,
  onProgress: {
    rule: { type: 'function' },
    default: { text: 'none' },
    help:
      "called on the calling thread with { phase: 'seeding', run: 0, done, total } while the sample's initial centres are chosen " +
      "(about 100 times at most) and { phase: 'mini-batch', step, steps, smoothedInertia } after every step up to 100, " +
      'then about every hundredth, and after the last',
  },
} as const satisfies Record<MiniBatchOptionName, OptionSpec>;
