/**
 * Nothing JavaScript can do takes the process down or makes the addon read memory it does not own:
 * Workers that fit, exit or are terminated, buffers transferred or resized under a fit, callbacks
 * that throw or exit. Each scenario that used to crash runs in a child process of its own
 * (test/fixtures/safety-child.cjs), so that a crash fails its test instead of the test runner.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = join(__dirname, 'fixtures', 'safety-child.cjs');

function runScenario(name: string): void {
  const child = spawnSync(process.execPath, [CHILD, name], { encoding: 'utf8', timeout: 120_000 });
  const output = `${child.stdout}\n${child.stderr}`;
  expect({ status: child.status, signal: child.signal, output }).toMatchObject({ status: 0, signal: null });
  expect(child.stdout.trim().split('\n').at(-1)).toBe('ok');
}

describe('the host process survives', () => {
  it.each([
    'workers one after another',
    'workers at once',
    'terminate during fits',
    'terminate a fit that waits for threads',
    'process.exit inside onIteration of a Worker',
    'main thread exits during fits',
    'one thread budget for all Workers',
    'buffers transferred or resized during kmeans()',
    'buffers transferred or resized inside onIteration of kmeansSync()',
    'buffers transferred or resized inside onProgress of miniBatchKMeansSync()',
  ])('%s', (name) => runScenario(name));
});
