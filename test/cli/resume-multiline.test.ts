/**
 * A resumed run of a layout whose records span lines (`-v long`, Android Studio copies): its context is a ring
 * of the records the Parser made, not lines read back, and a resumed run now parses the lines just before its
 * resume point into it (ingest.ts primeRing). The store after a run cut mid-line, an append and a run again must
 * equal one clean run of the final bytes, context and cause included: read from the file (one thread and the
 * default) and from stdin. Real lines of the corpus in a few processes, some with a cause, some Studio records
 * with an indented stack trace under them, CR LF in some trials.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusThreadtime, expectResumeAsClean, prng, runCli, storedRows, tempDir, trialsHere } from '../helpers.js';

/** The corpus's threadtime lines as fields: date, time, level, tag, message. */
const FIELDS = corpusThreadtime()
  .all.map((l) => /^(\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})\s+\d+\s+\d+ ([VDIWEF]) (.*?)\s*: (.*?)$/.exec(l))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ date: m[1]!, time: m[2]!, level: m[3]!, tag: m[4]!, msg: m[5]! }));
const AUTHING = FIELDS.filter((f) => /uth/i.test(f.tag + f.msg));
const PLAIN = FIELDS.filter((f) => !/uth|auth/i.test(f.tag + f.msg));
const CAUSES = ['java.net.SocketTimeoutException: timeout', 'javax.net.ssl.SSLHandshakeException: handshake', 'java.net.ConnectException: failed to connect'];
const PIDS = [4321, 4388, 1702];

/** A capture in `layout` of `records` records, times in order; a Studio record with a cause gets a stack trace under it. */
function capture(seed: number, records: number, layout: 'long' | 'studio', crlf: boolean): Buffer {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const out: string[] = [];
  for (let i = 0; i < records; i++) {
    const r = rnd();
    const f = r < 0.04 ? pick(AUTHING) : pick(PLAIN);
    const pid = pick(PIDS);
    const tid = pid + Math.floor(rnd() * 3);
    const ms = String(i % 1000).padStart(3, '0');
    const time = `${String(10 + Math.floor(i / 60000)).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}:${String(Math.floor(i / 100) % 60).padStart(2, '0')}.${ms}`;
    const msg = r >= 0.04 && r < 0.1 ? pick(CAUSES) : f.msg;
    if (layout === 'long') {
      out.push(`[ 03-17 ${time} ${String(pid).padStart(5)}:${String(tid).padStart(5)} ${f.level}/${f.tag} ]`, msg);
      if (rnd() < 0.1) out.push('second line of the message');
      out.push('');
    } else {
      out.push(`2026-03-17 ${time} ${pid}-${tid}/com.example.app ${f.level}/${f.tag}: ${msg}`);
      if (msg !== f.msg) out.push('        at okhttp3.internal.connection.RealCall.execute(RealCall.kt:154)', '        at com.example.app.Net.call(Net.java:42)');
    }
  }
  return Buffer.from(out.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n'));
}

describe('a resumed run of a layout whose records span lines', () => {
  it('stores every row of one clean run, context and cause included, after a run cut mid-line and an append (file and stdin)', () => {
    // the captures are read as the layout they are written in
    for (const layout of ['long', 'studio'] as const) {
      const dir = tempDir();
      const f = join(dir, `${layout}.log`);
      writeFileSync(f, capture(1, 300, layout, false));
      const run = runCli(['--db', join(dir, 'l.db'), '--quiet', '--json-summary', f]);
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).sources[0].formats).toEqual([layout]);
    }
    const trials = trialsHere('multi-line resume', 10, 5);
    let nearCut = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1500, max: 3000 }), fc.constantFrom('long' as const, 'studio' as const), fc.boolean(), fc.nat(), fc.nat({ max: 700 }), fc.constantFrom('one' as const, 'default' as const, 'stdin' as const), fc.constantFrom(0, 3, 12), (seed, records, layout, crlf, pick, into, how, context) => {
        const all = capture(seed, records, layout, crlf);
        // the cut: up to a few records before an event past the first third, so that the events just after the resume point have records of
        // their process before it, and records between it and the event (a Studio capture's records are no candidates: they went unparsed)
        const text = all.toString('latin1');
        const events = [...text.matchAll(/\n[^\n]*(?:code=|errCode|apiCode|code: |"code")/g)].map((m) => m.index!).filter((i) => i > all.length / 3);
        expect(events.length).toBeGreaterThan(0);
        const cut = Math.max(1, events[pick % events.length]! - into);
        const { want } = expectResumeAsClean(all, cut, ['--tz', 'UTC', '--year', '2026', '--context', String(context)], how, layout);
        // the first event after the cut has context or a cause from records before it
        const cutLine = text.slice(0, cut).split('\n').length;
        const firstAfter = (want[0] as { line: number; context: string | null; cause: string | null }[]).find((e) => e.line >= cutLine);
        if (firstAfter && ((firstAfter.context ?? '[]') !== '[]' || firstAfter.cause !== null)) nearCut++;
      }),
      { numRuns: trials, seed: 2026_12_02_3 },
    );
    expect(nearCut).toBeGreaterThan(0);
  }, 300_000);

  it('gives the events after a resume point their context when the capture changed from -v long to threadtime before it', () => {
    // The resumed run goes over the lines before its resume point as its head's layout says (long), and the
    // threadtime lines there must still be the look-back and memory of the events after it (one day's regression).
    const head = Array.from({ length: 40 }, (_, i) => `[ 03-17 09:59:${String(i % 60).padStart(2, '0')}.000  4321: 4321 I/Boot ]\nstarted ${i}\n`).join('\n') + '\n';
    const tt = (i: number, lvl: string, tag: string, msg: string): string => `03-17 10:00:${String(i).padStart(2, '0')}.000  1702  1702 ${lvl} ${tag}: ${msg}\n`;
    const before = head + tt(1, 'W', 'System.err', 'java.net.SocketTimeoutException: timeout') + tt(2, 'D', 'TextView', 'noise') + tt(3, 'I', 'AuthRepository', 'cn.authing.guard callback code: 2004, message: user not found');
    const all = Buffer.from(before + tt(4, 'D', 'TextView', 'more noise') + tt(5, 'E', 'LoginActivity', 'Authing login failed, code=10001 message=Network error'));
    for (const how of ['one', 'default', 'stdin'] as const) {
      for (const cut of [Buffer.byteLength(before), Buffer.byteLength(before) + 7, all.length - 9]) {
        const { want } = expectResumeAsClean(all, cut, ['--tz', 'UTC', '--year', '2026', '--context', '5'], how, 'long, then threadtime');
        const last = (want[0] as { code: number; context: string; cause: string | null }[]).find((e) => e.code === 10001)!;
        expect(JSON.parse(last.context)).toHaveLength(4);
        expect(last.cause).not.toBeNull();
      }
    }
  });

  it('gives the events after a resume point in a Studio capture the records between it and them', () => {
    // A Studio record is no candidate line: a resumed run handed the Parser only candidate lines until one came, so
    // the records between the resume point and the first event never reached the context's ring (a clean run's
    // Selector reads every line from its first candidate on; now both from their first line).
    const rec = (i: number, lvl: string, tag: string, msg: string): string => `2026-03-17 10:00:${String(i).padStart(2, '0')}.${String(i).padStart(3, '0')} 4321-4321/com.example.app ${lvl}/${tag}: ${msg}\n`;
    let text = '';
    for (let i = 0; i < 20; i++) text += rec(i, 'D', 'TextView', `noise ${i}`);
    const cuts = [text.length, text.length + 9];
    text += rec(20, 'W', 'System.err', 'java.net.SocketTimeoutException: timeout') + '        at okhttp3.internal.connection.RealCall.execute(RealCall.kt:154)\n';
    cuts.push(text.length);
    text += rec(21, 'D', 'TextView', 'noise 21') + rec(22, 'E', 'LoginActivity', 'Authing login failed, code=2004 message=Network error');
    const all = Buffer.from(text);
    for (const how of ['one', 'stdin'] as const) {
      for (const cut of cuts) {
        const { want } = expectResumeAsClean(all, cut, ['--tz', 'UTC', '--year', '2026', '--context', '5'], how, 'studio');
        const event = (want[0] as { code: number; context: string; cause: string | null }[]).find((e) => e.code === 2004)!;
        expect(JSON.parse(event.context)).toHaveLength(5);
        expect(event.cause).toBe('timeout');
      }
    }
  });

  it('keeps the records of a process that is still logging when over 1024 others came after its first record', () => {
    // The ring keeps 1024 pids: the one to go was the first made, however recent its records (so a long-lived
    // process lost its context at the 1024th newer pid, in a clean run, and a resumed run whose ring was made
    // later kept it). Now the one whose last record is oldest goes.
    const dir = tempDir();
    const out: string[] = [];
    const rec = (pid: number, n: number, msg: string): void => void out.push(`[ 03-17 16:${String(10 + Math.floor(n / 3600)).padStart(2, '0')}:${String(Math.floor(n / 60) % 60).padStart(2, '0')}.${String(n % 1000).padStart(3, '0')} ${String(pid).padStart(5)}:${String(pid).padStart(5)} I/Worker ]`, msg, '');
    let n = 0;
    rec(100, n++, 'system process starts');
    for (let p = 0; p < 1023; p++) {
      rec(2000 + p, n++, `other process ${p}`);
      if (p % 10 === 0) rec(100, n++, `system process still here ${p}`);
    }
    rec(100, n++, 'the last record of the system process before its event');
    rec(5000, n++, 'one more process, the 1024th after the first');
    rec(100, n++, 'cn.authing.guard callback code: 10022, message: app not found');
    const f = join(dir, 'many-pids.log');
    writeFileSync(f, out.join('\n') + '\n');
    const run = runCli(['--db', join(dir, 'p.db'), '--quiet', '--tz', 'UTC', '--year', '2026', '--context', '2', f]);
    expect(run.status, run.stderr).toBe(0);
    const events = storedRows(join(dir, 'p.db'))[0] as { code: number; context: string }[];
    expect(events.map((e) => e.code)).toEqual([10022]);
    expect(JSON.parse(events[0]!.context)).toEqual([expect.stringContaining('system process still here 1020'), expect.stringContaining('the last record of the system process before its event')]);
  });
});
