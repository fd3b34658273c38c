/**
 * A capture whose second encoding starts where neither its head nor its tail shows it is read whole: a stream (stdin,
 * gzip) whose UTF-16 part starts after its first 64 KiB, and a plain file with a UTF-16 part in its middle (PowerShell's
 * `>>` of a few minutes, then a UTF-8 tool again). Before, those lines were passed on as UTF-8 bytes and read as no
 * lines, silently: 29 events of 80 through stdin or gzip, 62 of 80 for the middle part. Now the read goes on through
 * the decoder from the first line that starts as UTF-16, and stores what one run of the same lines in UTF-8 stores; a
 * file read in ranges by the scan threads is read on from the range where a scan met such a line, on one thread.
 * Resumed runs (stdin again, a file grown) at cuts before, at and after the switch store what one clean run does. All
 * but the controls fail on the code before.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expectResumeAsClean, runCli, runOnBytes, storedRows, tempDir } from '../helpers.js';
import { BOM_BE, BOM_LE, TEXT, be, events, expectRows, le, part, u8 } from '../mixed.js';

const ARGS = ['--tz', 'UTC', '--year', '2026', '--context', '3'];

/** A UTF-8 head of 1,200 lines (165 KB: past the 64 KiB the head's encoding is told from), then UTF-16. */
const HEAD = u8(part(0, 1200));
const TAIL_CASES: Record<string, Buffer> = {
  'UTF-16LE appended without a BOM': Buffer.concat([HEAD, le(part(1200))]),
  'UTF-16LE appended with a BOM': Buffer.concat([HEAD, BOM_LE, le(part(1200))]),
  'UTF-16BE appended with a BOM': Buffer.concat([HEAD, BOM_BE, be(part(1200))]),
};
/** UTF-16 lines 1000-1400 between UTF-8 ones (137 KB before, 150 KB after). */
const MIDDLE_CASES: Record<string, Buffer> = {
  'UTF-16LE in the middle': Buffer.concat([u8(part(0, 1000)), le(part(1000, 1400)), u8(part(1400))]),
  'UTF-16BE with a BOM in the middle': Buffer.concat([u8(part(0, 1000)), BOM_BE, be(part(1000, 1400)), u8(part(1400))]),
};

/** The stored events and hourly counts of one run over `bytes` on stdin. */
function viaStdin(bytes: Buffer, more: string[] = []): unknown[] {
  const db = join(tempDir(), 't.db');
  const r = runCli(['--db', db, '--quiet', ...ARGS, ...more], { input: bytes });
  expect(r.status, r.stderr).toBe(0);
  return storedRows(db).slice(0, 2);
}

const REFERENCE = storedRows(runOnBytes(u8(TEXT), ARGS).db).slice(0, 2);

describe('a second encoding that neither end of the input shows: every event, once', () => {
  it('the control: the capture in UTF-8 has its 80 events', () => {
    expect(events(REFERENCE).length).toBe(80);
  });

  for (const [what, bytes] of Object.entries(TAIL_CASES)) {
    it(`${what} after 64 KiB of UTF-8, through stdin and gzip: the capture's events`, () => {
      expectRows(viaStdin(bytes), REFERENCE, `${what}, stdin`);
      expectRows(viaStdin(bytes, ['--threads', '1']), REFERENCE, `${what}, stdin, --threads 1`);
      expectRows(storedRows(runOnBytes(gzipSync(bytes), ARGS, 'f.log.gz').db).slice(0, 2), REFERENCE, `${what}, gzip`);
    });
  }

  for (const [what, bytes] of Object.entries(MIDDLE_CASES)) {
    it(`${what} of a plain file, and through stdin: the capture's events`, () => {
      expectRows(storedRows(runOnBytes(bytes, ARGS).db).slice(0, 2), REFERENCE, `${what}, a file`);
      expectRows(storedRows(runOnBytes(bytes, [...ARGS, '--threads', '1']).db).slice(0, 2), REFERENCE, `${what}, a file, --threads 1`);
      expectRows(viaStdin(bytes), REFERENCE, `${what}, stdin`);
    });
  }

  it('a UTF-16 part in the middle of a file read in ranges by the scan threads: read on from its range on one thread', () => {
    const env = { AUTHING_TRIAGE_RANGE_BYTES: '20000', AUTHING_TRIAGE_DENSE_BYTES: '0', AUTHING_TRIAGE_TRACE: 'read' };
    for (const [what, bytes] of Object.entries(MIDDLE_CASES)) {
      const dir = tempDir();
      const f = join(dir, 'f.log');
      writeFileSync(f, bytes);
      const db = join(dir, 't.db');
      const r = runCli(['--db', db, '--quiet', '--threads', '2', ...ARGS, f], { env });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('ranges on 2 threads');
      expect(r.stderr).toMatch(/a line in UTF-16 in the range from \d+: read on from there on this thread/);
      expectRows(storedRows(db).slice(0, 2), REFERENCE, `${what}, ranges`);
      // the source is read to its end: a run after it reads nothing again
      expect((storedRows(db)[2] as { bytes_done: number }[])[0]!.bytes_done).toBe(bytes.length);
    }
  });

  it('resumed through stdin at cuts before, at and after the switch, and inside a code unit: as one clean run', () => {
    const bytes = TAIL_CASES['UTF-16LE appended without a BOM']!;
    const at = HEAD.length;
    for (const cut of [at - 5000, at, at + 2 * 300, at + 2 * 4001 + 1]) expectResumeAsClean(bytes, cut, ARGS, 'stdin', `cut ${cut - at} from the switch`);
    const bom = TAIL_CASES['UTF-16LE appended with a BOM']!;
    expectResumeAsClean(bom, at + 1, ARGS, 'stdin', 'cut inside the BOM');
  }, 300_000);

  it('a file grown across a UTF-16 part in its middle, one thread, the default and ranges: as one clean run', () => {
    const bytes = MIDDLE_CASES['UTF-16LE in the middle']!;
    const at = u8(part(0, 1000)).length;
    const back = at + le(part(1000, 1400)).length;
    for (const cut of [at + 2 * 5001, back + 1000]) {
      expectResumeAsClean(bytes, cut, ARGS, 'one', `cut ${cut - at} from the switch`);
      expectResumeAsClean(bytes, cut, ARGS, 'default', `cut ${cut - at} from the switch`);
    }
    // in ranges: the first run's scan meets the part (or not), the second goes on in ranges unless its look-back holds it
    expectResumeAsClean(bytes, at - 3000, ARGS, 'ranges', 'cut before the switch');
    for (const cut of [at + 2 * 5001, back + 1000]) {
      const dir = tempDir();
      const f = join(dir, 'f.log');
      const db = join(dir, 't.db');
      writeFileSync(f, bytes.subarray(0, cut));
      const env = { AUTHING_TRIAGE_RANGE_BYTES: '20000', AUTHING_TRIAGE_DENSE_BYTES: '0' };
      expect(runCli(['--db', db, '--quiet', '--threads', '2', ...ARGS, f], { env }).status).toBe(0);
      appendFileSync(f, bytes.subarray(cut));
      expect(runCli(['--db', db, '--quiet', '--threads', '2', ...ARGS, f], { env }).status).toBe(0);
      expectRows(storedRows(db).slice(0, 2), REFERENCE, `ranges, cut ${cut - at} from the switch`);
    }
  }, 300_000);
});

describe("--json-summary's bytes of a stream whose UTF-16 is read in stream jobs", () => {
  it('are the input\'s bytes, not the UTF-8 text\'s (5,491,424 for 8,227,760)', () => {
    const text = Array(8).fill(TEXT).join('');
    for (const [what, bytes] of [
      ['UTF-8 then UTF-16LE', Buffer.concat([u8(text), le(text)])],
      ['UTF-16LE with a BOM', Buffer.concat([BOM_LE, le(text)])],
    ] as const) {
      const r = runCli(['--db', join(tempDir(), 't.db'), '--quiet', '--threads', '2', ...ARGS, '--json-summary'], { input: bytes });
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as { bytes: number; events: number };
      expect(j.events, what).toBe(what.startsWith('UTF-8') ? 1280 : 640);
      expect(j.bytes, what).toBe(bytes.length);
    }
  });
});

describe('--year on a capture whose end is in another encoding', () => {
  /** The capture's lines dated `md` (MM-DD) instead of their own date. */
  const dated = (text: string, md: string): string => text.replace(/^\d\d-\d\d /gm, `${md} `);
  const ARGS_YEAR = ['--tz', 'UTC', '--year', '2026'];
  const hours = (db: string): string[] => [...new Set((storedRows(db)[0] as { hour: string }[]).map((e) => e.hour.slice(0, 10)))].sort();
  it('names the year of its last stamp, read in the encoding of its end (it named the first stamp\'s year)', () => {
    const head = dated(part(0, 1200), '12-31');
    const tail = dated(part(1200), '01-01');
    // the control: the same lines in UTF-8 end on 1 January 2026
    expect(hours(runOnBytes(u8(head + tail), ARGS_YEAR).db)).toEqual(['2025-12-31', '2026-01-01']);
    for (const [what, bytes] of [
      ['UTF-8 then UTF-16LE', Buffer.concat([u8(head), le(tail)])],
      ['UTF-8 then UTF-16LE with a BOM', Buffer.concat([u8(head), BOM_LE, le(tail)])],
      ['UTF-16LE then UTF-8', Buffer.concat([BOM_LE, le(head), u8(tail)])],
    ] as const) {
      expect(hours(runOnBytes(bytes, ARGS_YEAR).db), what).toEqual(['2025-12-31', '2026-01-01']);
    }
  });
});
