/**
 * The records a restarted `logcat -B -T` sends again (src/cli/watch-plan.ts, ResentRecords): logd sends every record
 * at or after the time given, so a restarted stream begins with a run of the last records seen, the last one and
 * those of its millisecond, and where the time falls between two, one before them. Exactly that run is dropped, in
 * order; the first record that is not the next seen one ends the check, so a record like one seen but later, or
 * a stream that starts elsewhere (the device rebooted), is kept.
 */
import { describe, expect, it } from 'vitest';
import { ResentRecords } from '../../src/cli/watch-plan.js';
import type { LogRecord } from '../../src/types.js';

const rec = (ms: number, message: string): LogRecord => ({ time: new Date(Date.UTC(2026, 2, 17, 16, 0, 0, ms)).toISOString(), pid: 4000, tid: 4000, level: 'E', tag: 'SocialLoginButton', message, format: 'binary', line: 0 });
const seen = [rec(0, 'a'), rec(1, 'b'), rec(2, 'c'), rec(2, 'd')];

function run(first: LogRecord[], again: LogRecord[]): boolean[] {
  const r = new ResentRecords();
  for (const x of first) expect(r.seen(x)).toBe(false);
  r.restart();
  return again.map((x) => r.seen(x));
}

describe('ResentRecords', () => {
  it('drops the run of last records a restart sends again, the one before them too, and keeps what follows', () => {
    expect(run(seen, [rec(2, 'c'), rec(2, 'd'), rec(3, 'e')])).toEqual([true, true, false]);
    expect(run(seen, [rec(1, 'b'), rec(2, 'c'), rec(2, 'd'), rec(3, 'e'), rec(4, 'f')])).toEqual([true, true, true, false, false]);
  });

  it('keeps a stream that starts elsewhere, and a record seen before that comes again later', () => {
    expect(run(seen, [rec(9, 'x'), rec(2, 'd')])).toEqual([false, false]);
    // the run broken: the first record that is not the next seen one ends the check
    expect(run(seen, [rec(2, 'c'), rec(5, 'y'), rec(2, 'd')])).toEqual([true, false, false]);
  });

  it('checks nothing on the first stream, nor before a restart', () => {
    const r = new ResentRecords();
    expect([...seen, ...seen].map((x) => r.seen(x))).toEqual(Array(8).fill(false));
  });
});
