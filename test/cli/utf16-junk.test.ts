/**
 * A UTF-16 capture with a junk head before its BOM (a shell's banner and prompt written before PowerShell's `>`
 * output, in UTF-8): its code units start after the junk. Read by parity from byte 0, an odd-length head turned
 * UTF-16LE into BE (every CJK character of an excerpt garbled, the head's last line merged into the capture's
 * first) and an even-length one merged the head into the capture's first line (an exactly-once review's find).
 * Now the head's bytes are lines of their own and the capture is read from its BOM: its events are those of the
 * clean UTF-16 file, each on its line after the head's lines, with their text; a resumed run stores what one
 * clean run does. All but the control (no head) fail on the code before.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, expectResumeAsClean, query, runCli, tempDir } from '../helpers.js';

const TEXT = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8');
const LE = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]);
const BE = Buffer.from(LE).swap16();
/** Junk heads of odd and even length, in UTF-8 (the prompt's CJK too), each ending its line. */
const ODD = 'Windows PowerShell\r\nPS C:\\日志> adb logcat -d > log.txt\r\n';
const EVEN = ODD.replace('-d ', '-d  ');

interface Row {
  line: number;
  code: number;
  time: string | null;
  tag: string;
  excerpt: string;
  pid: number | null;
}

function events(name: string, bytes: Buffer): Row[] {
  const dir = tempDir();
  const f = join(dir, name);
  writeFileSync(f, bytes);
  const db = join(dir, 't.db');
  const r = runCli(['--db', db, '--quiet', f]);
  expect(r.status, r.stderr).toBe(0);
  return query<Row>(db, 'SELECT line, code, time, tag, excerpt, pid FROM events ORDER BY line, code');
}

const shifted = (rows: Row[], by: number): Row[] => rows.map((r) => ({ ...r, line: r.line + by }));

describe('a UTF-16 capture after a junk head', () => {
  const clean = events('clean.log', LE);
  const junkLines = ODD.split('\n').length - 1;

  it('the control: the clean capture has its events and its CJK text', () => {
    expect(clean.length).toBeGreaterThan(40);
    expect(clean.some((r) => /[\u4e00-\u9fff]/.test(r.excerpt))).toBe(true);
  });

  for (const [what, junk] of [['odd', ODD], ['even', EVEN]] as const) {
    expect(Buffer.byteLength(junk) % 2, what).toBe(what === 'odd' ? 1 : 0);
    it(`UTF-16LE after a junk head of ${what} length: the clean file's events, after the head's lines`, () => {
      expect(events(`${what}.log`, Buffer.concat([Buffer.from(junk), LE]))).toEqual(shifted(clean, junkLines));
    });
  }

  it("the same through stdin: the clean file's events, after the head's lines", () => {
    const db = join(tempDir(), 't.db');
    const r = runCli(['--db', db, '--quiet'], { input: Buffer.concat([Buffer.from(ODD), LE]) });
    expect(r.status, r.stderr).toBe(0);
    expect(query<Row>(db, 'SELECT line, code, time, tag, excerpt, pid FROM events ORDER BY line, code')).toEqual(shifted(clean, junkLines));
  });

  it('UTF-16BE after a junk head of odd length: the same events', () => {
    expect(events('be.log', Buffer.concat([Buffer.from(ODD), BE]))).toEqual(shifted(clean, junkLines));
  });

  it('an event in the junk head itself is read as the UTF-8 line it is', () => {
    const line = TEXT.split('\n')[clean[0]!.line - 1]!;
    const rows = events('event-in-head.log', Buffer.concat([Buffer.from(`${ODD}${line}\n`), LE]));
    expect(rows[0]).toEqual({ ...clean[0], line: junkLines + 1 });
    expect(rows.slice(1)).toEqual(shifted(clean, junkLines + 1));
  });

  it('resumed after an append cut mid-line, a run stores what one clean run does (odd head)', () => {
    // twice the capture, so that the lines a resumed run reads again (up to 512 KiB of UTF-16 before its resume
    // point) start inside it, not at its head
    const all = Buffer.concat([Buffer.from(ODD), LE, Buffer.from(TEXT, 'utf16le')]);
    expect(all.length * 0.8).toBeGreaterThan(2 * 512 * 1024);
    // cuts in the middle of a code unit: past the head and a few lines into the capture, and far beyond
    for (const cut of [Buffer.byteLength(ODD) + 1001, Math.floor(all.length / 2) | 1, Math.floor(all.length * 0.8)]) {
      expectResumeAsClean(all, cut, [], 'default', `cut at ${cut}`);
    }
  });

  it('resumed from a run that stopped inside the junk head (read as UTF-8 then): one clean run, file and stdin', () => {
    // the head ended there, so that run read it as UTF-8 lines; the grown capture's rest of the head is UTF-8 still
    // (read as UTF-16 from that offset, an odd head's capture gave 0 of 80 events: round eighteen's review)
    for (const junk of [ODD, EVEN]) {
      const all = Buffer.concat([Buffer.from(junk), LE]);
      const headEnd = Buffer.byteLength(junk);
      for (const cut of [5, junk.indexOf('\n') + 1, headEnd - 3, headEnd + 1]) {
        // (stdin resumes only past a whole line: a first run that read none stored no offset)
        for (const how of cut > junk.indexOf('\n') ? (['default', 'stdin'] as const) : (['default'] as const)) expectResumeAsClean(all, cut, [], how, `head of ${headEnd} bytes, cut at ${cut}`);
      }
    }
    // many runs of the bin: 19 s alone, 49–87 s in CI dry runs beside helper sessions (past the 60 s default)
  }, 300_000);

  it('--year reads the last stamp of a capture after an odd junk head (the year of its last line, across New Year)', () => {
    // the capture's day made New Year's Eve, and a last line on New Year's Day: --year 2024 names that line's year
    const text = TEXT.replace(/^03-17 /gm, '12-31 ') + '01-01 00:00:01.000  1702  1702 I ActivityManager: a new year\n';
    const dir = tempDir();
    const f = join(dir, 'year.log');
    writeFileSync(f, Buffer.concat([Buffer.from(ODD), Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const db = join(dir, 't.db');
    const r = runCli(['--db', db, '--quiet', '--year', '2024', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(query(db, 'SELECT DISTINCT substr(time, 1, 10) AS day FROM events')).toEqual([{ day: '2023-12-31' }]);
  });
});
