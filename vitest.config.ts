import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Native addons belong in child processes, not worker threads.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // Timing, memory and load checks: `npm run test:load` (vitest.load.config.ts).
    exclude: ['test/load/**', '**/node_modules/**'],
    testTimeout: 60_000,
  },
});
