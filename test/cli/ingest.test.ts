/** The real bin on the bundled fixture: counts, store contents, summary, report and errors. */
import { chmodSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIXTURES, query, runCli, tempDir } from '../helpers.js';

const FIXTURE = join(FIXTURES, 'guard-threadtime.log');
// What the 20 Authing lines of the fixture must give (fixtures/README.md lists them); decoys give nothing.
const EXPECTED_CODES: Record<string, number> = {
  '401': 1, '413': 1, '429': 1, '1577': 1, '1636': 1, '2004': 1, '2333': 1, '10001': 2, '10002': 1,
  '10008': 1, '10013': 1, '10018': 1, '10025': 1, '77777': 1,
};
const EXPECTED_TOTAL = 15;

const ingest = (args: string[], input?: string | Buffer) => {
  const db = join(tempDir(), 'triage.db');
  const r = runCli(['--db', db, ...args], { input });
  return { db, r };
};
let fixtureRun: ReturnType<typeof ingest> | undefined;
/** The fixture read into a new database, once for the tests that only read the store or the run's output. */
const fixtureIngest = () => (fixtureRun ??= ingest([FIXTURE]));
const codeCounts = (db: string) =>
  Object.fromEntries(query<{ code: number; n: number }>(db, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code').map((r) => [String(r.code), r.n]));

describe('ingest', () => {
  it('counts the fixture exactly and stores one row per event', () => {
    const { db, r } = fixtureIngest();
    expect(r.status).toBe(0);
    expect(codeCounts(db)).toEqual(EXPECTED_CODES);
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')[0]).toEqual({ n: EXPECTED_TOTAL });
    const ev = query(db, 'SELECT time, code, method, pid, tid, level, tag, line, excerpt FROM events WHERE code = 1636')[0];
    expect(ev).toMatchObject({ code: 1636, method: 'json', pid: 4672, tid: 4699, level: 'W', tag: 'Guardian' });
    expect(String(ev!.time)).toMatch(/^\d{4}-03-17T\d\d:13:41\.118Z$/);
  });

  it('prints the summary on stderr with categories, top codes, lines and events', () => {
    const { r } = fixtureIngest();
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^CATEGORY\s+EVENTS$/m);
    expect(r.stderr).toMatch(/^network\s+2$/m);
    expect(r.stderr).toMatch(/^10001\s+network\s+2\s+Network error$/m);
    expect(r.stderr).toMatch(/15 events in 180 lines/);
  });

  it('reads stdin when no path is given, and "-"', () => {
    const text = readFileSync(FIXTURE);
    for (const args of [[], ['-']]) {
      const { db, r } = ingest(args, text);
      expect(r.status).toBe(0);
      expect(codeCounts(db)).toEqual(EXPECTED_CODES);
    }
  });

  it('reads gzip, recognised by content rather than name', () => {
    const dir = tempDir();
    const gz = join(dir, 'capture.log');
    writeFileSync(gz, gzipSync(readFileSync(FIXTURE)));
    const { db, r } = ingest([gz]);
    expect(r.status).toBe(0);
    expect(codeCounts(db)).toEqual(EXPECTED_CODES);
  });

  it('counts a code once when the same capture is ingested twice, or a renamed copy', () => {
    const { db } = ingest([FIXTURE]);
    const copy = join(tempDir(), 'renamed.log');
    copyFileSync(FIXTURE, copy);
    const again = runCli(['--db', db, FIXTURE, copy]);
    expect(again.status).toBe(0);
    expect(codeCounts(db)).toEqual(EXPECTED_CODES);
    expect(again.stderr).toMatch(/^0 events in 0 lines/m);
  });

  it('reads only the new lines of a file that grew', () => {
    const dir = tempDir();
    const f = join(dir, 'growing.log');
    const lines = readFileSync(FIXTURE, 'utf8').split('\n');
    writeFileSync(f, lines.slice(0, 90).join('\n') + '\n');
    const db = join(dir, 'g.db');
    runCli(['--db', db, f]);
    const first = query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM events')[0]!.n;
    writeFileSync(f, lines.join('\n'));
    const r = runCli(['--db', db, f]);
    expect(r.status).toBe(0);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(EXPECTED_TOTAL);
    expect(codeCounts(db)).toEqual(EXPECTED_CODES);
    expect(query(db, 'SELECT MIN(line) AS first FROM events WHERE id > ?', first)[0]).toEqual({ first: expect.any(Number) });
  });

  it('creates the database readable by its owner only', () => {
    const { db } = fixtureIngest();
    expect(statSync(db).mode & 0o777).toBe(0o600);
  });

  it('redacts e-mails, phones and tokens in stored excerpts unless --no-redact', () => {
    const { db } = fixtureIngest();
    const ex = query<{ excerpt: string }>(db, 'SELECT excerpt FROM events WHERE code IN (10008, 2004) ORDER BY code').map((r) => r.excerpt);
    expect(ex.join(' ')).not.toMatch(/alice@example\.com|13812345678|eyJhbGci/);
    expect(ex.join(' ')).toMatch(/\[email\].*\[phone\]|\[redacted\]/);
    const raw = ingest([FIXTURE, '--no-redact']);
    expect(query<{ excerpt: string }>(raw.db, 'SELECT excerpt FROM events WHERE code = 10008')[0]!.excerpt).toContain('alice@example.com');
  });

  it('takes the database path from AUTHING_TRIAGE_DB', () => {
    const db = join(tempDir(), 'env.db');
    const r = runCli([FIXTURE, '--quiet'], { env: { AUTHING_TRIAGE_DB: db } });
    expect(r.status).toBe(0);
    expect(codeCounts(db)).toEqual(EXPECTED_CODES);
  });
});

describe('errors', () => {
  it('names a missing file in one line, exits 3, and still reads the others', () => {
    const { db, r } = ingest(['/no/such/file.log', FIXTURE]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^authing-triage: \/no\/such\/file\.log: no such file or directory; skipped, the other inputs were read$/m);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(codeCounts(db)).toEqual(EXPECTED_CODES);
  });

  it('refuses a database that is not SQLite, leaving it untouched, with exit 4', () => {
    const dir = tempDir();
    const db = join(dir, 'notes.db');
    writeFileSync(db, 'my precious notes\n');
    const r = runCli(['--db', db, FIXTURE]);
    expect(r.status).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/notes\.db: not an SQLite database/);
    expect(readFileSync(db, 'utf8')).toBe('my precious notes\n');
  });

  it('exits 2 with a one-line message on an unknown flag', () => {
    const r = runCli(['--frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('authing-triage: unknown flag --frobnicate (see authing-triage --help)\n');
  });

  it('reports a truncated gzip in one line and keeps what was read before the fault', () => {
    const dir = tempDir();
    // 60 copies (was 200): the first half of the gzip still holds whole batches of events, committed before the fault
    const big = Array.from({ length: 60 }, () => readFileSync(FIXTURE, 'utf8')).join('');
    const gz = gzipSync(big);
    const cut = join(dir, 'cut.log.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    const { db, r } = ingest([cut]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cut\.log\.gz: .*(unexpected end|corrupt)/);
    expect(r.stderr).toContain('what was read before the fault is counted');
    const kept = query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM events')[0]!.n;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(60 * EXPECTED_TOTAL);
  });

  it('reports an unreadable file and still counts the readable one', () => {
    const dir = tempDir();
    chmodSync(dir, 0o777);
    const f = join(dir, 'secret.log');
    writeFileSync(f, 'x\n');
    chmodSync(f, 0);
    const db = join(dir, 'u.db');
    // root reads every file, so as root the run is made as nobody (uid 65534).
    const uid = process.getuid?.() === 0 ? 65534 : undefined;
    const r = runCli(['--db', db, f, FIXTURE], { uid });
    expect(r.stderr).toMatch(/^authing-triage: .*secret\.log: permission denied; skipped/m);
    expect(r.status).toBe(3);
    expect(codeCounts(db)).toEqual(EXPECTED_CODES);
  });
});

describe('repeatable flags', () => {
  it('take one value each, so a path after --tag is still a path', () => {
    const db = join(tempDir(), 'n.db');
    const r = runCli(['--db', db, '--tag', 'MainActivity', FIXTURE]);
    expect(r.status).toBe(0);
    expect(codeCounts(db)).toEqual(EXPECTED_CODES);
  });
});
