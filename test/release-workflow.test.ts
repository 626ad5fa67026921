import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('the release workflow passes actionlint', () => {
  const lint = spawnSync(process.execPath, ['scripts/lint-workflows.mjs'], { encoding: 'utf8' });
  expect(lint.stderr).toBe('');
  expect(lint.status).toBe(0);
});
