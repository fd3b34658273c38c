/**
 * Review of the UTF-8 read that goes on through the decoder at a UTF-16 line (Utf16Watch, f89d50e).
 *
 * Junk: one line of binary junk with NULs in a UTF-8 capture beyond its first 64 KiB (a BOM's bytes and a NUL, or
 * 16-bit numbers one of which is 10: 0A 00 is an LF code unit) made the read go on in UTF-16 to its end, the UTF-8
 * lines after it one line of no events: 29 of 80 stored through stdin, gzip and the plain file, where the build
 * before stored 80. The junk is lines of no events (as many as UTF-8 reads: its byte LFs); the rest as the capture
 * without it, that many lines further on.
 *
 * A UTF-16 part whose first line is CJK text only, after a BOM: the stream's read looked for NULs only, and the first
 * one is that line's LF code unit, after the byte 0A of 上 (0A 4E): the line was cut there and read from the wrong
 * byte, 79 of 80 stored (UTF-16LE) or every event after it a line off (UTF-16BE), where the file (read by the decoder
 * from its head, which sees the BOM) stores what the same lines in UTF-8 store.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SHARED, expectResumeAsClean, runCli, runOnBytes, storedRows, tempDir } from '../helpers.js';
import { TEXT, be, expectRows, le, part, u8 } from '../mixed.js';

const ARGS = ['--tz', 'UTC', '--year', '2026', '--context', '3'];
const AT = 1200; // 165 KB of UTF-8 before: beyond the head the encoding is told from

type Ev = { line: number; code: number; excerpt: string };
const events = (rows: unknown[]): Ev[] => rows[0] as Ev[];

function viaStdin(bytes: Buffer): unknown[] {
  const db = join(tempDir(), 't.db');
  const r = runCli(['--db', db, '--quiet', ...ARGS], { input: bytes });
  expect(r.status, r.stderr).toBe(0);
  return storedRows(db).slice(0, 2);
}
const viaFile = (bytes: Buffer, name = 'f.log'): unknown[] => storedRows(runOnBytes(bytes, ARGS, name).db).slice(0, 2);

describe('binary junk with NULs in a UTF-8 capture beyond its head: every event, each on its line', () => {
  const want = events(viaFile(u8(TEXT)));
  const JUNK: Record<string, number[]> = {
    "a BOM's bytes, a NUL": [0xff, 0xfe, 0x00, 0x01, 0x41, 0x42],
    '16-bit numbers, one of them 10': [0x05, 0x00, 0x0a, 0x00, 0x07, 0x00, 0x08, 0x00],
  };
  for (const [what, junk] of Object.entries(JUNK)) {
    it(`${what}: through stdin, gzip and the file, as without the junk line`, () => {
      const bytes = Buffer.concat([u8(part(0, AT)), Buffer.from(junk), u8('\n'), u8(part(AT))]);
      // (its byte 0A ends a line as UTF-8 reads it)
      const more = 1 + junk.filter((b) => b === 10).length;
      const shifted = want.map((e) => [e.line > AT ? e.line + more : e.line, e.code]);
      expect(want.length).toBe(80);
      for (const [how, rows] of [['stdin', viaStdin(bytes)], ['gzip', viaFile(gzipSync(bytes), 'f.log.gz')], ['file', viaFile(bytes)]] as const) {
        expect(events(rows).map((e) => [e.line, e.code]), `${what}, ${how}`).toEqual(shifted);
      }
    });
  }
});

describe('a UTF-16 part after a BOM whose first line is CJK text only: as the same lines in UTF-8', () => {
  const FIRST = '用户上线';
  const want = viaFile(u8(part(0, AT) + FIRST + '\n' + part(AT)));
  const CASES: Record<string, Buffer> = {
    'UTF-16LE': Buffer.concat([u8(part(0, AT)), Buffer.from([0xff, 0xfe]), le(FIRST + '\n' + part(AT))]),
    'UTF-16BE': Buffer.concat([u8(part(0, AT)), Buffer.from([0xfe, 0xff]), be(FIRST + '\n' + part(AT))]),
  };
  for (const [what, bytes] of Object.entries(CASES)) {
    it(`${what}: the file, stdin and gzip`, () => {
      expect(events(want).length).toBe(80);
      expectRows(viaFile(bytes), want, `${what}, file`);
      expectRows(viaStdin(bytes), want, `${what}, stdin`);
      expectRows(viaFile(gzipSync(bytes), 'f.log.gz'), want, `${what}, gzip`);
    });
  }
});

describe('a UTF-16 part whose lines start with `-v color` codes (ESC), after UTF-8: as the same lines in UTF-8', () => {
  // The review's rule that a UTF-16 line starts with text took ESC for junk: such a part was read as no lines through
  // stdin (29 of 80) and its file counted a line too many.
  const colour = (s: string): string => s.split('\n').map((l) => (l ? `\x1b[31m${l}\x1b[0m` : l)).join('\n');
  it('the file, stdin and gzip', () => {
    const want = viaFile(u8(part(0, AT) + colour(part(AT))));
    expect(events(want).length).toBe(80);
    const bytes = Buffer.concat([u8(part(0, AT)), le(colour(part(AT)))]);
    expectRows(viaFile(bytes), want, 'file');
    expectRows(viaStdin(bytes), want, 'stdin');
    expectRows(viaFile(gzipSync(bytes), 'f.log.gz'), want, 'gzip');
    const linesDone = (b: Buffer): number => (storedRows(runOnBytes(b, ARGS).db)[2] as { lines_done: number }[])[0]!.lines_done;
    expect(linesDone(bytes)).toBe(linesDone(u8(part(0, AT) + colour(part(AT)))));
  });
});

describe('a UTF-16LE part without a BOM whose first line is empty, after UTF-8 (a `-v long` capture cut at a record\'s blank line)', () => {
  // The NUL after that line's LF code unit (0A 00) was taken for the start of a line a byte on, whose ASCII code units
  // read as UTF-16BE: the part was decoded a byte off, its CJK text garbled (76 of 76 events, excerpts not the capture's)
  // and a UTF-8 part after it read as no lines (24 of 76), through stdin, gzip, the file and its ranges alike.
  const LONG = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-long.log'), 'utf8');
  const LL = LONG.split('\n');
  const lp = (from: number, to?: number): string => LL.slice(from, to).join('\n') + (to !== undefined && to < LL.length ? '\n' : '');
  const want = viaFile(u8(LONG));
  const RANGES = { AUTHING_TRIAGE_RANGE_BYTES: '20000', AUTHING_TRIAGE_DENSE_BYTES: '0', AUTHING_TRIAGE_TRACE: 'read' };
  it('the control: line 2002 is a blank line between records, 95 KB in; 76 events', () => {
    expect(LL[2002]).toBe('');
    expect(Buffer.byteLength(lp(0, 2002))).toBeGreaterThan(64 * 1024);
    expect(events(want).length).toBe(76);
  });
  it('a tail: stdin, gzip and the file', () => {
    const bytes = Buffer.concat([u8(lp(0, 2002)), le(lp(2002))]);
    expectRows(viaStdin(bytes), want, 'stdin');
    expectRows(viaFile(gzipSync(bytes), 'f.log.gz'), want, 'gzip');
    expectRows(viaFile(bytes), want, 'file');
  });
  it('a middle part: the file read in ranges, on one thread, and stdin', () => {
    const bytes = Buffer.concat([u8(lp(0, 1502)), le(lp(1502, 2999)), u8(lp(2999))]);
    expect(LL[1502]).toBe('');
    const dir = tempDir();
    const f = join(dir, 'f.log');
    writeFileSync(f, bytes);
    const r = runCli(['--db', join(dir, 'r.db'), '--quiet', '--threads', '2', ...ARGS, f], { env: RANGES });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('a line in UTF-16 in the range from');
    expectRows(storedRows(join(dir, 'r.db')).slice(0, 2), want, 'ranges');
    expectRows(viaFile(bytes), want, 'file');
    expectRows(viaStdin(bytes), want, 'stdin');
  });
  it('resumed at cuts around the switch: as one clean run', () => {
    const bytes = Buffer.concat([u8(lp(0, 1502)), le(lp(1502, 2999)), u8(lp(2999))]);
    const at = Buffer.byteLength(lp(0, 1502));
    for (const cut of [at - 1, at, at + 2, at + 4]) for (const how of ['one', 'stdin'] as const) expectResumeAsClean(bytes, cut, ARGS, how, `cut ${cut - at} from the switch`);
  }, 300_000);
});
