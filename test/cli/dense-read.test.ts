/**
 * Where a large plain file is read (issue 25, round fourteen): one dense with events on the main thread,
 * as a small one is (parallel.ts denseInput: the cost is parsing and storing there, and scan threads only
 * add the hand-over), a sparse one in ranges on the scan threads; a burst of events at the head does not
 * make a sparse file dense. Whichever way, the store holds exactly what `--threads 1` stores, and a run
 * that resumes a dense file after an append equals one clean run of the final bytes.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SHARED, preloadEnv, runCli, storedRows, tempDir } from '../helpers.js';

const FIXED = ['--year', '2026', '--tz', 'UTC'];
/** Ranges of 64 KiB: a file of four or more (256 KiB) is large (parallel.ts largeInput). */
const RANGES = { AUTHING_TRIAGE_RANGE_BYTES: String(1 << 16), AUTHING_TRIAGE_TRACE: 'read' };
/** A real capture where most records are Authing's, and a real one (LogHub's Android) with none. */
const GUARD = readFileSync(join(FIXTURES, 'guard-threadtime.log'));
const SPARSE = readFileSync(join(SHARED, 'corpus', 'loghub', 'Android_2k.log'));

/** `unit` again and again, to at least `bytes` bytes, ending at a whole line. */
function repeated(unit: Buffer, bytes: number): Buffer {
  const parts: Buffer[] = [];
  for (let n = 0; n < bytes; n += unit.length) parts.push(unit);
  return Buffer.concat(parts);
}

/** A run on `file` with two threads: how it was read (the `read` trace), the bytes the scan threads read, its rows. */
function twoThreads(file: string, db: string, env: Record<string, string> = {}): { read: string; workerBytes: number; rows: unknown[] } {
  const r = runCli(['--db', db, '--threads', '2', '--json-summary', '--quiet', ...FIXED, file], { env: { ...RANGES, ...env } });
  expect(r.status, r.stderr).toBe(0);
  const read = r.stderr.split('\n').filter((l) => l.startsWith('authing-triage: trace: read: ')).join('\n');
  return { read, workerBytes: JSON.parse(r.stdout).sources[0].workerBytes ?? 0, rows: storedRows(db) };
}

/** The reference: `--threads 1`, which reads every file on the main thread. */
function oneThread(file: string, db: string): unknown[] {
  const r = runCli(['--db', db, '--threads', '1', '--quiet', ...FIXED, file], { env: RANGES });
  expect(r.status, r.stderr).toBe(0);
  return storedRows(db);
}

describe('a large plain file', () => {
  it('dense with events is read on the main thread, starts no scan thread, and stores what --threads 1 stores', () => {
    const dir = tempDir();
    const f = join(dir, 'dense.log');
    writeFileSync(f, repeated(GUARD, 1 << 20));
    const two = twoThreads(f, join(dir, 'two.db'));
    expect(two.read).toContain('dense.log: this thread (dense with candidate lines)');
    expect(two.workerBytes).toBe(0);
    const want = oneThread(f, join(dir, 'one.db'));
    expect((want[0] as unknown[]).length).toBeGreaterThan(500);
    expect(two.rows).toEqual(want);
    // nothing starts the threads ahead of a run whose every file is dense
    const out = join(dir, 'loaded.txt');
    const r = runCli(['--db', join(dir, 'three.db'), '--threads', '2', '--quiet', ...FIXED, f], { env: { ...RANGES, ...preloadEnv('module-loaded', out, 'worker_threads') } });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('false');
  });

  it('sparse, or dense only at its head, is read in ranges by the scan threads, with the same rows', () => {
    const dir = tempDir();
    const sparse = join(dir, 'sparse.log');
    // one Authing record in about every 2,000 lines of another app's log
    writeFileSync(sparse, repeated(Buffer.concat([SPARSE, GUARD.subarray(0, GUARD.indexOf('\n', 12_000) + 1)]), 2 << 20));
    const burst = join(dir, 'burst.log');
    // a retry loop's burst of 256 KiB first, then two MiB without an Authing line
    writeFileSync(burst, Buffer.concat([repeated(GUARD, 256 << 10), repeated(SPARSE, 2 << 20)]));
    for (const [name, f] of [['sparse', sparse], ['burst', burst]] as const) {
      const two = twoThreads(f, join(dir, `${name}-two.db`));
      expect(two.read).toContain(`${name}.log: ranges on 2 threads`);
      expect(two.workerBytes).toBeGreaterThan(0);
      const want = oneThread(f, join(dir, `${name}-one.db`));
      expect((want[0] as unknown[]).length).toBeGreaterThan(0);
      expect(two.rows).toEqual(want);
    }
  });

  it('dense is read in ranges when AUTHING_TRIAGE_DENSE_BYTES is 0 (the tests of the ranges), with the same rows', () => {
    const dir = tempDir();
    const f = join(dir, 'dense.log');
    writeFileSync(f, repeated(GUARD, 1 << 20));
    const two = twoThreads(f, join(dir, 'two.db'), { AUTHING_TRIAGE_DENSE_BYTES: '0' });
    expect(two.read).toContain('dense.log: ranges on 2 threads');
    expect(two.workerBytes).toBeGreaterThan(0);
    expect(two.rows).toEqual(oneThread(f, join(dir, 'one.db')));
  });

  it('dense, resumed after an append cut mid-line, stores what --threads 1 stores and every row of one clean run, context included', () => {
    const dir = tempDir();
    const all = repeated(GUARD, 2 << 20);
    // the first run reads a third and a cut line; the append completes the line and adds the rest
    const cut = Math.floor(all.length / 3) + 17;
    const grown = (name: string, run: (f: string, db: string) => unknown[]): unknown[] => {
      const f = join(dir, `${name}.log`);
      const db = join(dir, `${name}.db`);
      writeFileSync(f, all.subarray(0, cut));
      run(f, db);
      appendFileSync(f, all.subarray(cut));
      return run(f, db);
    };
    const reads: string[] = [];
    const two = grown('two', (f, db) => {
      const r = twoThreads(f, db);
      reads.push(r.read);
      return r.rows;
    });
    expect(reads).toEqual([expect.stringContaining('this thread (dense with candidate lines)'), expect.stringContaining('this thread (dense with candidate lines)')]);
    expect(two).toEqual(grown('one', oneThread));
    // A resumed run reads the lines just before its resume point for the look-back of the first events after it
    // (before round fifteen it read none, and those events lacked the context one clean run gives them): every row
    // is one clean run's, context included.
    const clean = join(dir, 'clean.log');
    writeFileSync(clean, all);
    expect(two).toEqual(oneThread(clean, join(dir, 'clean.db')));
  });
});
