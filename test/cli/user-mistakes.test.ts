/**
 * User mistakes and bad input, each through the real bin: one line naming the file or flag and what to do,
 * an exit code from README's table, no stack trace, no hang (an adversarial hunt's finds).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, query, runCli, tempDir, writeZip } from '../helpers.js';

const FIXTURE = join(FIXTURES, 'guard-threadtime.log');

function oneLine(r: SpawnSyncReturns<string>, status: number, pattern: RegExp): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.status).toBe(status);
}

describe('a database the user cannot write', () => {
  // root writes anyway: run as nobody, for whom mode 444 holds; the folder is writable, so the WAL opens.
  const readOnlyStore = () => {
    const dir = tempDir();
    chmodSync(dir, 0o777);
    const db = join(dir, 'ro.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    chmodSync(db, 0o444);
    return db;
  };

  it('prune: one line naming the file and chmod, exit 4, not a stack trace', () => {
    const db = readOnlyStore();
    oneLine(runCli(['prune', '--db', db, '--older-than', '1h'], { uid: 65534 }), 4, /ro\.db: the database is read-only .*chmod 600/);
    expect(query<{ n: number }>(db, 'SELECT count(*) AS n FROM events')[0]!.n).toBe(15);
  });

  it('ingest: the same words when the file is read-only but its folder is not', () => {
    oneLine(runCli(['--db', readOnlyStore(), '--quiet', join(FIXTURES, 'context-causes.log')], { uid: 65534 }), 4, /ro\.db: the database is read-only .*chmod 600/);
  });
});

describe('prune never creates a database', () => {
  it('a --db that does not exist is "no database at", exit 4, and no file is made', () => {
    const db = join(tempDir(), 'typo.db');
    oneLine(runCli(['prune', '--db', db, '--older-than', '90d']), 4, /no database at .*typo\.db/);
    expect(existsSync(db)).toBe(false);
  });
});

describe("another program's SQLite database given as --db", () => {
  it('ingest, report and sql refuse it in one line, exit 4, and leave its bytes as they were', () => {
    for (const tables of [['users', 'events'], ['notes']]) {
      const db = join(tempDir(), 'app.db');
      const conn = new Database(db);
      for (const t of tables) conn.exec(`CREATE TABLE ${t} (id INTEGER)`);
      conn.close();
      const before = readFileSync(db);
      // Before: with an events table, "table events already exists"; without, our tables were added among its own
      // (and the file turned to WAL); a report called it an empty database.
      oneLine(runCli(['--db', db, '--quiet', FIXTURE]), 4, /app\.db: an SQLite database of another program \(its tables: [a-z, ]+\); it was left untouched/);
      oneLine(runCli(['report', '--db', db]), 4, /an SQLite database of another program/);
      oneLine(runCli(['sql', '--db', db, 'SELECT 1']), 4, /an SQLite database of another program/);
      expect(readFileSync(db).equals(before), `${tables}: the file was changed`).toBe(true);
    }
  });

  it('an empty SQLite file (no tables) is still made a store', () => {
    const db = join(tempDir(), 'empty.db');
    new Database(db).close();
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    expect(query<{ n: number }>(db, 'SELECT count(*) AS n FROM events')[0]!.n).toBeGreaterThan(0);
  });
});

describe('flags checked before a run', () => {
  it.each([['0'], ['-5'], ['abc'], ['2.5']])('--batch-size %s: one line, exit 2, nothing stored', (v) => {
    const db = join(tempDir(), 't.db');
    oneLine(runCli(['--db', db, '--batch-size', v, '--quiet', FIXTURE]), 2, new RegExp(`--batch-size ${v}: expected a whole number of 1 or more`));
    expect(existsSync(db)).toBe(false);
  });

  it.each([
    ['--year', 'abc', /--year abc: expected a year/],
    ['--busy-timeout', 'soon', /--busy-timeout soon: expected a whole number of milliseconds/],
  ])('%s %s names what was typed, not NaN', (flag, v, want) => {
    const db = join(tempDir(), 't.db');
    oneLine(runCli(['--db', db, flag, v, '--quiet', FIXTURE]), 2, want);
  });

  it('--since after --until: one line, exit 2, in an ingest (nothing stored) and in a report', () => {
    const db = join(tempDir(), 't.db');
    oneLine(runCli(['--db', db, '--since', '2026-03-18', '--until', '2026-03-17', '--quiet', FIXTURE]), 2, /--since "2026-03-18" is not before --until "2026-03-17": no time is in between; swap them/);
    expect(existsSync(db)).toBe(false);
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    oneLine(runCli(['report', '--db', db, '--since', '2026-03-18', '--until', '2026-03-18']), 2, /is not before --until/);
    // the right way round still reports
    expect(runCli(['report', '--db', db, '--since', '2026-03-17', '--until', '2026-03-18', '--format', 'json']).status).toBe(0);
  });

  it('migrate --to mysql://: not a store authing-triage knows, exit 2, nothing made', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    oneLine(runCli(['migrate', '--from', db, '--to', 'mysql://u@h/triage'], { cwd: dir }), 2, /--to "mysql:\/\/\*\*\*@h\/triage": not a store authing-triage knows/);
    expect(existsSync(join(dir, 'mysql:'))).toBe(false);
  });
});

describe('a config file value is named by its file and key, not by a flag the user never gave', () => {
  it.each([
    [{ tz: 'Mars/Base' }, /cfg\.json: key "tz": "Mars\/Base": unknown time zone/],
    [{ retention: 'yesterday' }, /cfg\.json: key "retention": "yesterday": expected an age/],
    [{ failOn: ['network>>1'] }, /cfg\.json: key "failOn": "network>>1": expected NAME>N/],
    [{ db: 'mysql://x/y' }, /cfg\.json: key "db": "mysql:\/\/x\/y": not a store authing-triage knows/],
  ])('%j', (cfg, pattern) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify(cfg));
    const db = 'db' in cfg ? [] : ['--db', join(dir, 't.db')];
    const r = runCli(['--config', join(dir, 'cfg.json'), ...db, '--quiet', FIXTURE], { cwd: dir });
    oneLine(r, 2, pattern);
    expect(r.stderr).not.toMatch(/--tz|--fail-on|--db|^authing-triage: retention/);
  });

  it('a UTF-8 byte order mark (Notepad) before the JSON is read as the JSON', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cfg.json'), `\uFEFF${JSON.stringify({ db: 'bom.db' })}`);
    const r = runCli(['--config', join(dir, 'cfg.json'), '--quiet', FIXTURE], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'bom.db'))).toBe(true);
  });
});

describe('an --out file on a full disk', () => {
  let mnt: string;
  beforeAll(() => {
    mnt = join(tempDir(), 'full');
    mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' });
    expect(m.status, `mount a tmpfs: ${m.stderr}`).toBe(0);
    writeFileSync(join(mnt, 'fill'), Buffer.alloc(0));
    spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=4k', 'count=64']);
  });
  afterAll(() => {
    spawnSync('umount', [mnt]);
  });

  it('is an output error naming the file, exit 3 (not the database\'s "what was committed stays"), and no empty file is left', () => {
    const db = join(tempDir(), 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    for (const args of [['sql', 'SELECT * FROM events', '-f', 'csv', '-o', join(mnt, 'r.csv')], ['report', '--by', 'code', '-o', join(mnt, 'r.html')]]) {
      const r = runCli([...args, '--db', db]);
      oneLine(r, 3, /full[/\\]r\.(csv|html): cannot write the report \(ENOSPC/);
      expect(r.stderr).not.toMatch(/committed/);
      expect(existsSync(args.at(-1)!)).toBe(false);
    }
  });
});

describe('a FIFO with no writer, or a writer that writes nothing', () => {
  it.each([['SIGTERM', false], ['SIGINT', false], ['SIGTERM', true]] as const)('%s ends the wait (idle writer: %s): exit 130 within seconds, not a wait forever', async (signal, writer) => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // holds the FIFO open for writing and writes nothing (`adb logcat > pipe` of a quiet device)
    const idle = writer ? spawn('sh', ['-c', `exec 3>"$1"; sleep 60`, 'sh', fifo]) : undefined;
    const db = join(dir, 't.db');
    const p = spawn(process.execPath, [BIN, '--db', db, '--quiet', fifo], { env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '' } });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const closed = new Promise<number | null>((res) => p.on('close', res));
    await new Promise((res) => setTimeout(res, 1500));
    p.kill(signal);
    const code = await Promise.race([closed, new Promise<string>((res) => setTimeout(() => res('still waiting 8 s after the signal'), 8000))]);
    if (code === 'still waiting 8 s after the signal') p.kill('SIGKILL');
    idle?.kill('SIGKILL');
    expect(err).not.toMatch(/^\s+at /m);
    expect(code).toBe(130);
  });
});

describe('sql prints integers beyond 2^53 exactly', () => {
  const q = "SELECT 9007199254740993 AS n, -9223372036854775808 AS lo, 9223372036854775807 AS hi, 2 AS i, 1.5 AS f, 'x' AS s, NULL AS z";
  it.each([
    ['json', '[\n  {\n    "n": 9007199254740993,\n    "lo": -9223372036854775808,\n    "hi": 9223372036854775807,\n    "i": 2,\n    "f": 1.5,\n    "s": "x",\n    "z": null\n  }\n]\n'],
    ['csv', 'n,lo,hi,i,f,s,z\r\n9007199254740993,-9223372036854775808,9223372036854775807,2,1.5,x,\r\n'],
    ['md', '| n | lo | hi | i | f | s | z |\n| --- | --- | --- | --- | --- | --- | --- |\n| 9007199254740993 | -9223372036854775808 | 9223372036854775807 | 2 | 1.5 | x |  |\n'],
    ['table', 'n                 lo                    hi                   i  f    s  z\n9007199254740993  -9223372036854775808  9223372036854775807  2  1.5  x\n'],
  ])('-f %s, on stdout and in an -o file', (format, want) => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    // Before: 9007199254740992, -9223372036854776000, 9223372036854776000
    const r = runCli(['sql', '--db', db, '-f', format, q]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(want);
    expect(runCli(['sql', '--db', db, '-f', format, '-o', join(dir, 'out'), q]).status).toBe(0);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe(want);
  });

  it('a big integer stored in the database, over many rows (the streamed pages)', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    const conn = new Database(db);
    conn.exec('CREATE TABLE big (n INTEGER)');
    const ins = conn.prepare('INSERT INTO big VALUES (?)').safeIntegers(true);
    for (let i = 0n; i < 2500n; i++) ins.run(2n ** 62n + i);
    conn.close();
    const r = runCli(['sql', '--db', db, '-f', 'json', 'SELECT n FROM big ORDER BY n']);
    expect(r.stderr).toBe('');
    const nums = [...r.stdout.matchAll(/"n": (\d+)/g)].map((m) => BigInt(m[1]!));
    expect(nums).toHaveLength(2500);
    expect(nums.every((n, i) => n === 2n ** 62n + BigInt(i))).toBe(true);
    const csv = runCli(['sql', '--db', db, '-f', 'csv', 'SELECT n FROM big ORDER BY n DESC LIMIT 1']);
    expect(csv.stdout).toBe(`n\r\n${2n ** 62n + 2499n}\r\n`);
  });
});

describe('sql with no statement in its query', () => {
  it.each([['-- hi'], ['   '], [';;'], [' ; ; '], ['/* a comment */'], ['-- one\n-- two\n']])('%j: one line saying so, exit 2', (q) => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    // Before: "SQL error: The supplied SQL string contains no statements", or for "-- hi" yargs' "Not enough non-option arguments"
    oneLine(runCli(['sql', '--db', db, q]), 2, /sql: the query holds no SQL statement \(only comments, blanks or semicolons\); give one, e.g\. authing-triage sql "SELECT \* FROM v_counts_by_category"/);
  });

  it('a query that starts with a "-- " comment is run', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    const r = runCli(['sql', '--db', db, '-- how many\nSELECT count(*) AS n FROM events']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([{ n: 15 }]);
  });

  it('a query that starts with "--" and no blank is the query, not a flag, wherever the flags are', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    const none = /^authing-triage: sql: the query holds no SQL statement \(only comments, blanks or semicolons\)/;
    // Before: yargs took it for a flag, "Not enough non-option arguments: got 0, need at least 1"
    for (const args of [['sql', '--db', db, '--hi'], ['sql', '--hi', '--db', db, '-f', 'csv'], ['--db', db, 'sql', '--hi'], ['sql', '--db', db, '--select 1']]) oneLine(runCli(args), 2, none);
    const r = runCli(['sql', '--db', db, '--how-many\nSELECT count(*) AS n FROM events', '-f', 'csv']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('n\r\n15\r\n');
  });

  // (ran before too: a check that the change keeps it)
  it('sql -- QUERY runs the query, one that starts with a dash too', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    const r = runCli(['sql', '--db', db, '-f', 'csv', '--', 'SELECT count(*) AS n FROM events']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('n\r\n15\r\n');
    const c = runCli(['sql', '--db', db, '-f', 'csv', '--', '--how-many\nSELECT 2 AS n']);
    expect(c.stderr).toBe('');
    expect(c.stdout).toBe('n\r\n2\r\n');
    oneLine(runCli(['sql', '--db', db, '--', '--hi']), 2, /sql: the query holds no SQL statement/);
  });

  it('no query at all, and a mistyped flag that took the query or a word for its value: one line each, exit 2', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    // Before: each "Not enough non-option arguments: got 0, need at least 1; see authing-triage --help"
    oneLine(runCli(['sql', '--db', db]), 2, /^authing-triage: sql: no query given; give one, e\.g\. authing-triage sql "SELECT \* FROM v_counts_by_category"$/m);
    oneLine(runCli(['sql', '--db', db, '--']), 2, /^authing-triage: sql: no query given/);
    oneLine(runCli(['sql', '--db', db, '--fromat', 'csv']), 2, /^authing-triage: unknown flag --fromat: did you mean --format\? \(see authing-triage sql --help\)$/m);
    oneLine(runCli(['sql', '--db', db, '--hi', '--', 'SELECT 1']), 2, /^authing-triage: unknown flag --hi \(see authing-triage sql --help\)$/m);
    // as before: a query beside it leaves a mistyped flag one
    oneLine(runCli(['sql', '--db', db, '--fromat', 'csv', 'SELECT 1']), 2, /unknown flag --fromat: did you mean --format\?/);
  });
});

describe('an empty path argument', () => {
  it.each([[['']], [['', FIXTURE]], [[FIXTURE, '']]])('%j: one line naming the empty path, exit 2, nothing stored', (paths) => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    // Before: "authing-triage: : no such file or directory", exit 3
    oneLine(runCli(['--db', db, '--quiet', ...paths]), 2, /an empty path \(""\) was given .*give a file, a folder or - for stdin/);
    expect(existsSync(db)).toBe(false);
  });
});

describe('a bugreport zip with an entry whose name leaves the archive (zip-slip)', () => {
  const SECTION = '------ SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v) ------\n';
  /** A zip of these entries, each name's `@@@` written as `../` after yazl (which refuses such a name) made it. */
  const hostileZip = async (file: string, entries: Record<string, string>) => {
    await writeZip(file, entries);
    let bytes = readFileSync(file);
    for (const name of Object.keys(entries)) {
      if (!name.includes('@@@')) continue;
      const from = Buffer.from(name);
      const to = Buffer.from(name.replaceAll('@@@', '../'));
      for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + 1)) to.copy(bytes, at);
    }
    writeFileSync(file, bytes);
  };

  it('reads the other entries and skips that one, with a warning naming it (escaped); nothing is written outside', async () => {
    const dir = tempDir();
    const zip = join(dir, 'bug.zip');
    const capture = readFileSync(FIXTURE, 'utf8');
    await hostileZip(zip, {
      '@@@@@@bugreport-evil.txt': SECTION + capture,
      'FS/@@@\x1b[31mbugreport-red.txt': SECTION + capture,
      'bugreport-good.txt': SECTION + capture,
    });
    expect(readFileSync(zip).includes('../../bugreport-evil.txt')).toBe(true);
    const db = join(dir, 't.db');
    // Before: "bug.zip: corrupt zip (invalid relative path: ../../bugreport-evil.txt)", exit 3, nothing read
    const r = runCli(['--db', db, '--quiet', zip]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain('\x1b');
    expect(r.stderr.trim().split('\n'), r.stderr).toEqual([
      `authing-triage: ${zip}: 2 entries whose names leave the archive were skipped (../../bugreport-evil.txt, FS/../\\e[31mbugreport-red.txt); the other entries were read`,
    ]);
    expect(r.status).toBe(0);
    expect(query<{ n: number }>(db, 'SELECT count(*) AS n FROM events')[0]!.n).toBe(15);
    expect(query<{ name: string }>(db, 'SELECT name FROM sources').map((s) => s.name)).toEqual([`${zip}!bugreport-good.txt`]);
    expect(existsSync(join(dir, '..', 'bugreport-evil.txt'))).toBe(false);
    expect(existsSync(join(dir, '..', '..', 'bugreport-evil.txt'))).toBe(false);
    expect(readdirSync(dir).filter((f) => !f.startsWith('t.db'))).toEqual(['bug.zip']);
  });

  it('a zip whose only bugreport entry is hostile: one line, exit 3, no database made', async () => {
    const dir = tempDir();
    const zip = join(dir, 'bug.zip');
    const entries: Record<string, string> = { '@@@bugreport-evil.txt': SECTION + readFileSync(FIXTURE, 'utf8') };
    for (let i = 0; i < 5; i++) entries[`@@@@@@x${i}.txt`] = 'x';
    await hostileZip(zip, entries);
    oneLine(runCli(['--db', join(dir, 't.db'), '--quiet', zip]), 3, /bug\.zip: 6 entries whose names leave the archive were skipped \(\.\.\/bugreport-evil\.txt, \.\.\/\.\.\/x0\.txt, \.\.\/\.\.\/x1\.txt and 3 more\), and no other bugreport\*\.txt is inside; nothing to read/);
    expect(readdirSync(dir)).toEqual(['bug.zip']);
  });
});

describe('--db :memory: (SQLite\'s in-memory database)', () => {
  it('an ingest keeps nothing and prints its report and summary as usual; no file named :memory: (or its -wal) is made', () => {
    const dir = tempDir();
    // Before: a file named ":memory:" (mode 600, 650 KB) in the current folder, which the next run counted from.
    for (let run = 0; run < 2; run++) {
      const r = runCli(['--db', ':memory:', FIXTURE], { cwd: dir });
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/social-login\s+3/);
      // the second run counts the capture again: nothing was kept, so nothing is "already counted"
      expect(r.stderr).toMatch(/15 events in 180 lines/);
      expect(readdirSync(dir)).toEqual([]);
    }
    const j = runCli(['--db', ':memory:', '--json-summary', '--quiet', FIXTURE], { cwd: dir });
    expect(j.status, j.stderr).toBe(0);
    expect((JSON.parse(j.stdout) as { events: number }).events).toBe(15);
    // from stdin too, and with a config file's "db" and its "retention", and from AUTHING_TRIAGE_DB
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ db: ':memory:', retention: '90d' }));
    const c = runCli(['--quiet', '--json-summary', '-'], { cwd: dir, input: readFileSync(FIXTURE) });
    expect(c.status, c.stderr).toBe(0);
    expect((JSON.parse(c.stdout) as { events: number }).events).toBe(15);
    const e = runCli(['--config', join(dir, '.authing-triage.json'), '--quiet', '--json-summary', FIXTURE], { cwd: tempDir(), env: { AUTHING_TRIAGE_DB: ':memory:' } });
    expect(e.status, e.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['.authing-triage.json']);
  });

  it.each([
    [['report']],
    [['sql', 'SELECT 1']],
    [['prune', '--older-than', '90d']],
    [['show', '1']],
    [['rescan', FIXTURE]],
    [['watch']],
  ])('%j --db :memory:: one line saying there is nothing to read, exit 2, and no file', (args) => {
    const dir = tempDir();
    // Before: report and sql "cannot open the database (In-memory/temporary databases cannot be readonly)", exit 4;
    // prune "pruned :memory:: 0 events" and a file named ":memory:"
    oneLine(runCli([...args, '--db', ':memory:'], { cwd: dir }), 2, /^authing-triage: --db :memory:: an in-memory database .*; give --db (the|a) database file/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('migrate --from :memory: and --to :memory:: one line each, exit 2, and no file', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', FIXTURE]).status).toBe(0);
    oneLine(runCli(['migrate', '--from', ':memory:', '--to', db], { cwd: dir }), 2, /--from :memory:: an in-memory database/);
    oneLine(runCli(['migrate', '--from', db, '--to', ':memory:'], { cwd: dir }), 2, /--to :memory:: an in-memory database/);
    expect(readdirSync(dir).filter((f) => !f.startsWith('t.db'))).toEqual([]);
  });

  it("the ingest's --help says --db takes :memory:; the help of the commands that refuse it does not", () => {
    // Before: every --db said "SQLite database file, or postgres://user@host/db": :memory: was found only in README.
    const dbHelp = (args: string[]): string => {
      const r = runCli([...args, '--help'], { env: { COLUMNS: '200' } });
      expect(r.status, r.stderr).toBe(0);
      const line = r.stdout.split('\n').find((l) => /^\s+--db\s/.test(l));
      expect(line, r.stdout).toBeDefined();
      return line!.replace(/\s+/g, ' ');
    };
    expect(dbHelp([])).toContain(':memory: to keep nothing');
    for (const cmd of ['report', 'sql', 'watch', 'rescan']) expect(dbHelp([cmd]), cmd).not.toContain(':memory:');
  });

  it('explain --db :memory: explains the code, with no counts (nothing was kept)', () => {
    const dir = tempDir();
    const r = runCli(['explain', '2004', '--db', ':memory:'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2004/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('an empty --db', () => {
  it.each([[[FIXTURE]], [['report']], [['sql', 'SELECT 1']]])('%j --db "": one line, exit 2, nothing made', (args) => {
    const dir = tempDir();
    // Before: ": cannot create the database (ENOENT); check the folder exists and is writable", exit 4
    oneLine(runCli(['--db', '', ...args], { cwd: dir }), 2, /^authing-triage: --db "": empty; give a database file path or a postgres:\/\/ URL$/m);
    expect(readdirSync(dir)).toEqual([]);
  });
});
