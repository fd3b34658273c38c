/**
 * A capture of one process (`adb logcat --pid`): every line is of the event's pid, so each event's look-back
 * holds 64 lines of it. The scan threads send only the newest --context of them and the older ones that may
 * show a cause, and the main thread parses only those (docs/performance.md, round fifteen): every stored row,
 * context and cause included, must be the row `--threads 1` stores. Real lines of the corpus, one pid; causes
 * without a needle at any distance before an event (one coloured inside, some past the 64 lines), lines cut
 * after the pid (no record: the main thread then parses all the lines, read again from the file), CR LF.
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
/** The real capture's Authing lines (most yield an event) and its other lines (no needle). */
const AUTHING = THREADTIME.filter((l) => /uth/i.test(l));
const PLAIN = THREADTIME.filter((l) => !/uth|auth/i.test(l));
const CAUSES = [' java.net.SocketTimeoutException: timeout', ' javax.net.\x1B[31mssl.SSLHandshakeException\x1B[0m: handshake', ' java.net.ConnectException: failed to connect', ' Unable to resolve host "api.example.org": No address'];

function oneProcess(seed: number, lines: number, crlf: boolean): Buffer {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const r = rnd();
    let line = r < 0.02 ? pick(AUTHING) : pick(PLAIN);
    line = line.replace(/^(\S+ \S+)\s+\d+\s+\d+/, (_m, t: string) => `${t}  4321  ${String(4321 + Math.floor(rnd() * 3)).padStart(4)}`);
    if (r >= 0.02 && r < 0.05) line += pick(CAUSES);
    // cut after the pid and tid: the pid's digits at its column, but no record
    else if (r >= 0.05 && r < 0.06) line = line.slice(0, line.indexOf(' 4321 ') + 12);
    out.push(line);
  }
  return Buffer.from(out.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n'));
}

describe('a capture of one process read in ranges', () => {
  it('stores every row that --threads 1 stores, context and cause included, at any --context and range size', () => {
    const trials = trialsHere('one-process equality', 12, 6);
    let withCause = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 6000, max: 9000 }), fc.boolean(), fc.constantFrom(0, 2, 5, 12), fc.integer({ min: 1 << 14, max: 1 << 17 }), (seed, lines, crlf, context, rangeWanted) => {
        const dir = tempDir();
        const f = join(dir, 'pid.log');
        const bytes = oneProcess(seed, lines, crlf);
        writeFileSync(f, bytes);
        const range = Math.min(rangeWanted, Math.floor(bytes.length / 4));
        const common = ['--quiet', '--tz', 'UTC', '--year', '2026', '--context', String(context), f];
        const one = runCli(['--db', join(dir, 'one.db'), '--threads', '1', ...common]);
        expect(one.status, one.stderr).toBe(0);
        const env = { AUTHING_TRIAGE_RANGE_BYTES: String(range), AUTHING_TRIAGE_DENSE_BYTES: '0', AUTHING_TRIAGE_TRACE: 'read' };
        const two = runCli(['--db', join(dir, 'two.db'), '--threads', '2', ...common], { env });
        expect(two.status, two.stderr).toBe(0);
        expect(two.stderr).toContain('ranges on 2 threads');
        const want = storedRows(join(dir, 'one.db'));
        const events = want[0] as { cause: string | null; context: string | null }[];
        expect(events.length).toBeGreaterThan(lines / 100);
        withCause += events.filter((e) => e.cause !== null).length;
        const got = storedRows(join(dir, 'two.db'));
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          const gotEvents = got[0] as unknown[];
          const i = events.findIndex((e, k) => JSON.stringify(e) !== JSON.stringify(gotEvents[k]));
          if (i >= 0) expect(gotEvents[i], `event ${i} of ${events.length}, --context ${context}, ranges of ${range} bytes`).toEqual(events[i]);
          expect(got).toEqual(want);
        }
      }),
      { numRuns: trials, seed: 2026_12_02 },
    );
    // causes were found from lines read back
    expect(withCause).toBeGreaterThan(50);
  }, 300_000);

  it('resumed after an append cut mid-line just before an event, stores every row of one clean run, context and cause included (ranges and --threads 1)', () => {
    const trials = trialsHere('one-process resume', 8, 4);
    let nearCut = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 6000, max: 9000 }), fc.boolean(), fc.nat(), fc.nat({ max: 80 }), fc.constantFrom('ranges', 'one'), (seed, lines, crlf, pick, into, how) => {
        const dir = tempDir();
        const all = oneProcess(seed, lines, crlf);
        // the cut: inside one of the few lines before an event past the first third, so that the events just after the
        // resume point have lines of their process before it
        const text = all.toString('latin1');
        const events = [...text.matchAll(/\n[^\n]*(?:code=|errCode|apiCode|code: )/g)].map((m) => m.index!).filter((i) => i > all.length / 3);
        const at = events[pick % events.length]!;
        const cut = Math.max(1, at - into);
        const common = ['--quiet', '--tz', 'UTC', '--year', '2026'];
        const env: Record<string, string> = how === 'ranges' ? { AUTHING_TRIAGE_RANGE_BYTES: String(Math.floor((all.length - cut) / 5)), AUTHING_TRIAGE_DENSE_BYTES: '0' } : {};
        const threads = how === 'ranges' ? ['--threads', '2'] : ['--threads', '1'];
        const f = join(dir, 'grown.log');
        writeFileSync(f, all.subarray(0, cut));
        const first = runCli(['--db', join(dir, 'grown.db'), ...threads, ...common, f], { env });
        expect(first.status, first.stderr).toBe(0);
        appendFileSync(f, all.subarray(cut));
        const second = runCli(['--db', join(dir, 'grown.db'), ...threads, ...common, f], { env: { ...env, AUTHING_TRIAGE_TRACE: 'read' } });
        expect(second.status, second.stderr).toBe(0);
        if (how === 'ranges') expect(second.stderr).toContain('ranges on 2 threads');
        const clean = join(dir, 'clean.log');
        writeFileSync(clean, all);
        const one = runCli(['--db', join(dir, 'clean.db'), '--threads', '1', ...common, clean]);
        expect(one.status, one.stderr).toBe(0);
        const want = storedRows(join(dir, 'clean.db'));
        const got = storedRows(join(dir, 'grown.db'));
        // the first event after the cut has context (of lines before it)
        const firstAfter = (want[0] as { line: number; context: string }[]).find((e) => Buffer.byteLength(text.split('\n').slice(0, e.line - 1).join('\n'), 'latin1') >= cut);
        if (firstAfter && firstAfter.context !== '[]') nearCut++;
        const wantEvents = want[0] as unknown[];
        const gotEvents = got[0] as unknown[];
        const i = wantEvents.findIndex((e, k) => JSON.stringify(e) !== JSON.stringify(gotEvents[k]));
        if (i >= 0) expect(gotEvents[i], `event ${i} of ${wantEvents.length}, ${how}, cut at ${cut}`).toEqual(wantEvents[i]);
        expect(got[0]).toEqual(want[0]);
        expect(got[1]).toEqual(want[1]);
      }),
      { numRuns: trials, seed: 2026_12_02_2 },
    );
    expect(nearCut).toBeGreaterThan(0);
  }, 300_000);
});
