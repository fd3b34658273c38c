/**
 * What each process's last event saw (its records and cause) is carried from event to event, past the 16 KiB a
 * read-back reaches: where lines are long (a verbose app's JSON), the lines of a process between two of its events
 * can lie further back than a read-back from the second. A resumed run read only the 16 KiB before its resume
 * point, so an event just after it lost what the event before the resume point had seen (an adversarial review's
 * finding: 64 lines of 340 bytes between them). The resumed run now goes over the lines before its resume point
 * again, nothing stored. The store after a run cut just after an event, an append and a run again must equal one
 * clean run, context and cause included: read from the file (one thread, ranges) and from stdin.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusThreadtime, expectResumeAsClean, prng, trialsHere } from '../helpers.js';

const { authing: AUTHING, plain: PLAIN } = corpusThreadtime();
const CAUSES = [' java.net.SocketTimeoutException: timeout', ' java.net.ConnectException: failed to connect'];

/** Lines of a few processes of ours among many others, a share of them carrying a long JSON payload. */
function capture(seed: number, lines: number, payload: number): string[] {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const r = rnd();
    let line = r < 0.03 ? pick(AUTHING) : pick(PLAIN);
    const ours = r < 0.03 || rnd() < 0.15;
    const pid = ours ? 4321 + 67 * Math.floor(rnd() * 2) : 1000 + Math.floor(rnd() * 400);
    line = line.replace(/^(\S+ \S+)\s+\d+\s+\d+/, (_m, t: string) => `${t}  ${String(pid).padStart(5)}  ${String(pid).padStart(5)}`);
    if (ours && r >= 0.03 && rnd() < 0.2) line += pick(CAUSES);
    else if (!ours && rnd() < 0.6) line += ` {"trace":"${'x'.repeat(payload)}","seq":${i}}`;
    out.push(line);
  }
  return out;
}

describe('a resumed run where lines are long', () => {
  it('stores every row of one clean run, context and cause included, after a run cut just after an event (file and stdin)', () => {
    const trials = trialsHere('long-line resume', 8, 4);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 2000, max: 4000 }), fc.integer({ min: 200, max: 600 }), fc.nat(), fc.nat({ max: 40 }), fc.constantFrom('one' as const, 'ranges' as const, 'stdin' as const), fc.constantFrom(3, 12, 50), (seed, n, payload, pick, past, how, context) => {
        const lines = capture(seed, n, payload);
        const all = Buffer.from(lines.join('\n') + '\n');
        // the cut: a few bytes into the line after an event past the first third
        const starts: number[] = [];
        let at = 0;
        for (const l of lines) {
          at += Buffer.byteLength(l) + 1;
          if (/uth/i.test(l) && at > all.length / 3 && at < all.length - 1000) starts.push(at);
        }
        const cut = starts[pick % starts.length]! + Math.min(past, 20);
        expectResumeAsClean(all, cut, ['--tz', 'UTC', '--year', '2026', '--context', String(context)], how, `payload ${payload}, --context ${context}`);
      }),
      { numRuns: trials, seed: 2026_12_02_6 },
    );
  }, 300_000);
});
