import { defineConfig } from 'vitest/config';

/**
 * The unit tests as Stryker runs them for each mutant (`npm run mutate`). Vitest keeps one warm
 * runner between mutants where Jest starts over (~5 s of overhead a mutant here); the tests are
 * the very same files `npm run test:unit` runs with Jest, written against the globals both share.
 */
export default defineConfig({
  test: {
    globals: true,
    environment: 'node',
    include: ['test/unit/**/*.test.ts', 'test/contract/in-memory.test.ts'],
    setupFiles: ['test/support/env.ts'],
    testTimeout: 120_000,
    pool: 'threads',
  },
});
