/**
 * A UTF-16 capture (what PowerShell's `adb logcat > file` writes) resumed after it grew: the lines just before the
 * resume point are the look-back of the first events after it, decoded as one clean run decodes them. Before, a
 * resumed UTF-16 run read nothing before its resume point, and the first events after it lacked the context and
 * cause one clean run gives them. The store after a run cut mid-line, an append and a run again must equal one
 * clean run, context and cause included: read from the file (one thread, default) and from stdin, LE and BE.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusThreadtime, expectResumeAsClean, prng, trialsHere } from '../helpers.js';

const { authing: AUTHING, plain: PLAIN } = corpusThreadtime();
const CAUSES = [' java.net.SocketTimeoutException: timeout', ' java.net.ConnectException: failed to connect'];

function capture(seed: number, lines: number): string[] {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const r = rnd();
    let line = r < 0.03 ? pick(AUTHING) : pick(PLAIN);
    const pid = 4321 + 67 * Math.floor(rnd() * 3);
    line = line.replace(/^(\S+ \S+)\s+\d+\s+\d+/, (_m, t: string) => `${t}  ${pid}  ${pid}`);
    if (r >= 0.03 && r < 0.06) line += pick(CAUSES);
    out.push(line);
  }
  return out;
}

function utf16(text: string, be: boolean): Buffer {
  const le = Buffer.from('\uFEFF' + text, 'utf16le');
  return be ? Buffer.from(le).swap16() : le;
}

describe('a UTF-16 capture resumed after it grew', () => {
  it('stores every row of one clean run, context and cause included (file and stdin, LE and BE)', () => {
    const trials = trialsHere('utf-16 resume', 8, 4);
    let nearCut = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1500, max: 3000 }), fc.boolean(), fc.boolean(), fc.nat(), fc.nat({ max: 120 }), fc.constantFrom('one' as const, 'default' as const, 'stdin' as const), (seed, n, be, crlf, pick, into, how) => {
        const lines = capture(seed, n);
        const all = utf16(lines.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n'), be);
        // the cut: a few bytes before an event past the first third
        const starts: number[] = [];
        let at = 2;
        for (const l of lines) {
          if (/code|uth/i.test(l) && at > all.length / 3) starts.push(at);
          at += 2 * (l.length + (crlf ? 2 : 1));
        }
        const cut = Math.max(3, starts[pick % starts.length]! - into);
        const { want } = expectResumeAsClean(all, cut, ['--tz', 'UTC', '--year', '2026', '--context', '5'], how, be ? 'UTF-16BE' : 'UTF-16LE');
        const wantEvents = want[0] as { line: number; context: string | null; cause: string | null }[];
        expect(wantEvents.length).toBeGreaterThan(n / 100);
        const cutLine = all.subarray(0, cut).toString(be ? 'latin1' : 'utf16le').split(be ? '\0\n' : '\n').length;
        const firstAfter = wantEvents.find((e) => e.line >= cutLine);
        if (firstAfter && ((firstAfter.context ?? '[]') !== '[]' || firstAfter.cause !== null)) nearCut++;
      }),
      { numRuns: trials, seed: 2026_12_02_5 },
    );
    expect(nearCut).toBeGreaterThan(0);
  }, 300_000);
});
