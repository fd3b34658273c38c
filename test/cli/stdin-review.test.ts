/**
 * Round eight's stdin change under review: the reader thread finds each event's look-back in the bytes
 * it holds. Whatever the line lengths, an event's context must be what the same bytes give as a file
 * path (one thread), as it was when the main thread walked its held buffers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, query, runCli, tempDir } from '../helpers.js';
import { runCliOnPipe } from '../stdin.js';

const FIXED = ['--year', '2026', '--tz', 'UTC'];
const CAPTURE = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));

/** Every event with its context, and how far the source is counted. */
function stored(db: string): { events: unknown[]; source: unknown[] } {
  return {
    events: query(db, 'SELECT line, code, time, tag, pid, excerpt, outcome, context, cause FROM events ORDER BY line, code'),
    source: query(db, 'SELECT bytes_done, lines_done, prefix_hash FROM sources'),
  };
}

/**
 * The real capture four times over (1.4 MB; eight before round nine), with one line of `longBytes` (a stack dump, a base64 blob) at the
 * first line start after `at`, and an event of the process of the line just before it a few lines after it.
 */
function withLongLine(longBytes: number, at: number): Buffer {
  const cap = Buffer.concat(Array.from({ length: 4 }, () => CAPTURE));
  const cut = cap.indexOf(10, at) + 1;
  const pid = / (\d+) +\d+ [VDIWEF] /.exec(cap.subarray(cap.lastIndexOf(10, cut - 2) + 1, cut).toString())![1]!;
  const long = Buffer.from(`03-17 16:13:47.000  1111  1111 I Big: ${'y'.repeat(longBytes)}\n`);
  const after = cap.indexOf(10, cut + 3000) + 1;
  const event = Buffer.from(`03-17 16:13:47.114  ${pid}  ${pid} E SocialLoginButton: loginDone: errCode = 2005 errMessage = Too many requests\n`);
  return Buffer.concat([cap.subarray(0, cut), long, cap.subarray(cut, after), event, cap.subarray(after)]);
}

describe('stdin look-back found by the reader thread', () => {
  // 300 KB: a line the reader holds whole, but longer than the look-back's 16 KiB. The main thread kept
  // the lines before such a line as the window of the frame after it, counted without it: a line the
  // pid's last event saw was read back again (twice in a context) on the file path and on stdin alike.
  it.each([
    ['a line longer than the look-back', 300_000],
    // 2.5 MB: longer than the reader's buffer (it goes out in pieces); 1 MiB in: the pieces after it fall
    // where the main thread's walk and the reader's windows part (found by a generated capture)
    ["a line longer than the reader's buffer", 2_500_000],
  ])('puts in the context of the events after %s only what lies within the look-back, each line once', (_, longBytes) => {
    const input = withLongLine(longBytes, 1_000_000);
    const dir = tempDir();
    const file = join(dir, 'capture.log');
    writeFileSync(file, input);
    const want = join(dir, 'file.db');
    const f = runCli(['--db', want, '--quiet', '--threads', '1', ...FIXED, file]);
    expect(f.status, f.stderr).toBe(0);
    // the first event after the long line of the process whose multi-line error record stands just before it
    const line = input.subarray(0, input.indexOf('AuthRepository: cn.authing.guard callback code: 2921', input.indexOf(' I Big: '))).toString('latin1').split('\n').length;
    const stamp = '2026-03-17T16:13:47';
    const context = [`${stamp}.517Z E/AuthingLogin: response:`, `${stamp}.517Z E/AuthingLogin: {"code":1643,`, `${stamp}.631Z E/LoginActivity: Authing login failed, code=2214 message=Config not found`];
    expect(query(want, 'SELECT code, context FROM events WHERE line = ?', line)).toEqual([{ code: 2921, context: JSON.stringify(context) }]);
    const got = join(dir, 'pipe.db');
    const r = runCliOnPipe(['--db', got, '--quiet', '--threads', '2', ...FIXED], input);
    expect(r.status, r.stderr).toBe(0);
    expect(stored(got)).toEqual(stored(want));
    // and the file read in ranges by scan threads, whose look-back reads the file's bytes
    const ranges = join(dir, 'ranges.db');
    const g = runCli(['--db', ranges, '--quiet', '--threads', '2', ...FIXED, file], { env: { AUTHING_TRIAGE_RANGE_BYTES: String(256 << 10) } });
    expect(g.status, g.stderr).toBe(0);
    expect(stored(ranges)).toEqual(stored(want));
  });
});
