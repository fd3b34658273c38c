import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A throwaway PostgreSQL server for the tests of the PostgreSQL store (or AUTHING_TRIAGE_TEST_PG).
    globalSetup: ['test/pg-server.ts'],
  },
});
