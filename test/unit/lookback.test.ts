/**
 * The pid a scan thread guesses for a candidate (lookback.ts): on real captures of every layout it is
 * the pid the Parser gives the line when the layout has a fixed pid column, and none otherwise (a
 * wrong guess is safe but sends the main thread back to reading the file).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/parse/records.js';
import { FIXED_PID_COLUMN } from '../../src/pipeline/context.js';
import { fixedColumnPid } from '../../src/pipeline/lookback.js';
import { SHARED } from '../helpers.js';

const captures = ['real', 'labeled'].flatMap((d) =>
  readdirSync(join(SHARED, 'corpus', d))
    .filter((f) => /\.(log|txt)$/.test(f))
    .map((f) => join(SHARED, 'corpus', d, f)),
);

describe('fixedColumnPid', () => {
  it('gives the Parser pid of each line of a threadtime, process or thread capture, and -1 for the lines of other layouts', () => {
    const seen = new Map<string, number>();
    for (const file of captures) {
      const lines = readFileSync(file, 'utf8').split('\n');
      for (const r of parseText(lines.join('\n'), { year: 2026, tz: 'UTC' }).records) {
        // one-line records only: a multi-line layout's body lines are not headers
        if (r.format === 'long' || r.format === 'studio' || r.format === 'studio-v2' || r.format === 'raw') continue;
        const text = lines[r.line - 1]!.replace(/\r$/, '');
        const fixed = FIXED_PID_COLUMN.has(r.format);
        expect(fixedColumnPid(text), `${file}:${r.line} (${r.format})`).toBe(fixed && r.pid !== null ? r.pid : -1);
        seen.set(r.format, (seen.get(r.format) ?? 0) + 1);
      }
    }
    // every fixed layout and the others were walked
    for (const f of ['threadtime', 'process', 'thread', 'brief', 'time']) expect(seen.get(f) ?? 0, f).toBeGreaterThan(0);
  });

  it('gives the Parser pid of real threadtime, process and thread lines whose pid and tid are varied (a tid is never taken for the pid)', () => {
    const real = (name: string) => readFileSync(join(SHARED, 'corpus', 'real', name), 'utf8').split('\n').filter((l) => /^[VDIWEF]\(|^\d\d-\d\d /.test(l));
    const lines = [...real('andlogview__parsers-logcat_thread.txt'), ...real('andlogview__parsers-logcat_process.txt'), ...real('andlogview__galaxy_nexus_jbmr2_threadtime.log')];
    fc.assert(
      fc.property(fc.constantFrom(...lines), fc.integer({ min: 1, max: 99999 }), fc.integer({ min: 1, max: 99999 }), (line, pid, tid) => {
        // the pid and tid columns as logcat prints them (%5d), with other numbers
        const text = line
          .replace(/^([VDIWEF]\(\s*)\d+(:\s*)\d+\)/, (_m, a: string, b: string) => `${a.trimEnd()}${String(pid).padStart(5)}${b.trimEnd()}${String(tid).padStart(5)})`)
          .replace(/^([VDIWEF]\()\s*\d+\)/, (_m, a: string) => `${a}${String(pid).padStart(5)})`)
          .replace(/^(\d\d-\d\d \S+)\s+\d+\s+\d+/, (_m, t: string) => `${t} ${String(pid).padStart(5)} ${String(tid).padStart(5)}`);
        const [r] = parseText(text, { year: 2026, tz: 'UTC' }).records;
        expect(r && FIXED_PID_COLUMN.has(r.format), text).toBe(true);
        expect(r!.pid).toBe(pid);
        expect(fixedColumnPid(text), text).toBe(pid);
      }),
      { numRuns: 200, seed: 2026113025 },
    );
  });
});
