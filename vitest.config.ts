import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Native addons belong in child processes, not worker threads.
    pool: 'forks',
    // One process runs file after file: a fresh process for each file cost about a third of a
    // second per file on 2 cores. The suites leave no process-wide state behind (they change no
    // environment, globals or mocks, and what could crash runs in a child process of its own); a
    // suite that changes such state must put it back.
    isolate: false,
    include: ['test/**/*.test.ts'],
    // Timing, memory and load checks: `npm run test:load` (vitest.load.config.ts).
    exclude: ['test/load/**', '**/node_modules/**'],
    testTimeout: 60_000,
    maxWorkers: 2,
  },
});
