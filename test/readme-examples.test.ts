/**
 * Every fenced TypeScript or JavaScript example in README.md runs as written, importing the
 * package by its name as a user's code would (Node resolves a package's own name inside it, to
 * the dist/ that `npm ci` builds).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const examples = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^```(?:ts|js|typescript|javascript)\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
const folder = mkdtempSync(join(ROOT, '.readme-examples-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('README examples', () => {
  it('are there to run', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((code, i) => [i + 1, code] as const))('example %i runs as written', (index, code) => {
    const file = join(folder, `example-${index}.mts`);
    writeFileSync(file, code);
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
