/**
 * Every `sh` example in the README's Command line section runs as written, one after another in
 * one folder (a later example may read what an earlier one wrote), with `npx elkan-kmeans` as the
 * built bin. The folder starts with the files the examples take as given: points.csv and photo.png.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'dist/cli/main.js');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = /^## Command line\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
const examples = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
const folder = mkdtempSync(join(tmpdir(), 'elkan-kmeans-readme-cli-'));

beforeAll(async () => {
  // Two groups of points, and a 32 × 32 gradient: inputs for the examples that name them.
  const points = Array.from({ length: 40 }, (_, i) => `${(i % 2) * 10 + (i % 7) / 7},${(i % 5) / 5}`);
  writeFileSync(join(folder, 'points.csv'), `x,y\n${points.join('\n')}\n`);
  const pixels = Buffer.alloc(32 * 32 * 3);
  for (let i = 0; i < 32 * 32; i++) pixels.set([(i % 32) * 8, Math.floor(i / 32) * 8, 128], 3 * i);
  await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } })
    .png()
    .toFile(join(folder, 'photo.png'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('README command line examples', () => {
  it('are there to run, with the bin built', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(existsSync(BIN), `${BIN} is missing: run npm run build:ts`).toBe(true);
  });

  it.each(examples.map((code, i) => [i + 1, code] as const))('example %i runs as written', (_, code) => {
    const npx = `npx() { if [ "$1" = elkan-kmeans ]; then shift; node ${JSON.stringify(BIN)} "$@"; else echo "npx $1: not run by this test" >&2; return 1; fi; }`;
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', `${npx}\n${code}`], { cwd: folder, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toMatch(/error|warning|not run/i);
    expect(run.status, run.stderr).toBe(0);
  });
});
