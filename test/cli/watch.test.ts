/** Binary logcat and `watch` through the real bin, with a fake adb on PATH replaying a binary fixture. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entry } from '../binary.js';
import { ROOT, pgDatabase, pgQuery, query, runCli, tempDir, exitOf, startCli, waitFor } from '../helpers.js';

const FAKE_ADB_DIR = join(ROOT, 'test', 'fake-adb');
const APP = 'com.example.shop';

/** A session: the app (pid 4000) fails sign-in, dies, restarts as pid 5000 and fails again; another app (6000) logs too. */
function session(): Buffer {
  return Buffer.concat([
    entry('2026-03-17T16:00:00.100Z', 1702, 1720, 'I', 'ActivityManager', 'Displayed com.android.settings/.Settings: +210ms'),
    entry('2026-03-17T16:00:01.000Z', 4000, 4000, 'E', 'SocialLoginButton', 'loginDone: errCode = 2333 errMessage = Account not exists or password is incorrect.'),
    entry('2026-03-17T16:00:01.500Z', 4000, 4011, 'W', 'Guardian', 'Guardian failed. 400 message:{"statusCode":403,\n"apiCode":1636}'),
    entry('2026-03-17T16:00:02.000Z', 6000, 6000, 'E', 'SocialLoginButton', 'loginDone: errCode = 10001 errMessage = Network error'),
    entry('2026-03-17T16:00:03.000Z', 1702, 1730, 'I', 'ActivityManager', `Process ${APP} (pid 4000) has died`),
    entry('2026-03-17T16:00:04.000Z', 1702, 1730, 'I', 'ActivityManager', `Start proc 5000:${APP}/u0a77 for activity ${APP}/.MainActivity`),
    entry('2026-03-17T16:00:05.000Z', 5000, 5000, 'E', 'Authing', 'Get public config failed for appId: 6123456789abcdef01234567 Msg:Network error'),
    entry('2026-03-17T16:00:06.000Z', 4000, 4000, 'E', 'SocialLoginButton', 'loginDone: errCode = 2004 errMessage = stale pid: another app now'),
  ]);
}

function fakeAdbEnv(dir: string, extra: Record<string, string> = {}, after: Buffer[] = []): Record<string, string> {
  const fixture = join(dir, 'session.bin');
  writeFileSync(fixture, Buffer.concat([session(), ...after]));
  return { PATH: `${FAKE_ADB_DIR}:${process.env.PATH}`, FAKE_ADB_FIXTURE: fixture, FAKE_ADB_LOG: join(dir, 'adb.log'), ...extra };
}
const start = startCli;

describe('binary logcat', () => {
  it('parses adb logcat -B captures with exact boundaries and full timestamps', () => {
    const dir = tempDir();
    const f = join(dir, 'capture.bin');
    writeFileSync(f, session());
    const r = runCli(['parse', f]);
    expect(r.status).toBe(0);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(recs).toHaveLength(8);
    expect(recs[2]).toMatchObject({ time: '2026-03-17T16:00:01.500Z', pid: 4000, tid: 4011, level: 'W', tag: 'Guardian', message: 'Guardian failed. 400 message:{"statusCode":403,\n"apiCode":1636}', format: 'binary', line: 3 });
    const db = join(dir, 'b.db');
    expect(runCli(['--db', db, '--quiet', f]).status).toBe(0);
    expect(query(db, 'SELECT line, code, time FROM events ORDER BY line')).toEqual([
      { line: 2, code: 2333, time: '2026-03-17T16:00:01.000Z' },
      { line: 3, code: 1636, time: '2026-03-17T16:00:01.500Z' },
      { line: 4, code: 10001, time: '2026-03-17T16:00:02.000Z' },
      { line: 7, code: 10002, time: '2026-03-17T16:00:05.000Z' },
      { line: 8, code: 2004, time: '2026-03-17T16:00:06.000Z' },
    ]);
    expect(runCli(['--db', db, '--json-summary', f]).stdout).toMatch(/"events": 0/);
  });
});

describe('watch', () => {
  it('runs adb logcat -B, prints each event as it arrives, and exits 130 on SIGINT with exact counts', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const db = join(dir, 'w.db');
    // adb holds back the last entry (2004) until the test opens the gate, so "printed before the rest came" is
    // a state the test makes, not a race against a delay: 150 ms between entries let a run that started slowly
    // (a loaded machine) read 2333 and 2004 in one piece.
    const gate = join(dir, 'gate');
    const c = start(['watch', '--db', db, '--json'], fakeAdbEnv(dir, { FAKE_ADB_DELAY_MS: '20', FAKE_ADB_HOLD: '1', FAKE_ADB_GATE: `7:${gate}` }));
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    await waitFor(() => out.includes('"code":10002'), 30_000, 'the event of the 7th entry on stdout');
    expect(out).not.toContain('"code":2004'); // the fixture's last entry has not been sent yet
    writeFileSync(gate, '');
    await waitFor(() => out.includes('"code":2004'), 30_000, 'the event of the last entry on stdout');
    c.kill('SIGINT');
    expect(await exitOf(c)).toBe(130);
    const events = out.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.code !== undefined);
    expect(events.map((e) => e.code)).toEqual([2333, 1636, 10001, 10002, 2004]);
    expect(events[0]).toMatchObject({ time: Date.parse('2026-03-17T16:00:01.000Z'), pid: 4000, source: 'adb logcat -B' });
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 5 }]);
    expect(readFileSync(join(dir, 'adb.log'), 'utf8')).toMatch(/^logcat -B$/m);
  });

  it("--package keeps only the app's processes and follows its new pid after a restart", { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const db = join(dir, 'p.db');
    // A last line of the app's new pid after the session: once its event is out, the run has read the stale
    // pid's 2004 before it (a wait of 300 ms stood for that, which a loaded machine can outlast).
    const last = entry('2026-03-17T16:00:07.000Z', 5000, 5000, 'E', 'SocialLoginButton', 'loginDone: errCode = 2333 errMessage = the last line');
    const c = start(['watch', '--db', db, '--json', '--package', APP, '--serial', 'emulator-5554'], fakeAdbEnv(dir, { FAKE_ADB_PIDS: `${APP}=4000`, FAKE_ADB_HOLD: '1' }, [last]));
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    await waitFor(() => out.split('\n').some((l) => l.includes('"code":2333') && l.includes('"pid":5000')), 30_000, "the event of the app's last line on stdout");
    c.kill('SIGINT');
    expect(await exitOf(c)).toBe(130);
    const codes = out.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.code !== undefined).map((o) => [o.code, o.pid]);
    // 10001 is another app's (pid 6000); 2004 comes from pid 4000 after the app died there
    expect(codes).toEqual([[2333, 4000], [1636, 4000], [10002, 5000], [2333, 5000]]);
    expect(readFileSync(join(dir, 'adb.log'), 'utf8')).toMatch(/^-s emulator-5554 shell pidof com\.example\.shop$/m);
  });

  it('restarts logcat when the device goes away, without counting twice', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const db = join(dir, 'r.db');
    const c = start(['watch', '--db', db, '--quiet'], fakeAdbEnv(dir));
    // Each restart is two starts of node (wait-for-device, logcat) after the run saw the last one end: ~1 s alone,
    // several on a loaded machine; 15 s was within 3x of that.
    await waitFor(() => existsSync(join(dir, 'adb.log')) && (readFileSync(join(dir, 'adb.log'), 'utf8').match(/^logcat -B/gm) ?? []).length >= 3, 45_000, 'a third logcat -B');
    c.kill('SIGINT');
    expect(await exitOf(c)).toBe(130);
    expect(readFileSync(join(dir, 'adb.log'), 'utf8')).toMatch(/^wait-for-device$/m);
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 5 }]);
  });

  it('after a reconnect, the records logcat -T sends again are not counted again', { timeout: 180_000 }, async () => {
    // The fake adb honours -T as logd does: each restarted stream begins with the last record seen (16:00:06.000, an
    // event); the restarted stream has another head, so it is another source: each restart counted it again (an
    // adversarial review: 21 events of 20).
    const dir = tempDir();
    const db = join(dir, 't.db');
    const c = start(['watch', '--db', db, '--quiet'], fakeAdbEnv(dir));
    await waitFor(() => existsSync(join(dir, 'adb.log')) && (readFileSync(join(dir, 'adb.log'), 'utf8').match(/^logcat -B -T /gm) ?? []).length >= 3, 45_000, 'a third logcat -B -T');
    c.kill('SIGINT');
    expect(await exitOf(c)).toBe(130);
    expect(readFileSync(join(dir, 'adb.log'), 'utf8')).toMatch(/^logcat -B -T 1773763206\.000$/m);
    expect(query(db, 'SELECT code, time FROM events ORDER BY time')).toEqual([
      { code: 2333, time: '2026-03-17T16:00:01.000Z' },
      { code: 1636, time: '2026-03-17T16:00:01.500Z' },
      { code: 10001, time: '2026-03-17T16:00:02.000Z' },
      { code: 10002, time: '2026-03-17T16:00:05.000Z' },
      { code: 2004, time: '2026-03-17T16:00:06.000Z' },
    ]);
  });

  it.each([
    ['after a run whose reconnect read records the first stream had not', false, 'sqlite'],
    ['after the device buffer rotated', true, 'sqlite'],
    ['after the device buffer rotated, on PostgreSQL', true, 'pg'],
  ])('a new watch %s counts each event once', { timeout: 180_000 }, async (_name, rotated, kind) => {
    // Run 1 reads the session, the device drops, and its restarted stream (-T) reads one more event. Run 2 reads the
    // device's buffer: before, its first stream was run 1's first source, resumed where that stream stopped, and the
    // event the restarted stream had counted was counted again (with a rotated buffer, the whole buffer was); now it
    // starts at the last counted event's time and leaves that event out (an adversarial review: 30 and 42 of 25).
    const dir = tempDir();
    const db = kind === 'pg' ? await pgDatabase() : join(dir, 't.db');
    const events = async () => {
      const sql = 'SELECT CAST(code AS INTEGER) AS code, time FROM events ORDER BY time, code';
      return kind === 'pg' ? await pgQuery(db, sql) : query(db, sql);
    };
    const more = [entry('2026-03-17T16:00:07.000Z', 5000, 5000, 'E', 'SocialLoginButton', 'loginDone: errCode = 2005 errMessage = Too many requests')];
    const env = fakeAdbEnv(dir);
    const fixture = env.FAKE_ADB_FIXTURE!;
    const logcats = () => (existsSync(env.FAKE_ADB_LOG!) ? readFileSync(env.FAKE_ADB_LOG!, 'utf8').match(/^logcat -B/gm) ?? [] : []).length;
    const c1 = start(['watch', '--db', db, '--quiet'], env);
    await waitFor(() => logcats() >= 2, 45_000, 'a restarted logcat');
    writeFileSync(fixture, Buffer.concat([session(), ...more]));
    const n = logcats();
    await waitFor(() => logcats() >= n + 2, 45_000, 'a logcat after the new event');
    c1.kill('SIGINT');
    expect(await exitOf(c1)).toBe(130);
    const after1 = await events();
    expect(after1).toHaveLength(6);
    // run 2: the buffer holds the same (or, rotated, its first three entries are gone) and one event more
    const later = entry('2026-03-17T16:00:08.000Z', 5000, 5000, 'E', 'SocialLoginButton', 'loginDone: errCode = 2333 errMessage = again');
    const buffer = Buffer.concat([session(), ...more, later]);
    const gone = session().indexOf(entry('2026-03-17T16:00:03.000Z', 1702, 1730, 'I', 'ActivityManager', `Process ${APP} (pid 4000) has died`));
    expect(gone).toBeGreaterThan(0);
    writeFileSync(fixture, rotated ? buffer.subarray(gone) : buffer);
    writeFileSync(env.FAKE_ADB_LOG!, '');
    const c2 = start(['watch', '--db', db, '--quiet'], env);
    await waitFor(() => logcats() >= 2, 45_000, 'run 2 reading its buffer to the end');
    c2.kill('SIGINT');
    expect(await exitOf(c2)).toBe(130);
    expect(readFileSync(env.FAKE_ADB_LOG!, 'utf8')).toMatch(/^logcat -B -T 1773763207\.000$/m);
    expect(await events()).toEqual([...after1, { code: 2333, time: '2026-03-17T16:00:08.000Z' }]);
  });

  it('says adb’s own error once when logcat fails with a device there, and tries again less and less often', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const error = 'adb: error: failed to get feature set: protocol fault (couldn\'t read status): Connection reset by peer';
    const c = start(['watch', '--db', join(dir, 'e.db')], fakeAdbEnv(dir, { FAKE_ADB_LOGCAT_ERROR: error }));
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    await waitFor(() => err.includes('adb logcat failed'), 45_000, 'the adb error');
    const started = Date.now();
    // waits of 1, 2 and 4 s: at most 3 more tries in the next 6 s (it was tried twice a second, unsaid)
    await new Promise((r) => setTimeout(r, 6000));
    const tries = (readFileSync(join(dir, 'adb.log'), 'utf8').match(/^logcat -B/gm) ?? []).length;
    c.kill('SIGINT');
    expect(await exitOf(c)).toBe(130);
    expect(Date.now() - started).toBeGreaterThanOrEqual(6000);
    expect(tries).toBeLessThanOrEqual(4);
    expect(err.split('\n').filter((l) => l.includes('adb logcat failed'))).toEqual([`authing-triage: adb logcat failed: ${error}; trying again (Ctrl-C to stop)`]);
    expect(err).not.toMatch(/logcat ended|MaxListeners/);
  });

  it('says so in one line when no device is attached, and keeps waiting', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const c = start(['watch', '--db', join(dir, 'n.db')], fakeAdbEnv(dir, { FAKE_ADB_NO_DEVICE: '1' }));
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    // Several starts of (fake) adb before the message: 10 s ran out in a loaded full-suite run (s10-flake's first).
    await waitFor(() => err.includes('no device attached'), 45_000, 'the no-device message');
    c.kill('SIGINT');
    expect(await exitOf(c)).toBe(130);
    expect(err).toMatch(/^authing-triage: no device attached; waiting for one \(Ctrl-C to stop\)$/m);
  });

  it('gives a one-line error when adb is missing', () => {
    const r = runCli(['watch', '--db', join(tempDir(), 'm.db')], { env: { PATH: '/nonexistent' } });
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('authing-triage: adb: not found on PATH; install Android platform-tools (Debian package adb) or add adb to PATH\n');
  });
});
