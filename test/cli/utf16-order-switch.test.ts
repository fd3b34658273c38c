/**
 * A BOM-less UTF-16 capture of one byte order with a capture of the other order appended, its BOM first (`copy /b
 * a.txt+b.txt`, two tools' captures joined), both in the first 64 KiB: counted over the whole head, the NULs of the
 * two parts were on both sides of the code units, so the head read as UTF-8, half its bytes NULs, and the file was
 * skipped as `not a log (binary, 49% non-text bytes)`: 0 events of 80 (file, stdin, gzip), where the same bytes with a
 * BOM first stored all 80 (an adversarial tester's differential fuzz). The head's order is now told from its bytes
 * before that BOM (sideBeforeBom); a short first part, whose NULs were outnumbered, was decoded in the other part's
 * order (6 lines: their line count garbled, every event stored on a wrong line; dev-threadtime-tag with 24: 59 of 60). Now 80 of 80 on their lines, as one clean run of the capture in UTF-8 stores them;
 * a run resumed after an append cut just before the BOM, the same. The first four cases fail on the code before.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runOnBytes, storedRows, tempDir } from '../helpers.js';
import { BOM_BE, BOM_LE, TEXT, be, events, expectRows, le, part, u8 } from '../mixed.js';

const ARGS = ['--tz', 'UTC', '--year', '2026', '--context', '3'];
const HEAD = part(0, 60); // ~18 KB of UTF-16: the BOM of the second part is well inside the first 64 KiB
const REST = part(60);
const REFERENCE = storedRows(runOnBytes(u8(TEXT), ARGS).db).slice(0, 2);

/** The rows of one run over `bytes` given as a file, or as stdin. */
function rowsOf(bytes: Buffer, how: 'file' | 'stdin'): { rows: unknown[]; stderr: string } {
  if (how === 'file') {
    const { db, stderr } = runOnBytes(bytes, ARGS);
    return { rows: storedRows(db).slice(0, 2), stderr };
  }
  const db = join(tempDir(), 's.db');
  const r = runCli(['--db', db, '--quiet', ...ARGS, '-'], { input: bytes });
  expect(r.status, r.stderr).toBe(0);
  return { rows: storedRows(db).slice(0, 2), stderr: r.stderr };
}

describe('UTF-16 of one byte order without a BOM, then the other order with its BOM, in the head', () => {
  const LE_BE = Buffer.concat([le(HEAD), BOM_BE, be(REST)]);
  const BE_LE = Buffer.concat([be(HEAD), BOM_LE, le(REST)]);

  it('UTF-16LE, then UTF-16BE with a BOM: the 80 events, not "not a log"', () => {
    expect(events(REFERENCE).length).toBe(80);
    const r = rowsOf(LE_BE, 'file');
    expect(r.stderr).not.toMatch(/not a log/);
    expectRows(r.rows, REFERENCE, 'LE + BOM BE (file)');
    expectRows(rowsOf(LE_BE, 'stdin').rows, REFERENCE, 'LE + BOM BE (stdin)');
  });

  it('UTF-16BE, then UTF-16LE with a BOM; and gzipped', () => {
    expectRows(rowsOf(BE_LE, 'file').rows, REFERENCE, 'BE + BOM LE (file)');
    const { db } = runOnBytes(gzipSync(BE_LE), ARGS, 'f.log.gz');
    expectRows(storedRows(db).slice(0, 2), REFERENCE, 'BE + BOM LE (gzip)');
  });

  it('a run resumed after an append cut just before, inside and after the BOM: as one clean run', () => {
    const at = le(HEAD).length;
    for (const cut of [at - 1, at + 1, at + 3]) {
      const dir = tempDir();
      const f = join(dir, 'f.log');
      const db = join(dir, 't.db');
      writeFileSync(f, LE_BE.subarray(0, cut));
      for (const more of [Buffer.alloc(0), LE_BE.subarray(cut)]) {
        appendFileSync(f, more);
        const r = runCli(['--db', db, '--quiet', ...ARGS, f]);
        expect(r.status, r.stderr).toBe(0);
      }
      expectRows(storedRows(db).slice(0, 2), REFERENCE, `resumed at ${cut}`);
    }
  });

  it('a short first part (6 lines, ~1.5 KB): its events too, not decoded in the order of the part after it', () => {
    const bytes = Buffer.concat([le(part(0, 6)), BOM_BE, be(part(6))]);
    expectRows(rowsOf(bytes, 'file').rows, REFERENCE, 'short LE + BOM BE (file)');
    expectRows(rowsOf(bytes, 'stdin').rows, REFERENCE, 'short LE + BOM BE (stdin)');
  });

  it('the controls: the same parts with a BOM first, and one order throughout without one', () => {
    expectRows(rowsOf(Buffer.concat([BOM_LE, LE_BE]), 'file').rows, REFERENCE, 'BOM LE + BOM BE');
    expectRows(rowsOf(le(TEXT), 'file').rows, REFERENCE, 'LE without a BOM');
  });
});
