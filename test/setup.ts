/**
 * Runs before each test file (vitest's setupFiles): the file's temp folders and PostgreSQL
 * databases are removed after its tests. A hook at the top level of a shared module such as
 * helpers.ts would be registered for the first file of a worker only, since the workers are not
 * isolated (vitest.config.ts).
 */
import { afterAll } from 'vitest';
import { dropPgDatabases, removeTempDirs } from './helpers.js';

afterAll(async () => {
  removeTempDirs();
  await dropPgDatabases();
});
