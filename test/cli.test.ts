import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../lib/cli/errors.js';
import { readImage } from '../lib/cli/image.js';
import { scanNumber } from '../lib/cli/numbers.js';
import { readPoints } from '../lib/cli/read-points.js';
import { fileSource } from '../lib/cli/source.js';
import { run } from '../lib/cli/run.js';
import { kmeansSync } from '../lib/index.js';

const ROOT = join(__dirname, '..');

/** Six points in two obvious groups: rows 0-2 near (1, 2), rows 3-5 near (10, 2). */
const ROWS = [
  [1, 2],
  [1, 4],
  [1, 0],
  [10, 2],
  [10, 4],
  [10, 0],
];

interface Outcome {
  code: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

function collector(tty = false): Writable & { text: () => string; bytes: () => Buffer; isTTY?: boolean; columns?: number } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  }) as Writable & { text: () => string; bytes: () => Buffer; isTTY?: boolean; columns?: number };
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  stream.bytes = () => Buffer.concat(chunks);
  if (tty) {
    stream.isTTY = true;
    stream.columns = 100;
  }
  return stream;
}

/** Runs the CLI in-process with collected stdout and stderr. */
async function cli(args: string[], options: { stdin?: string | Buffer; tty?: boolean; chunkBytes?: number } = {}): Promise<Outcome> {
  const stdout = collector();
  const stderr = collector(options.tty);
  const input = options.stdin === undefined ? Buffer.alloc(0) : Buffer.from(options.stdin);
  const step = options.chunkBytes ?? Math.max(1, input.length);
  const chunks = Array.from({ length: Math.ceil(input.length / step) }, (_, i) => input.subarray(i * step, (i + 1) * step));
  const stdin = Readable.from(chunks);
  // On a terminal, a clock that moves 100 ms per reading, so every progress update is drawn.
  let time = 0;
  const now = options.tty ? () => (time += 100) : undefined;
  const code = await run(args, { stdin, stdout, stderr, now });
  return { code, stdout: stdout.text(), stdoutBytes: stdout.bytes(), stderr: stderr.text() };
}

/** A .npy file written by hand from the format description (version 1.0 or 2.0 header). */
function npy(descr: string, shape: number[], payload: ArrayBufferView, { version = 1, fortran = false } = {}): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const prefixBytes = version === 1 ? 10 : 12;
  const padded = dict + ' '.repeat(63 - ((prefixBytes + dict.length) % 64)) + '\n';
  const prefix = Buffer.alloc(prefixBytes);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = version;
  if (version === 1) prefix.writeUInt16LE(padded.length, 8);
  else prefix.writeUInt32LE(padded.length, 8);
  return Buffer.concat([prefix, Buffer.from(padded, 'latin1'), Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)]);
}

/** Reads back a .npy written by the CLI: its header dict and the payload. */
function parseNpy(bytes: Buffer): { header: string; payload: Buffer } {
  expect(bytes.toString('latin1', 0, 6)).toBe('\x93NUMPY');
  const length = bytes.readUInt16LE(8);
  expect((10 + length) % 64).toBe(0);
  return { header: bytes.toString('latin1', 10, 10 + length), payload: bytes.subarray(10 + length) };
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** The two groups of ROWS, whatever numbers the clusters got. */
function expectTwoGroups(labels: number[]): void {
  expect(labels).toHaveLength(6);
  expect(new Set(labels.slice(0, 3)).size).toBe(1);
  expect(new Set(labels.slice(3)).size).toBe(1);
  expect(labels[0]).not.toBe(labels[3]);
}

function labelsOf(outcome: Outcome): number[] {
  expect(outcome.stderr).not.toMatch(/error/i);
  expect(outcome.code).toBe(0);
  return lines(outcome.stdout).map(Number);
}

let dir: string;
const path = (name: string): string => join(dir, name);
const write = (name: string, content: string | NodeJS.ArrayBufferView): string => {
  writeFileSync(path(name), content);
  return path(name);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'elkan-kmeans-cli-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('input formats', () => {
  it('holds what it reads on a SharedArrayBuffer, which the fit reads in place: one copy of the input, not two', async () => {
    const raw = write('shared.f32', new Float32Array(ROWS.flat()));
    const csv = write('shared.csv', `${ROWS.map((r) => r.join(',')).join('\n')}\n`);
    const options = { format: undefined, delimiter: undefined, header: undefined, dtype: undefined, columns: undefined };
    for (const [file, dims] of [
      [raw, 2],
      [csv, undefined],
    ] as const) {
      const points = await readPoints(await fileSource(file), { ...options, dims });
      expect(points.data.buffer, file).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(points.data)).toEqual(ROWS.flat());
    }
  });

  it('reads CSV with a detected header', async () => {
    const file = write('header.csv', `x,y\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
    const outcome = await cli([file, '-k', '2', '--seed', '1']);
    expectTwoGroups(labelsOf(outcome));
    expect(outcome.stderr).toContain('CSV, header on line 1');
  });

  it('reads CSV without a header, with CRLF line ends, spaces, blank and comment lines', async () => {
    const file = write('plain.csv', `# two groups\r\n${ROWS.map((r) => ` ${r[0]} , ${r[1]}`).join('\r\n')}\r\n\r\n`);
    const outcome = await cli([file, '-k', '2', '--seed', '1']);
    expectTwoGroups(labelsOf(outcome));
    expect(outcome.stderr).toContain('CSV, no header');
  });

  it('reads quoted CSV fields', async () => {
    const file = write('quoted.csv', `"x ""a""","y, b"\n${ROWS.map((r) => `"${r[0]}",${r[1]}`).join('\n')}`);
    const outcome = await cli([file, '-k', '2', '--seed', '1', '--centroids', '-']);
    expect(outcome.code).toBe(0);
    // The header is written back, quoted where it needs to be.
    expect(lines(outcome.stdout)[0]).toBe('"x ""a""","y, b"');
  });

  it('reads TSV', async () => {
    const file = write('data.tsv', `a\tb\n${ROWS.map((r) => r.join('\t')).join('\n')}\n`);
    const outcome = await cli([file, '-k', '2', '--seed', '1']);
    expectTwoGroups(labelsOf(outcome));
    expect(outcome.stderr).toContain('TSV, header on line 1');
  });

  it('reads whitespace-separated text, detecting the separator', async () => {
    const file = write('data.txt', ROWS.map((r) => `  ${r[0]}\t  ${r[1]}  `).join('\n'));
    const outcome = await cli([file, '-k', '2', '--seed', '1']);
    expectTwoGroups(labelsOf(outcome));
    expect(outcome.stderr).toContain('separated by whitespace');
  });

  it('reads space-separated text, with and without a header, from a file and from stdin', async () => {
    // One or more spaces (or tabs) between fields, blanks at either end of a line.
    const rows = ROWS.map((r, i) => `${i % 2 ? ' ' : ''}${r[0]}${i % 3 ? '   ' : ' \t '}${r[1]}${i % 2 ? '  ' : ''}`).join('\n');
    const plain = await cli([write('spaces.txt', rows), '-k', '2', '--seed', '1']);
    expectTwoGroups(labelsOf(plain));
    expect(plain.stderr).toContain('text separated by whitespace, no header');
    const named = await cli(['-', '-k', '2', '--seed', '1', '--centroids', '-', '--labels', path('spaces-labels.txt')], { stdin: `  x   y\n${rows}\n` });
    expect(named.code).toBe(0);
    expect(named.stderr).toContain('text separated by whitespace, header on line 1');
    expect(lines(named.stdout)[0]).toBe('x,y');
    expectTwoGroups(lines(readFileSync(path('spaces-labels.txt'), 'utf8')).map(Number));
    expectTwoGroups(labelsOf(await cli(['-', '-k', '2', '--seed', '1'], { stdin: '1 2\n1 4\n1 0\n10 2\n10 4\n10 0\n' })));
  });

  it('takes --delimiter and --format over the extension', async () => {
    const file = write('semicolons.dat', ROWS.map((r) => r.join(';')).join('\n'));
    expectTwoGroups(labelsOf(await cli([file, '-k', '2', '--seed', '1', '--format', 'csv', '--delimiter', ';'])));
  });

  it('reads exponents, signs and long decimals exactly as Number() does', async () => {
    const values = ['1e3', '-2.5E-3', '+.5', '7.', '0.1', '123456789012345678901234567890', '3.141592653589793238', '-17', '2.2250738585072014e-308'];
    const file = write('numbers.csv', values.map((v) => `${v},0`).join('\n'));
    const outcome = await cli([file, '-k', '9', '--init', file, '--max-iterations', '1', '--centroids', '-', '--labels', path('ignored.txt')]);
    expect(outcome.code).toBe(0);
    const centres = lines(outcome.stdout).map((line) => Number(line.split(',')[0]));
    expect(centres).toEqual(values.map(Number));
  });

  it('parses numbers from bytes exactly as Number() parses their text', () => {
    const random = (() => {
      let state = 12345;
      return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    })();
    const digits = (count: number): string => Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
    const samples = [
      '0',
      '-0',
      '00012',
      '1.',
      '.5',
      '+3',
      '9007199254740993',
      '1e22',
      '1e23',
      '123456789012345e-22',
      '4.9e-324',
      '1e-400',
      '1.7976931348623157e308',
    ];
    for (let i = 0; i < 5000; i++) {
      const sign = random() < 0.3 ? '-' : '';
      const mantissa = random() < 0.5 ? `${digits(1 + Math.floor(random() * 18))}.${digits(Math.floor(random() * 18))}` : digits(1 + Math.floor(random() * 20));
      const exponent = random() < 0.3 ? `e${random() < 0.5 ? '-' : '+'}${Math.floor(random() * 40)}` : '';
      samples.push(`${sign}${mantissa}${exponent}`);
    }
    for (const text of samples) {
      const bytes = Buffer.from(`${text},`);
      expect(Object.is(scanNumber(bytes, 0, bytes.length), Number(text)), text).toBe(true);
    }
    for (const text of ['', '-', '.', 'e5', '1e', '1e+', 'abc']) expect(scanNumber(Buffer.from(text), 0, text.length), text).toBeNaN();
  });

  it('reads a header on request (--header) and refuses one with --no-header', async () => {
    const file = write('numeric-header.csv', `0,0\n${ROWS.map((r) => r.join(',')).join('\n')}`);
    const outcome = await cli([file, '-k', '2', '--seed', '1', '--header']);
    expectTwoGroups(labelsOf(outcome));
    const named = write('named.csv', `x,y\n${ROWS.map((r) => r.join(',')).join('\n')}`);
    const refused = await cli([named, '-k', '2', '--no-header']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/named\.csv:1:1: field 1 is "x", not a number/);
  });

  it('reads a JSON array of rows, over several lines', async () => {
    const file = write('data.json', `[\n${ROWS.map((r) => `  [${r.join(', ')}]`).join(',\n')}\n]\n`);
    const outcome = await cli([file, '-k', '2', '--seed', '1']);
    expectTwoGroups(labelsOf(outcome));
    expect(outcome.stderr).toContain('JSON array of rows');
  });

  it('reads .npy float32 and keeps it float32', async () => {
    const file = write('f4.npy', npy('<f4', [6, 2], Float32Array.from(ROWS.flat())));
    const outcome = await cli([file, '-k', '2', '--seed', '1']);
    expectTwoGroups(labelsOf(outcome));
    expect(outcome.stderr).toMatch(/\.npy <f4 \(6, 2\), float32/);
  });

  it('reads .npy float64 with a version 2 header, and Fortran order', async () => {
    const file = write('f8.npy', npy('<f8', [6, 2], Float64Array.from(ROWS.flat()), { version: 2 }));
    expectTwoGroups(labelsOf(await cli([file, '-k', '2', '--seed', '1'])));
    const columnMajor = Float64Array.from([...ROWS.map((r) => r[0]), ...ROWS.map((r) => r[1])]);
    const fortran = write('fortran.npy', npy('<f8', [6, 2], columnMajor, { fortran: true }));
    expectTwoGroups(labelsOf(await cli([fortran, '-k', '2', '--seed', '1'])));
  });

  it('reads a 3-D .npy (an image, h × w × channels) as rows of its last axis', async () => {
    const pixels = Uint8Array.from([0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255]);
    const file = write('image.npy', npy('|u1', [2, 2, 3], pixels));
    const outcome = await cli([file, '-k', '2', '--seed', '1']);
    expect(outcome.code).toBe(0);
    const labels = lines(outcome.stdout).map(Number);
    expect(labels[0]).toBe(labels[2]);
    expect(labels[0]).not.toBe(labels[1]);
    expect(outcome.stderr).toContain('n 4, d 3, k 2');
  });

  it('reads raw .f32 and .f64 with --dims', async () => {
    const f32 = write('data.f32', new Uint8Array(Float32Array.from(ROWS.flat()).buffer));
    const f64 = write('data.f64', new Uint8Array(Float64Array.from(ROWS.flat()).buffer));
    const a = await cli([f32, '--dims', '2', '-k', '2', '--seed', '1']);
    expectTwoGroups(labelsOf(a));
    expect(a.stderr).toContain('raw float32, 2 columns, float32');
    const b = await cli([f64, '--dims', '2', '-k', '2', '--seed', '1']);
    expectTwoGroups(labelsOf(b));
    expect(b.stderr).toContain('raw float64, 2 columns, float64');
  });

  it('reads standard input (-), detecting CSV, JSON and .npy', async () => {
    expectTwoGroups(labelsOf(await cli(['-', '-k', '2', '--seed', '1'], { stdin: ROWS.map((r) => r.join(',')).join('\n') })));
    expectTwoGroups(labelsOf(await cli(['-', '-k', '2', '--seed', '1'], { stdin: JSON.stringify(ROWS) })));
    const bytes = npy('<f8', [6, 2], Float64Array.from(ROWS.flat()));
    expectTwoGroups(labelsOf(await cli(['-', '-k', '2', '--seed', '1'], { stdin: bytes })));
    const raw = Buffer.from(Float32Array.from(ROWS.flat()).buffer);
    expectTwoGroups(labelsOf(await cli(['-', '--format', 'f32', '--dims', '2', '-k', '2', '--seed', '1'], { stdin: raw })));
  });

  it('reads rows and values cut anywhere by chunk boundaries', async () => {
    const text = `# comment\nx,"y"\n${ROWS.map((r) => `${r[0]}.25e0 ,\t${r[1]}`).join('\r\n')}\n`;
    const json = `[${ROWS.map((r) => `[${r[0]}.25e0, ${r[1]}]`).join(',\n')}]`;
    for (const [input, format] of [
      [text, 'csv'],
      [json, 'json'],
    ]) {
      const whole = await cli(['-', '--format', format, '-k', '2', '--seed', '1', '--centroids', '-', '--labels', path('whole.txt')], { stdin: input });
      expect(whole.code).toBe(0);
      for (const chunkBytes of [1, 2, 3, 5, 8]) {
        const cut = await cli(['-', '--format', format, '-k', '2', '--seed', '1', '--centroids', '-', '--labels', path('cut.txt')], {
          stdin: input,
          chunkBytes,
        });
        expect(cut.stdout, `${format} in chunks of ${chunkBytes}`).toBe(whole.stdout);
        expect(readFileSync(path('cut.txt'), 'utf8')).toBe(readFileSync(path('whole.txt'), 'utf8'));
      }
    }
    const bad = await cli(['-', '--format', 'csv', '-k', '1'], { stdin: 'a,b\n1,2\n3,4x\n', chunkBytes: 2 });
    expect(bad.stderr).toBe('elkan-kmeans: <stdin>:3:3: field 2 is "4x", not a number\n');
  });

  it('reads a row of millions of fields', async () => {
    // Past 2^32 / 1024 fields, room for 1024 rows of them was more than a typed array may hold.
    const d = 2 ** 22 + 1;
    const file = write('wide.csv', `${'1,'.repeat(d - 1)}1\n`);
    const outcome = await cli([file, '-k', '1', '--no-header', '--labels', path('wide-labels.txt')]);
    expect(outcome.stderr).toContain(`n 1, d ${d}, k 1`);
    expect(outcome.code).toBe(0);
  });

  it('converts with --dtype', async () => {
    const file = write('to32.csv', ROWS.map((r) => r.join(',')).join('\n'));
    const outcome = await cli([file, '-k', '2', '--seed', '1', '--dtype', 'float32']);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toContain('float32), fit');
  });

  it('reads a long CSV across many chunks, matching the API on the same data', async () => {
    const n = 50_000;
    const data = new Float64Array(n * 3);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(((Math.sin(i * 12.9898) * 43758.5453) % 1) * 1e6) / 1e3;
    const text = Array.from({ length: n }, (_, i) => `${data[3 * i]},${data[3 * i + 1]},${data[3 * i + 2]}`).join('\n');
    const file = write('long.csv', `a,b,c\n${text}\n`);
    const outcome = await cli([file, '-k', '7', '--seed', '3', '--labels', path('long-labels.txt'), '--centroids', path('long.json')]);
    expect(outcome.code).toBe(0);
    const expected = kmeansSync({ data, shape: [n, 3] }, 7, { seed: 3 });
    expect(lines(readFileSync(path('long-labels.txt'), 'utf8')).map(Number)).toEqual(Array.from(expected.labels));
    expect((JSON.parse(readFileSync(path('long.json'), 'utf8')) as number[][]).flat()).toEqual(Array.from(expected.centroids.data));
  });
});

describe('outputs', () => {
  let csv: string;
  beforeAll(() => {
    csv = write('out.csv', `x,y\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
  });

  it('writes labels one per line to --labels, and nothing to stdout', async () => {
    const outcome = await cli([csv, '-k', '2', '--seed', '1', '--labels', path('labels.txt')]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toBe('');
    expectTwoGroups(lines(readFileSync(path('labels.txt'), 'utf8')).map(Number));
  });

  it('writes labels as JSON and as int32 .npy', async () => {
    await cli([csv, '-k', '2', '--seed', '1', '--labels', path('labels.json')]);
    expectTwoGroups(JSON.parse(readFileSync(path('labels.json'), 'utf8')) as number[]);
    await cli([csv, '-k', '2', '--seed', '1', '--labels', path('labels.npy')]);
    const { header, payload } = parseNpy(readFileSync(path('labels.npy')));
    expect(header).toContain("'descr': '<i4'");
    expect(header).toContain("'shape': (6,)");
    expectTwoGroups(Array.from(new Int32Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.length))));
  });

  it('writes centroids as CSV with the input header, TSV, JSON, .npy and raw', async () => {
    const expected = kmeansSync(ROWS, 2, { seed: 1 });
    const rows = [0, 1].map((i) => Array.from(expected.centroids.data.subarray(2 * i, 2 * i + 2)));
    await cli([csv, '-k', '2', '--seed', '1', '--centroids', path('c.csv'), '--labels', path('l.txt')]);
    expect(readFileSync(path('c.csv'), 'utf8')).toBe(`x,y\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    await cli([csv, '-k', '2', '--seed', '1', '--centroids', path('c.tsv')]);
    expect(readFileSync(path('c.tsv'), 'utf8')).toBe(`x\ty\n${rows.map((r) => r.join('\t')).join('\n')}\n`);
    await cli([csv, '-k', '2', '--seed', '1', '--centroids', path('c.json')]);
    expect(JSON.parse(readFileSync(path('c.json'), 'utf8'))).toEqual(rows);
    await cli([csv, '-k', '2', '--seed', '1', '--centroids', path('c.npy')]);
    const { header, payload } = parseNpy(readFileSync(path('c.npy')));
    expect(header).toMatch(/\{'descr': '<f8', 'fortran_order': False, 'shape': \(2, 2\), \} *\n$/);
    expect(Array.from(new Float64Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.length)))).toEqual(rows.flat());
    await cli([csv, '-k', '2', '--seed', '1', '--centroids', path('c.f32')]);
    const raw = readFileSync(path('c.f32'));
    expect(Array.from(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)))).toEqual(rows.flat());
  });

  it('writes float32 centroids as float32 (.npy <f4, shortest text in CSV)', async () => {
    const file = write('thirds.f32', new Uint8Array(Float32Array.from([0.1, 0.2, 0.3, 10.1, 10.2, 10.3]).buffer));
    const outcome = await cli([file, '--dims', '1', '-k', '2', '--seed', '1', '--centroids', '-']);
    const centres = lines(outcome.stdout)
      .map(Number)
      .sort((a, b) => a - b);
    expect(centres).toEqual([Math.fround(0.2), Math.fround(10.2)].map((x) => Number(x.toPrecision(7))));
    await cli([file, '--dims', '1', '-k', '2', '--seed', '1', '--centroids', path('c32.npy')]);
    expect(parseNpy(readFileSync(path('c32.npy'))).header).toContain("'descr': '<f4'");
  });

  it('sends centroids to stdout with --centroids -, in --centroids-format', async () => {
    const outcome = await cli([csv, '-k', '2', '--seed', '1', '--centroids', '-', '--centroids-format', 'json', '--labels', path('l2.txt')]);
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.stdout)).toHaveLength(2);
  });

  it('refuses an unknown centroids extension and two outputs on stdout', async () => {
    const unknown = await cli([csv, '-k', '2', '--centroids', path('c.xyz')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/cannot tell the format of --centroids .*c\.xyz/);
    const both = await cli([csv, '-k', '2', '--centroids', '-', '--labels', '-']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot both go to standard output/);
  });
});

describe('options and summary', () => {
  let csv: string;
  beforeAll(() => {
    csv = write('opts.csv', ROWS.map((r) => r.join(',')).join('\n'));
  });

  it('passes every fitting option through and matches the API', async () => {
    const outcome = await cli([
      csv,
      '-k',
      '2',
      '--seed',
      '7',
      '--threads',
      '1',
      '--init',
      'random',
      '--n-init',
      '3',
      '--max-iterations',
      '50',
      '--tolerance',
      '0',
      '--algorithm',
      'lloyd',
      '--backend',
      'js',
      '--centroids',
      '-',
      '--labels',
      path('o.txt'),
    ]);
    expect(outcome.code).toBe(0);
    const expected = kmeansSync(ROWS, 2, { seed: 7, threads: 1, init: 'random', nInit: 3, maxIterations: 50, tolerance: 0, algorithm: 'lloyd', backend: 'js' });
    expect(
      lines(outcome.stdout)
        .map((line) => line.split(',').map(Number))
        .flat(),
    ).toEqual(Array.from(expected.centroids.data));
    expect(outcome.stderr).toContain('on the js backend (random seeding, lloyd, 1 thread), seed 7');
  });

  it('reads --init centres from a file', async () => {
    const init = write('init.json', '[[0, 0], [20, 0]]');
    const outcome = await cli([csv, '-k', '2', '--init', init, '--centroids', '-']);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toBe('1,2\n10,2\n');
  });

  it('reports n, d, k, iterations, inertia, times, backend and threads on stderr', async () => {
    const outcome = await cli([csv, '-k', '2', '--seed', '1', '--max-iterations', '1', '--labels', path('s.txt')]);
    expect(outcome.code).toBe(0);
    const summary = lines(outcome.stderr);
    expect(summary).toHaveLength(2);
    expect(summary[0]).toMatch(/^elkan-kmeans: n 6, d 2, k 2: 1 iteration \((converged|not converged: --max-iterations reached)\), inertia 16$/);
    expect(summary[1]).toMatch(
      /^elkan-kmeans: read \d+ ms \(CSV, no header, float64\), fit \d+ ms on the (native|js) backend \(k-means\+\+ seeding, [a-z]+, \d+ threads?\), seed 1$/,
    );
    // Not a terminal: no progress bar, no escape codes.
    // eslint-disable-next-line no-control-regex -- the terminal's escape character is what must not appear
    expect(outcome.stderr).not.toMatch(/[\r\x1b]/);
  });

  it('prints nothing on stderr with --quiet, not even the progress bar on a terminal', async () => {
    const outcome = await cli([csv, '-k', '2', '--quiet']);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(await cli([csv, '-k', '2', '--quiet'], { tty: true })).toMatchObject({ code: 0, stderr: '' });
  });

  it('draws a progress bar when stderr is a terminal, and clears it', async () => {
    const n = 20_000;
    const text = Array.from({ length: n }, (_, i) => `${(i * 7919) % 1000},${(i * 104729) % 997}`).join('\n');
    const file = write('progress.csv', text);
    const outcome = await cli([file, '-k', '20', '--seed', '1', '--tolerance', '0', '--labels', path('p.txt')], { tty: true });
    expect(outcome.code).toBe(0);
    /* eslint-disable no-control-regex -- the bar is drawn with terminal escape codes (\x1b[2K), which these patterns match */
    expect(outcome.stderr).toMatch(/\r\x1b\[2Kreading .*progress\.csv [█░]{20} \d+% of 0\.\d MB/);
    expect(outcome.stderr).toMatch(/\r\x1b\[2Kseeding [█░]{20} k-means\+\+ 100%/);
    expect(outcome.stderr).toMatch(/\r\x1b\[2Kfitting [█░]{20} iteration \d+ · \d+ changed/);
    // The bar is erased before the summary, which starts on a clean line.
    expect(outcome.stderr).toMatch(/\r\x1b\[2Kelkan-kmeans: n 20000, d 2, k 20/);
    /* eslint-enable no-control-regex */
  });

  it('prints --help with every option and its default, and --version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    // The command line's own flags; the API's (--seed, --max-iterations, ...) are held to their declarations by option-spec.test.ts.
    for (const flag of ['-k', '--labels', '--centroids', '--dims', '--header', '--no-header', '--delimiter', '--format', '--dtype', '--quiet']) {
      expect(help.stdout).toContain(`${flag} `);
    }
    for (const fallback of ['[default: 300]', '[default: 1e-4]', '[default: auto]']) expect(help.stdout).toContain(fallback);
    const version = await cli(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});

/** Every failure: exit code 2, one line on stderr, no stack trace. */
async function expectFailure(args: string[], message: RegExp, stdin?: string | Buffer): Promise<void> {
  const outcome = await cli(args, { stdin });
  expect(outcome.code).toBe(2);
  expect(outcome.stdout).toBe('');
  expect(outcome.stderr.endsWith('\n')).toBe(true);
  expect(lines(outcome.stderr)).toHaveLength(1);
  expect(outcome.stderr).not.toMatch(/^\s+at /m);
  expect(outcome.stderr).toMatch(/^elkan-kmeans: /);
  expect(outcome.stderr).toMatch(message);
}

describe('bad files', () => {
  const csv = (name: string, text: string): string => write(name, text);

  it('ragged rows name the line and the column', async () => {
    await expectFailure([csv('long-row.csv', '1,2\n3,4\n5,6,7\n'), '-k', '1'], /long-row\.csv:3:5: this row has 3 fields but line 1 has 2$/m);
    await expectFailure([csv('short-row.csv', 'a,b\n1,2\n3\n'), '-k', '1'], /short-row\.csv:3:2: this row has 1 field but the header on line 1 has 2$/m);
    await expectFailure([write('ragged.json', '[[1, 2],\n [3]]'), '-k', '1'], /ragged\.json:2:4: row 2 has 1 value but row 1 has 2$/m);
    await expectFailure([write('long.json', '[[1, 2],\n [3, 4, 5]]'), '-k', '1'], /long\.json:2:9: row 2 has more than 2 values; row 1 has 2$/m);
  });

  it('non-numeric fields name the line and the column', async () => {
    await expectFailure([csv('word.csv', 'x,y\n1,2\n3,abc\n'), '-k', '1'], /word\.csv:3:3: field 2 is "abc", not a number$/m);
    await expectFailure([csv('empty-field.csv', '1,2\n3,,4\n'), '-k', '1'], /empty-field\.csv:2:3: field 2 is empty$/m);
    await expectFailure([csv('nan.csv', '1,2\n3, NaN\n'), '-k', '1'], /nan\.csv:2:4: field 2 is "NaN"; k-means needs finite numbers/);
    await expectFailure([csv('hex.tsv', '1\t2\n0x10\t4\n'), '-k', '1'], /hex\.tsv:2:1: field 1 is "0x10", not a number$/m);
    await expectFailure([csv('quote.csv', '1,2\n"3,4\n'), '-k', '1'], /quote\.csv:2:1: field 1 opens a quote that does not close on this line$/m);
    await expectFailure([write('string.json', '[[1, 2],\n  [3, "4"]]'), '-k', '1'], /string\.json:2:7: expected a number, found a string$/m);
    await expectFailure([write('object.json', '{"rows": []}'), '-k', '1'], /object\.json:1:1: expected '\[' to open an array of rows, found an object$/m);
    await expectFailure([write('cut.json', '[[1, 2],\n [3, 4]'), '-k', '1'], /cut\.json:2:8: the file ends before the array is closed$/m);
    const nan = Float32Array.from([1, 2, 3, Number.NaN]);
    await expectFailure([write('nan.f32', new Uint8Array(nan.buffer)), '--dims', '2', '-k', '1'], /nan\.f32: row 2, column 2 \(byte 12\) is NaN/);
  });

  it('empty files say so, with the line', async () => {
    await expectFailure([csv('empty.csv', ''), '-k', '1'], /empty\.csv:1: the file is empty$/m);
    await expectFailure([csv('header-only.csv', 'x,y\n'), '-k', '1'], /header-only\.csv:1: the file has a header but no data rows$/m);
    await expectFailure([csv('blank.csv', '\n# nothing\n\n'), '-k', '1'], /blank\.csv:3: the file has no data rows, only blank or comment lines$/m);
    await expectFailure([write('empty.json', ''), '-k', '1'], /empty\.json:1: the file is empty$/m);
    await expectFailure([write('no-rows.json', '[ ]'), '-k', '1'], /no-rows\.json:1:3: the array has no rows$/m);
    await expectFailure([write('empty.npy', ''), '-k', '1'], /empty\.npy: the file is empty$/m);
    await expectFailure([write('empty.f64', ''), '--dims', '2', '-k', '1'], /empty\.f64: the file is empty$/m);
    await expectFailure(['-', '-k', '1'], /<stdin>:1: the file is empty$/m, '');
  });

  it('a wrong --dims is caught for every format', async () => {
    const seven = new Uint8Array(Float32Array.from([1, 2, 3, 4, 5, 6, 7]).buffer);
    await expectFailure(
      [write('seven.f32', seven), '--dims', '2', '-k', '1'],
      /seven\.f32: 7 float32 values do not fill rows of --dims 2: the last row would have 1 of 2 values/,
    );
    await expectFailure([write('odd.f64', new Uint8Array(12)), '--dims', '1', '-k', '1'], /odd\.f64: 12 bytes is not a whole number of float64 values/);
    await expectFailure([write('nodims.f32', seven), '-k', '1'], /nodims\.f32: raw float32 values have no shape; give the number of columns with --dims$/m);
    await expectFailure([csv('dims.csv', '1,2\n3,4\n'), '--dims', '3', '-k', '1'], /dims\.csv:1:4: this row has 2 fields but --dims is 3$/m);
    await expectFailure([write('dims.json', '[[1,2]]'), '--dims', '3', '-k', '1'], /dims\.json:1:6: row 1 has 2 values but --dims is 3$/m);
    await expectFailure(
      [write('dims.npy', npy('<f8', [3, 2], new Float64Array(6))), '--dims', '3', '-k', '1'],
      /dims\.npy: has shape \(3, 2\), so rows of 2 values, but --dims is 3$/m,
    );
  });

  it('broken .npy files are named precisely', async () => {
    await expectFailure([write('magic.npy', 'hello, world'), '-k', '1'], /magic\.npy: is not a \.npy file/);
    const full = npy('<f8', [3, 2], new Float64Array(6));
    await expectFailure(
      [write('short.npy', full.subarray(0, full.length - 8)), '-k', '1'],
      /short\.npy: is truncated: shape \(3, 2\) of '<f8' needs 48 bytes of data but the file has 40$/m,
    );
    await expectFailure([write('half.npy', npy('<f2', [2, 1], new Uint8Array(4))), '-k', '1'], /half\.npy: holds dtype '<f2'/);
    // A header claiming 2^40 rows is refused before anything that size is allocated.
    const claim = npy('<f8', [2 ** 40, 2], new Float64Array(4));
    await expectFailure(
      [write('claim.npy', claim), '-k', '1'],
      /claim\.npy: is truncated: shape \(1099511627776, 2\) of '<f8' needs 17592186044416 bytes of data but the file has 32$/m,
    );
    await expectFailure(
      ['-', '-k', '1'],
      /<stdin>: too large to load: shape \(1099511627776, 2\) of '<f8', 17593 GB in one array, is more than this process can allocate/,
      claim,
    );
    await expectFailure([write('binary.csv', Buffer.from([49, 44, 50, 10, 0, 1, 2])), '-k', '1'], /binary\.csv:2: contains NUL bytes/);
  });

  it('missing files and outputs in missing directories', async () => {
    await expectFailure([path('nope.csv'), '-k', '1'], /cannot read .*nope\.csv: no such file$/m);
    await expectFailure([dir, '-k', '1'], /cannot read .*: is a directory$/m);
    const ok = csv('fine.csv', '1,2\n3,4\n');
    await expectFailure([ok, '-k', '1', '--labels', path('missing/labels.txt')], /cannot write .*labels\.txt: no such directory$/m);
  });
});

describe('outputs checked before the input is read', () => {
  // Each input here is bad, so only a check made before reading can produce the message expected.
  let bad: string;
  beforeAll(() => {
    bad = write('bad-for-outputs.csv', '1,2\n3,x\n');
  });

  it('an output in a missing directory, or that is a directory', async () => {
    await expectFailure([bad, '-k', '1', '--labels', path('missing/labels.txt')], /cannot write .*missing\/labels\.txt: no such directory$/m);
    await expectFailure([bad, '-k', '1', '--centroids', path('missing/c.csv')], /cannot write .*missing\/c\.csv: no such directory$/m);
    await expectFailure([bad, '-k', '1', '--labels', dir], /^elkan-kmeans: cannot write .*: is a directory$/m);
    // The check does not open the file: an existing one is left as it was when the read then fails.
    const kept = write('kept.txt', 'old labels\n');
    await expectFailure([bad, '-k', '1', '--labels', kept], /bad-for-outputs\.csv:2:3: field 2 is "x", not a number$/m);
    expect(readFileSync(kept, 'utf8')).toBe('old labels\n');
  });

  it('an extension that is not a format of that output, listing the ones that are', async () => {
    await expectFailure(
      [bad, '-k', '1', '--labels', path('out.parquet')],
      /cannot tell the format of --labels .*out\.parquet from its extension; use \.txt, \.csv, \.tsv, \.tab, \.dat, \.json or \.npy, or no extension for one label per line/,
    );
    expect(existsSync(path('out.parquet'))).toBe(false);
    await expectFailure(
      [bad, '-k', '1', '--centroids', path('c.parquet')],
      /cannot tell the format of --centroids .*c\.parquet from its extension; use \.csv, \.tsv, \.tab, \.txt, \.json, \.npy, \.f32 or \.f64/,
    );
  });

  it('one file named by --labels and --centroids, or an output that is the input', async () => {
    await expectFailure(
      [bad, '-k', '1', '--labels', path('same.csv'), '--centroids', join(dir, 'sub', '..', 'same.csv')],
      /--labels and --centroids both name .*same\.csv; one would overwrite the other, so give them different files/,
    );
    await expectFailure([bad, '-k', '1', '--centroids', bad], /--centroids .*bad-for-outputs\.csv is the input file .*; writing it would destroy the data/);
    expect(readFileSync(bad, 'utf8')).toBe('1,2\n3,x\n');
  });
});

/** A device that fails every write with ENOSPC: Linux has it, macOS and Windows (where CI also runs) do not. */
const DEV_FULL = existsSync('/dev/full');

describe('failed writes', () => {
  it.runIf(DEV_FULL)('a full disk is one line naming the file, exit 1', async () => {
    const file = write('to-full.csv', ROWS.map((r) => r.join(',')).join('\n'));
    const outcome = await cli([file, '-k', '2', '--labels', '/dev/full']);
    expect(outcome.stderr).toBe('elkan-kmeans: cannot write /dev/full: no space left on device\n');
    expect(outcome.code).toBe(1);
  });
});

describe('bad command lines', () => {
  let csv: string;
  beforeAll(() => {
    csv = write('cmd.csv', ROWS.map((r) => r.join(',')).join('\n'));
  });

  const cases: Array<[string, string[], RegExp]> = [
    ['no -k', ['FILE'], /-k is required/],
    ['no file', ['-k', '2'], /no input file/],
    ['two files', ['FILE', 'FILE', '-k', '2'], /one input file at a time/],
    ['-k 0', ['FILE', '-k', '0'], /-k must be an integer from 1 to 2147483647, not 0 \(see elkan-kmeans --help\)$/m],
    ['-k not a number', ['FILE', '-k', 'abc'], /-k must be a number, not "abc" \(see elkan-kmeans --help\)$/m],
    [
      "-k larger than n (the package's own check)",
      ['FILE', '-k', '7'],
      /-k must be an integer from 1 to 6, not 7; k counts clusters and cannot exceed the 6 points$/m,
    ],
    [
      '--seed negative',
      ['FILE', '-k', '2', '--seed=-1'],
      /--seed must be an integer from 0 to 4294967295, not -1; seeds are 32-bit unsigned integers \(see elkan-kmeans --help\)$/m,
    ],
    ['--seed too large', ['FILE', '-k', '2', '--seed', '4294967296'], /--seed must be an integer from 0 to 4294967295, not 4294967296/],
    ['--tolerance not a number', ['FILE', '-k', '2', '--tolerance', 'small'], /--tolerance must be a number, not "small" \(see elkan-kmeans --help\)$/m],
    [
      '--tolerance negative',
      ['FILE', '-k', '2', '--tolerance=-1'],
      /--tolerance must be a finite number ≥ 0, not -1; 0 runs until no label changes \(see elkan-kmeans --help\)$/m,
    ],
    ['--tolerance without a value', ['FILE', '-k', '2', '--tolerance'], /--tolerance needs a value/],
    [
      '--max-iterations fractional',
      ['FILE', '-k', '2', '--max-iterations', '2.5'],
      /--max-iterations must be an integer from 1 to 2147483647, not 2\.5 \(see elkan-kmeans --help\)$/m,
    ],
    ['--n-init 0', ['FILE', '-k', '2', '--n-init', '0'], /--n-init must be an integer from 1 to 1000000 or auto, not 0 \(see elkan-kmeans --help\)$/m],
    ['--n-init not a number', ['FILE', '-k', '2', '--n-init', 'many'], /--n-init must be a number or auto, not "many" \(see elkan-kmeans --help\)$/m],
    [
      "--n-init with explicit centres (the package's check)",
      ['FILE', '-k', '2', '--init', 'INIT', '--n-init', '2'],
      /--n-init must be 1 or auto when --init gives explicit centres/,
    ],
    ["--init of the wrong size (the package's check)", ['FILE', '-k', '3', '--init', 'INIT'], /--init has 2 centres but k is 3/],
    [
      '--init file missing',
      ['FILE', '-k', '2', '--init', 'kmeans++'],
      /--init must be auto, k-means\+\+, "k-means\|\|", random or a file of starting centres, but cannot read kmeans\+\+: no such file/,
    ],
    ['--threads 0', ['FILE', '-k', '2', '--threads', '0'], /--threads must be an integer from 1 to 1024, not 0 \(see elkan-kmeans --help\)$/m],
    [
      '--algorithm unknown',
      ['FILE', '-k', '2', '--algorithm', 'minibatch'],
      /--algorithm must be one of auto, elkan, hamerly, yinyang, lloyd, not minibatch \(see elkan-kmeans --help\)$/m,
    ],
    ['--algorithm empty', ['FILE', '-k', '2', '--algorithm='], /--algorithm must be one of auto, elkan, [a-z, ]*lloyd, not "" \(see elkan-kmeans --help\)$/m],
    ['--backend unknown', ['FILE', '-k', '2', '--backend', 'gpu'], /--backend must be one of auto, native, js, not gpu \(see elkan-kmeans --help\)$/m],
    ['--format unknown', ['FILE', '-k', '2', '--format', 'xlsx'], /--format must be one of csv, tsv, txt, json, npy, f32, f64/],
    ['--dtype unknown', ['FILE', '-k', '2', '--dtype', 'float16'], /--dtype must be one of float32, float64/],
    ['--delimiter too long', ['FILE', '-k', '2', '--delimiter', '::'], /--delimiter must be one character/],
    ['--header and --no-header', ['FILE', '-k', '2', '--header', '--no-header'], /contradict/],
    ['an unknown option', ['FILE', '-k', '2', '--max-iteratons', '5'], /unknown option --max-iteratons; did you mean --max-iterations\?/],
    ['the short names of scikit-learn', ['FILE', '-k', '2', '--max-iter', '5'], /unknown option --max-iter; did you mean --max-iterations\?/],
    ['--tol for --tolerance', ['FILE', '-k', '2', '--tol', '0'], /unknown option --tol; did you mean --tolerance\?/],
    ['a misspelt option', ['FILE', '-k', '2', '--sed', '5'], /unknown option --sed; did you mean --seed\?/],
  ];

  it.each(cases)('%s', async (_label, args, message) => {
    const init = write('init2.csv', '0,0\n10,0\n');
    const resolved = args.map((arg) => (arg === 'FILE' ? csv : arg === 'INIT' ? init : arg));
    await expectFailure(resolved, message);
  });

  it('points usage errors at --help', async () => {
    const outcome = await cli([csv]);
    expect(outcome.stderr).toMatch(/\(see elkan-kmeans --help\)$/m);
  });
});

describe('the executable', () => {
  const command = (args: string[]): string[] => ['--import', 'tsx', join(ROOT, 'lib/cli/main.ts'), ...args];
  const tsx = (args: string[], input?: string, stdout: 'pipe' | number = 'pipe') =>
    spawnSync(process.execPath, command(args), { cwd: ROOT, input, encoding: 'utf8', stdio: ['pipe', stdout, 'pipe'] });

  it('runs as a process: labels on stdout, summary on stderr, exit 0', () => {
    const file = write('proc.csv', ROWS.map((r) => r.join(',')).join('\n'));
    // The js backend: the process behaviour under test must not depend on the addon being built.
    const result = tsx([file, '-k', '2', '--seed', '1', '--backend', 'js']);
    expect(result.status).toBe(0);
    expectTwoGroups(lines(result.stdout).map(Number));
    expect(result.stderr).toMatch(/^elkan-kmeans: n 6, d 2, k 2/);
  });

  it('exits 2 with one line and no stack on a bad file', () => {
    const file = write('proc-bad.csv', '1,2\n3,x\n');
    const result = tsx([file, '-k', '1']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`elkan-kmeans: ${file}:2:3: field 2 is "x", not a number\n`);
  });

  it.runIf(DEV_FULL)('a full disk on stdout is one line and exit 1, not a stack trace', () => {
    const file = write('proc-full.csv', ROWS.map((r) => r.join(',')).join('\n'));
    const full = openSync('/dev/full', 'w');
    try {
      const result = tsx([file, '-k', '2', '--backend', 'js'], undefined, full);
      expect(result.stderr).toBe('elkan-kmeans: cannot write standard output: no space left on device\n');
      expect(result.status).toBe(1);
    } finally {
      closeSync(full);
    }
  });

  it('a reader that closed stdout early (| head) ends the command quietly', async () => {
    const file = write('proc-closed.csv', ROWS.map((r) => r.join(',')).join('\n'));
    const child = spawn(process.execPath, command([file, '-k', '2', '--backend', 'js']), { cwd: ROOT });
    // Closed long before the process has started, let alone fitted and written.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toMatch(/^elkan-kmeans: n 6, d 2, k 2: /);
    expect(stderr).not.toMatch(/cannot write|Error/);
    expect(status).toBe(0);
  });

  it('the built bin starts with a shebang and runs', () => {
    // dist/ is built by `npm ci` (the prepare script) or `npm run build:ts`.
    const bin = join(ROOT, 'dist/cli/main.js');
    expect(existsSync(bin), `${bin} is missing: run npm run build:ts`).toBe(true);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['elkan-kmeans']).toBe('dist/cli/main.js');
    const result = spawnSync(process.execPath, [bin, '-', '-k', '2', '--seed', '1', '--quiet', '--backend', 'js'], {
      input: JSON.stringify(ROWS),
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expectTwoGroups(lines(result.stdout).map(Number));
  });
});

/** The ROWS with a row number in front, a text label behind and a weight between: `id,x,label,w,y`. */
const MIXED_HEADER = 'id,x,label,w,y';
const WEIGHTS = [1, 2, 3, 1, 0.5, 4];
const mixedRows = (start = 0): string[] => ROWS.map((r, i) => `${start + i},${r[0]},"group, ${r[0] < 5 ? 'a' : 'b'}",${WEIGHTS[i]},${r[1]}`);

describe('choosing columns (--columns)', () => {
  let mixed: string;
  beforeAll(() => {
    mixed = write('mixed.csv', `${MIXED_HEADER}\n${mixedRows().join('\n')}\n`);
  });

  it('keeps the named and numbered columns in the file order, and writes their names over the centroids', async () => {
    for (const spec of ['x,y', 'y,x', '2,5', '!id,!label,!w', '!1,!3-4', '2-5,!3,!4']) {
      const outcome = await cli([mixed, '-k', '2', '--seed', '1', '--columns', spec, '--centroids', '-']);
      expect(outcome.stderr, spec).toContain('CSV, header on line 1, columns 2,5 of 5');
      // Centres in either order: the seeding picks which comes first.
      const [header, ...centres] = lines(outcome.stdout);
      expect([header, ...centres.sort()], spec).toEqual(['x,y', '1,2', '10,2']);
    }
  });

  it('gives the labels and centroids the API gives on those columns, on both backends', async () => {
    for (const backend of ['native', 'js']) {
      const expected = kmeansSync(ROWS, 2, { seed: 3, backend: backend as 'native' | 'js' });
      const outcome = await cli([
        mixed,
        '-k',
        '2',
        '--seed',
        '3',
        '--backend',
        backend,
        '--columns',
        'x,y',
        '--centroids',
        '-',
        '--labels',
        path('mixed-labels.txt'),
      ]);
      expect(outcome.code).toBe(0);
      expect(
        lines(outcome.stdout)
          .slice(1)
          .flatMap((line) => line.split(',').map(Number)),
      ).toEqual(Array.from(expected.centroids.data));
      expect(lines(readFileSync(path('mixed-labels.txt'), 'utf8')).map(Number)).toEqual(Array.from(expected.labels));
    }
  });

  it('reads the same from standard input cut into chunks anywhere, whitespace-separated text too', async () => {
    const text = `${MIXED_HEADER}\n${mixedRows().join('\n')}\n`;
    const whole = await cli([mixed, '-k', '2', '--seed', '1', '--columns', '!label', '--centroids', '-']);
    for (const chunkBytes of [1, 3, 7]) {
      const cut = await cli(['-', '--format', 'csv', '-k', '2', '--seed', '1', '--columns', '!label', '--centroids', '-'], { stdin: text, chunkBytes });
      expect(cut.stdout, `chunks of ${chunkBytes}`).toBe(whole.stdout);
    }
    const spaced = `${ROWS.map((r, i) => `${i % 2 ? 'odd' : 'even'} ${r[0]}\t${r[1]}`).join('\n')}\n`;
    const fromText = await cli(['-', '-k', '2', '--seed', '1', '--columns', '!1', '--centroids', '-'], { stdin: spaced, chunkBytes: 5 });
    expect(fromText.stdout).toBe(
      (await cli([write('plain-rows.csv', ROWS.map((r) => r.join(',')).join('\n')), '-k', '2', '--seed', '1', '--centroids', '-'])).stdout,
    );
  });

  it('reads a headerless file with a text column left out by position, whose first row is data', async () => {
    const file = write('iris-like.csv', ROWS.map((r, i) => `${r[0]},${r[1]},species ${i < 3 ? 'a' : 'b'}`).join('\n'));
    const outcome = await cli([file, '-k', '2', '--seed', '1', '--columns', '!3']);
    expectTwoGroups(labelsOf(outcome));
    expect(outcome.stderr).toContain('CSV, no header, columns 1-2 of 3');
    // Whitespace-separated text too, and a range open to the last column.
    const text = write('iris-like.txt', ROWS.map((r, i) => `name${i} ${r[0]} ${r[1]}`).join('\n'));
    expectTwoGroups(labelsOf(await cli([text, '-k', '2', '--seed', '1', '--columns', '2-'])));
  });

  it('takes positions in JSON, .npy and raw files, where columns have no names', async () => {
    const wide = ROWS.map((r, i) => [i, r[0], r[1]]);
    const json = write('wide.json', JSON.stringify(wide));
    const npyFile = write('wide.npy', npy('<f8', [6, 3], Float64Array.from(wide.flat())));
    const raw = write('wide.f32', new Uint8Array(Float32Array.from(wide.flat()).buffer));
    for (const args of [[json], [npyFile], [raw, '--dims', '3']]) {
      const outcome = await cli([...args, '-k', '2', '--seed', '1', '--columns', '2-3', '--centroids', '-']);
      expect(outcome.code).toBe(0);
      expect(lines(outcome.stdout).sort()).toEqual(['1,2', '10,2']);
      expect(outcome.stderr).toContain('columns 2-3 of 3');
    }
    await expectFailure(
      [json, '-k', '2', '--columns', 'x'],
      /wide\.json: --columns names the column "x", but the file has no header; name columns by position, from 1$/m,
    );
  });

  it('a text column is refused with the --columns that leaves it out', async () => {
    const file = write('species.csv', `x,y,species\n${ROWS.map((r) => `${r[0]},${r[1]},setosa`).join('\n')}\n`);
    await expectFailure([file, '-k', '2'], /species\.csv:2:5: field 3 is "setosa", not a number; to leave this column out, add --columns '!species'$/m);
    const unnamed = write('unnamed.csv', ROWS.map((r) => `${r[0]},setosa,${r[1]}`).join('\n'));
    await expectFailure(
      [unnamed, '-k', '2', '--no-header'],
      /unnamed\.csv:1:3: field 2 is "setosa", not a number; to leave this column out, add --columns '!2'$/m,
    );
  });

  it('names the column a mistake is about', async () => {
    await expectFailure([mixed, '-k', '2', '--columns', 'x,z'], /mixed\.csv: --columns names the column "z", which the header does not have/);
    await expectFailure([mixed, '-k', '2', '--columns', 'x,idd'], /--columns names the column "idd", which the header does not have; did you mean "id"\?$/m);
    await expectFailure([mixed, '-k', '2', '--columns', '2,9'], /--columns names column 9, but the rows have 5 fields$/m);
    await expectFailure([mixed, '-k', '2', '--columns', '!1-5'], /--columns "!1-5" leaves no column to cluster; the rows have 5 fields$/m);
    await expectFailure([mixed, '-k', '2', '--columns', 'x,,y'], /--columns has an empty item in "x,,y"/);
    await expectFailure([mixed, '-k', '2', '--columns', '0'], /--columns counts columns from 1, so 0 is not a column/);
    await expectFailure([mixed, '-k', '2', '--columns', '5-2'], /--columns range 5-2 runs backwards; write 2-5/);
  });

  it('warns when a column holds the row numbers, unless --columns chose the columns or --quiet', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `${i + 1},${i % 2},${(i * 7) % 5}`);
    const file = write('numbered.csv', `row,a,b\n${rows.join('\n')}\n`);
    const warned = await cli([file, '-k', '2', '--seed', '1', '--labels', path('numbered-labels.txt')]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(
      `elkan-kmeans: warning: column 1 ("row") holds the row numbers 1, 2, 3, …, which are clustered as a feature; if they are ids, leave the column out with --columns '!row'\n`,
    );
    const chosen = await cli([file, '-k', '2', '--seed', '1', '--columns', '!row', '--labels', path('numbered-labels.txt')]);
    expect(chosen.stderr).not.toContain('warning');
    expect((await cli([file, '-k', '2', '--quiet', '--labels', path('numbered-labels.txt')])).stderr).toBe('');
    // Too few rows to tell a row number from a small count, and numbers that skip, are not warned about.
    expect((await cli([write('short-count.csv', '0,5\n1,6\n2,7\n3,9\n'), '-k', '2'])).stderr).not.toContain('warning');
    const skipping = write('skipping.csv', Array.from({ length: 12 }, (_, i) => `${i === 5 ? 50 : i},${i % 3}`).join('\n'));
    expect((await cli([skipping, '-k', '2'])).stderr).not.toContain('warning');
  });
});

describe('weights (--weights)', () => {
  let mixed: string;
  beforeAll(() => {
    mixed = write('weighted.csv', `${MIXED_HEADER}\n${mixedRows().join('\n')}\n`);
  });

  it('from a column by name or position, which is then not a feature: the API with weights, on both backends', async () => {
    for (const backend of ['native', 'js'] as const) {
      const expected = kmeansSync(ROWS, 2, { seed: 5, backend, weights: WEIGHTS });
      for (const weights of ['w', '4']) {
        const outcome = await cli([mixed, '-k', '2', '--seed', '5', '--backend', backend, '--columns', '2,5', '--weights', weights, '--centroids', '-']);
        expect(outcome.code).toBe(0);
        expect(lines(outcome.stdout)).toEqual([
          'x,y',
          ...Array.from({ length: 2 }, (_, i) => `${expected.centroids.data[2 * i]},${expected.centroids.data[2 * i + 1]}`),
        ]);
        expect(outcome.stderr).toContain(`inertia ${Number(expected.inertia.toPrecision(8))}`);
      }
    }
    // Without --columns every other column is a feature.
    const json = write('weighted.json', JSON.stringify(ROWS.map((r, i) => [r[0], WEIGHTS[i], r[1]])));
    const outcome = await cli([json, '-k', '2', '--seed', '5', '--weights', '2', '--centroids', '-']);
    const expected = kmeansSync(ROWS, 2, { seed: 5, weights: WEIGHTS });
    expect(lines(outcome.stdout).flatMap((line) => line.split(',').map(Number))).toEqual(Array.from(expected.centroids.data));
  });

  it('from a file of one value per row, in any input format', async () => {
    const plain = write('plain-w.csv', ROWS.map((r) => r.join(',')).join('\n'));
    const expected = kmeansSync(ROWS, 2, { seed: 2, weights: WEIGHTS });
    for (const file of [write('w.txt', WEIGHTS.join('\n')), write('w.json', JSON.stringify(WEIGHTS.map((w) => [w])))]) {
      const outcome = await cli([plain, '-k', '2', '--seed', '2', '--weights', file, '--centroids', '-']);
      expect(outcome.code).toBe(0);
      expect(lines(outcome.stdout).flatMap((line) => line.split(',').map(Number))).toEqual(Array.from(expected.centroids.data));
    }
    await expectFailure([plain, '-k', '2', '--weights', write('w-short.txt', '1\n2\n')], /w-short\.txt: --weights has 2 values but the input has 6 rows$/m);
    await expectFailure(
      [plain, '-k', '2', '--weights', write('w-wide.csv', '1,2\n'.repeat(6))],
      /w-wide\.csv: --weights needs one value per row, but its rows have 2$/m,
    );
    await expectFailure([plain, '-k', '2', '--weights', write('w-neg.txt', '1\n1\n-1\n1\n1\n1\n')], /--weights/);
  });

  it('a name that is neither a file nor a column is refused with both readings', async () => {
    await expectFailure([mixed, '-k', '2', '--weights', 'weight'], /weighted\.csv: --weights names the column "weight", which the header does not have/);
    await expectFailure([mixed, '-k', '2', '--weights', '9'], /--weights names column 9, but the rows have 5 fields/);
  });
});

describe('predict', () => {
  let csv: string;
  beforeAll(() => {
    csv = write('predict.csv', `x,y\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
  });

  it("labels the rows with the centroids of an earlier fit, in every format the fit writes them, as the fit's labels", async () => {
    const fitted = await cli([csv, '-k', '2', '--seed', '1', '--labels', path('fit-labels.txt'), '--centroids', path('fit-centres.csv')]);
    expect(fitted.code).toBe(0);
    const labels = readFileSync(path('fit-labels.txt'), 'utf8');
    for (const format of ['csv', 'tsv', 'txt', 'json', 'npy', 'f64']) {
      const centres = path(`fit-centres.${format}`);
      if (format !== 'csv') expect((await cli([csv, '-k', '2', '--seed', '1', '--centroids', centres, '--quiet'])).code).toBe(0);
      const outcome = await cli(['predict', csv, '--centroids', centres]);
      expect(outcome.code, format).toBe(0);
      expect(outcome.stdout, format).toBe(labels);
      expect(outcome.stderr).toContain(`elkan-kmeans: predict: n 6, d 2, k 2 (the centres of ${centres})`);
    }
    // The same label outputs as a fit: JSON and int32 .npy.
    expect((await cli(['predict', csv, '--centroids', path('fit-centres.json'), '--labels', path('p.json')])).code).toBe(0);
    expect(readFileSync(path('p.json'), 'utf8')).toBe(`[${lines(labels).join(',')}]\n`);
    expect((await cli(['predict', csv, '--centroids', path('fit-centres.json'), '--labels', path('p.npy')])).code).toBe(0);
    expect(parseNpy(readFileSync(path('p.npy'))).header).toContain("'descr': '<i4'");
  });

  it('takes --columns for the points, so a file with ids and labels is predicted as it was fitted', async () => {
    const mixed = write('predict-mixed.csv', `${MIXED_HEADER}\n${mixedRows(100).join('\n')}\n`);
    const centres = write('predict-centres.json', '[[1, 2], [10, 2]]');
    const outcome = await cli(['predict', mixed, '--columns', 'x,y', '--centroids', centres]);
    expect(lines(outcome.stdout)).toEqual(['0', '0', '0', '1', '1', '1']);
  });

  it("warns when the centroids' column names are not the input's, and matches them by position", async () => {
    const swapped = write('swapped-centres.csv', 'y,x\n1,2\n10,2\n');
    const outcome = await cli(['predict', csv, '--centroids', swapped]);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toContain(
      `elkan-kmeans: warning: the columns of ${swapped} are "y", "x" but those of ${csv} are "x", "y"; they are matched by position\n`,
    );
    expect(lines(outcome.stdout)).toEqual(['0', '0', '0', '1', '1', '1']);
    const same = await cli(['predict', csv, '--centroids', write('same-centres.csv', 'x,y\n1,2\n10,2\n')]);
    expect(same.stderr).not.toContain('warning');
  });

  it('refuses what only a fit takes, and centroids of another width', async () => {
    const centres = write('predict-3d.json', '[[1, 2, 3]]');
    await expectFailure(['predict', csv], /predict needs --centroids FILE/);
    await expectFailure(
      ['predict', csv, '--centroids', centres, '-k', '2'],
      /-k is for fitting; predict labels the points with the centres of --centroids as they are/,
    );
    await expectFailure(['predict', csv, '--centroids', centres, '--seed', '1'], /--seed is for fitting/);
    await expectFailure(['predict', csv, '--centroids', centres, '--weights', '1'], /--weights is for fitting/);
    await expectFailure(['predict', '-', '--centroids', '-'], /the input and --centroids cannot both be standard input/);
    await expectFailure(
      ['predict', csv, '--centroids', centres],
      /predict-3d\.json: centroids have 3 columns but the points have 2; the dimensions must match$/m,
    );
  });
});

describe('images (through the optional sharp)', () => {
  /** An 8 × 4 RGBA image: a red left half and a blue right half, a little noise, some translucent pixels. */
  const WIDTH = 8;
  const HEIGHT = 4;
  const rgba = Buffer.alloc(WIDTH * HEIGHT * 4);
  for (let i = 0; i < WIDTH * HEIGHT; i++) {
    const left = i % WIDTH < WIDTH / 2;
    rgba.set(left ? [200 + (i % 3), 20, 30] : [10, 100 + (i % 5), 240], 4 * i);
    rgba[4 * i + 3] = i % 7 === 0 ? 128 : 255;
  }
  const loadSharp = async () => (await import('sharp')).default;
  let png: string;
  beforeAll(async () => {
    const sharp = await loadSharp();
    png = path('two-colours.png');
    await sharp(rgba, { raw: { width: WIDTH, height: HEIGHT, channels: 4 } })
      .png()
      .toFile(png);
  });

  it("clusters the pixels' RGB as float32, as the API does, and --quantize writes each pixel as its centroid, alpha kept", async () => {
    const sharp = await loadSharp();
    const points = new Float32Array(WIDTH * HEIGHT * 3);
    for (let i = 0; i < WIDTH * HEIGHT; i++) points.set(rgba.subarray(4 * i, 4 * i + 3), 3 * i);
    for (const backend of ['native', 'js'] as const) {
      const expected = kmeansSync({ data: points, shape: [WIDTH * HEIGHT, 3] }, 2, { seed: 1, backend });
      const out = path(`quantized-${backend}.png`);
      const outcome = await cli([
        png,
        '-k',
        '2',
        '--seed',
        '1',
        '--backend',
        backend,
        '--quantize',
        out,
        '--centroids',
        path('palette.json'),
        '--labels',
        path('pixels.txt'),
      ]);
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toBe('');
      expect(outcome.stderr).toContain('(PNG image, 8 × 4, RGB, float32)');
      expect(lines(readFileSync(path('pixels.txt'), 'utf8')).map(Number)).toEqual(Array.from(expected.labels));
      const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      expect(info).toMatchObject({ width: WIDTH, height: HEIGHT, channels: 4 });
      for (let i = 0; i < WIDTH * HEIGHT; i++) {
        const c = expected.labels[i];
        const colour = Array.from(expected.centroids.data.subarray(3 * c, 3 * c + 3), (v) => Math.min(255, Math.max(0, Math.round(v))));
        expect([...data.subarray(4 * i, 4 * i + 4)]).toEqual([...colour, rgba[4 * i + 3]]);
      }
    }
  });

  it('writes JPEG and WebP by extension, reads them back, and predicts an image with a palette', async () => {
    const sharp = await loadSharp();
    for (const extension of ['jpg', 'webp']) {
      const out = path(`quantized.${extension}`);
      expect((await cli([png, '-k', '2', '--seed', '1', '--quantize', out, '--quiet'])).code).toBe(0);
      expect(await sharp(out).metadata()).toMatchObject({ format: extension === 'jpg' ? 'jpeg' : 'webp', width: WIDTH, height: HEIGHT });
      expect((await cli([out, '-k', '2', '--seed', '1', '--quiet', '--labels', path('read-back.txt')])).code).toBe(0);
    }
    const palette = write('palette.csv', 'r,g,b\n200,20,30\n10,100,240\n');
    const outcome = await cli(['predict', png, '--centroids', palette]);
    expect(lines(outcome.stdout).map(Number)).toEqual(Array.from({ length: WIDTH * HEIGHT }, (_, i) => (i % WIDTH < WIDTH / 2 ? 0 : 1)));
  });

  it('refuses --quantize without an image, and --columns with one', async () => {
    const csv = write('not-image.csv', ROWS.map((r) => r.join(',')).join('\n'));
    await expectFailure([csv, '-k', '2', '--quantize', path('q.png')], /--quantize needs an image input \(\.png, \.jpg, \.jpeg, \.webp\), not "/);
    await expectFailure([png, '-k', '2', '--quantize', path('q.gif')], /--quantize .*q\.gif: give an image file, \.png, \.jpg, \.jpeg, \.webp by extension/);
    await expectFailure([png, '-k', '2', '--columns', '1-2'], /--columns does not apply to an image/);
    await expectFailure([png, '-k', '2', '--quantize', png], /--quantize .* is the input file/);
  });

  it('a missing image or one sharp cannot decode is one line naming it', async () => {
    await expectFailure([path('missing.png'), '-k', '2'], /^elkan-kmeans: cannot read .*missing\.png: no such file$/m);
    await expectFailure(
      [write('not-really.png', 'hello\n'), '-k', '2'],
      /^elkan-kmeans: cannot read .*not-really\.png: Input file contains unsupported image format$/m,
    );
  });

  it('without sharp installed, says how to add it', async () => {
    const missing = () => Promise.reject(Object.assign(new Error("Cannot find module 'sharp'"), { code: 'MODULE_NOT_FOUND' }));
    await expect(readImage(png, missing)).rejects.toThrow(
      new CliError(`reading ${png} needs the optional package sharp, which is not installed; add it with: npm install sharp`),
    );
    const broken = () => Promise.reject(new Error('Could not load the "sharp" module using the linux-x64 runtime\nmore'));
    await expect(readImage(png, broken)).rejects.toThrow(/needs sharp, which failed to load: Could not load the "sharp" module using the linux-x64 runtime$/);
  });
});
