import { defineConfig } from 'vitest/config';

// `npm run test:load`: the checks that measure time, memory or threads, or run for long. They need
// a quiet machine to mean anything, so they stay out of `npm test`; .ci/run runs them.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/load/**/*.test.ts'],
    testTimeout: 180_000,
  },
});
