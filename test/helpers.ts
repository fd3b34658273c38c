/** Test helpers: spawn the real bin, make temp folders, read the SQLite file back. */
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { expect, inject, onTestFinished } from 'vitest';
import yazl from 'yazl';
import type { Extractor } from '../src/extract/index.js';
import { recordsOf } from '../src/parse/stream.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * The bin the CLI tests spawn; AUTHING_TRIAGE_TEST_BIN points them at another build's (an old
 * commit's, built in a worktree of its own) to show that a test fails on the bug it was written for.
 */
export const BIN = process.env.AUTHING_TRIAGE_TEST_BIN || join(ROOT, 'bin', 'authing-triage.js');
export const SHARED = resolve(ROOT, '..', 'shared');
export const FIXTURES = join(ROOT, 'fixtures');

/** Runs the real CLI as a child process. */
export function runCli(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; cwd?: string; uid?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input ?? '',
    encoding: 'utf8',
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '', ...opts.env },
    maxBuffer: 64 << 20,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
  });
}

/**
 * The environment of a run of the bin with the preload test/preload/NAME.cjs (NODE_OPTIONS=--require), which
 * watches the run from inside and writes what it saw to `out` at exit; `arg` is what it watches for. The
 * preloads sit at one path per clone: NODE_OPTIONS is part of the code cache's flag set (src/launch.ts), so a
 * preload at a new temporary path made each such run compile the bundle and leave a new cache file behind.
 */
export function preloadEnv(name: string, out: string, arg = ''): Record<string, string> {
  return { NODE_OPTIONS: `--require ${join(ROOT, 'test', 'preload', `${name}.cjs`)}`, AUTHING_TRIAGE_TEST_PRELOAD_OUT: out, AUTHING_TRIAGE_TEST_PRELOAD_ARG: arg };
}

const dirs: string[] = [];
/** A fresh temp folder, removed after the file's tests. */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'authing-triage-test-'));
  dirs.push(d);
  return d;
}
/** Removes the temp folders made so far (test/setup.ts, after each file's tests). */
export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Rows of a query on a database file. */
export function query<T = Record<string, unknown>>(db: string, sql: string, ...params: unknown[]): T[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all(...params) as T[];
  } finally {
    conn.close();
  }
}

/** Every stored row a run writes: events (all columns but the id, with the types of context and cause), hourly counts, the sources' progress. */
export function storedRows(db: string): unknown[] {
  return [
    query(db, 'SELECT source_id, line, time, hour, code, method, detail, pid, tid, level, tag, excerpt, outcome, context, cause, typeof(context) AS ct, typeof(cause) AS cc FROM events ORDER BY source_id, line, code'),
    query(db, 'SELECT * FROM counts_hourly ORDER BY hour, code, tag, source_id, outcome'),
    query(db, 'SELECT id, bytes_done, lines_done, complete, format, prefix_hash FROM sources ORDER BY id'),
  ];
}

/**
 * One run of the real CLI over `bytes` written to a file of a new folder, into a new store there (exit 0 expected):
 * the store's path, for storedRows or query, and the run's stderr.
 */
export function runOnBytes(bytes: Buffer, args: string[], name = 'f.log'): { db: string; stderr: string } {
  const dir = tempDir();
  const f = join(dir, name);
  writeFileSync(f, bytes);
  const db = join(dir, 't.db');
  const r = runCli(['--db', db, '--quiet', ...args, f]);
  expect(r.status, r.stderr).toBe(0);
  return { db, stderr: r.stderr };
}

/**
 * Starts the real CLI as a long-running child (live and watch tests), killed when the test ends if it is still running:
 * a test that failed before it ended the run (a wait that timed out) left `watch` and its adb running for good.
 */
export function startCli(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '', ...env } });
  onTestFinished(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  return child;
}

/**
 * Resolves when `p()` holds, polling every 20 ms; rejects after `ms`, saying what it waited for. The deadline only
 * bounds a run that never gets there (the bug): 30 s by default, as a child that takes 0.2 s alone can take 2 s and
 * more on two cores shared by four test workers, their children, PostgreSQL and Chromium (10 s was within 3x of that).
 */
export function waitFor(p: () => boolean, ms = 30_000, what = 'the condition'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => (p() ? resolve() : Date.now() - t0 > ms ? reject(new Error(`timed out after ${ms} ms waiting for ${what}`)) : setTimeout(tick, 20));
    tick();
  });
}

/**
 * The exit code of a child once it has exited and its stdout and stderr have ended, whether that happened already or
 * not: 'exit' can come before the last of the output has been read (Node's docs say so), which a test that reads the
 * output after it (lines printed, a message) can see it short.
 */
export function exitOf(c: ChildProcessWithoutNullStreams): Promise<number | null> {
  const ended = () => (c.exitCode !== null || c.signalCode !== null) && [c.stdout, c.stderr].every((s) => !s || s.closed);
  return new Promise<number | null>((r) => (ended() ? r(c.exitCode) : c.once('close', (code) => r(code))));
}

/**
 * A fresh, empty PostgreSQL database on the test server (test/pg-server.ts) and its URL; dropped
 * after the file's tests. With `template` (the URL of another test database, no longer in use), a
 * copy of that one: PostgreSQL copies its files, which costs less than running the ingest that filled it.
 */
export async function pgDatabase(template?: string): Promise<string> {
  const { default: pg } = await import('pg');
  const base = inject('pgUrl');
  const name = `triage_t${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    // Names of our own making ([a-z0-9_]): CREATE DATABASE takes no bound parameters.
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${new URL(template).pathname.slice(1)}` : ''}`);
  } finally {
    await admin.end();
  }
  pgDatabases.push(name);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}
const pgDatabases: string[] = [];
/** Drops the PostgreSQL databases made so far (test/setup.ts, after each file's tests). */
export async function dropPgDatabases(): Promise<void> {
  if (!pgDatabases.length) return;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: inject('pgUrl') });
  await admin.connect();
  try {
    for (const name of pgDatabases.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Rows of a query on a PostgreSQL database, counts as numbers. */
export async function pgQuery<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const [{ default: pg }, { types }] = await Promise.all([import('pg'), import('../src/store/postgres.js')]);
  const c = new pg.Client({ connectionString: url, types });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/**
 * Watches a store (an SQLite file or a postgres:// URL) from another connection while `child` writes
 * it, until it holds at least `until.events` events, `until.ms` have passed, or the child has exited.
 * Returns how often it saw a batch half-written: the stored events and their hourly counts disagreeing
 * in one snapshot, which one transaction per batch never shows. A kill just after it returns lands
 * just after a commit.
 */
export async function watchStore(db: string, child: ChildProcess, until: { events: number } | { ms: number }): Promise<number> {
  const SEEN = 'SELECT (SELECT COUNT(*) FROM events) AS n, (SELECT COALESCE(SUM(count), 0) FROM counts_hourly) AS counted';
  let read: () => Promise<{ n: number; counted: number } | null>;
  let close: () => Promise<void>;
  if (db.startsWith('postgres')) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: db });
    await c.connect();
    read = () =>
      c.query<{ n: string; counted: string }>(SEEN).then(
        (r) => ({ n: Number(r.rows[0]!.n), counted: Number(r.rows[0]!.counted) }),
        // 42P01: the run has not made its tables yet
        (e: { code?: string }) => (e.code === '42P01' ? null : Promise.reject(e)),
      );
    close = () => c.end();
  } else {
    let conn: Database.Database | undefined;
    read = async () => {
      try {
        conn ??= new Database(db, { readonly: true, fileMustExist: true });
        return conn.prepare(SEEN).get() as { n: number; counted: number };
      } catch {
        return null; // the run has not made the file or its schema yet
      }
    };
    close = async () => {
      conn?.close();
    };
  }
  const t0 = Date.now();
  let halfWritten = 0;
  try {
    while (child.exitCode === null && child.signalCode === null) {
      const seen = await read();
      if (seen && seen.n !== seen.counted) halfWritten++;
      if ('events' in until ? (seen?.n ?? 0) >= until.events : Date.now() - t0 >= until.ms) break;
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    await close();
  }
  return halfWritten;
}

/**
 * Kills `child` with SIGKILL and waits for its exit. True when the kill ended it, false when it had ended on its own
 * first: read from how it ended, not from `exitCode` before the kill, which stays null for a run that has exited
 * while this worker was not yet told so (a starved worker then counted a finished run as killed midway).
 */
export async function killMidway(child: ChildProcess): Promise<boolean> {
  const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  child.kill('SIGKILL');
  await exited;
  return child.signalCode === 'SIGKILL';
}

/**
 * One trial of a kill test, attempted until its kill lands midway, at most `attempts` times: on a loaded machine a
 * watcher's poll (`watchStore`) or a timed kill can come after the run's end, which says nothing of the code under
 * test. `attempt(n)` runs the bin, kills it, makes the trial's assertions whatever the kill hit, and returns
 * `killMidway`'s answer; an attempt that missed is made again rather than counted. Returns whether one landed.
 */
export async function killedMidwayWithin(attempts: number, attempt: (n: number) => Promise<boolean>): Promise<boolean> {
  for (let n = 0; n < attempts; n++) {
    if (await attempt(n)) return true;
    // said, so that a log shows how often a loaded machine made a trial again
    if (n + 1 < attempts) console.info(`a kill came after the run's end: the trial again (attempt ${n + 2} of ${attempts})`);
  }
  return false;
}

/**
 * Delays for kills "at random points" of a run: `floorMs` plus a random share (up to `share`) of
 * `spanMs`, the time a clean run took. The clean run was timed once, at a moment of its own load; each
 * trial that ends before its kill (`finishedFirst`) halves the share for the trials after it, so a
 * suite that runs faster than when it was timed still kills its runs midway.
 */
export function killDelays(rand: () => number, spanMs: number, share = 0.8, floorMs = 20): { next: () => number; finishedFirst: () => void } {
  let scale = share;
  return { next: () => floorMs + rand() * spanMs * scale, finishedFirst: () => void (scale /= 2) };
}

/**
 * Asserts that `actual` holds exactly the bytes of `expected`, reporting the lengths and the first
 * offset that differs. `expect(buffer).toEqual(...)` walks vitest's generic equality byte by byte,
 * about 10 µs a byte: 25 s for a 2.6 MB database under load.
 */
export function expectSameBytes(actual: Buffer, expected: Buffer, what = 'bytes'): void {
  let firstDifference = -1;
  if (!actual.equals(expected)) {
    firstDifference = Math.min(actual.length, expected.length);
    for (let i = 0; i < firstDifference; i++) {
      if (actual[i] !== expected[i]) {
        firstDifference = i;
        break;
      }
    }
  }
  expect({ length: actual.length, firstDifference }, what).toEqual({ length: expected.length, firstDifference: -1 });
}

/**
 * Trials of a slow randomized test: `ci` under CI=true, `local` otherwise, printed when they differ,
 * so a local run says it checked less than CI does.
 */
export function trialsHere(what: string, ci: number, local: number): number {
  if (/^(1|true)$/i.test(process.env.CI ?? '')) return ci;
  if (local < ci) console.info(`${what}: ${local} trials here, ${ci} with CI=true`);
  return local;
}

/**
 * The reference answer of the extraction tests: every record of `bytes` parsed by the plain
 * every-line path (year 2026, UTC) and extracted, as [line, code] pairs in input order.
 */
export async function referenceEvents(bytes: Buffer, extractor: Extractor): Promise<[number, number][]> {
  if (bytes.length === 0) return [];
  const out: [number, number][] = [];
  for await (const r of recordsOf(Readable.from([bytes]), { year: 2026, tz: 'UTC' })) {
    if ('unparsed' in r) continue;
    const e = extractor.extract(r);
    if (e) out.push([e.line, e.code]);
  }
  return out;
}

/** Writes a zip of these entries (name -> content) with yazl, as `adb bugreport` packs its files. */
export function writeZip(file: string, entries: Record<string, string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name);
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      writeFileSync(file, Buffer.concat(chunks));
      resolve();
    }).on('error', reject);
  });
}

/**
 * A store as an older build left it: the frozen schema 1 (fixtures/schema-v1), the released migrations
 * `migrate` runs on it, `user_version = version`, and source 1 (`old.log`, complete). The caller adds its
 * rows and closes the connection.
 */
export function oldStore(db: string, version = 1, migrate: (conn: Database.Database) => void = () => {}): Database.Database {
  const conn = new Database(db);
  conn.exec(readFileSync(join(FIXTURES, 'schema-v1', 'schema.sql'), 'utf8'));
  migrate(conn);
  conn.pragma(`user_version = ${version}`);
  conn.prepare("INSERT INTO sources (id, head_len, head_hash, name, bytes_done, lines_done, complete, first_seen, last_seen) VALUES (1, 10, 'h', 'old.log', 500, 5, 1, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')").run();
  return conn;
}

/** What `f` throws, or undefined when it returns. */
export function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** A seeded pseudo-random sequence in [0, 1) (mulberry32, as bench/generate.mjs's): a property test's inputs stay reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Whether `a` and `b` are equal by a check that implies toEqual's (primitives by Object.is, arrays and
 * plain objects member by member, undefined members as absent); anything else is left to toEqual.
 */
export function plainlyEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => plainlyEqual(x, (b as unknown[])[i]));
  const plain = (o: object) => [Object.prototype, null].includes(Object.getPrototypeOf(o));
  if (!plain(a) || !plain(b)) return false;
  const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
  return [...Object.keys(x), ...Object.keys(y)].every((k) => plainlyEqual(x[k], y[k]));
}

/**
 * expect(actual).toEqual(expected), run only when the two are not plainly equal: the same failure, without
 * vitest's matcher for each of the tens of thousands of equal pairs or rows a property checks (most of
 * hot-path.test.ts's CPU went there, and three times the CPU of JSON.stringify on stdin-reader's rows).
 */
export function same(actual: unknown, expected: unknown, message?: string): void {
  if (!plainlyEqual(actual, expected)) expect(actual, message).toEqual(expected);
}

/** The corpus's real threadtime lines (labeled/dev-threadtime.log): all, its Authing lines (most yield an event), the others (no needle). */
export function corpusThreadtime(): { all: string[]; authing: string[]; plain: string[] } {
  const all = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => /^\d\d-\d\d \S+\s+\d+\s+\d+ [VDIWEF] /.test(l));
  return { all, authing: all.filter((l) => /uth/i.test(l)), plain: all.filter((l) => !/uth|auth/i.test(l)) };
}

/** How a resumed run reads its input: a file with one thread, the default threads, ranges of a fifth of the rest, or stdin. */
export type ResumeHow = 'one' | 'default' | 'ranges' | 'stdin';

/**
 * The invariant of a resume: the bin run on the first `cut` bytes of `all` (a file, or stdin), then on all of it
 * (the file grown, or stdin again: a resumed run), stores every row one clean `--threads 1` run of `all` stores.
 * `common`: the runs' flags; the resumed run's stderr must show the read it was asked for.
 */
export function expectResumeAsClean(all: Buffer, cut: number, common: string[], how: ResumeHow, what: string): { want: unknown[] } {
  const dir = tempDir();
  const grown = join(dir, 'grown.db');
  if (how === 'stdin') {
    const first = runCli(['--db', grown, '--quiet', ...common], { input: all.subarray(0, cut) });
    expect(first.status, first.stderr).toBe(0);
    const second = runCli(['--db', grown, ...common], { input: all });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain('1 resumed input');
  } else {
    const f = join(dir, 'grown.log');
    const env: Record<string, string> = how === 'ranges' ? { AUTHING_TRIAGE_RANGE_BYTES: String(Math.max(4096, Math.floor((all.length - cut) / 5))), AUTHING_TRIAGE_DENSE_BYTES: '0', AUTHING_TRIAGE_TRACE: 'read' } : {};
    const threads = how === 'one' ? ['--threads', '1'] : how === 'ranges' ? ['--threads', '2'] : [];
    writeFileSync(f, all.subarray(0, cut));
    const first = runCli(['--db', grown, '--quiet', ...threads, ...common, f], { env });
    expect(first.status, first.stderr).toBe(0);
    appendFileSync(f, all.subarray(cut));
    const second = runCli(['--db', grown, '--quiet', ...threads, ...common, f], { env });
    expect(second.status, second.stderr).toBe(0);
    if (how === 'ranges') expect(second.stderr).toContain('ranges on 2 threads');
  }
  const clean = join(dir, 'clean.log');
  writeFileSync(clean, all);
  const one = runCli(['--db', join(dir, 'clean.db'), '--quiet', '--threads', '1', ...common, clean]);
  expect(one.status, one.stderr).toBe(0);
  const want = storedRows(join(dir, 'clean.db'));
  const got = storedRows(grown);
  const wantEvents = want[0] as unknown[];
  const gotEvents = got[0] as unknown[];
  const i = wantEvents.findIndex((e, k) => JSON.stringify(e) !== JSON.stringify(gotEvents[k]));
  if (i >= 0) expect(gotEvents[i], `event ${i} of ${wantEvents.length}, ${what}, ${how}, cut at ${cut}`).toEqual(wantEvents[i]);
  expect(got[0]).toEqual(want[0]);
  expect(got[1]).toEqual(want[1]);
  return { want };
}
