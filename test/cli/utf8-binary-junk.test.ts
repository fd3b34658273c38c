/**
 * A UTF-8 capture with binary junk of 16-bit numbers (05 00 07 00 …, a crash's dump) near its end, the app's lines
 * after it: the junk starts as UTF-16 of ASCII would, and the tail sample made the file a mixed one. Read as UTF-16
 * from there, the UTF-8 lines after it (no LF code unit in them) were one line of no events: 76 of 80 stored, where
 * the plain read (the code before the mixed read) stored 80. The junk is one line of no events; the rest as the capture
 * without it, one line further on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, runOnBytes, storedRows } from '../helpers.js';

const LINES = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n');
const HEAD = Buffer.from(LINES.slice(0, 2450).join('\n') + '\n');
const TAIL = Buffer.from(LINES.slice(2450).join('\n') + '\n');

function events(bytes: Buffer): Array<{ line: number; code: number }> {
  return storedRows(runOnBytes(bytes, ['--tz', 'UTC', '--year', '2026']).db)[0] as Array<{ line: number; code: number }>;
}

describe('binary junk of 16-bit numbers in a UTF-8 capture, UTF-8 lines after it', () => {
  const want = events(Buffer.concat([HEAD, TAIL]));
  const at = LINES.slice(0, 2450).length;
  for (const [name, junk] of [['LE', [5, 0, 7, 0, 3, 0, 1, 0, 9, 0, 11, 0]], ['BE', [0, 5, 0, 7, 0, 3, 0, 1, 0, 9]]] as const) {
    it(`${name}: every event, each on its line`, () => {
      const got = events(Buffer.concat([HEAD, Buffer.from(junk), Buffer.from('\n'), TAIL]));
      expect(want.length).toBe(80);
      expect(got.map((e) => [e.line, e.code])).toEqual(want.map((e) => [e.line > at ? e.line + 1 : e.line, e.code]));
    });
  }
});
