/**
 * Vitest global set-up: the test workers, and every child they start, run without
 * NODE_EXTRA_CA_CERTS. Node 20 parses that bundle of certificates at every start, before any of
 * the bin's code runs: 55 ms of CPU per run of the bin on this machine (about 135 ms against 80 ms
 * for `--version`), a run of the CLI being what the suite spends its time on. No test makes a TLS
 * connection except npm's, so the value is provided to package.test.ts (`inject('npmEnv')`), which
 * gives it back to npm.
 */
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    npmEnv: Record<string, string>;
  }
}

export default function setup(project: TestProject): void {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  project.provide('npmEnv', ca ? { NODE_EXTRA_CA_CERTS: ca } : {});
  // The workers are forked after the global set-up, with this environment.
  delete process.env.NODE_EXTRA_CA_CERTS;
}
