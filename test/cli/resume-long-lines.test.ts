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
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prng, runCli, SHARED, storedRows, tempDir, trialsHere } from '../helpers.js';

const THREADTIME = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8')
  .split('\n')
  .map((l) => l.replace(/\r$/, ''))
  .filter((l) => /^\d\d-\d\d \S+\s+\d+\s+\d+ [VDIWEF] /.test(l));
const AUTHING = THREADTIME.filter((l) => /uth/i.test(l));
const PLAIN = THREADTIME.filter((l) => !/uth|auth/i.test(l));
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
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 2000, max: 4000 }), fc.integer({ min: 200, max: 600 }), fc.nat(), fc.nat({ max: 40 }), fc.constantFrom('one', 'ranges', 'stdin'), fc.constantFrom(3, 12, 50), (seed, n, payload, pick, past, how, context) => {
        const dir = tempDir();
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
        const common = ['--quiet', '--tz', 'UTC', '--year', '2026', '--context', String(context)];
        const grown = join(dir, 'grown.db');
        if (how === 'stdin') {
          const first = runCli(['--db', grown, ...common], { input: all.subarray(0, cut) });
          expect(first.status, first.stderr).toBe(0);
          const second = runCli(['--db', grown, ...common.filter((a) => a !== '--quiet')], { input: all });
          expect(second.status, second.stderr).toBe(0);
          expect(second.stderr).toContain('1 resumed input');
        } else {
          const f = join(dir, 'grown.log');
          const env: Record<string, string> = how === 'ranges' ? { AUTHING_TRIAGE_RANGE_BYTES: String(Math.floor((all.length - cut) / 4)), AUTHING_TRIAGE_DENSE_BYTES: '0', AUTHING_TRIAGE_TRACE: 'read' } : {};
          const threads = how === 'one' ? ['--threads', '1'] : ['--threads', '2'];
          writeFileSync(f, all.subarray(0, cut));
          const first = runCli(['--db', grown, ...threads, ...common, f], { env });
          expect(first.status, first.stderr).toBe(0);
          appendFileSync(f, all.subarray(cut));
          const second = runCli(['--db', grown, ...threads, ...common, f], { env });
          expect(second.status, second.stderr).toBe(0);
          if (how === 'ranges') expect(second.stderr).toContain('ranges on 2 threads');
        }
        const clean = join(dir, 'clean.log');
        writeFileSync(clean, all);
        const one = runCli(['--db', join(dir, 'clean.db'), '--threads', '1', ...common, clean]);
        expect(one.status, one.stderr).toBe(0);
        const want = storedRows(join(dir, 'clean.db'));
        const got = storedRows(grown);
        const wantEvents = want[0] as unknown[];
        const gotEvents = got[0] as unknown[];
        const i = wantEvents.findIndex((e, k) => JSON.stringify(e) !== JSON.stringify(gotEvents[k]));
        if (i >= 0) expect(gotEvents[i], `event ${i} of ${wantEvents.length}, ${how}, cut at ${cut}, --context ${context}`).toEqual(wantEvents[i]);
        expect(got[0]).toEqual(want[0]);
        expect(got[1]).toEqual(want[1]);
      }),
      { numRuns: trials, seed: 2026_12_02_6 },
    );
  }, 300_000);
});
