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

// 180 s: a file's PostgreSQL databases (a dozen and more where kill trials are made again) are dropped one by one
// with FORCE, on a loaded machine as fast as it allows (hookTimeout is 60 s).
afterAll(async () => {
  removeTempDirs();
  await dropPgDatabases();
}, 180_000);

/**
 * Every run of the bin forks the worker, and the fork and the child's exec cost CPU in proportion to
 * the worker's resident size: gunzip.test.ts's 200 runs of gzip took 2.9 s more (self and children) in
 * a worker of 327 MB than in one of ~130 MB. A file that held hundreds of MB (property.test.ts's 100 MB
 * line, dense.test.ts's 36 MB capture) leaves its worker that large for the files after it until V8
 * collects on its own; a full collection before the next file gives it back (333 -> 125 MB). Only then:
 * a collection costs tens of ms, and most files start small.
 */
const LARGE_WORKER = 200 * 1048576;
beforeAll(() => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc && process.memoryUsage().rss > LARGE_WORKER) gc();
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
