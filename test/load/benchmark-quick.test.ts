import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/results.js';
import { loadNative } from '../../lib/native-loader.js';

const ROOT = join(__dirname, '..', '..');

/**
 * Well-formedness without an XML library: every tag closes in order, attributes are quoted, and
 * text holds no bare `<` or `&`. Returns the problems found.
 */
function xmlProblems(source: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let roots = 0;
  let i = 0;
  while (i < source.length) {
    const next = source.indexOf('<', i);
    const textEnd = next === -1 ? source.length : next;
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(source.slice(i, textEnd))) problems.push(`bare & before offset ${textEnd}`);
    if (next === -1) break;
    tag.lastIndex = next;
    const match = tag.exec(source);
    if (!match) {
      problems.push(`malformed tag at offset ${next}: ${source.slice(next, next + 40)}`);
      break;
    }
    const [whole, closing, name, , selfClosing] = match;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) {
      roots++;
    }
    i = next + whole.length;
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

describe('npm run bench -- --quick', () => {
  let out: string;
  let results: BenchResults;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'elkan-kmeans-bench-test-'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out], {
      cwd: ROOT, encoding: 'utf8', timeout: 110_000,
    });
    expect(run.status, `${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.stdout).toContain('speed-up vs TS Elkan');
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
  }, 120_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('compares every implementation on the same data and finds the same inertia', () => {
    expect(results.mode).toBe('quick');
    expect(results.comparison.length).toBeGreaterThan(0);
    const entries = results.comparison[0].entries;
    const byImplementation = (id: string) => entries.filter((e) => e.variant.implementation === id);
    for (const id of ['ts-elkan', 'ts-lloyd', 'ml-kmeans', 'skmeans']) {
      expect(byImplementation(id).map((e) => e.status), id).toEqual(['ok']);
    }
    const native = byImplementation('native-elkan');
    expect(native.length).toBeGreaterThan(0);
    for (const entry of native) expect(entry.status).toBe(loadNative().binding ? 'ok' : 'failed');
    const sklearn = [...byImplementation('sklearn-elkan'), ...byImplementation('sklearn-lloyd')];
    expect(sklearn).toHaveLength(2);
    for (const entry of sklearn) expect(entry.status).toBe(results.machine.python ? 'ok' : 'skipped');

    for (const entry of entries.filter((e) => e.status === 'ok')) {
      expect(entry.flagged, entry.label).toBe(false);
      expect(entry.timesMs.length).toBeGreaterThan(0);
      expect(entry.iterations).toBeGreaterThan(0);
      expect(entry.peakRssMiB).toBeGreaterThan(0);
      expect(entry.speedup).toBeGreaterThan(0);
    }
  });

  it('sweeps threads and each of n, k and d', () => {
    expect(results.threadScaling?.series.map((s) => s.implementation)).toContain('native-elkan');
    expect(results.growth?.axes.map((a) => a.axis)).toEqual(['n', 'k', 'd']);
    for (const { points } of results.growth!.axes) {
      expect(points.length).toBeGreaterThan(1);
      for (const point of points) {
        const ts = point.entries.find((m) => m.variant.implementation === 'ts-elkan');
        expect(ts?.status).toBe('ok');
      }
    }
  });

  it('writes well-formed SVG charts and a Markdown report', () => {
    for (const chart of ['speedup.svg', 'growth.svg']) {
      const svg = readFileSync(join(out, chart), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), chart).toBe(true);
      expect(xmlProblems(svg), chart).toEqual([]);
    }
    const speedup = readFileSync(join(out, 'speedup.svg'), 'utf8');
    for (const label of ['TS Elkan', 'ml-kmeans', 'skmeans']) expect(speedup).toContain(label);
    const markdown = readFileSync(join(out, 'results.md'), 'utf8');
    expect(markdown).toContain('| implementation |');
    expect(markdown).toContain(results.command);
  });
});
