import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirst } from './test/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker runs file after file in one module graph: each file no longer loads vitest, fast-check,
    // better-sqlite3 and src/ again (0.3 s of CPU a file). No test file changes shared state for
    // the next (one sets an env var and restores it); per-file clean-up is in test/setup.ts.
    isolate: false,
    // globalThis.gc for test/setup.ts, which collects before a file when the last one left the worker large.
    execArgv: ['--expose-gc'],
    setupFiles: ['test/setup.ts'],
    // Four test files at once even on two cores (vitest's default there is one): most of a CLI test's
    // time is spent in the child it spawned or waiting on it, so a core would sit idle. Full CI=true runs on
    // the two-core machine, quiet, one after the other: 3 workers 147 s, 4 workers 125 s, 5 workers 134 s
    // (earlier, at load 4-6: 3 workers 172 s, 2 workers 203 s).
    maxWorkers: Math.max(4, availableParallelism()),
    // A throwaway PostgreSQL server for the tests of the PostgreSQL store (or AUTHING_TRIAGE_TEST_PG);
    // children started without NODE_EXTRA_CA_CERTS, which costs every run of the bin 55 ms (test/child-env.ts).
    // The browser of the HTML tests unpacked before any worker asks for it (test/chromium-setup.ts).
    globalSetup: ['test/pg-server.ts', 'test/child-env.ts', 'test/chromium-setup.ts'],
    // Longest files first (test/durations.json), so that both workers finish together.
    sequence: { sequencer: LongestFirst },
  },
});
