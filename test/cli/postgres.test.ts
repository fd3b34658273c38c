/**
 * The CLI on PostgreSQL (a real server, test/pg-server.ts): the same answers as SQLite for every
 * report and view, exactly-once with several processes on overlapping inputs and after kills,
 * `migrate` from SQLite, the live mode, and one-line errors.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { PG_SCHEMA_VERSION } from '../../src/store/postgres.js';
import { BIN, FIXTURES, SHARED, killDelays, killMidway, killedMidwayWithin, pgDatabase, pgQuery, query, runCli, tempDir, watchStore } from '../helpers.js';
// @ts-expect-error plain JS module shared with the benchmark
import { generateCapture } from '../../bench/generate.mjs';

const FIXTURE = join(FIXTURES, 'guard-threadtime.log');
const LABELED = join(SHARED, 'corpus', 'labeled');

let logs: string;
let big: string;
let sqlite: string;
let reference: { code: number; n: number }[];

const pgByCode = (url: string) => pgQuery<{ code: number; n: number }>(url, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code ORDER BY code');
const run = (args: string[]) =>
  new Promise<number>((resolve) => spawn(process.execPath, [BIN, ...args], { stdio: 'ignore', env: { ...process.env, AUTHING_TRIAGE_DB: '' } }).once('exit', (c) => resolve(c ?? -1)));

beforeAll(async () => {
  const dir = tempDir();
  logs = join(dir, 'logs');
  mkdirSync(join(logs, 'device-a'), { recursive: true });
  copyFileSync(FIXTURE, join(logs, 'guard.log'));
  copyFileSync(join(LABELED, 'dev-threadtime.log'), join(logs, 'device-a', 'threadtime.log'));
  writeFileSync(join(logs, 'device-a', 'time.log.gz'), gzipSync(readFileSync(join(LABELED, 'dev-time.log'))));
  big = join(dir, 'big.log');
  await generateCapture(big, { bytes: 3e6, seed: 11 });
  copyFileSync(big, join(logs, 'big.log'));
  sqlite = join(dir, 'ref.db');
  const r = runCli(['--db', sqlite, '--quiet', logs]);
  expect(r.status).toBe(0);
  reference = query(sqlite, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code ORDER BY code');
  expect(reference.length).toBeGreaterThan(10);
}, 180_000);


const sqliteRuns = new Map<string, ReturnType<typeof runCli>>();
/**
 * A read-only command (report, sql, show) on an SQLite store no test writes after its set-up, run once
 * for the file: the same answer is compared with several PostgreSQL stores.
 */
function onSqlite(args: readonly string[], db: string): ReturnType<typeof runCli> {
  const key = JSON.stringify([db, args]);
  let r = sqliteRuns.get(key);
  if (!r) sqliteRuns.set(key, (r = runCli([...args, '--db', db])));
  return r;
}

/** Each command on PostgreSQL prints what it prints on SQLite, with exit 0 and nothing on stderr; SQLite's outputs. */
function expectSameOnBoth(commands: readonly string[][], sqlite: string, url: string): string[] {
  return commands.map((args) => {
    const a = onSqlite(args, sqlite);
    const b = runCli([...args, '--db', url]);
    expect(b.stderr, args.join(' ')).toBe('');
    expect(b.status, args.join(' ')).toBe(0);
    expect(b.stdout, args.join(' ')).toBe(a.stdout);
    return a.stdout;
  });
}
let labelled: Promise<{ sqliteL: string; urlL: string }> | undefined;
/**
 * The same labelled ingests (issue 26) into a fresh store of each kind, made once: the by-label answers
 * are compared on them, and migrate carries their labels.
 */
const labelledStores = () =>
  (labelled ??= (async () => {
    const dir = join(tempDir(), 'device-logs', 'mi11', '2026-03-17');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(LABELED, 'dev-brief.log'), join(dir, 'brief.log'));
    const [sqliteL, urlL] = [join(tempDir(), 'labels.db'), await pgDatabase()];
    for (const db of [sqliteL, urlL]) {
      expect(runCli(['--db', db, '--quiet', '--label', 'app=1.4.2', '--label', 'android=14', '--label-from-path', 'device-logs/{device}/{date}/*', dir]).status).toBe(0);
      expect(runCli(['--db', db, '--quiet', '--label', 'app=1.4.3', '--label', 'device=pixel7', '--label', 'android=14', join(logs, 'device-a')]).status).toBe(0);
      expect(runCli(['--db', db, '--quiet', join(FIXTURES, 'bugreport-pixel7.zip')]).status).toBe(0);
    }
    return { sqliteL, urlL };
  })());

describe('PostgreSQL back end', () => {
  // 48 runs of the bin: 66 s at load 14 on two cores, past the 60 s default.
  it('ingests and reports exactly what SQLite does, in every format and for the views', { timeout: 450_000 }, async () => {
    const url = await pgDatabase();
    const r = runCli([logs, '--json-summary'], { env: { AUTHING_TRIAGE_DB: url } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.events).toBe(reference.reduce((a, c) => a + c.n, 0));
    expect(await pgByCode(url)).toEqual(reference);

    const reports = [
      ['report', '--by', 'category', '-f', 'json'],
      ['report', '--by', 'code', '-f', 'json'],
      ['report', '--by', 'day', 'category', '-f', 'csv'],
      ['report', '--by', 'hour', '--top', '5', '-f', 'md'],
      ['report', '--by', 'source', 'code', '--since', '2026-03-17T08:03:00Z', '--until', '2026-03-17T16:13:45Z', '-f', 'json'],
      ['report', '--by', 'code', '--since', '2026-03-17T08:02:00Z', '--until', '2026-03-17T17:00:00Z', '--compare', '-f', 'json'],
      ['report', '--by', 'tag', '--where', 'category=network,unregistered', '-f', 'table'],
      ['sql', 'SELECT category, count FROM v_counts_by_category ORDER BY count DESC, category', '-f', 'csv'],
      ['sql', 'SELECT code, category, message, count FROM v_counts_by_code ORDER BY count DESC, code', '-f', 'json'],
      ['sql', 'SELECT day, category, count FROM v_daily ORDER BY day, count DESC, category', '-f', 'json'],
      ['sql', 'SELECT time, code, category, tag, source, line, excerpt FROM v_events ORDER BY source, line', '-f', 'json'],
    ];
    for (const out of expectSameOnBoth(reports, sqlite, url)) expect(out.length).toBeGreaterThan(20);
    // The HTML page too, but for the moment it was made and when each store last read a source.
    const html = (db: string) => runCli(['report', '-f', 'html', '--db', db]).stdout.replace(/generated [^<]*/g, '').replace(/<td class="hide-sm">[^<]*<\/td>/g, '');
    expect(html(url)).toBe(html(sqlite));

    // Labels (issue 26): the same labelled ingests into a fresh store of each, then the same answers by label.
    const { sqliteL, urlL } = await labelledStores();
    const byLabel = [
      ['report', '--by', 'label:device', 'code', '-f', 'json'],
      ['report', '--by', 'label:app', '-f', 'csv'],
      ['report', '--by', 'code', '--where', 'label:android=14', '--where', 'label:device=pixel7,mi11', '-f', 'md'],
      ['report', '--by', 'code', '--compare', 'label:app=1.4.2,1.4.3', '-f', 'json'],
      ['report', '--by', 'label:device', 'label:date', '-f', 'table'],
      ['report', '--by', 'label:device', '-f', 'html'],
      ['sql', 'SELECT source, line, code, labels FROM v_events ORDER BY source, line', '-f', 'json'],
      ['sql', 'SELECT key, value, code, category, count FROM v_counts_by_label ORDER BY key, value, count DESC, code', '-f', 'csv'],
    ];
    const byLabelOut = byLabel.map((args) => {
      const a = onSqlite(args, sqliteL);
      const b = runCli([...args, '--db', urlL]);
      expect(b.stderr, args.join(' ')).toBe('');
      expect(b.status, args.join(' ')).toBe(0);
      const page = (s: string) => s.replace(/generated [^<]*/g, '').replace(/<td class="hide-sm">[^<]*<\/td>/g, '');
      expect(page(b.stdout), args.join(' ')).toBe(page(a.stdout));
      expect(a.stdout.length, args.join(' ')).toBeGreaterThan(20);
      return b.stdout;
    });
    // Each device's codes, the bugreport's from its header (PostgreSQL's answer to the first, read once).
    expect([...new Set((JSON.parse(byLabelOut[0]!) as { 'label:device': string }[]).map((r) => r['label:device']))].sort()).toEqual(['Pixel 7', 'mi11', 'pixel7']);

    // A re-run finds every source by its fingerprint and adds nothing.
    const again = JSON.parse(runCli([logs, '--json-summary', '--db', url]).stdout);
    expect(again.events).toBe(0);
    expect(await pgByCode(url)).toEqual(reference);
  });

  it('counts exactly once with four processes ingesting overlapping inputs together', { timeout: 180_000 }, async () => {
    const url = await pgDatabase();
    const dir = tempDir();
    const copy = join(dir, 'same-content-other-name.log');
    copyFileSync(big, copy);
    const codes = await Promise.all([
      run(['--db', url, '--quiet', '--batch-size', '50', logs]),
      run(['--db', url, '--quiet', '--batch-size', '50', copy, logs]),
      run(['--db', url, '--quiet', '--batch-size', '50', join(logs, 'big.log'), join(logs, 'device-a')]),
      run(['--db', url, '--quiet', '--batch-size', '50', '--threads', '1', copy, FIXTURE]),
    ]);
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(await pgByCode(url)).toEqual(reference);
    const [n] = await pgQuery<{ events: number; counted: number; sources: number }>(url,
      'SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT SUM(count) FROM counts_hourly) AS counted, (SELECT COUNT(*) FROM sources) AS sources');
    expect(n!.events).toBe(n!.counted);
    expect(n!.sources).toBe(4);
    const [meta] = await pgQuery<{ value: string }>(url, "SELECT value FROM triage_meta WHERE key = 'schema_version'");
    // Migrated once, to this build's version, however many processes started together.
    expect(meta!.value).toBe(String(PG_SCHEMA_VERSION));
  });

  it('gives the clean totals after kills at random points and a re-run (6 trials)', { timeout: 300_000 }, async () => {
    const dir = tempDir();
    const file = join(dir, 'long.log');
    // About 1,400 events (5% of 4 MB): the commits (batches of 10, 140 of them) are what a kill lands
    // between. A run takes about as long as 2,800 events in batches of 20 did (8 MB: the commits' round
    // trips set its pace) at two thirds of the CPU, so the timed kills (0.15-0.5 s) land inside it. With
    // each batch written outside a transaction (a build patched so, /tmp), the watching connection sees a
    // batch half-written in every trial, and the kills just after a commit lose counts too; at 16 MB
    // without the watch, a kill alone caught it in most runs but not all at 8 or 12 MB.
    await generateCapture(file, { bytes: 4e6, seed: 5, authingRate: 0.05 });
    const ref = join(dir, 'long.db');
    expect(runCli(['--db', ref, '--quiet', file]).status).toBe(0);
    const want = query(ref, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code ORDER BY code');
    const wantEvents = query<{ n: number }>(ref, 'SELECT COUNT(*) AS n FROM events')[0]!.n;
    let seed = 99;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const delays = killDelays(rand, 350, 1, 150);
    let killedMidway = 0;
    for (let trial = 0; trial < 6; trial++) {
      // Every other trial as soon as another connection sees a random number of stored events (just
      // after a commit: a batch written outside a transaction is caught half-written there, which
      // 6 random-time kills never caught); the rest anywhere from start-up to near the end of a run.
      // A trial whose run ended before its kill is made again, its re-run checked too (helpers.killedMidwayWithin).
      const midway = await killedMidwayWithin(3, async () => {
        const url = await pgDatabase();
        const child = spawn(process.execPath, [BIN, '--db', url, '--quiet', '--batch-size', '10', '--threads', '1', file], { stdio: 'ignore' });
        const halfWritten = await watchStore(url, child, trial % 2 ? { events: 1 + Math.floor(rand() * wantEvents * 0.8) } : { ms: delays.next() });
        const killed = await killMidway(child);
        if (!killed && trial % 2 === 0) delays.finishedFirst();
        expect(halfWritten, 'snapshots where the events and their counts disagreed').toBe(0);
        expect(await run(['--db', url, '--quiet', file])).toBe(0);
        expect(await pgByCode(url)).toEqual(want);
        return killed;
      });
      if (midway) killedMidway++;
    }
    expect(killedMidway, 'trials killed midway within 3 attempts').toBe(6);
  });

  it('migrate copies an SQLite store exactly once, and later ingests of the same logs add nothing', { timeout: 180_000 }, async () => {
    const url = await pgDatabase();
    const m = runCli(['migrate', '--from', sqlite, '--to', url, '--json']);
    expect(m.stderr).toBe('');
    expect(m.status).toBe(0);
    const out = JSON.parse(m.stdout);
    expect(out.sources).toBe(4);
    expect(out.added).toBe(out.events);
    expect(await pgByCode(url)).toEqual(reference);
    const again = JSON.parse(runCli(['migrate', '--from', sqlite, '--to', url, '--json']).stdout);
    expect(again.added).toBe(0);
    expect(JSON.parse(runCli([logs, '--json-summary', '--db', url]).stdout).events).toBe(0);
    expect(await pgByCode(url)).toEqual(reference);
    expect(runCli(['report', '--by', 'code', '-f', 'json', '--db', url]).stdout).toBe(onSqlite(['report', '--by', 'code', '-f', 'json'], sqlite).stdout);
    // And back: PostgreSQL to a new SQLite file.
    const back = join(tempDir(), 'back.db');
    expect(runCli(['migrate', '--from', url, '--to', back]).status).toBe(0);
    expect(query(back, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code ORDER BY code')).toEqual(reference);
    // each source's path and the settings its events were made under (schema 8), and its lead (9), both ways
    const where = 'SELECT name, path, shape, lead_hash FROM sources ORDER BY name';
    const from = query<{ path: string | null; shape: string | null; lead_hash: string | null }>(sqlite, where);
    expect(from.every((r) => r.shape !== null && r.lead_hash !== null)).toBe(true);
    expect(await pgQuery(url, 'SELECT name, path, shape, lead_hash FROM sources ORDER BY name COLLATE "C"')).toEqual(from);
    expect(query(back, where)).toEqual(from);
  });

  it("migrate carries each source's labels, both ways", { timeout: 180_000 }, async () => {
    // The labelled SQLite store of the by-label answers: given, from a path, and from a bugreport's header.
    const db = (await labelledStores()).sqliteL;
    const dir = tempDir();
    const labels = 'SELECT s.name, l.key, l.value FROM source_labels l JOIN sources s ON s.id = l.source_id ORDER BY s.name, l.key';
    const want = query(db, labels);
    // dev-brief: app, android, device, date; the two of device-a: app, device, android; the bugreport: its header's three.
    expect(want).toHaveLength(13);
    const url = await pgDatabase();
    expect(runCli(['migrate', '--from', db, '--to', url]).status).toBe(0);
    expect(await pgQuery(url, labels)).toEqual(want);
    const back = join(dir, 'back.db');
    expect(runCli(['migrate', '--from', url, '--to', back]).status).toBe(0);
    expect(query(back, labels)).toEqual(want);
    const report = ['report', '--by', 'label:device', 'code', '-f', 'json'];
    expect(runCli([...report, '--db', url]).stdout).toBe(onSqlite(report, db).stdout);
  });

  it('keeps the same context and causes as SQLite, answers report --by cause and show the same, and migrate carries them', { timeout: 300_000 }, async () => {
    const ctx = join(FIXTURES, 'context-causes.log');
    const lite = join(tempDir(), 'ctx.db');
    const url = await pgDatabase();
    for (const db of [lite, url]) expect(runCli([ctx, '--db', db, '--quiet', '--year', '2026', '--tz', 'UTC']).status).toBe(0);
    const answers = [
      ['report', '--by', 'code', 'cause', '-f', 'json'],
      ['report', '--by', 'cause', '-f', 'csv'],
      ['report', '--by', 'cause', 'day', '-f', 'table'],
      ['show', '1', '-f', 'json'],
      ['show', '1:29'],
      ['sql', 'SELECT line, cause, context FROM events ORDER BY line', '-f', 'json'],
      ['sql', 'SELECT id, line, labels, cause FROM v_events ORDER BY id', '-f', 'json'],
    ];
    // PostgreSQL's `show 1 -f json` printed exactly this (asserted there).
    const shown = expectSameOnBoth(answers, lite, url)[3]!;
    expect(JSON.parse(shown)).toMatchObject({ cause: 'dns', line: 15, pid: 4672 });
    // migrate: the copy keeps each event's context and cause
    const copy = await pgDatabase();
    expect(runCli(['migrate', '--from', lite, '--to', copy]).status).toBe(0);
    const q = 'SELECT line, cause, context FROM events ORDER BY line';
    expect(await pgQuery(copy, q)).toEqual(query(lite, q));
  });

  it('skips a copy shorter than a counted file\'s head, from a file and from stdin, as SQLite does (sources.lead_hash)', async () => {
    const dir = tempDir();
    const capture = readFileSync(join(LABELED, 'dev-threadtime.log'));
    const full = join(dir, 'full.log');
    const snap = join(dir, 'snap.log');
    writeFileSync(full, capture);
    writeFileSync(snap, capture.subarray(0, 30_000));
    const url = await pgDatabase();
    const lite = join(dir, 'clean.db');
    const common = ['--quiet', '--year', '2026', '--tz', 'UTC'];
    expect(runCli([...common, '--db', lite, full]).status).toBe(0);
    expect(runCli([...common, '--db', url, full]).status).toBe(0);
    // 86 events and 2 sources before: the snapshot, under the 64 KiB head, never found the file's source
    const r = runCli([...common, '--db', url, '--json-summary', snap]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sources[0]).toMatchObject({ status: 'skipped', skipReason: 'already counted' });
    expect(runCli([...common, '--db', url], { input: capture.subarray(0, 30_000) }).status).toBe(0);
    const events = 'SELECT line, code, time, tag, excerpt FROM events ORDER BY line, code';
    expect(await pgQuery(url, events)).toEqual(query(lite, events));
    expect(await pgQuery(url, 'SELECT COUNT(*) AS n FROM sources')).toEqual([{ n: 1 }]);
  });

  it('streams live from stdin into PostgreSQL', async () => {
    const url = await pgDatabase();
    const r = runCli(['--json', '--db', url], { input: readFileSync(FIXTURE) });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const events = lines.filter((l) => l.msg !== 'run summary');
    expect(events.length).toBe(15);
    const [n] = await pgQuery<{ n: number }>(url, 'SELECT COUNT(*) AS n FROM events');
    expect(n!.n).toBe(15);
  });

  it('stops in one line with exit 4 when the server drops the connection mid-run; a re-run completes', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const file = join(dir, 'long.log');
    // 10 MB (751 events, 76 batches of 10 on the server; was 30 MB): the run is still writing when
    // its first batch is seen and its session ended, which the exit code 4 asserted below shows (a run
    // that had ended would exit 0).
    await generateCapture(file, { bytes: 10e6, seed: 8 });
    const ref = join(dir, 'long.db');
    expect(runCli(['--db', ref, '--quiet', file]).status).toBe(0);
    const url = await pgDatabase();
    const child = spawn(process.execPath, [BIN, '--db', url, '--quiet', '--batch-size', '10', '--threads', '1', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // 'close', not 'exit': the stderr read below is all there then
    const exit = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
    // As soon as a first batch is in, end its session from the server side. Watched from one connection until the
    // run's first commit or its end, however slow its start: 500 polls of 10 ms, each opening new connections, gave
    // up after a time of their own, and then ended the session of a run that might not have reached the server.
    await watchStore(url, child, { events: 1 });
    expect(child.exitCode, 'the run ended before its first batch was seen').toBeNull();
    await pgQuery(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'authing-triage' AND datname = current_database()");
    expect(await exit).toBe(4);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^authing-triage: postgres:\/\/triage@127\.0\.0\.1:\d+\/\w+: the connection to the server was lost/);
    expect(await run(['--db', url, '--quiet', file])).toBe(0);
    expect(await pgByCode(url)).toEqual(query(ref, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code ORDER BY code'));
  });

  it('says in one line, without the password, when the server cannot be reached; refuses writes in sql', async () => {
    const r = runCli(['--db', 'postgres://triage:s3cret@127.0.0.1:1/none', FIXTURE]);
    expect(r.status).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1\/none: cannot connect/);
    expect(r.stderr).not.toContain('s3cret');
    const url = await pgDatabase();
    expect(runCli(['--db', url, '--quiet', FIXTURE]).status).toBe(0);
    for (const q of ['DELETE FROM codes', 'SELECT 1; DROP TABLE events']) {
      const w = runCli(['sql', q, '--db', url]);
      expect(w.status, q).toBe(2);
      expect(w.stderr.trim().split('\n')).toHaveLength(1);
    }
    const [n] = await pgQuery<{ codes: number; events: number }>(url, 'SELECT (SELECT COUNT(*) FROM codes) AS codes, (SELECT COUNT(*) FROM events) AS events');
    expect(n!.codes).toBeGreaterThan(100);
    expect(n!.events).toBe(15);
  });
});
