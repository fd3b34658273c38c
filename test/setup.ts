/**
 * Runs before each test file (vitest's setupFiles): the file's temp folders and PostgreSQL
 * databases are removed after its tests. A hook at the top level of a shared module such as
 * helpers.ts would be registered for the first file of a worker only, since the workers are not
 * isolated (vitest.config.ts). With AUTHING_TRIAGE_TEST_CPU set, each test's and file's CPU is
 * logged there (test/cpu-log.ts).
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { cpuNow, countSpawns, logCpu } from './cpu-log.js';
import { dropPgDatabases, removeTempDirs, ROOT } from './helpers.js';

afterAll(async () => {
  removeTempDirs();
  await dropPgDatabases();
});

const cpuOut = process.env.AUTHING_TRIAGE_TEST_CPU;
if (cpuOut) {
  const spawns = countSpawns();
  const since = () => {
    const c = cpuNow();
    const n = spawns();
    return () => {
      const d = cpuNow();
      return { self: d.self - c.self, child: d.child - c.child, spawns: spawns() - n };
    };
  };
  let file: () => { self: number; child: number; spawns: number };
  let test: typeof file;
  let filepath = '?'; // the last test's: a suite hook has no typed way to name its file
  beforeAll(() => {
    file = since();
  });
  beforeEach(() => {
    test = since();
  });
  afterEach((ctx) => {
    filepath = ctx.task.file.filepath;
    logCpu(cpuOut, ROOT, filepath, ctx.task.name, test());
  });
  afterAll(() => {
    logCpu(cpuOut, ROOT, filepath, '*', file());
  });
}
