import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../lib/cli/run.js';
import { kmeansSync, MiniBatchKMeans, miniBatchKMeans, miniBatchKMeansSync } from '../lib/index.js';
import { batchSampler } from '../lib/minibatch.js';
import { drawBatch } from '../lib/core/minibatch.js';
import { loadNative } from '../lib/native-loader.js';
import { FIT_OPTIONS, MINI_BATCH_OPTIONS, type OptionSpec, defaultInCode } from '../lib/options.js';
import { KMEANS_PARALLEL_ROUNDS } from '../lib/core/seeding.js';
import type { Matrix, MiniBatchKMeansResult, MiniBatchProgressInfo, ProgressInfo } from '../lib/types.js';
import { expectSameArray } from './assertions.js';
import { type FloatArrayType, gaussianBlobs } from './helpers.js';

const BACKENDS = ['native', 'js'] as const;

function expectSameResult(actual: MiniBatchKMeansResult, expected: MiniBatchKMeansResult): void {
  expectSameArray(actual.centroids.data, expected.centroids.data);
  expectSameArray(actual.counts, expected.counts);
  expectSameArray(actual.labels, expected.labels);
  expect(Object.is(actual.inertia, expected.inertia)).toBe(true);
  expect(actual.steps).toBe(expected.steps);
  expect(actual.converged).toBe(expected.converged);
}

function rows(points: Matrix, from: number, to: number): Matrix {
  const d = points.shape[1];
  return { data: points.data.slice(from * d, to * d), shape: [to - from, d] };
}

describe.each([
  ['float64', Float64Array],
  ['float32', Float32Array],
] as [string, FloatArrayType][])('mini-batch k-means on %s data', (_name, type) => {
  it('gives the same bits on the native and the TypeScript backend, weighted or not, with reassignments', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const n = 300 + 97 * seed;
      const d = 1 + (seed % 5);
      const k = 2 + 3 * seed;
      const points = gaussianBlobs(seed, n, d, k, 1 + seed, type);
      const weights = seed % 2 ? Array.from({ length: n }, (_, i) => ((i * 7) % 5) / 2) : undefined;
      const options = { seed, batchSize: 32 + 20 * seed, maxIterations: 5, weights, maxNoImprovement: seed % 3 ? 10 : 0 };
      const native = miniBatchKMeansSync(points, k, { ...options, backend: 'native' });
      const js = miniBatchKMeansSync(points, k, { ...options, backend: 'js' });
      expect(native.backend).toBe('native');
      expect(js.backend).toBe('js');
      expectSameResult(native, js);
    }
  });

  it('seeds with the same bits on the native and the TypeScript backend, by every method, from a sample or from all the points', () => {
    const points = gaussianBlobs(4, 900, 3, 7, 1, type);
    const weights = Array.from({ length: 900 }, (_, i) => 1 + (i % 4));
    for (const init of ['k-means++', 'k-means||', 'random'] as const) {
      for (const batchSize of [50, 400]) {
        const options = { seed: 7, batchSize, maxIterations: 1, init, weights };
        const native = miniBatchKMeansSync(points, 7, { ...options, backend: 'native' });
        expectSameResult(native, miniBatchKMeansSync(points, 7, { ...options, backend: 'js' }));
        expectSameResult(native, miniBatchKMeansSync(points, 7, { ...options, backend: 'native', threads: 2 }));
      }
    }
  });

  it('gives the same bits on 1 and 2 threads, with batches large enough to split', () => {
    const points = gaussianBlobs(3, 12_000, 4, 12, 1, type);
    const options = { seed: 9, batchSize: 9000, maxIterations: 3, backend: 'native' } as const;
    expectSameResult(miniBatchKMeansSync(points, 12, { ...options, threads: 2 }), miniBatchKMeansSync(points, 12, { ...options, threads: 1 }));
  });
});

describe.each(BACKENDS)('mini-batch k-means (%s)', (backend) => {
  it('moves a centre to the weighted mean of its old position, weighted by all it has seen, and its new points', () => {
    const model = new MiniBatchKMeans(2, { init: [[0], [10]], backend });
    const first = model.partialFit([[1], [3], [9]]);
    expect(model.centroids.data).toEqual(new Float64Array([2, 9]));
    expect(model.counts).toEqual(new Float64Array([2, 1]));
    expect(first.inertia).toBe(1 + 9 + 1);
    expect(first.reassigned).toBe(0);
    model.partialFit([[2], [8]], { weights: [1, 3] });
    expect(model.centroids.data).toEqual(new Float64Array([2, (9 + 3 * 8) / 4]));
    expect(model.counts).toEqual(new Float64Array([3, 4]));
    expect(model.steps).toBe(2);
    expect(model.predict([[0], [100]])).toEqual(new Int32Array([0, 1]));
  });

  it('keeps its own copy of explicit initial centres, and of nothing a batch gives it', () => {
    const init = new Float64Array([0, 10]);
    const model = new MiniBatchKMeans(2, { init: { data: init, shape: [2, 1] }, backend });
    init.fill(100);
    const batch = new Float32Array([1, 3, 9]);
    model.partialFit({ data: batch, shape: [3, 1] });
    batch.fill(-50);
    expect(model.centroids.data).toEqual(new Float64Array([2, 9]));
  });

  it('reassigns a centre that sees nothing to a point of the batch, with the least weight of the others', () => {
    const batch = [[0], [1], [2], [100], [101], [102]];
    const starved = new MiniBatchKMeans(3, { init: [[1], [101], [1e6]], backend, seed: 4 });
    const step = starved.partialFit(batch);
    expect(step.reassigned).toBe(1);
    expect(batch.map((row) => row[0])).toContain(starved.centroids.data[2]);
    expect(Array.from(starved.counts)).toEqual([3, 3, 3]);
    const kept = new MiniBatchKMeans(3, { init: [[1], [101], [1e6]], backend, reassignmentRatio: 0 });
    expect(kept.partialFit(batch).reassigned).toBe(0);
    expect(kept.centroids.data[2]).toBe(1e6);
  });

  it.each([
    ['float64', Float64Array, false],
    ['float32', Float32Array, true],
  ] as [string, FloatArrayType, boolean][])(
    'through partialFit on the one-call fit’s batches reaches the one-call fit’s centres bit for bit (%s, weighted: %s)',
    (_name, type, weighted) => {
      const points = gaussianBlobs(5, 2000, 3, 6, 1, type);
      const weights = weighted ? Array.from({ length: 2000 }, (_, i) => 1 + (i % 3)) : undefined;
      const init = rows(points, 0, 6);
      const options = { seed: 11, batchSize: 100, maxIterations: 2, maxNoImprovement: 0, backend, init, weights };
      const whole = miniBatchKMeansSync(points, 6, options);
      expect(whole.steps).toBe(40);
      const model = new MiniBatchKMeans(6, { seed: 11, backend, init });
      const sampler = batchSampler(11);
      const indices = new Uint32Array(100);
      for (let step = 0; step < whole.steps; step++) {
        drawBatch(sampler, 2000, 100, indices);
        const batch = new type(300);
        indices.forEach((i, b) => batch.set(points.data.subarray(i * 3, i * 3 + 3), b * 3));
        model.partialFit({ data: batch, shape: [100, 3] }, { weights: weights && Array.from(indices, (i) => weights[i]) });
      }
      expectSameArray(model.centroids.data, whole.centroids.data);
      expectSameArray(model.counts, whole.counts);
      expectSameArray(model.predict(points), whole.labels);
    },
  );

  it('stops early when the smoothed batch inertia stops improving, or the centres stop moving, and not when told not to', () => {
    const points = gaussianBlobs(8, 4000, 2, 5, 0.5);
    const noImprovement = miniBatchKMeansSync(points, 5, { seed: 2, batchSize: 50, backend, maxNoImprovement: 3 });
    expect(noImprovement.converged).toBe(true);
    expect(noImprovement.steps).toBeLessThan((100 * 4000) / 50);
    const shift = miniBatchKMeansSync(points, 5, { seed: 2, batchSize: 50, backend, maxNoImprovement: 0, tolerance: 1e6 });
    expect(shift.converged).toBe(true);
    expect(shift.steps).toBe(2);
    const full = miniBatchKMeansSync(points, 5, { seed: 2, batchSize: 500, backend, maxNoImprovement: 0, maxIterations: 3 });
    expect(full.converged).toBe(false);
    expect(full.steps).toBe(24);
    expect(full.iterations).toBe(3);
  });

  it('comes within a few per cent of the full fit’s inertia, the best of four seeds each', () => {
    const points = gaussianBlobs(12, 10_000, 4, 10);
    const best = (inertias: number[]): number => Math.min(...inertias);
    const seeds = [1, 2, 3, 4];
    const mini = best(seeds.map((seed) => miniBatchKMeansSync(points, 10, { seed, backend, batchSize: 256 }).inertia));
    const full = best(seeds.map((seed) => kmeansSync(points, 10, { seed, backend }).inertia));
    expect(mini / full).toBeLessThan(1.03);
  });

  it('asynchronously gives the synchronous result, and stops with an AbortError when aborted', async () => {
    const points = gaussianBlobs(6, 3000, 3, 4);
    const options = { seed: 5, batchSize: 64, maxIterations: 2, backend } as const;
    expectSameResult(await miniBatchKMeans(points, 4, options), miniBatchKMeansSync(points, 4, options));
    const controller = new AbortController();
    const running = miniBatchKMeans(points, 4, { ...options, signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reports the seeding first, then steps in order: every one up to 100, then every hundredth, and the last one taken', () => {
    const points = gaussianBlobs(4, 2000, 3, 5);
    // 10 points a step, one pass: at most 200 steps, so every second one is reported.
    const options = { seed: 3, batchSize: 10, maxIterations: 1, maxNoImprovement: 0, backend } as const;
    const reports: ProgressInfo[] = [];
    const result = miniBatchKMeansSync(points, 5, { ...options, onProgress: (info) => reports.push(info) });
    expectSameResult(result, miniBatchKMeansSync(points, 5, options));
    expect(reports.slice(0, 5)).toEqual([1, 2, 3, 4, 5].map((done) => ({ phase: 'seeding', run: 0, done, total: 5 })));
    const steps = reports.slice(5) as MiniBatchProgressInfo[];
    expect(steps.map((info) => info.step)).toEqual(Array.from({ length: 100 }, (_, i) => 2 * (i + 1)));
    expect(steps.every((info) => info.phase === 'mini-batch' && info.steps === 200)).toBe(true);
    expect(steps.every((info) => typeof info.smoothedInertia === 'number' && info.smoothedInertia > 0)).toBe(true);
    expect(result.steps).toBe(200);
  });

  it('reports every step of a short fit, k-means|| seeding first, and the step it stopped early at last', () => {
    const points = gaussianBlobs(8, 4000, 2, 5, 0.5);
    const options = { seed: 2, batchSize: 50, maxNoImprovement: 3, init: 'k-means||', backend } as const;
    const reports: ProgressInfo[] = [];
    const result = miniBatchKMeansSync(points, 5, { ...options, onProgress: (info) => reports.push(info) });
    expectSameResult(result, miniBatchKMeansSync(points, 5, options));
    expect(result.converged).toBe(true);
    const seeding = reports.filter((info) => info.phase === 'seeding');
    expect(seeding.map((info) => info.done)).toEqual(Array.from({ length: KMEANS_PARALLEL_ROUNDS + 5 }, (_, i) => i + 1));
    expect(reports.slice(0, seeding.length)).toEqual(seeding);
    // 8000 steps at most, so every 80th is reported, and the last one taken, though not a multiple.
    const steps = reports.slice(seeding.length) as MiniBatchProgressInfo[];
    const expected = Array.from({ length: Math.floor(result.steps / 80) }, (_, i) => 80 * (i + 1));
    if (result.steps % 80 !== 0) expected.push(result.steps);
    expect(steps.map((info) => info.step)).toEqual(expected);
    expect(steps.every((info) => info.steps === 8000)).toBe(true);
    const short = [] as ProgressInfo[];
    const three = miniBatchKMeansSync(points, 5, {
      seed: 2,
      batchSize: 2000,
      maxIterations: 1,
      maxNoImprovement: 0,
      backend,
      onProgress: (info) => short.push(info),
    });
    expect(three.steps).toBe(2);
    expect(short.filter((info) => info.phase === 'mini-batch')).toEqual([
      { phase: 'mini-batch', step: 1, steps: 2, smoothedInertia: undefined },
      { phase: 'mini-batch', step: 2, steps: 2, smoothedInertia: expect.any(Number) },
    ]);
  });

  it('ends the fit with whatever onProgress throws, seeding or stepping, synchronously or not', async () => {
    const points = gaussianBlobs(6, 3000, 3, 4);
    const options = { seed: 5, batchSize: 64, maxIterations: 2, backend } as const;
    for (const phase of ['seeding', 'mini-batch']) {
      const thrown = new Error(`stop at ${phase}`);
      const onProgress = (info: ProgressInfo): void => {
        if (info.phase === phase) throw thrown;
      };
      expect(() => miniBatchKMeansSync(points, 4, { ...options, onProgress })).toThrow(thrown);
      await expect(miniBatchKMeans(points, 4, { ...options, onProgress })).rejects.toBe(thrown);
    }
    const reports: ProgressInfo[][] = [[], []];
    expectSameResult(
      await miniBatchKMeans(points, 4, { ...options, onProgress: (info) => reports[0].push(info) }),
      miniBatchKMeansSync(points, 4, { ...options, onProgress: (info) => reports[1].push(info) }),
    );
    expect(reports[0]).toEqual(reports[1]);
  });
});

describe('the addon’s mini-batch calls read only the arrays they were given', () => {
  it('refuses points shorter than n × d, weights shorter than n and a sampler without four words, before reading any', () => {
    const binding = loadNative().binding!;
    const model = (): [Float64Array, Float64Array, number, boolean, number, Uint32Array, number] => [
      new Float64Array(4),
      new Float64Array(2),
      2,
      true,
      0.01,
      new Uint32Array(4),
      1,
    ];
    const points = new Float32Array(20);
    const sampler = new Uint32Array([1, 2, 3, 4]);
    expect(() => binding.sampledMiniBatchStep(points, 11, 2, null, 5, sampler, ...model())).toThrow(/points has the wrong length/);
    expect(() => binding.sampledMiniBatchStep(points, 10, 2, new Float64Array(9), 5, sampler, ...model())).toThrow(/weights has the wrong length/);
    expect(() => binding.sampledMiniBatchStep(points, 10, 2, null, 5, new Uint32Array(3), ...model())).toThrow(/samplerState must be a Uint32Array of 4 words/);
    expect(() => binding.sampledMiniBatchStep(points, 10, 2, null, 0, sampler, ...model())).toThrow(/m must be a positive integer/);
    expect(Array.from(sampler)).toEqual([1, 2, 3, 4]);
    const step = binding.sampledMiniBatchStep(points, 10, 2, new Float64Array(10).fill(1), 5, sampler, ...model());
    expect(step.inertia).toBe(0);
    expect(Array.from(sampler)).not.toEqual([1, 2, 3, 4]);
  });

  it('measures the inertia of labels only below k, on points and weights of the lengths given', () => {
    const binding = loadNative().binding!;
    const points = new Float64Array([0, 0, 3, 4]);
    const centers = new Float64Array([0, 0, 1, 1]);
    expect(binding.inertiaOfLabels(points, 2, 2, null, centers, 2, new Int32Array([0, 0]), 1)).toBe(25);
    expect(binding.inertiaOfLabels(points, 2, 2, new Float64Array([1, 2]), centers, 2, new Int32Array([0, 1]), 1)).toBe(2 * (4 + 9));
    for (const label of [2, -1, 1 << 30]) {
      expect(() => binding.inertiaOfLabels(points, 2, 2, null, centers, 2, new Int32Array([0, label]), 1)).toThrow(/labels must lie in \[0, k\)/);
    }
    expect(() => binding.inertiaOfLabels(points, 2, 2, null, centers, 2, new Int32Array(1), 1)).toThrow(/labels must be an Int32Array of n labels/);
    expect(() => binding.inertiaOfLabels(points, 3, 2, null, centers, 2, new Int32Array(3), 1)).toThrow(/data has the wrong length/);
    expect(() => binding.inertiaOfLabels(points, 2, 2, null, centers, 3, new Int32Array(2), 1)).toThrow(/centers has the wrong length/);
  });
});

describe('mini-batch k-means refuses bad input, naming the parameter', () => {
  const points = [[0], [1], [2], [3]];
  it.each([
    [() => miniBatchKMeansSync(points, 0), RangeError, /^k must be an integer from 1 to 4/],
    [() => miniBatchKMeansSync(points, 2, { batchSize: 0 }), RangeError, /^options\.batchSize must be an integer from 1/],
    [() => miniBatchKMeansSync(points, 2, { reassignmentRatio: 2 }), RangeError, /^options\.reassignmentRatio must be a number from 0 to 1, not 2/],
    [() => miniBatchKMeansSync(points, 2, { maxNoImprovement: -1 }), RangeError, /^options\.maxNoImprovement must be an integer from 0/],
    [() => miniBatchKMeansSync(points, 2, { batchsize: 2 } as never), TypeError, /did you mean options\.batchSize\?/],
    [() => miniBatchKMeansSync(points, 2, { weights: [1] }), RangeError, /^options\.weights has 1 entries but there are 4 points/],
    [() => miniBatchKMeansSync(points, 2, { onProgress: 'log' } as never), TypeError, /^options\.onProgress must be a function, not the string "log"/],
    [() => new MiniBatchKMeans(2, { batchSize: 8 } as never), TypeError, /^options\.batchSize is not an option/],
    [() => new MiniBatchKMeans(2, { init: [[0]] }), RangeError, /^options\.init has 1 centres but k is 2/],
    [() => new MiniBatchKMeans(3).partialFit([[0], [1]]), RangeError, /^the first batch has 2 points but k is 3/],
    [() => new MiniBatchKMeans(2).predict(points), Error, /^The model has no centres yet/],
    [
      () =>
        new MiniBatchKMeans(2).partialFit([
          [0, Number.NaN],
          [1, 1],
        ]),
      RangeError,
      /^batch row 0 column 1 is NaN/,
    ],
  ] as const)('case %#', (call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  it('refuses a batch of another dimension than the first', () => {
    const model = new MiniBatchKMeans(2, { seed: 1 });
    model.partialFit(points);
    expect(() => model.partialFit([[0, 0]])).toThrow(/^batch rows have 2 columns but the model's centres have 1/);
    expect(() => model.predict([[0, 0]])).toThrow(/^points have 2 columns but the model's centres have 1/);
  });
});

describe('the command line streams a file through mini-batch k-means with --mini-batch', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'elkan-kmeans-minibatch-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[], { tty = false } = {}): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const sink = (append: (text: string) => void): Writable =>
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          append(chunk.toString());
          callback();
        },
      });
    const errors = Object.assign(
      sink((text) => (stderr += text)),
      tty ? { isTTY: true, columns: 100 } : {},
    );
    // On a terminal, a clock that moves 100 ms per reading, so every progress update is drawn.
    let time = 0;
    const now = tty ? () => (time += 100) : undefined;
    const code = await run(args, { stdin: Readable.from([]), stdout: sink(() => {}), stderr: errors as never, now });
    return { code, stderr };
  }

  it('draws the batches fitted and the share of the file read on a terminal, then the labelling pass, and nothing with --quiet', async () => {
    const points = gaussianBlobs(7, 3000, 2, 4, 1, Float32Array);
    const input = join(dir, 'progress.f32');
    writeFileSync(input, Buffer.from(points.data.buffer));
    const args = [input, '-k', '4', '--mini-batch', '200', '--seed', '1', '--dims', '2', '--labels', join(dir, 'progress-labels.txt')];
    const shown = await cli(args, { tty: true });
    expect(shown.code).toBe(0);
    /* eslint-disable no-control-regex -- the bar is drawn with terminal escape codes (\x1b[2K), which these patterns match */
    expect(shown.stderr).toMatch(/\r\x1b\[2Kmini-batch [█░]{20} \d+% of 0\.0 MB · 1 batch\r/);
    expect(shown.stderr).toMatch(/\r\x1b\[2Kmini-batch [█░]{20} 100% of 0\.0 MB · 15 batches/);
    // The labelling pass counts its own bytes, from 0 to 100 %.
    expect(shown.stderr).toMatch(/\r\x1b\[2Kreading .*progress\.f32 [█░]{20} 100% of 0\.0 MB/);
    expect(Math.max(...Array.from(shown.stderr.matchAll(/(\d+)% of/g), (match) => Number(match[1])))).toBe(100);
    expect(shown.stderr).toMatch(/\r\x1b\[2Kelkan-kmeans: n 3000, d 2, k 4: mini-batch, 15 batches/);
    expect((await cli(args)).stderr).not.toMatch(/[\r\x1b]/);
    /* eslint-enable no-control-regex */
    expect(await cli([...args, '--quiet'], { tty: true })).toEqual({ code: 0, stderr: '' });
  });

  it.each(['f32', 'npy'] as const)('gives the centroids and labels of partialFit over the same batches (.%s)', async (format) => {
    const points = gaussianBlobs(4, 2500, 3, 5, 1, Float32Array);
    const input = join(dir, `points.${format}`);
    const payload = Buffer.from(points.data.buffer);
    writeFileSync(input, format === 'npy' ? Buffer.concat([npyHeader('<f4', [2500, 3]), payload]) : payload);
    const centres = join(dir, `centres-${format}.f64`);
    const labels = join(dir, `labels-${format}.txt`);
    const command = await cli([input, '-k', '5', '--mini-batch', '300', '--seed', '3', '--dims', '3', '--centroids', centres, '--labels', labels]);
    expect(command.stderr).toMatch(/mini-batch, 9 batches of up to 300 rows, inertia \d/);
    expect(command.code).toBe(0);

    const model = new MiniBatchKMeans(5, { seed: 3 });
    for (let start = 0; start < 2500; start += 300) model.partialFit(rows(points, start, Math.min(2500, start + 300)));
    const written = readFileSync(centres);
    expectSameArray(new Float64Array(written.buffer, written.byteOffset, written.length / 8), model.centroids.data);
    expect(readFileSync(labels, 'utf8').trim().split('\n').map(Number)).toEqual(Array.from(model.predict(points)));
  });

  it('streams a CSV the same way, with --columns and a --weights column, quoted fields included', async () => {
    const points = gaussianBlobs(6, 2500, 3, 5, 1, Float64Array);
    const weights = Float64Array.from({ length: 2500 }, (_, i) => 0.5 + (i % 7) / 4);
    const lines = ['id,x,y,z,w'];
    for (let i = 0; i < 2500; i++) {
      const id = i % 500 === 499 ? `"${i}"` : String(i);
      lines.push([id, ...Array.from(points.data.subarray(i * 3, i * 3 + 3), String), String(weights[i])].join(','));
    }
    const input = join(dir, 'weighted.csv');
    writeFileSync(input, `${lines.join('\r\n')}\r\n`);
    const centres = join(dir, 'centres-csv.f64');
    const labels = join(dir, 'labels-csv.txt');
    const args = [input, '-k', '5', '--mini-batch', '300', '--seed', '3', '--columns', '!id', '--weights', 'w', '--centroids', centres, '--labels', labels];
    const command = await cli(args);
    expect(command.stderr).toMatch(/mini-batch, 9 batches of up to 300 rows, inertia \d/);
    expect(command.stderr).toMatch(/CSV, header on line 1/);
    expect(command.code).toBe(0);

    const model = new MiniBatchKMeans(5, { seed: 3 });
    for (let start = 0; start < 2500; start += 300) {
      const end = Math.min(2500, start + 300);
      model.partialFit(rows(points, start, end), { weights: weights.subarray(start, end) });
    }
    const written = readFileSync(centres);
    expectSameArray(new Float64Array(written.buffer, written.byteOffset, written.length / 8), model.centroids.data);
    expect(readFileSync(labels, 'utf8').trim().split('\n').map(Number)).toEqual(Array.from(model.predict(points)));
  });

  it('takes --columns and a --weights column of a binary file batch by batch', async () => {
    const points = gaussianBlobs(8, 1200, 4, 3, 1, Float32Array);
    // The fourth column, the weights, made positive.
    for (let i = 0; i < 1200; i++) points.data[i * 4 + 3] = 0.25 + Math.abs(points.data[i * 4 + 3]);
    const input = join(dir, 'four.f32');
    writeFileSync(input, Buffer.from(points.data.buffer));
    const centres = join(dir, 'centres-four.f64');
    const command = await cli([
      input,
      '-k',
      '3',
      '--dims',
      '4',
      '--mini-batch',
      '250',
      '--seed',
      '5',
      '--columns',
      '1,2',
      '--weights',
      '4',
      '--centroids',
      centres,
    ]);
    expect(command).toMatchObject({ code: 0, stderr: expect.stringContaining('(raw float32, 4 columns, columns 1-2 of 4)') });
    const features = Float32Array.from({ length: 1200 * 2 }, (_, v) => points.data[Math.floor(v / 2) * 4 + (v % 2)]);
    const weights = Float64Array.from({ length: 1200 }, (_, i) => points.data[i * 4 + 3]);
    const model = new MiniBatchKMeans(3, { seed: 5 });
    for (let start = 0; start < 1200; start += 250) {
      const end = Math.min(1200, start + 250);
      model.partialFit({ data: features.subarray(start * 2, end * 2), shape: [end - start, 2] }, { weights: weights.subarray(start, end) });
    }
    const written = readFileSync(centres);
    expectSameArray(new Float64Array(written.buffer, written.byteOffset, written.length / 8), model.centroids.data);
  });

  it('refuses what it cannot stream, and the exact fit’s flags', async () => {
    const json = join(dir, 'points.json');
    writeFileSync(json, '[[1,2],[3,4]]');
    expect(await cli([json, '-k', '2', '--mini-batch', '10'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--mini-batch streams csv, tsv, txt, npy, f32, f64 files, not json'),
    });
    const weightsFile = join(dir, 'weights.txt');
    writeFileSync(weightsFile, '1\n2\n');
    expect(await cli([json, '-k', '2', '--mini-batch', '10', '--weights', weightsFile])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--weights FILE does not apply to --mini-batch'),
    });
    const raw = join(dir, 'short.f32');
    writeFileSync(raw, Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer));
    expect(await cli([raw, '-k', '2', '--dims', '2', '--mini-batch', '10', '--algorithm', 'lloyd'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--algorithm applies to the exact fit, not to --mini-batch'),
    });
    expect(await cli([raw, '-k', '2', '--dims', '2', '--mini-batch', '0'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--mini-batch must be an integer from 1'),
    });
    expect(await cli([raw, '-k', '2', '--dims', '4', '--mini-batch', '10'])).toMatchObject({ code: 2, stderr: expect.stringContaining('ends inside a row') });
    expect(await cli([raw, '-k', '5', '--dims', '2', '--mini-batch', '10'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('the first batch has 3 points but k is 5'),
    });
  });
});

/** A version 1 .npy header for a C-order array. */
function npyHeader(descr: string, shape: number[]): Buffer {
  let text = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  text += ' '.repeat(64 - ((10 + text.length + 1) % 64)) + '\n';
  const header = Buffer.alloc(10);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(text.length, 8);
  return Buffer.concat([header, Buffer.from(text, 'latin1')]);
}

describe('the mini-batch options follow their declarations in lib/options.ts', () => {
  it("the @default tags of lib/types.ts and the README's table give the declared defaults", () => {
    const source = readFileSync(join(__dirname, '..', 'lib', 'types.ts'), 'utf8');
    const types = source.slice(source.indexOf('export interface MiniBatchModelOptions'), source.indexOf('export interface MiniBatchStepInfo'));
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Mini-batch k-means'), readme.indexOf('\n## ', readme.indexOf('## Mini-batch k-means') + 1));
    for (const [option, spec] of Object.entries(MINI_BATCH_OPTIONS) as Array<[string, OptionSpec]>) {
      const tag = new RegExp(`@default ([^\\n]*)\\n\\s*\\*/\\n\\s*${option}\\?:`).exec(types);
      expect(tag?.[1], option).toBe(defaultInCode(spec));
      if (Object.values(FIT_OPTIONS).includes(spec as never)) continue;
      expect(table).toContain(`| \`${option}\` | ${'value' in spec.default ? `\`${defaultInCode(spec)}\`` : spec.default.text} |`);
    }
  });
});
