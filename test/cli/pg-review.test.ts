/**
 * An adversarial review of the PostgreSQL store against SQLite (round twenty), each finding reproduced on a real
 * server (test/pg-server.ts) and failing on the code before:
 * - a damaged line's pid or tid past 2^63 stopped every PostgreSQL run of its source, and of the inputs after it
 *   (bigint out of range, exit 4, again on each run), where SQLite stored a rounded double;
 * - `migrate` dropped the prefix hash of each source: a later file with the same head was taken for the copied one
 *   and resumed past its own events (80 events of 133);
 * - `migrate` after `prune` lost the hourly counts of the pruned events (the copy counted the events alone);
 * - a raw `?` or `#` in a URL's password printed the password (`config`), or a stack trace (any command), and a raw
 *   `@` and `/` showed most of it in the connection error;
 * - `sql` printed an int8 or an integral numeric beyond 2^53 rounded (9007199254740993::bigint as 9007199254740992),
 *   where SQLite's path prints every digit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, pgDatabase, pgQuery, query, runCli, tempDir } from '../helpers.js';

const CAPTURE = join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log');
const SETTINGS = ['--quiet', '--year', '2026', '--tz', 'UTC'];

function ingest(db: string, ...inputs: string[]): void {
  const r = runCli(['--db', db, ...SETTINGS, ...inputs]);
  expect(r.status, r.stderr).toBe(0);
}

type Totals = { sources: number; events: number; counted: number };
async function totalsOf(db: string): Promise<Totals> {
  const one = async (sql: string): Promise<number> =>
    Number(Object.values((db.startsWith('postgres') ? await pgQuery(db, sql) : query(db, sql))[0] as object)[0] ?? 0);
  return {
    sources: await one('SELECT count(*) AS n FROM sources'),
    events: await one('SELECT count(*) AS n FROM events'),
    counted: await one('SELECT coalesce(sum(count), 0) AS n FROM counts_hourly'),
  };
}

describe('PostgreSQL, as SQLite, under hostile and pruned input', () => {
  it('stores a pid or tid past 2^63 as none, on both stores, and counts every other event', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const pid = join(dir, 'pid.log');
    writeFileSync(pid, '03-17 16:13:03.332 9223372036854775807 1235 E Authing : login failed errCode = 2006\n03-17 16:13:04.332  1234 99999999999999999999 E Authing : login failed errCode = 2006\n');
    const sqlite = join(dir, 's.db');
    ingest(sqlite, pid, CAPTURE);
    const url = await pgDatabase();
    // twice: the first failure was stored nowhere, and came back on every run
    for (let i = 0; i < 2; i++) ingest(url, pid, CAPTURE);
    expect(await totalsOf(url)).toEqual(await totalsOf(sqlite));
    const rows = 'SELECT line, pid, tid FROM events WHERE source_id = (SELECT min(source_id) FROM events) ORDER BY line';
    expect(query(sqlite, rows)).toEqual([{ line: 1, pid: null, tid: 1235 }, { line: 2, pid: 1234, tid: null }]);
    expect((await pgQuery(url, rows)).map((r) => ({ ...r, pid: r.pid === null ? null : Number(r.pid), tid: r.tid === null ? null : Number(r.tid) }))).toEqual(query(sqlite, rows));
  });

  it('migrate carries each source\'s prefix hash: a file with the same head is its own source after the copy, both ways', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const all = readFileSync(CAPTURE);
    const cut = all.indexOf(10, 100_000) + 1;
    const end = all.indexOf(10, 250_000) + 1;
    const a = join(dir, 'A.log');
    const b = join(dir, 'B.log');
    writeFileSync(a, all.subarray(0, end));
    // the same first 100 KB, then other bytes (the tail of A with its tag changed: fewer Authing lines)
    writeFileSync(b, Buffer.concat([all.subarray(0, cut), Buffer.from(all.subarray(cut, end).toString('latin1').replaceAll('Authing', 'AUTHING'), 'latin1'), all.subarray(end)]));
    const clean = join(dir, 'clean.db');
    ingest(clean, a, b);
    const s = join(dir, 's.db');
    ingest(s, a);
    const url = await pgDatabase();
    expect(runCli(['migrate', '--from', s, '--to', url]).status).toBe(0);
    const back = join(dir, 'back.db');
    expect(runCli(['migrate', '--from', url, '--to', back]).status).toBe(0);
    for (const db of [url, back]) {
      ingest(db, b);
      expect(await totalsOf(db), db).toEqual(await totalsOf(clean));
    }
    expect((await totalsOf(clean)).sources).toBe(2);
  });

  it('migrate after prune carries the pruned events\' counts, and a copy run again adds none', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const s = join(dir, 's.db');
    ingest(s, CAPTURE);
    const counted = await totalsOf(s);
    const p = runCli(['prune', '--db', s, '--older-than', '90d']);
    expect(p.status, p.stderr).toBe(0);
    const pruned = await totalsOf(s);
    // the capture is of 2026-03, long before now: every event went, every count stayed
    expect(pruned).toEqual({ ...counted, events: 0 });
    const url = await pgDatabase();
    const back = join(dir, 'back.db');
    const local = join(dir, 'local.db');
    for (const [from, to] of [[s, url], [url, back], [s, local]] as const) {
      for (let i = 0; i < 2; i++) {
        const m = runCli(['migrate', '--from', from, '--to', to]);
        expect(m.status, m.stderr).toBe(0);
        expect(m.stderr).not.toMatch(/counted in/);
      }
      expect(await totalsOf(to), to).toEqual(pruned);
      const cut = 'SELECT pruned_before FROM sources';
      expect(to.startsWith('postgres') ? await pgQuery(url, cut) : query(to, cut)).toEqual(query(s, cut));
    }
    const byCode = (db: string) => runCli(['report', '--db', db, '--by', 'code', '--json']).stdout;
    expect(byCode(back)).toBe(byCode(s));
    // and the file again there: already counted, nothing added
    ingest(url, CAPTURE);
    expect(await totalsOf(url)).toEqual(pruned);
  });

  it('never prints a password with a raw ? # @ or / in it, and says what to do in one line', () => {
    for (const [url, secret] of [
      ['postgres://pwuser:s3cr?et@127.0.0.1:1/db', 's3cr?et'],
      ['postgres://pwuser:x#y1@127.0.0.1:1/db', 'x#y1'],
      ['postgres://pwuser:p@ss/wrd@127.0.0.1:1/db', 'ss/wrd'],
      ['postgres://pwuser:p@ss/w?rd#1@127.0.0.1:1/db', 'ss/w?rd'],
    ]) {
      const config = runCli(['config', '--db', url!]);
      expect(config.status).toBe(0);
      expect(config.stdout).toContain('postgres://pwuser:***@127.0.0.1:1/db');
      const r = runCli(['report', '--db', url!, '--busy-timeout', '2000']);
      expect([2, 4]).toContain(r.status);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      for (const out of [config.stdout, config.stderr, r.stdout, r.stderr]) expect(out, url).not.toContain(secret);
    }
    expect(runCli(['report', '--db', 'postgres://pwuser:s3cr?et@127.0.0.1:1/db']).stderr).toBe(
      "authing-triage: postgres://pwuser:***@127.0.0.1:1/db: not a URL the PostgreSQL driver can read; percent-encode the password's @ / ? # : as %40 %2F %3F %23 %3A\n",
    );
  });

  it('sql prints an int8 and an integral numeric beyond 2^53 exactly, in every format, as SQLite does', { timeout: 120_000 }, async () => {
    const url = await pgDatabase();
    ingest(url, CAPTURE);
    // SQLite's query of user-mistakes' "sql prints integers beyond 2^53 exactly", and its answers
    const q = "SELECT 9007199254740993::bigint AS n, (-9223372036854775807 - 1)::bigint AS lo, 9223372036854775807::bigint AS hi, 2::bigint AS i, 1.5 AS f, 'x' AS s, NULL AS z";
    const want: Record<string, string> = {
      json: '[\n  {\n    "n": 9007199254740993,\n    "lo": -9223372036854775808,\n    "hi": 9223372036854775807,\n    "i": 2,\n    "f": 1.5,\n    "s": "x",\n    "z": null\n  }\n]\n',
      csv: 'n,lo,hi,i,f,s,z\r\n9007199254740993,-9223372036854775808,9223372036854775807,2,1.5,x,\r\n',
      md: '| n | lo | hi | i | f | s | z |\n| --- | --- | --- | --- | --- | --- | --- |\n| 9007199254740993 | -9223372036854775808 | 9223372036854775807 | 2 | 1.5 | x |  |\n',
      table: 'n                 lo                    hi                   i  f    s  z\n9007199254740993  -9223372036854775808  9223372036854775807  2  1.5  x\n',
    };
    for (const [format, text] of Object.entries(want)) {
      // Before: 9007199254740992, -9223372036854776000, 9223372036854776000
      const r = runCli(['sql', '--db', url, '-f', format, q]);
      expect(r.stderr, format).toBe('');
      expect(r.stdout, format).toBe(text);
    }
    // stored, and summed (sum of a bigint is a numeric); counts as numbers, as before
    await pgQuery(url, 'CREATE TABLE big (n bigint); INSERT INTO big SELECT (2::numeric ^ 62)::bigint + g FROM generate_series(0, 2) g');
    const r = runCli(['sql', '--db', url, '-f', 'json', 'SELECT n, count(*) AS c FROM big GROUP BY n UNION ALL SELECT sum(n), count(*) FROM big ORDER BY 1']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      '[\n' +
        ['4611686018427387904', '4611686018427387905', '4611686018427387906'].map((n) => `  {\n    "n": ${n},\n    "c": 1\n  },\n`).join('') +
        '  {\n    "n": 13835058055282163715,\n    "c": 3\n  }\n]\n',
    );
  });
});
