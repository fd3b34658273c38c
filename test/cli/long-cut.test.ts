/**
 * A `-v long` entry without its "\n\n" footer (a capture killed mid-entry, then `adb logcat >> f`; a capture whose
 * last newline an editor took, then another joined to it) took every later line as its message: the rest of the
 * file and its events, and nothing said (round seventeen's adversarial review: 77 of 156 events). A threadtime,
 * time or Studio record, or logcat's buffer divider, now ends it. Fails on the code before.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, expectResumeAsClean, query, runCli, tempDir } from '../helpers.js';

const LABELED = join(SHARED, 'corpus', 'labeled');
const THREADTIME = readFileSync(join(LABELED, 'dev-threadtime.log'));
const LONG = readFileSync(join(LABELED, 'dev-long.log'));

/** The (code, excerpt) pairs a run of `bytes` stores, in line order, and their count. */
function events(bytes: Buffer): string[] {
  const dir = tempDir();
  const f = join(dir, 'capture.log');
  writeFileSync(f, bytes);
  const db = join(dir, 't.db');
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', f]);
  expect(r.status, r.stderr).toBe(0);
  return query<{ code: number; excerpt: string }>(db, 'SELECT code, excerpt FROM events ORDER BY line').map((e) => `${e.code} ${e.excerpt}`);
}

const CUT_ENTRY = Buffer.from('[ 03-17 16:13:38.100  1702: 1702 I/ActivityManager ]\nStart proc 4672:com.example.app/u0a123\n');

describe('a -v long entry cut before its footer', () => {
  const alone = events(THREADTIME);
  const longAlone = events(LONG);

  it('ends at the next threadtime record: every event of the capture after it is stored', () => {
    expect(alone.length).toBeGreaterThan(50);
    expect(events(Buffer.concat([CUT_ENTRY, THREADTIME]))).toEqual(alone);
  });

  it("ends at logcat's buffer divider", () => {
    expect(events(Buffer.concat([CUT_ENTRY, Buffer.from('--------- beginning of main\n'), THREADTIME]))).toEqual(alone);
  });

  it('a long capture without its last newline, then a threadtime capture: the events of both', () => {
    expect(longAlone.length).toBeGreaterThan(50);
    const trimmed = LONG.subarray(0, LONG.length - 1);
    expect(events(Buffer.concat([trimmed, THREADTIME]))).toEqual([...longAlone, ...alone]);
  });

  it('a message line that is no record stays in its entry', () => {
    const entry = Buffer.from('[ 03-17 16:13:38.100  4672: 4672 E/AuthingLogin ]\nlogin failed\n{"code":2040,\n "message":"x"}\n\n');
    const stored = events(Buffer.concat([entry, THREADTIME]));
    expect(stored[0]).toMatch(/^2040 /);
    expect(stored.slice(1)).toEqual(alone);
  });

  it('a record after a cut entry whose message goes on in lines of no layout: a resumed run stores what one clean run stores', () => {
    // The third review's find: an entry opened by such a record (instead of a switch of layout) held those lines in a
    // clean run, but a run resumed at that record had no entry open and re-detected threadtime there: 2040 was lost.
    const all = Buffer.from(
      ['[ 03-17 16:15:00.100  4672: 4710 W/Guardian ]', 'authRequest started',
        '03-17 16:15:01.950  4672  4710 E Guardian: authRequest failed. response: code=2041', '{"statusCode":400,', ' "code":2040, "message":"x"}',
        '03-17 16:15:03.000  4672  4672 I Noise: hello', '03-17 16:15:04.000  4672  4672 E Guardian: login failed, code=2005', ''].join('\n'),
    );
    // (stdin only where the first run's checkpoint moved: a run cut inside the first entry stored nothing, and the next is no resumed one)
    for (const cut of [100, 141, 187, all.length - 10]) {
      for (const how of cut > 140 ? (['one', 'stdin'] as const) : (['one'] as const)) expectResumeAsClean(all, cut, ['--year', '2026', '--tz', 'UTC'], how, 'a cut entry, then a record that goes on');
    }
  });

  it('a run resumed inside the cut entry or after it stores what one clean run stores', () => {
    const all = Buffer.concat([LONG.subarray(0, LONG.length - 1), THREADTIME]);
    for (const cut of [LONG.length - 40, LONG.length + 200, LONG.length + 5000]) {
      for (const how of ['one', 'stdin'] as const) expectResumeAsClean(all, cut, ['--year', '2026', '--tz', 'UTC'], how, 'long cut, then threadtime');
    }
  });
});
