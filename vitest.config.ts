import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Native addons belong in child processes, not worker threads.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
