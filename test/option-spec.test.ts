import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CALLER } from '../lib/caller.js';
import { CLI_CALLER } from '../lib/cli/args.js';
import { run } from '../lib/cli/run.js';
import { fitValidatedSync } from '../lib/fit.js';
import { kmeansSync } from '../lib/index.js';
import {
  CLI_FIT_OPTIONS,
  FIT_OPTIONS,
  K_ARGUMENT,
  type OptionName,
  type OptionRule,
  type OptionSpec,
  allowedValues,
  defaultInCode,
  defaultOnCommandLine,
  flagName,
} from '../lib/options.js';
import { normalizeFit } from '../lib/validate.js';

// Each option is declared once, in lib/options.ts. These tests hold what is made from that
// declaration to it: the command line's --help and messages, the API's messages and defaults, the
// @default tags of lib/types.ts and the README's table of options.

const ROOT = join(__dirname, '..');
const POINTS = [
  [0, 0],
  [1, 1],
  [2, 2],
  [3, 3],
];
const OPTIONS = Object.keys(FIT_OPTIONS) as OptionName[];
const spec = (option: OptionName): OptionSpec => FIT_OPTIONS[option];

/** The command line run in-process; stdout and stderr collected. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const collect = (): Writable & { text: string } => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        stream.text += chunk.toString();
        callback();
      },
    }) as Writable & { text: string };
    stream.text = '';
    return stream;
  };
  const stdout = collect();
  const stderr = collect();
  const code = await run(args, { stdin: Readable.from([]), stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Text with every run of white space as one space: --help wraps its lines. */
const flat = (text: string): string => text.replace(/\s+/g, ' ');

/** Values just outside what a rule allows. */
function outOfRange(rule: OptionRule): Array<number | string> {
  switch (rule.type) {
    case 'integer':
      return [rule.min - 1, rule.max + 1, rule.min + 0.5];
    case 'number':
      return [rule.min - 1];
    case 'choice':
      return ['nonsense'];
    default:
      return [];
  }
}

/** The error kmeansSync throws for these options. */
function apiError(options: Record<string, unknown>, k = 2): Error {
  try {
    kmeansSync(POINTS, k, options as never);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`no error for ${JSON.stringify(options)}`);
}

describe('the command line follows the declarations', () => {
  it('takes every option the API takes, as its name in kebab case', () => {
    expect(CLI_FIT_OPTIONS.map(flagName)).toEqual([
      'init',
      'n-init',
      'max-iterations',
      'tolerance',
      'seed',
      'algorithm',
      'memory-budget',
      'metric',
      'backend',
      'threads',
    ]);
    // Data and callbacks have no flag of the declarations' kind; weights have --weights FILE|COLUMN, the command line's own.
    expect(OPTIONS.filter((option) => !(CLI_FIT_OPTIONS as OptionName[]).includes(option))).toEqual(['weights', 'signal', 'onIteration', 'onProgress']);
  });

  it('--help shows, for every such option, the declared value, help, allowed values and default', async () => {
    const help = flat((await cli(['--help'])).stdout);
    for (const option of CLI_FIT_OPTIONS) {
      const { cliValue, help: text, rule } = spec(option);
      expect(help).toContain(`--${flagName(option)} ${cliValue} `);
      expect(help).toContain(flat(text));
      expect(help).toContain(allowedValues(rule, CLI_CALLER));
      expect(help).toContain(`[default: ${defaultOnCommandLine(spec(option))}]`);
    }
    expect(help).toContain(`-k, --k ${K_ARGUMENT.cliValue} ${K_ARGUMENT.help}. Takes ${allowedValues(K_ARGUMENT.rule, CLI_CALLER)}`);
    for (const option of ['signal', 'onIteration', 'on-iteration', 'onProgress', 'on-progress']) expect(help).not.toContain(`--${option}`);
    // --weights reads data, not a value, but says what the API says of weights.
    expect(help).toContain(`--weights FILE|COLUMN ${FIT_OPTIONS.weights.help}: `);
    expect(help).toContain(`[default: ${FIT_OPTIONS.weights.default.text}]`);
  });

  it('--help does not claim one algorithm runs always', async () => {
    const help = flat((await cli(['--help'])).stdout);
    expect(help).toContain("Elkan's or Hamerly's");
    expect(help).not.toMatch(/\(Elkan's algorithm\)/);
  });
});

describe('an out-of-range value gives the API and the command line one message, each in its own names', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'elkan-kmeans-option-spec-'));
    file = join(dir, 'points.csv');
    writeFileSync(file, POINTS.map((row) => row.join(',')).join('\n'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const cases = CLI_FIT_OPTIONS.flatMap((option) => outOfRange(spec(option).rule).map((value) => [option, value] as const));

  it.each(cases)('%s = %s', async (option, value) => {
    const { rule } = spec(option);
    const api = apiError({ [option]: value });
    expect(api).toBeInstanceOf(RangeError);
    expect(api.message).toContain(`${API_CALLER.name(option)} must be ${allowedValues(rule, API_CALLER)}, not `);

    // A value that is not a method is a file of centres to --init, read after the points: its
    // message lists the declared methods.
    const command = await cli([file, '-k', '2', `--${flagName(option)}=${value}`]);
    expect(command.code).toBe(2);
    if (option === 'init') {
      expect(command.stderr).toContain(`--init must be ${FIT_OPTIONS.init.rule.choices.map(CLI_CALLER.literal).join(', ')} or a file of starting centres`);
      return;
    }
    expect(command.stderr).toContain(`${CLI_CALLER.name(option)} must be ${allowedValues(rule, CLI_CALLER)}, not `);

    // Both name the declared bounds or choices.
    const declared = rule.type === 'choice' ? rule.choices : rule.type === 'integer' ? [rule.min, rule.max] : rule.type === 'number' ? [rule.min] : [];
    for (const bound of declared) {
      expect(api.message).toContain(String(bound));
      expect(command.stderr).toContain(String(bound));
    }
  });

  it('k too, declared beside the options: the API bounds it by n as well', async () => {
    const api = apiError({}, 0);
    expect(api.message).toBe(`k must be an integer from ${K_ARGUMENT.rule.min} to ${POINTS.length}, not 0; k counts clusters and cannot exceed the 4 points.`);
    const command = await cli([file, '-k', '0']);
    expect(command.stderr).toContain(`-k must be an integer from ${K_ARGUMENT.rule.min} to ${K_ARGUMENT.rule.max}, not 0`);
  });

  it('the API fills in the declared defaults', () => {
    const { request, algorithm, backend } = normalizeFit(POINTS, 2, {});
    // init 'auto' is chosen at once from the shape: k-means++ for two points.
    expect(FIT_OPTIONS.init.default.value).toBe('auto');
    expect(request.init).toBe('k-means++');
    expect(request.maxIterations).toBe(FIT_OPTIONS.maxIterations.default.value);
    expect(request.tolerance).toBe(FIT_OPTIONS.tolerance.default.value);
    // 'auto' stays 'auto' until the backend that runs the fit is known (lib/fit.ts).
    expect(algorithm).toBe(FIT_OPTIONS.algorithm.default.value);
    expect(backend).toBe(FIT_OPTIONS.backend.default.value);
    // Half of this machine's memory, in whole bytes.
    expect(normalizeFit(POINTS, 2, {}).memoryBudget).toBe(Math.floor(totalmem() / 2));
  });

  it("an 'elkan' too large for the backend's memory is refused once the backend is known, in each caller's names", () => {
    // 2 000 000 points, k = 4000: 64 GB of TypeScript bounds, more than half of the machine's memory.
    const points = { data: new Float32Array(2_000_000), shape: [2_000_000, 1] as const };
    const options = { algorithm: 'elkan', backend: 'js' } as const;
    // Validation passes: how many bytes the bounds take is the backend's to say.
    expect(normalizeFit(points, 4000, options, CLI_CALLER).algorithm).toBe('elkan');
    expect(() => fitValidatedSync(normalizeFit(points, 4000, options))).toThrow(
      /^options\.algorithm 'elkan' needs 64 GB for this fit .* of options\.memoryBudget; use algorithm: 'hamerly' \(\d+ MB, as exact\), 'auto', or raise options\.memoryBudget\.$/,
    );
    expect(() => fitValidatedSync(normalizeFit(points, 4000, options, CLI_CALLER))).toThrow(
      /^--algorithm elkan needs 64 GB for this fit .* of --memory-budget; use --algorithm hamerly \(\d+ MB, as exact\), auto, or raise --memory-budget\.$/,
    );
  });
});

/** The JSDoc tags of KMeansOptions' members in lib/types.ts, read from the source as the docs are made from it. */
function optionTags(): Map<string, Map<string, string>> {
  const path = join(ROOT, 'lib', 'types.ts');
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const members = new Map<string, Map<string, string>>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'KMeansOptions') return;
    for (const member of node.members) {
      const tags = new Map<string, string>();
      for (const tag of ts.getJSDocTags(member)) tags.set(tag.tagName.text, (ts.getTextOfJSDocComment(tag.comment) ?? '').trim());
      members.set((member.name as ts.Identifier).text, tags);
    }
  });
  return members;
}

describe('the docs follow the declarations', () => {
  it('every option in lib/types.ts has a @default equal to the declared one, and an @example', () => {
    const tags = optionTags();
    expect([...tags.keys()]).toEqual(OPTIONS);
    for (const option of OPTIONS) {
      expect(tags.get(option)?.get('default'), option).toBe(defaultInCode(spec(option)));
      expect(tags.get(option)?.get('example'), option).toMatch(/\S/);
    }
  });

  it("the README's table of options gives the declared defaults", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Options'), readme.indexOf('### Result'));
    const rows = new Map([...table.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map(([, name, cell]) => [name, cell.trim()]));
    expect([...rows.keys()]).toEqual(OPTIONS);
    for (const option of OPTIONS) {
      const declared = spec(option).default;
      expect(rows.get(option), option).toBe('value' in declared ? `\`${defaultInCode(spec(option))}\`` : declared.text);
    }
  });
});
