/**
 * A UTF-16 capture with a line of CJK text only (a `-v long` message line, a raw line): its first code units may hold
 * no NUL, and a byte LF is also the low byte of a CJK character (上 U+4E0A is 0A 4E in UTF-16LE, 不 U+4E0D 0D 4E).
 * MixedDecoder read such a line as a UTF-8 one when its bytes up to that LF were UTF-8 ('不上', '用户上线': ASCII
 * bytes): it was cut in two and every line after it read a byte off (UTF-16BE of ASCII), shifting line numbers and
 * losing an event. The capture in UTF-8 is the reference.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, runCli, runOnBytes, storedRows, tempDir } from '../helpers.js';

const LINES = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n').slice(0, 700);
const ARGS = ['--tz', 'UTC', '--year', '2026', '--context', '3'];

function rows(bytes: Buffer, more: string[] = []): unknown[] {
  return storedRows(runOnBytes(bytes, [...ARGS, ...more]).db).slice(0, 2);
}

const withLine = (line: string): string => [...LINES.slice(0, 11), line, ...LINES.slice(11)].join('\n');
const le = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const be = (s: string): Buffer => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]);

describe('a UTF-16 capture with a line of CJK text only', () => {
  for (const line of ['不上', '用户上线', '上海上线了', '不上 ok']) {
    it(`'${line}': the events of the capture in UTF-8, on their lines (LE and BE)`, () => {
      const text = withLine(line);
      const want = rows(Buffer.from(text, 'utf8'));
      expect((want[0] as unknown[]).length).toBe(16);
      expect(rows(le(text)), 'UTF-16LE').toEqual(want);
      expect(rows(be(text)), 'UTF-16BE').toEqual(want);
      expect(rows(le(text), ['--threads', '1']), 'UTF-16LE --threads 1').toEqual(want);
    });
  }
});

/**
 * A run while such a line is being written: the capture ends inside it, after the 0A of 上 (0A 4E) or a byte or two
 * on, where its bytes so far are all UTF-8. Told from where the bytes end, the line read as UTF-8 lines, and the run's
 * checkpoint went past that 0A: the next run started inside a code unit, every line after it one off (16 of 16
 * events on other lines, one lost). Lines told so are read but are no resume point.
 */
describe('a run on a UTF-16 capture that ends inside a line of CJK text, then the rest appended', () => {
  it("the store is one clean run's (LE '不上好' and BE '用户上线', cut at each byte of the line)", () => {
    for (const [line, enc] of [['不上好', le], ['用户上线', be]] as const) {
      const text = withLine(line);
      const bytes = enc(text);
      const want = rows(bytes);
      const at = 2 + 2 * (LINES.slice(0, 11).join('\n').length + 1);
      for (let d = 1; d < 2 * line.length; d++) {
        const dir = tempDir();
        const f = join(dir, 'f.log');
        const db = join(dir, 't.db');
        writeFileSync(f, bytes.subarray(0, at + d));
        for (const _ of [0, 1]) {
          const r = runCli(['--db', db, '--quiet', ...ARGS, f]);
          expect(r.status, r.stderr).toBe(0);
          if (!_) appendFileSync(f, bytes.subarray(at + d));
        }
        expect(storedRows(db).slice(0, 2), `${line} cut ${d} bytes into it`).toEqual(want);
      }
    }
    // 26 runs of the bin: 18 s alone, 68 s in a CI run of four workers on two cores (past the 60 s default)
  }, 300_000);
});
