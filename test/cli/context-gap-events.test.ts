/**
 * The context of events in a capture where almost every line is an event and a few lines without a
 * needle stand between them (a stack trace's `at ...` lines). The context keeper takes such a gap into
 * its run of parsed lines (ContextKeeper.bridge, docs/performance.md "Round nine") instead of reading
 * back 64 lines for each of the next events: a gap line of the event's pid must still be in its context.
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOOKBACK_BYTES, LOOKBACK_LINES } from '../../src/pipeline/context.js';
import { prng, query, runCli, SHARED, tempDir, trialsHere } from '../helpers.js';

const THREADTIME = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n').filter((l) => l.length > 0);
/** The real capture's Authing lines: the needle scan hands them to the Parser (most yield an event). */
const AUTHING = THREADTIME.filter((l) => /uth/i.test(l));
/** Its lines the needle scan passes over: no "uth", and a record of the layout (a stack trace's lines among them). */
const PLAIN = THREADTIME.filter((l) => !/uth/i.test(l) && /^\S+ \S+\s+\d+\s+\d+ [VDIWEF] /.test(l));
/** Where a threadtime line's pid stands. */
const PID = /^(\S+ \S+)\s+(\d+)/;

/** How a capture is made. */
interface Shape {
  seed: number;
  lines: number;
  /** Chance of a gap of plain lines after an Authing line. */
  gapShare: number;
  /** Longest gap, in lines. */
  gapMax: number;
  crlf: boolean;
}

/** A dense capture of the real lines: Authing lines with pids from a small set, gaps of plain lines (of those pids too) between them. */
function denseWithGaps(s: Shape): string[] {
  const rnd = prng(s.seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const pids = Array.from({ length: 2 + Math.floor(rnd() * 12) }, () => 100 + Math.floor(rnd() * 30000));
  const withPid = (l: string) => l.replace(PID, (_m, t: string) => `${t} ${String(pick(pids)).padStart(5)}`);
  const out: string[] = [];
  while (out.length < s.lines) {
    out.push(withPid(pick(AUTHING)));
    if (rnd() < s.gapShare) for (let g = 1 + Math.floor(rnd() * s.gapMax); g > 0; g--) out.push(withPid(pick(PLAIN)));
  }
  return out;
}

/** For each event's line: the lines of its pid among the LOOKBACK_LINES before it that start within LOOKBACK_BYTES (what --context 50 keeps). */
function expectedContext(lines: readonly string[], eol: number, eventLines: readonly number[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const l of lines) {
    starts.push(at);
    at += Buffer.byteLength(l) + eol;
  }
  const pidOf = (l: string) => PID.exec(l)?.[2];
  return eventLines.map((n) => {
    const i = n - 1;
    const pid = pidOf(lines[i]!);
    let count = 0;
    for (let j = Math.max(0, i - LOOKBACK_LINES); j < i; j++) if (starts[j]! >= starts[i]! - LOOKBACK_BYTES && pidOf(lines[j]!) === pid) count++;
    return Math.min(count, 50);
  });
}

describe('context across lines without a needle in a dense capture', () => {
  it('keeps the gap lines of the event\'s pid in its context, at random gap sizes and shares, LF and CR LF', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          lines: fc.integer({ min: 3000, max: 9000 }),
          gapShare: fc.double({ min: 0.005, max: 0.3, noNaN: true }),
          gapMax: fc.integer({ min: 1, max: 6 }),
          crlf: fc.boolean(),
        }),
        (s) => {
          const lines = denseWithGaps(s);
          const eol = s.crlf ? '\r\n' : '\n';
          const file = join(tempDir(), 'gaps.log');
          writeFileSync(file, lines.join(eol) + eol);
          const db = join(tempDir(), 'gaps.db');
          const r = runCli([file, '--db', db, '--quiet', '--context', '50', '--year', '2026', '--tz', 'UTC', '--threads', '1']);
          expect(r.stderr).toBe('');
          expect(r.status).toBe(0);
          const rows = query<{ line: number; context: string }>(db, 'SELECT line, context FROM events ORDER BY line');
          expect(rows.length).toBeGreaterThan(lines.length / 4);
          const got = rows.map((e) => (JSON.parse(e.context) as string[]).length);
          expect(got).toEqual(expectedContext(lines, eol.length, rows.map((e) => e.line)));
        },
      ),
      { numRuns: trialsHere('gap context', 3, 3), seed: 9 },
    );
  });
});
