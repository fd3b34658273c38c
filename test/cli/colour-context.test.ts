/**
 * `adb logcat -v color`: each line opens with its level's colour, 10 or 11 characters (AOSP logprint.cpp: V 231,
 * D 75, I 40, W 226, E/F 196, as `ESC[38;5;Nm`, and `ESC[0m` at the end). The look-back found the lines of an
 * event's process at the column of the pid in the event's own line, so the lines of other levels, whose pid
 * stands a column off, were never in its context nor its cause. A capture in colour must give every event the
 * context and cause of the same capture without colour: one thread, and the scan threads' ranges.
 */
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusThreadtime, prng, query, runCli, tempDir, trialsHere } from '../helpers.js';

const { authing: AUTHING, plain: PLAIN } = corpusThreadtime();
const CAUSES = [' java.net.SocketTimeoutException: timeout', ' java.net.ConnectException: failed to connect'];
/** logcat's colour of each level (system/logging/liblog/logprint.cpp, colorFromPri). */
const COLOUR: Record<string, number> = { V: 231, D: 75, I: 40, W: 226, E: 196, F: 196 };

function capture(seed: number, lines: number): string[] {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const r = rnd();
    let line = r < 0.03 ? pick(AUTHING) : pick(PLAIN);
    // three processes, so that most lines before an event are of its own, at every level
    const pid = 4321 + 67 * Math.floor(rnd() * 3);
    line = line.replace(/^(\S+ \S+)\s+\d+\s+\d+ ([VDIWEF])/, (_m, t: string, lvl: string) => `${t}  ${pid}  ${pid} ${r < 0.03 ? lvl : pick(['V', 'D', 'I', 'W', 'E'])}`);
    if (r >= 0.03 && r < 0.06) line += pick(CAUSES);
    out.push(line);
  }
  return out;
}

const coloured = (l: string): string => `\x1B[38;5;${COLOUR[/^\S+ \S+\s+\d+\s+\d+ ([VDIWEF])/.exec(l)![1]!]}m${l}\x1B[0m`;

describe('a capture in colour (-v color)', () => {
  it('gives each event the context and cause of the same capture without colour, on one thread and in ranges', () => {
    const trials = trialsHere('colour context', 6, 3);
    let withContext = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 3000, max: 6000 }), fc.constantFrom(1, 5, 12), fc.constantFrom('one', 'ranges'), (seed, n, context, how) => {
        const dir = tempDir();
        const lines = capture(seed, n);
        const plain = join(dir, 'plain.log');
        const colour = join(dir, 'colour.log');
        writeFileSync(plain, lines.join('\n') + '\n');
        writeFileSync(colour, lines.map(coloured).join('\n') + '\n');
        const common = ['--quiet', '--tz', 'UTC', '--year', '2026', '--context', String(context)];
        const env: Record<string, string> = how === 'ranges' ? { AUTHING_TRIAGE_RANGE_BYTES: '65536', AUTHING_TRIAGE_DENSE_BYTES: '0', AUTHING_TRIAGE_TRACE: 'read' } : {};
        const threads = how === 'ranges' ? ['--threads', '2'] : ['--threads', '1'];
        const a = runCli(['--db', join(dir, 'plain.db'), '--threads', '1', ...common, plain]);
        expect(a.status, a.stderr).toBe(0);
        const b = runCli(['--db', join(dir, 'colour.db'), ...threads, ...common, colour], { env });
        expect(b.status, b.stderr).toBe(0);
        if (how === 'ranges') expect(b.stderr).toContain('ranges on 2 threads');
        const sql = 'SELECT line, code, context, cause FROM events ORDER BY line, code';
        const want = query<{ context: string }>(join(dir, 'plain.db'), sql);
        const got = query(join(dir, 'colour.db'), sql);
        expect(want.length).toBeGreaterThan(n / 100);
        withContext += want.filter((e) => e.context !== '[]').length;
        expect(got).toEqual(want);
      }),
      { numRuns: trials, seed: 2026_12_02_4 },
    );
    expect(withContext).toBeGreaterThan(20);
  }, 300_000);
});
