/** Faults: a full disk, a corrupt or foreign database, a database locked past the timeout, SIGPIPE. */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, expectSameBytes, query, runCli, tempDir } from '../helpers.js';
// @ts-expect-error plain JS module shared with the benchmark
import { generateCapture } from '../../bench/generate.mjs';

const FIXTURE = join(FIXTURES, 'guard-threadtime.log');
const byCode = (db: string) => query<{ code: number; n: number }>(db, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code ORDER BY code');

describe('a full disk', () => {
  let mnt: string;
  let big: string;
  beforeAll(async () => {
    const dir = tempDir();
    big = join(dir, 'big.log');
    // 12 MB at 10% (was 30 MB at 5%): a whole run's store is 2.7 MB (3.1 MB before), more than the 2 MiB
    // disk holds without counting the WAL, so the disk fills mid-run, which the exit code 4 and the
    // committed events asserted below show. At 5% the store is 1.6 MB: only the WAL filled the disk.
    await generateCapture(big, { bytes: 12e6, seed: 3, authingRate: 0.1 });
    mnt = join(dir, 'small-disk');
    mkdirSync(mnt);
    // A real ENOSPC: a 2 MiB tmpfs (this runs as root here and in CI); the registry alone takes about
    // 0.6 MiB of a store since every code carries its text in both languages.
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { encoding: 'utf8' });
    expect(m.status, `mount a tmpfs: ${m.stderr}`).toBe(0);
  });
  afterAll(() => {
    spawnSync('umount', [mnt]);
  });

  it('stops with a one-line error and exit 4, keeps what was committed, and a re-run completes exactly', { timeout: 180_000 }, () => {
    const db = join(mnt, 'full.db');
    const r = runCli(['--db', db, '--quiet', '--batch-size', '500', big]);
    expect(r.status).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(/^authing-triage: the disk is full .*re-run, nothing is counted twice$/);
    const partial = query<{ n: number }>(db, 'SELECT COALESCE(SUM(count), 0) AS n FROM counts_hourly')[0]!.n;
    expect(query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM events')[0]!.n).toBe(partial);
    // more room, then the same command again
    expect(spawnSync('mount', ['-o', 'remount,size=256m', mnt]).status).toBe(0);
    expect(runCli(['--db', db, '--quiet', big]).status).toBe(0);
    const clean = join(tempDir(), 'clean.db');
    runCli(['--db', clean, '--quiet', big]);
    expect(partial).toBeGreaterThan(0);
    expect(byCode(db)).toEqual(byCode(clean));
  });
});

describe('the database', () => {
  // The store one run of the fixture makes (15 events), made once; each test works on its own copy (the
  // closed store is one file).
  let stored: string;
  beforeAll(() => {
    stored = join(tempDir(), 'fixture.db');
    expect(runCli(['--db', stored, '--quiet', FIXTURE]).status).toBe(0);
  });
  const copyOfStored = (db: string): string => (copyFileSync(stored, db), db);

  it('refuses a corrupt SQLite file with exit 4 and leaves it byte for byte as it was', () => {
    const dir = tempDir();
    const good = copyOfStored(join(dir, 'good.db'));
    const bad = join(dir, 'bad.db');
    const bytes = readFileSync(good);
    // keep the 100-byte header, scramble the pages
    for (let i = 100; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(bad, bytes);
    const r = runCli(['--db', bad, FIXTURE]);
    expect(r.status).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.db: .*(malformed|not a database|corrupt).*left untouched/);
    expectSameBytes(readFileSync(bad), bytes, 'the corrupt database');
    const rep = runCli(['report', '--db', bad]);
    expect(rep.status).toBe(4);
  });

  it('waits for a lock, then gives up past --busy-timeout with exit 4; nothing is half-written', async () => {
    const dir = tempDir();
    const db = copyOfStored(join(dir, 'l.db'));
    const holder = spawn(process.execPath, ['-e', `
      const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new D(${JSON.stringify(db)}); db.exec('BEGIN EXCLUSIVE'); process.stdout.write('locked\\n'); setTimeout(() => {}, 60000);`]);
    await new Promise((r) => holder.stdout.once('data', r));
    const other = join(dir, 'other.log');
    copyFileSync(join(FIXTURES, '..', '..', 'shared', 'corpus', 'labeled', 'dev-time.log'), other);
    const t0 = Date.now();
    const r = runCli(['--db', db, '--quiet', '--busy-timeout', '300', other]);
    holder.kill();
    expect(r.status).toBe(4);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(r.stderr).toMatch(/^authing-triage: the database is locked by another process past the timeout/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 15 }]);
  });

  it('sql opens read-only: even a write slipped into a SELECT fails', () => {
    const db = copyOfStored(join(tempDir(), 'ro.db'));
    const conn = new Database(db, { readonly: true });
    conn.close();
    const r = runCli(['sql', '--db', db, "WITH x AS (SELECT 1) DELETE FROM events"]);
    expect(r.status).toBe(2);
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 15 }]);
  });
});

describe('signals', () => {
  it('SIGPIPE on a closed reader ends quietly with the committed counts exact after a re-run', () => {
    const dir = tempDir();
    const db = join(dir, 'p.db');
    // The fixture 50 times over, written once and piped by one cat (a cat per copy was 100 processes).
    const input = join(dir, 'fixture-x50.log');
    writeFileSync(input, readFileSync(FIXTURE, 'utf8').repeat(50));
    // The reader starts late (as a loaded machine may start it): the run has queued all its events and reached
    // its end before the pipe closes, and must still end quietly. "Reached its end" is waited for, not slept for:
    // its last commit is seen from another connection (a second's sleep could end first on a loaded machine).
    const ended = `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const t0 = Date.now();
      (function poll() {
        try { const c = new D(${JSON.stringify(db)}, { readonly: true, fileMustExist: true }); const n = c.prepare('SELECT COUNT(*) AS n FROM events').get().n; c.close(); if (n === 750) return; } catch {}
        if (Date.now() - t0 > 60000) { console.error('the run did not store its 750 events within 60 s'); process.exit(1); }
        setTimeout(poll, 20);
      })();`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `cat "${input}" | "${process.execPath}" "${BIN}" --db "${db}" --json | { "${process.execPath}" -e "$ENDED"; head -1; } >/dev/null; echo "triage exit \${PIPESTATUS[1]}"`], { encoding: 'utf8', env: { ...process.env, ENDED: ended } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('triage exit 0\n');
    // Whatever was committed before the pipe closed is consistent, and the same input again completes it.
    const [part] = query<{ events: number; counted: number | null }>(db, 'SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT SUM(count) FROM counts_hourly) AS counted');
    expect(part!.counted ?? 0).toBe(part!.events);
    const again = spawnSync('bash', ['--norc', '--noprofile', '-c', `cat "${input}" | "${process.execPath}" "${BIN}" --db "${db}" --quiet`], { encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(query<{ n: number }>(db, 'SELECT SUM(count) AS n FROM counts_hourly')[0]!.n).toBe(50 * 15);
  });
});
