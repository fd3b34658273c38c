/**
 * A capture whose end is in another encoding than its head is read whole: every event counted once, each on its line
 * with its time, tag and text, as one run of the same lines in one encoding counts them. The real case is Windows: a
 * capture started with cmd's `adb logcat > f.txt` (UTF-8) and continued with PowerShell's `>>` (UTF-16LE, mostly
 * without a BOM, sometimes with one), or PowerShell's `>` (UTF-16LE with a BOM) continued by a UTF-8 tool. Before,
 * the file was decoded whole as its head says, and the other part read as no lines (29 events of 80) with a warning
 * (mixed-encoding.test.ts). A resumed run after such an append, one whose resume point is inside the second
 * encoding's part, and one after an append cut inside a UTF-16 code unit store what one clean run of the final bytes
 * stores. All but the controls fail on the code before.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runOnBytes, storedRows, tempDir } from '../helpers.js';
import { BOM_BE, BOM_LE, TEXT, be, events, expectRows, le, part, u8 } from '../mixed.js';

const HEAD = part(0, 1200);
const REST = part(1200);
const SMALL = part(0, 60); // a UTF-8 head shorter than the 64 KiB the head's encoding is told from

const ARGS = ['--tz', 'UTC', '--year', '2026', '--context', '3'];

/** The stored events and hourly counts of one clean run of `bytes` (a file), and its stderr. */
function clean(bytes: Buffer, more: string[] = []): { rows: unknown[]; stderr: string } {
  const { db, stderr } = runOnBytes(bytes, [...ARGS, ...more]);
  return { rows: storedRows(db).slice(0, 2), stderr };
}

/** The rows of runs over a file grown by each of `parts` in turn (a run after each append). */
function grown(parts: Buffer[], more: string[] = []): unknown[] {
  const dir = tempDir();
  const f = join(dir, 'f.log');
  const db = join(dir, 't.db');
  writeFileSync(f, Buffer.alloc(0));
  for (const p of parts) {
    appendFileSync(f, p);
    const r = runCli(['--db', db, '--quiet', ...ARGS, ...more, f]);
    expect(r.status, r.stderr).toBe(0);
  }
  return storedRows(db).slice(0, 2);
}

const REFERENCE = clean(u8(TEXT)).rows;
describe('a capture whose end is in another encoding: every event, once', () => {
  it('the control: the capture in UTF-8 has its 80 events, and in UTF-16LE the same', () => {
    expect(events(REFERENCE).length).toBe(80);
    expectRows(clean(Buffer.concat([BOM_LE, le(TEXT)])).rows, REFERENCE, 'UTF-16LE whole');
  });

  it('UTF-8, then UTF-16LE appended without a BOM: the same events, no warning', () => {
    const r = clean(Buffer.concat([u8(HEAD), le(REST)]));
    expectRows(r.rows, REFERENCE, 'UTF-8 + UTF-16LE');
    expect(r.stderr).not.toMatch(/look UTF/);
  });

  it('UTF-8, then UTF-16LE appended with a BOM', () => {
    expectRows(clean(Buffer.concat([u8(HEAD), BOM_LE, le(REST)])).rows, REFERENCE, 'UTF-8 + BOM UTF-16LE');
  });

  it('UTF-16LE with a BOM, then UTF-8 appended: the same events, no warning', () => {
    const r = clean(Buffer.concat([BOM_LE, le(HEAD), u8(REST)]));
    expectRows(r.rows, REFERENCE, 'UTF-16LE + UTF-8');
    expect(r.stderr).not.toMatch(/look UTF/);
  });

  it('a UTF-8 head shorter than 64 KiB, then UTF-16LE, with and without a BOM', () => {
    expectRows(clean(Buffer.concat([u8(SMALL), le(part(60))])).rows, REFERENCE, 'small UTF-8 + UTF-16LE');
    expectRows(clean(Buffer.concat([u8(SMALL), BOM_LE, le(part(60))])).rows, REFERENCE, 'small UTF-8 + BOM UTF-16LE');
  });

  it('UTF-16BE with a BOM, then UTF-8; UTF-8, then UTF-16BE', () => {
    expectRows(clean(Buffer.concat([BOM_BE, be(HEAD), u8(REST)])).rows, REFERENCE, 'UTF-16BE + UTF-8');
    expectRows(clean(Buffer.concat([u8(HEAD), be(REST)])).rows, REFERENCE, 'UTF-8 + UTF-16BE');
  });

  it('switches back and forth: UTF-8, UTF-16LE, UTF-8, UTF-16LE (BOM), and UTF-16LE, UTF-8, UTF-16LE, UTF-8', () => {
    expectRows(clean(Buffer.concat([u8(part(0, 600)), le(part(600, 1200)), u8(part(1200, 1800)), BOM_LE, le(part(1800))])).rows, REFERENCE, '8 16 8 16');
    expectRows(clean(Buffer.concat([BOM_LE, le(part(0, 600)), u8(part(600, 1200)), le(part(1200, 1800)), u8(part(1800))])).rows, REFERENCE, '16 8 16 8');
  });

  it('the --threads 1 read and stdin give the same', () => {
    expectRows(clean(Buffer.concat([u8(HEAD), le(REST)]), ['--threads', '1']).rows, REFERENCE, 'UTF-8 + UTF-16LE, --threads 1');
    const dir = tempDir();
    const db = join(dir, 't.db');
    const r = runCli(['--db', db, '--quiet', ...ARGS, '-'], { input: Buffer.concat([BOM_LE, le(HEAD), u8(REST)]) });
    expect(r.status, r.stderr).toBe(0);
    expectRows(storedRows(db).slice(0, 2), REFERENCE, 'UTF-16LE + UTF-8 on stdin');
  });
});

describe('resumed across the switch: the store equals one clean run of the final bytes', () => {
  it('a run on the UTF-8 part, then UTF-16LE appended (without and with a BOM), then a run', () => {
    expectRows(grown([u8(HEAD), le(REST)]), REFERENCE, 'UTF-8 | UTF-16LE');
    expectRows(grown([u8(HEAD), Buffer.concat([BOM_LE, le(REST)])]), REFERENCE, 'UTF-8 | BOM UTF-16LE');
    expectRows(grown([u8(SMALL), le(part(60))]), REFERENCE, 'small UTF-8 | UTF-16LE');
  });

  it('a run on the UTF-16LE part, then UTF-8 appended, then a run', () => {
    expectRows(grown([Buffer.concat([BOM_LE, le(HEAD)]), u8(REST)]), REFERENCE, 'UTF-16LE | UTF-8');
  });

  it('the resume point inside the second encoding: UTF-8, UTF-16LE | more UTF-16LE; UTF-16LE, UTF-8 | more UTF-8', () => {
    expectRows(grown([Buffer.concat([u8(HEAD), le(part(1200, 1800))]), le(part(1800))]), REFERENCE, 'UTF-8 + UTF-16LE | UTF-16LE');
    expectRows(grown([Buffer.concat([BOM_LE, le(HEAD), u8(part(1200, 1800))]), u8(part(1800))]), REFERENCE, 'UTF-16LE + UTF-8 | UTF-8');
    // a few lines past the switch: the lines the resumed run goes over again (its look-back) hold both encodings
    for (const k of [1201, 1205, 1215, 1230]) {
      expectRows(grown([Buffer.concat([u8(HEAD), le(part(1200, k))]), le(part(k))]), REFERENCE, `UTF-8 + UTF-16LE to line ${k} | UTF-16LE`);
      expectRows(grown([Buffer.concat([BOM_LE, le(HEAD), u8(part(1200, k))]), u8(part(k))]), REFERENCE, `UTF-16LE + UTF-8 to line ${k} | UTF-8`);
    }
    // 20 runs of the bin: 54 s in a CI dry run beside helper sessions, near the 60 s default
  }, 300_000);

  it('an append cut inside a line, and inside a UTF-16 code unit (an odd byte count), then completed', () => {
    const all = Buffer.concat([u8(HEAD), le(REST)]);
    const line = u8(HEAD).length + le(part(1200, 1500)).length;
    for (const cut of [line + 41, line + 40, u8(HEAD).length + 1]) expectRows(grown([all.subarray(0, cut), all.subarray(cut)]), REFERENCE, `UTF-8 + UTF-16LE cut at ${cut}`);
    const back = Buffer.concat([BOM_LE, le(HEAD), u8(REST)]);
    const at = 2 + le(HEAD).length + u8(part(1200, 1500)).length;
    for (const cut of [at + 41, 2 + le(HEAD).length + 1]) expectRows(grown([back.subarray(0, cut), back.subarray(cut)]), REFERENCE, `UTF-16LE + UTF-8 cut at ${cut}`);
  });
});
