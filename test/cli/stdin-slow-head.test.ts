/**
 * A stream counted before is known by its head: the first bytes a run read (up to 64 KiB) are hashed and kept with
 * the source. A run on stdin waits 200 ms for its head (a live `adb logcat |` must not wait for 64 KiB); when a
 * pipe's first bytes came slower than that (`ssh host cat F |`, or a writer that pauses), the head it had was shorter
 * than the stored one, no stored source matched, and the stream was taken for a new source: its events were counted
 * a second time (an adversarial review: a first run cut inside a 1.5 MiB line had stored a 64 KiB head). Where a
 * stored head is longer than what came, the run now waits for it, up to a bound.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOf, runCli, startCli, storedRows, tempDir } from '../helpers.js';

const L = (i: number, pid: number, lvl: string, tag: string, msg: string): string => `03-17 10:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')} ${String(pid).padStart(5)} ${String(pid).padStart(5)} ${lvl} ${tag}: ${msg}`;

describe('a stream counted before, whose first bytes come slowly', () => {
  it('is known as the source it is and resumed: each event counted once', async () => {
    const dir = tempDir();
    const lines = [L(0, 111, 'W', 'System.err', 'java.net.SocketTimeoutException: timeout'), L(1, 111, 'E', 'SocialLoginButton', 'loginDone: errCode = 1636 errMessage = Login failed'), L(2, 222, 'D', 'TextView', 'y'.repeat(1536 * 1024))];
    for (let i = 3; i < 10; i++) lines.push(L(i, 222, 'D', 'TextView', 'noise'));
    lines.push(L(10, 111, 'E', 'SocialLoginButton', 'loginDone: errCode = 2004 errMessage = user not found'));
    const all = Buffer.from(lines.join('\n') + '\n');
    // the first run ends inside the long line: its head is 64 KiB, its checkpoint after the first event's line
    const cut = all.indexOf('yyyy') + 1_000_000;
    const db = join(dir, 'slow.db');
    const common = ['--tz', 'UTC', '--year', '2026'];
    const first = runCli(['--db', db, '--quiet', ...common], { input: all.subarray(0, cut) });
    expect(first.status, first.stderr).toBe(0);
    // the whole stream again, its first 100 bytes, then a pause longer than the head wait, then the rest
    const child = startCli(['--db', db, ...common]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdin.write(all.subarray(0, 100));
    await new Promise((r) => setTimeout(r, 700));
    child.stdin.end(all.subarray(100));
    expect(await exitOf(child), stderr).toBe(0);
    expect(stderr).toContain('1 resumed input');
    const clean = join(dir, 'clean.db');
    const one = runCli(['--db', clean, '--quiet', ...common], { input: all });
    expect(one.status, one.stderr).toBe(0);
    const want = storedRows(clean);
    const got = storedRows(db);
    expect((got[0] as { code: number }[]).map((e) => e.code)).toEqual([1636, 2004]);
    expect(got[0]).toEqual(want[0]);
    expect(got[1]).toEqual(want[1]);
  });
});
