/** Nightly-job behaviour with real files: folders, globs, gzip, bugreport zip, exactly-once, kills, concurrency. */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, SHARED, killDelays, killMidway, killedMidwayWithin, query, runCli, tempDir, trialsHere, waitFor, watchStore, writeZip } from '../helpers.js';
// @ts-expect-error plain JS module shared with the benchmark
import { generateCapture } from '../../bench/generate.mjs';

const FIXTURE = join(FIXTURES, 'guard-threadtime.log');
const LABELED = join(SHARED, 'corpus', 'labeled');
const total = (db: string) => query<{ n: number }>(db, 'SELECT COALESCE(SUM(count), 0) AS n FROM counts_hourly')[0]!.n;
const events = (db: string) => query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM events')[0]!.n;
const byCode = (db: string) => query<{ code: number; n: number }>(db, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code ORDER BY code');

function bugreportZip(file: string, logcat: string): Promise<void> {
  const text = [
    '========================================================',
    '== dumpstate: 2026-03-17 16:20:00',
    '========================================================',
    'Build: TQ3A.230901.001',
    '------ UPTIME (uptime) ------',
    ' 16:20:01 up 2 days,  3:04,  0 users,  load average: 1.22, 1.10, 1.02',
    'code=2004 authing errCode = 9999 (not a log line: must be ignored)',
    '------ 0.010s was the duration of \'UPTIME\' ------',
    '------ SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v) ------',
    '--------- beginning of main',
    logcat.trimEnd(),
    '------ 0.512s was the duration of \'SYSTEM LOG\' ------',
    '------ CPU INFO (top -b -n 1 -H -s 6 -o pid,tid,user,pr,ni,%cpu,s,virt,res,pcy,cmd,name) ------',
    'E SocialLoginButton: loginDone: errCode = 8888 (not a log line)',
  ].join('\n') + '\n';
  return writeZip(file, {
    'bugreport-sdk_gphone-TQ3A-2026-03-17-16-20-00.txt': text,
    'dumpstate_log.txt': 'dumpstate log',
    'FS/data/misc/whatever.txt': 'code=1',
  });
}

describe('inputs', () => {
  it('reads a folder of plain and gzipped captures recursively, and a bugreport zip', async () => {
    const dir = tempDir();
    const logs = join(dir, 'logs');
    mkdirSync(join(logs, 'device-a'), { recursive: true });
    copyFileSync(join(LABELED, 'dev-threadtime.log'), join(logs, 'device-a', 'threadtime.log'));
    writeFileSync(join(logs, 'time.log.gz'), gzipSync(readFileSync(join(LABELED, 'dev-time.log'))));
    await bugreportZip(join(logs, 'bugreport.zip'), readFileSync(FIXTURE, 'utf8'));
    const db = join(dir, 'a.db');
    const r = runCli(['--db', db, logs, '--json-summary']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.files).toEqual({ read: 3, resumed: 0, skipped: 0, failed: 0, taken: 0, notLog: 0 });
    const expThreadtime = JSON.parse(readFileSync(join(LABELED, 'dev-threadtime.expected.json'), 'utf8')).total;
    const expTime = JSON.parse(readFileSync(join(LABELED, 'dev-time.expected.json'), 'utf8')).total;
    expect(summary.events).toBe(expThreadtime + expTime + 15);
    expect(total(db)).toBe(expThreadtime + expTime + 15);
    // The zip's events keep the line numbers of the bugreport text (logcat starts after 10 lines).
    const zipLines = query<{ line: number }>(db, "SELECT e.line FROM events e JOIN sources s ON s.id = e.source_id WHERE s.name LIKE '%bugreport.zip!%' ORDER BY e.line");
    expect(zipLines).toHaveLength(15);
    expect(zipLines[0]!.line).toBeGreaterThan(10);
    expect(query(db, 'SELECT code FROM events WHERE code IN (9999, 8888, 1)')).toEqual([]);
  });

  it('expands a quoted glob itself, and says when nothing matches', () => {
    const dir = tempDir();
    copyFileSync(FIXTURE, join(dir, 'a.log'));
    copyFileSync(join(LABELED, 'dev-brief.log'), join(dir, 'b.log'));
    writeFileSync(join(dir, 'c.txt'), 'E SocialLoginButton: loginDone: errCode = 1\n');
    const db = join(dir, 'g.db');
    const r = runCli(['--db', db, '--quiet', join(dir, '*.log')]);
    expect(r.status).toBe(0);
    const brief = JSON.parse(readFileSync(join(LABELED, 'dev-brief.expected.json'), 'utf8')).total;
    expect(total(db)).toBe(15 + brief);
    const none = runCli(['--db', db, join(dir, '*.nothing')]);
    expect(none.status).toBe(3);
    expect(none.stderr).toMatch(/\*\.nothing: no file matches this pattern/);
  });

  it('reports empty, truncated and corrupt files one line each and still counts the rest', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.log'), '');
    const gz = gzipSync(readFileSync(FIXTURE, 'utf8').repeat(100));
    writeFileSync(join(dir, 'cut.log.gz'), gz.subarray(0, gz.length - 200));
    writeFileSync(join(dir, 'bad.zip'), Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(50, 7)]));
    copyFileSync(FIXTURE, join(dir, 'good.log'));
    const db = join(dir, 'f.db');
    const r = runCli(['--db', db, join(dir, 'empty.log'), join(dir, 'cut.log.gz'), join(dir, 'bad.zip'), join(dir, 'good.log'), join(dir, 'missing.log'), dir + '/good.log/x']);
    expect(r.status).toBe(3);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('authing-triage: '));
    expect(errors).toHaveLength(5);
    expect(r.stderr).toMatch(/empty\.log: empty input/);
    expect(r.stderr).toMatch(/cut\.log\.gz: .*(unexpected end of file|corrupt)/);
    expect(r.stderr).toMatch(/bad\.zip: corrupt zip/);
    expect(r.stderr).toMatch(/missing\.log: no such file or directory/);
    // the truncated gzip's readable part and the good file are counted
    expect(total(db)).toBeGreaterThan(15);
  });
});

describe('exactly once', () => {
  it('adds zero on a re-run, a renamed copy or a rotated file', () => {
    const dir = tempDir();
    const db = join(dir, 'x.db');
    copyFileSync(FIXTURE, join(dir, 'app.log'));
    runCli(['--db', db, '--quiet', join(dir, 'app.log')]);
    expect(total(db)).toBe(15);
    renameSync(join(dir, 'app.log'), join(dir, 'app.log.1'));
    writeFileSync(join(dir, 'app.log.1.gz'), gzipSync(readFileSync(join(dir, 'app.log.1'))));
    const again = runCli(['--db', db, '--json-summary', dir]);
    expect(JSON.parse(again.stdout).events).toBe(0);
    expect(total(db)).toBe(15);
    expect(events(db)).toBe(15);
  });

  it('reads only what was appended since the last run', () => {
    const dir = tempDir();
    const db = join(dir, 'x.db');
    const f = join(dir, 'grow.log');
    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    writeFileSync(f, lines.slice(0, 100).join('\n') + '\n');
    runCli(['--db', db, '--quiet', f]);
    const first = total(db);
    appendFileSync(f, lines.slice(100).join('\n'));
    const r = runCli(['--db', db, '--json-summary', f]);
    const s = JSON.parse(r.stdout);
    expect(s.files.resumed).toBe(1);
    expect(s.events).toBe(15 - first);
    expect(s.lines).toBe(80);
    expect(total(db)).toBe(15);
  });
});

describe('crashes and concurrency', () => {
  let big: string;
  let expected: { code: number; n: number }[];
  let expectedEvents = 0;
  let cleanMs = 0;
  beforeAll(async () => {
    const dir = tempDir();
    big = join(dir, 'big.log');
    // 8 MB (~800 events, 8 commits of 100): enough for kills mid-run; the watch in the kill test, not the
    // size, is what catches a batch written outside a transaction (16 MB before the watch).
    await generateCapture(big, { bytes: 8e6, seed: 7 });
    const db = join(dir, 'clean.db');
    const t0 = Date.now();
    expect(runCli(['--db', db, '--quiet', '--batch-size', '100', big]).status).toBe(0);
    cleanMs = Date.now() - t0;
    expected = byCode(db);
    expectedEvents = events(db);
    expect(expected.length).toBeGreaterThan(5);
  }, 180_000);

  it('gives exactly the totals of one clean run after kills at random points', { timeout: 300_000 }, async () => {
    // Half the trials are killed at a random time from start-up to well inside a clean run; the other
    // half as soon as the store shows a random number of events, just after a commit, where a batch
    // written in pieces is caught half-written. Measured with the batch written outside a transaction
    // (a kill mid-batch loses events): 20 random-time trials caught it 4-5 times, 8 trials 0-2 times;
    // a trial killed at a stored event catches it every time (10 of 10); the watch (helpers.watchStore)
    // sees the half-written batch itself, in the first trial (3 of 3 runs of such a build, /tmp).
    const trials = trialsHere('kills at random points', 8, 4);
    const dir = tempDir();
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const delays = killDelays(rand, cleanMs, 0.6);
    let killedMidway = 0;
    for (let trial = 0; trial < trials; trial++) {
      // The clean run was timed once, and a trial that runs faster than it (less load at that moment)
      // must still be killed midway (0.9 of the clean time let 9 of 20 trials finish first in a loaded
      // full-suite run): a trial whose run ended before its kill is made again, its re-run checked too
      // (helpers.killedMidwayWithin). Meanwhile no snapshot may show a batch half-written.
      const midway = await killedMidwayWithin(3, async (attempt) => {
        const db = join(dir, `k${trial}-${attempt}.db`);
        const child = spawn(process.execPath, [BIN, '--db', db, '--quiet', '--batch-size', '100', big], { stdio: 'ignore' });
        const halfWritten = await watchStore(db, child, trial % 2 ? { events: 1 + Math.floor(rand() * expectedEvents * 0.8) } : { ms: delays.next() });
        const killed = await killMidway(child);
        if (!killed && trial % 2 === 0) delays.finishedFirst();
        expect(halfWritten, 'snapshots where the events and their counts disagreed').toBe(0);
        const again = runCli(['--db', db, '--quiet', big]);
        expect(again.status).toBe(0);
        expect(byCode(db)).toEqual(expected);
        return killed;
      });
      if (midway) killedMidway++;
    }
    expect(killedMidway, 'trials killed midway within 3 attempts').toBe(trials);
  });

  it('commits what was read on SIGTERM and exits 130; a re-run completes', async () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    // stdin held open after the data: the run is certainly still going when the signal comes
    const child = spawn(process.execPath, [BIN, '--db', db, '--batch-size', '100'], { stdio: ['pipe', 'ignore', 'pipe'] });
    const data = readFileSync(big);
    child.stdin.on('error', () => {}); // the pipe closes when it exits; that is not this test's failure
    child.stdin.write(data.subarray(0, data.length >> 1));
    // Signal once the run has claimed its source (its handler is in place by then), however slow the start.
    const claimed = () => {
      try {
        return query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM sources')[0]!.n > 0;
      } catch {
        return false; // not created yet
      }
    };
    await waitFor(claimed, 30_000);
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    child.stdin.destroy();
    expect(code).toBe(130);
    const partial = query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM events')[0]!.n;
    expect(partial).toBeGreaterThan(0);
    expect(runCli(['--db', db, '--quiet', big]).status).toBe(0);
    expect(byCode(db)).toEqual(expected);
  });

  it('two runs started together on one database, with overlapping inputs, give exact totals', async () => {
    const dir = tempDir();
    const db = join(dir, 'c.db');
    const other = join(dir, 'other.log');
    copyFileSync(FIXTURE, other);
    const run = (args: string[]) =>
      new Promise<number>((resolve) => spawn(process.execPath, [BIN, '--db', db, '--quiet', '--batch-size', '200', ...args], { stdio: 'ignore' }).once('exit', (c) => resolve(c ?? -1)));
    const codes = await Promise.all([run([big, other]), run([other, big])]);
    expect(codes).toEqual([0, 0]);
    const want = new Map(expected.map((r) => [r.code, r.n]));
    for (const [code, n] of [[2333, 1], [1636, 1], [10002, 1], [10001, 2], [401, 1], [429, 1], [10018, 1], [10025, 1], [10013, 1], [413, 1], [1577, 1], [10008, 1], [2004, 1], [77777, 1]] as const) {
      want.set(code, (want.get(code) ?? 0) + n);
    }
    expect(byCode(db)).toEqual([...want].map(([code, n]) => ({ code, n })).sort((a, b) => a.code - b.code));
  });
});
