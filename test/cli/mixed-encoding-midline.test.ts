/**
 * A capture whose encoding changes inside a line: a writer killed mid-line (`adb logcat > f.txt` stopped by a disconnect,
 * Ctrl-C) and the capture continued by a tool of the other encoding (PowerShell's `>>`, UTF-16LE; or a UTF-8 tool after
 * PowerShell's `>`). The bytes before the change end a line there, as if the cut line had its newline: the events are
 * those one run of the same lines in UTF-8 stores, the cut line a line of its own. Before, UTF-8 then UTF-16 lost the
 * part's first line and read the rest a byte off (its CJK text garbled, each line with CJK text joined to the next:
 * 79 of 80 events, 4 excerpts wrong); UTF-16 then UTF-8 read the UTF-8 part as UTF-16, one line of no events (29 of 80).
 * Through the file (one thread, the default, ranges), stdin and gzip, and resumed at cuts around the change. All but the
 * control fail on the code before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expectResumeAsClean, runCli, runOnBytes, storedRows, tempDir } from '../helpers.js';
import { BOM_BE, BOM_LE, LINES, be, events, expectRows, le, part, u8 } from '../mixed.js';

const ARGS = ['--tz', 'UTC', '--year', '2026', '--context', '3'];

/** Line 1200 (0-based) of dev-threadtime.log cut after its 20th character: `03-17 16:15:30.9`… */
const K = 1200;
const CUT = LINES[K]!.slice(0, 20);
const BEFORE = part(0, K) + CUT;
const AFTER = part(K + 1);
/** The same lines in UTF-8, the cut line ended by its own newline. */
const REFERENCE = storedRows(runOnBytes(u8(`${BEFORE}\n${AFTER}`), ARGS).db).slice(0, 2);

const CASES: Record<string, Buffer> = {
  'UTF-8 cut inside a line, then UTF-16LE without a BOM': Buffer.concat([u8(BEFORE), le(AFTER)]),
  'UTF-8 cut inside a line, then UTF-16LE with a BOM': Buffer.concat([u8(BEFORE), BOM_LE, le(AFTER)]),
  'UTF-8 cut inside a line, then UTF-16BE with a BOM': Buffer.concat([u8(BEFORE), BOM_BE, be(AFTER)]),
  'UTF-16LE cut inside a line, then UTF-8': Buffer.concat([BOM_LE, le(BEFORE), u8(AFTER)]),
  'UTF-16BE cut inside a line, then UTF-8': Buffer.concat([BOM_BE, be(BEFORE), u8(AFTER)]),
};

/** The stored events and hourly counts of one run over `bytes` on stdin. */
function viaStdin(bytes: Buffer, more: string[] = []): unknown[] {
  const db = join(tempDir(), 't.db');
  const r = runCli(['--db', db, '--quiet', ...ARGS, ...more], { input: bytes });
  expect(r.status, r.stderr).toBe(0);
  return storedRows(db).slice(0, 2);
}

describe('an encoding that changes inside a line: the bytes before the change end a line', () => {
  it('the control: the lines in UTF-8 have 80 events, 9 of them holding the CJK text 设备被停用 (excerpt or context)', () => {
    expect(events(REFERENCE).length).toBe(80);
    expect(events(REFERENCE).filter((e) => JSON.stringify(e).includes('设备被停用')).length).toBe(9);
  });

  for (const [what, bytes] of Object.entries(CASES)) {
    it(`${what}: the file, --threads 1, stdin and gzip`, () => {
      expectRows(storedRows(runOnBytes(bytes, ARGS).db).slice(0, 2), REFERENCE, `${what}, a file`);
      expectRows(storedRows(runOnBytes(bytes, [...ARGS, '--threads', '1']).db).slice(0, 2), REFERENCE, `${what}, --threads 1`);
      expectRows(viaStdin(bytes), REFERENCE, `${what}, stdin`);
      expectRows(storedRows(runOnBytes(gzipSync(bytes), ARGS, 'f.log.gz').db).slice(0, 2), REFERENCE, `${what}, gzip`);
    });
  }

  it('a UTF-8 line cut inside a character (3 bytes of CJK, 2 kept), then UTF-16LE: the same as those bytes in UTF-8', () => {
    const k = LINES.findIndex((l, i) => i > 600 && l.includes('设备被停用'));
    const line = u8(LINES[k]!);
    const at = line.indexOf(u8('设')) + 2;
    const head = Buffer.concat([u8(part(0, k)), line.subarray(0, at)]);
    const want = storedRows(runOnBytes(Buffer.concat([head, u8('\n'), u8(part(k + 1))]), ARGS).db).slice(0, 2);
    const bytes = Buffer.concat([head, le(part(k + 1))]);
    expectRows(storedRows(runOnBytes(bytes, ARGS).db).slice(0, 2), want, 'a file');
    expectRows(viaStdin(bytes), want, 'stdin');
  });

  it('a UTF-16LE part between UTF-8 ones, cut inside a line at both ends: the file, one thread, ranges and stdin', () => {
    const [a, b] = [1000, 1400];
    const cutA = LINES[a]!.slice(0, 25);
    const cutB = LINES[b]!.slice(0, 31);
    const bytes = Buffer.concat([u8(part(0, a) + cutA), le(part(a + 1, b) + cutB), u8(part(b + 1))]);
    const want = storedRows(runOnBytes(u8(`${part(0, a)}${cutA}\n${part(a + 1, b)}${cutB}\n${part(b + 1)}`), ARGS).db).slice(0, 2);
    expectRows(storedRows(runOnBytes(bytes, ARGS).db).slice(0, 2), want, 'a file');
    expectRows(storedRows(runOnBytes(bytes, [...ARGS, '--threads', '1']).db).slice(0, 2), want, '--threads 1');
    expectRows(viaStdin(bytes), want, 'stdin');
    const dir = tempDir();
    const f = join(dir, 'f.log');
    writeFileSync(f, bytes);
    const db = join(dir, 't.db');
    const env = { AUTHING_TRIAGE_RANGE_BYTES: '20000', AUTHING_TRIAGE_DENSE_BYTES: '0', AUTHING_TRIAGE_TRACE: 'read' };
    const r = runCli(['--db', db, '--quiet', '--threads', '2', ...ARGS, f], { env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/a line in UTF-16 in the range from \d+: read on from there on this thread/);
    expectRows(storedRows(db).slice(0, 2), want, 'ranges');
  });

  it('resumed at cuts before the cut line, inside it, at the change, inside a code unit and after: as one clean run', () => {
    const utf8First = CASES['UTF-8 cut inside a line, then UTF-16LE without a BOM']!;
    const at = u8(BEFORE).length;
    for (const cut of [at - 10, at, at + 1, at + 2 * 40, at + 2 * 40 + 1]) {
      expectResumeAsClean(utf8First, cut, ARGS, 'default', `UTF-8 then UTF-16LE, cut ${cut - at} from the change`);
      expectResumeAsClean(utf8First, cut, ARGS, 'stdin', `UTF-8 then UTF-16LE, cut ${cut - at} from the change`);
    }
    const utf16First = CASES['UTF-16LE cut inside a line, then UTF-8']!;
    const at16 = BOM_LE.length + le(BEFORE).length;
    for (const cut of [at16 - 11, at16, at16 + 7]) {
      expectResumeAsClean(utf16First, cut, ARGS, 'default', `UTF-16LE then UTF-8, cut ${cut - at16} from the change`);
      expectResumeAsClean(utf16First, cut, ARGS, 'stdin', `UTF-16LE then UTF-8, cut ${cut - at16} from the change`);
    }
  }, 300_000);
});
