/**
 * The look-back of the scan threads (lookback.ts). The pid a scan thread guesses for a candidate: on
 * real captures of every layout it is the pid the Parser gives the line when the layout has a fixed
 * pid column, and none otherwise (a wrong guess is safe but sends the main thread back to reading the
 * file). The walk back in the scanner's module finds the lines the JavaScript walk finds, and a range
 * job sends for each candidate the lines the main thread would read back from the file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledCauses } from '../../src/extract/causes.js';
import { candidateNeedles } from '../../src/extract/index.js';
import { stripDecorations } from '../../src/parse/decorations.js';
import { parseText } from '../../src/parse/records.js';
import { forEachCandidate, stringArray } from '../../src/pipeline/candidates.js';
import { FIXED_PID_COLUMN } from '../../src/pipeline/context.js';
import { lineText, LOOKBACK_BYTES, LOOKBACK_LINES, LOOKBACK_MAX, pidColumn, pidLineSpans, type PidLine } from '../../src/pipeline/line-window.js';
import { FoundBefore, fixedColumnPid } from '../../src/pipeline/lookback.js';
import { SimdScanner } from '../../src/pipeline/needle-scan.js';
import { splitRanges } from '../../src/pipeline/parallel.js';
import { runJob } from '../../src/pipeline/scan-jobs.js';
import { withLayoutNeedles } from '../../src/pipeline/scan.js';
import { SHARED, tempDir } from '../helpers.js';

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

/** Real threadtime lines of the corpus. */
const threadtime = readFileSync(join(SHARED, 'corpus', 'real', 'andlogview__galaxy_nexus_jbmr2_threadtime.log'), 'utf8')
  .split('\n')
  .filter((l) => /^\d\d-\d\d \S+\s+\d+\s+\d+ [VDIWEF] /.test(l));
const PIDS = [7, 70, 700, 1702, 17632, 4672, 12345];

/** A real threadtime line given pid `pid` (logcat's %5d), optionally an Authing candidate, optionally ending CR. */
function withPid(line: string, pid: number, authing: boolean, cr: boolean): string {
  const l = line.replace(/^(\d\d-\d\d \S+)\s+\d+/, (_m, t: string) => `${t} ${String(pid).padStart(5)}`);
  return (authing ? l.replace(/ [VDIWEF] (.*?): /, ' E Authing: code 2001 ') : l) + (cr ? '\r' : '');
}

describe('the walk back in the scanner (needle-scan.wat pidLines)', () => {
  // lines of fixed-column layouts with a few pids, the pid at other columns, other bytes, empty and long lines
  const line = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...threadtime), fc.constantFrom(...PIDS), fc.boolean()).map(([l, p, cr]) => withPid(l, p, false, cr)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...PIDS), fc.nat(99999), fc.constantFrom('I(', 'W(', 'D(', 'I( ')).map(([p, t, h]) => `${h}${String(p).padStart(5)}:${String(t).padStart(5)}) thread line`) },
    { weight: 1, arbitrary: fc.constantFrom(...PIDS).map((p) => `(${p}) ${p}:${p} x(${p}: ${'y'.repeat(60)} ${p} `) },
    { weight: 2, arbitrary: fc.string({ maxLength: 90 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString('latin1')) },
    { weight: 1, arbitrary: fc.constant('') },
  );

  it('finds, for any lines, pid, column, window and bounds, exactly the lines the JavaScript walk (pidLineSpans) finds', () => {
    const scanner = SimdScanner.create(withLayoutNeedles(candidateNeedles([])), 1 << 16)!;
    expect(scanner).not.toBeNull();
    let found = 0;
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 150, size: 'max' }),
        fc.nat(300),
        fc.tuple(fc.nat(), fc.nat()),
        fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PIDS.map(String)) }, { weight: 1, arbitrary: fc.stringMatching(/^\d{1,7}$/) }),
        // no column (search the first bytes), the column of a threadtime line's pid, the candidate's own, any
        fc.oneof(fc.constant(-1), fc.constant('threadtime'), fc.constant('own'), fc.integer({ min: -1, max: 80 })),
        fc.integer({ min: 1, max: LOOKBACK_MAX }),
        fc.integer({ min: 0, max: 70 }),
        (lines, offset, [a, b], needle, colOf, max, maxLines) => {
          const bytes = Buffer.from(lines.join('\n') + '\n', 'latin1');
          // the bytes where a scan thread has them: in the scanner's memory, at any offset
          const buf = scanner.input(offset + bytes.length).subarray(offset, offset + bytes.length);
          bytes.copy(buf);
          const starts = [0];
          for (let i = 0; i < buf.length; i++) if (buf[i] === 10) starts.push(i + 1);
          // a candidate's line start, and a line start at or before it; mostly the walk's own bound (0)
          const h = starts.length - 1 - (a % Math.min(starts.length, 8));
          const hi = starts[h]!;
          const lo = b % 3 === 0 ? starts[b % (h + 1)]! : 0;
          const own = lineText(buf, hi, Math.max(hi, buf.indexOf(10, hi)));
          const col = colOf === 'own' ? pidColumn(own, needle) : colOf === 'threadtime' ? pidColumn(withPid(threadtime[0]!, Number(needle), false, false), needle) : colOf;
          const want: number[] = [];
          pidLineSpans(buf, lo, hi, needle, col, max, want, { lines: 0, max: maxLines });
          const got: number[] = [];
          scanner.pidLines(buf, lo, hi, needle, col, max, maxLines, got);
          expect(got).toEqual(want);
          if (want.length) found++;
        },
      ),
      { numRuns: 400, seed: 2026113015 },
    );
    // not a comparison of empty lists
    expect(found).toBeGreaterThan(100);
  });
});


describe('a range job\'s look-back', () => {
  /**
   * A capture of real threadtime lines with a few pids, Authing lines among them, maybe a line longer
   * than a scan thread's read buffer (cut in the read), maybe no newline at its end; `size` bytes or so.
   */
  function capture(seed: number, size: number, longAt: number | null, endNewline: boolean): { bytes: Buffer; cut: [number, number] | null } {
    // mulberry32
    let x = seed >>> 0;
    const rnd = (n: number): number => {
      x = (x + 0x6d2b79f5) >>> 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const parts: string[] = [];
    let at = 0;
    let cut: [number, number] | null = null;
    while (at < size) {
      if (longAt !== null && cut === null && at >= longAt) {
        const long = `${withPid(threadtime[0]!, PIDS[0]!, true, false)} ${'z'.repeat(2_200_000)}\n`;
        cut = [at, at + long.length];
        parts.push(long);
        at += long.length;
        continue;
      }
      // 40 processes: a job carries a few lines of look-back a candidate, and reads several chunks before
      // its cap; some lines long (64 lines then reach past LOOKBACK_BYTES), some with the pid all along
      // (the bytes at the pid's column of a line cut anywhere may hold it)
      const pid = 100 + rnd(40);
      const kind = rnd(40);
      const tail = kind < 5 ? ` ${'x'.repeat(rnd(900))}` : kind < 7 ? ` ${pid}`.repeat(rnd(120)) : '';
      // Authing lines one in 60, one in 3 around each MiB of the file (where a job reads its next 2 MiB chunk: a
      // job starts at 0, or just before a MiB boundary when its range is a MiB or more, parallel.ts splitRanges)
      const near = at > 30_000 && Math.min(at % (1 << 20), (1 << 20) - (at % (1 << 20))) < 30_000;
      const l = withPid(threadtime[rnd(threadtime.length)]!, pid, rnd(near ? 3 : 60) === 0, false) + tail + (rnd(50) === 0 ? '\r\n' : '\n');
      parts.push(l);
      at += Buffer.byteLength(l);
    }
    let text = parts.join('');
    if (!endNewline) text = `${text}${withPid(threadtime[1]!, PIDS[1]!, true, false)}`;
    return { bytes: Buffer.from(text, 'utf8'), cut };
  }

  const needles = withLayoutNeedles(candidateNeedles([]));
  const isCandidate = new RegExp(needles.any.source, needles.any.flags.replace('g', ''));

  /**
   * The lines the main thread reads back from the file for a candidate at `offset` (frames.ts's
   * BytesBefore, LineWindow); a line that is a candidate of the same job (from `jobStart` on) comes as the
   * scan decoded it (with its CR), one before the job without (the Parser takes the CR off either way).
   */
  function readBack(bytes: Buffer, offset: number, text: string, pid: number, floor = 0, jobStart = 0): PidLine[] {
    const base = Math.max(floor, offset - LOOKBACK_BYTES - 1);
    const window = bytes.subarray(base, offset);
    const from = window.length === LOOKBACK_BYTES + 1 ? window.indexOf(10) + 1 : 0;
    const needle = String(pid);
    const spans: number[] = [];
    pidLineSpans(window, from, window.length, needle, pidColumn(text, needle), LOOKBACK_MAX, spans, { lines: 0, max: LOOKBACK_LINES });
    const out: PidLine[] = [];
    for (let j = 0; j < spans.length; j += 3) {
      const raw = window.toString('utf8', spans[j]!, spans[j + 1]!);
      out.push({ text: isCandidate.test(raw) && base + spans[j]! >= jobStart ? raw : lineText(window, spans[j]!, spans[j + 1]!), back: spans[j + 2]! });
    }
    return out.reverse();
  }

  it('holds for each candidate the lines the main thread would read back from the file, across read chunks, a line cut in the read and a last line without its newline', () => {
    const dir = tempDir();
    let withLines = 0;
    let nearChunkStart = 0;
    let nearJobStart = 0;
    let nearFloor = 0;
    fc.assert(
      // ranges of less than one read chunk (2 MiB) and of several (3.5 MB: 3 or 4 MiB less a line, splitRanges)
      // a run from the file's start, or one resumed at a line start (nothing before it is read back)
      fc.property(fc.nat(), fc.constantFrom(1_200_000, 3_000_000, 5_000_000), fc.constantFrom(30_000, 1_000_000, 2_500_000, 3_500_000, 10_000_000), fc.option(fc.integer({ min: 0, max: 3_000_000 })), fc.boolean(), fc.boolean(), (seed, size, target, longAt, endNewline, resumed) => {
        const { bytes, cut } = capture(seed, size, longAt, endNewline);
        const f = join(dir, 'c.log');
        writeFileSync(f, bytes);
        const floor = resumed ? bytes.indexOf(10, (seed % 50_000) + 20_000) + 1 : 0;
        // each range as scanInParallel runs it: a job full of candidates stops, and the rest is another job
        const jobs = splitRanges(f, floor, bytes.length, target);
        for (let j = 0; j < jobs.length; j++) {
          const [start, end] = jobs[j]!;
          const r = runJob({ id: 0, path: f, start, end, size: bytes.length, floor, maxLine: 1 << 20, needles });
          expect(r.error).toBeUndefined();
          if (r.stoppedAt !== undefined) jobs.splice(j + 1, 0, [r.stoppedAt, end]);
          const found = new FoundBefore(r.candidates, r.candidates.before!);
          let i = 0;
          forEachCandidate(r.candidates, (text, _rel, at) => {
            const offset = start + at;
            const pid = fixedColumnPid(text);
            // the bytes before it (the job's, or read before its start) are not a line cut in this job's read
            const held = !(cut && cut[0] >= start && cut[0] < end && offset - LOOKBACK_BYTES < cut[1] && offset >= cut[1]);
            expect(found.pidOf(i), `candidate at ${offset}`).toBe(held ? pid : -1);
            if (found.pidOf(i) >= 0) {
              const want = readBack(bytes, offset, text, pid, floor, start);
              expect(found.linesOf(i, LOOKBACK_LINES), `candidate at ${offset}`).toEqual(want);
              if (want.length) withLines++;
              // the read buffer is 2 MiB: a window that reaches into the chunk before
              if ((offset - start) % (1 << 21) < LOOKBACK_BYTES && offset - start > LOOKBACK_BYTES) nearChunkStart++;
              // a window that reaches before the job's start: read before it by the job
              if (offset - start < LOOKBACK_BYTES && start > floor) nearJobStart++;
              // a window cut by the run's start
              if (offset - floor < LOOKBACK_BYTES && floor > 0) nearFloor++;
            }
            i++;
            return true;
          });
        }
      }),
      { numRuns: 12, seed: 2026113016 },
    );
    expect(withLines).toBeGreaterThan(500);
    expect(nearChunkStart).toBeGreaterThan(10);
    expect(nearJobStart).toBeGreaterThan(10);
    expect(nearFloor).toBeGreaterThan(0);
  });

  it('leaves out, with a --context and the causes, only older lines that can show no cause, and says for which candidates it did (a capture of one process)', () => {
    const causes = bundledCauses();
    const lineCheck = causes.lineCheck!;
    expect(lineCheck).not.toBeNull();
    // Real lines of one process, an Authing line one in 50, a cause line (no needle) one in 25, one coloured.
    const causeTails = [' java.net.SocketTimeoutException: timeout', ' javax.net.\x1B[31mssl.SSLHandshakeException\x1B[0m', ' Unable to resolve host "api.example.org"'];
    const dir = tempDir();
    let dropped = 0;
    let thinnedCandidates = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat({ max: 49 })), { minLength: 200, maxLength: 3000 }), fc.constantFrom(0, 1, 5, 50), (rows, keep) => {
        const text = rows.map(([at, kind]) => withPid(threadtime[at % threadtime.length]!, 4321, kind === 0, false) + (kind === 1 || kind === 2 ? causeTails[at % causeTails.length]! : '')).join('\n') + '\n';
        const bytes = Buffer.from(text, 'utf8');
        const f = join(dir, 'one.log');
        writeFileSync(f, bytes);
        const r = runJob({ id: 0, path: f, start: 0, end: bytes.length, size: bytes.length, maxLine: 1 << 20, needles, thinning: { keep, lineCheck } });
        expect(r.error).toBeUndefined();
        expect(r.stoppedAt).toBeUndefined();
        const found = new FoundBefore(r.candidates, r.candidates.before!);
        let i = 0;
        forEachCandidate(r.candidates, (cand, _rel, at) => {
          const all = readBack(bytes, at, cand, 4321);
          const sent = found.linesOf(i, LOOKBACK_LINES);
          const left = all.filter((l) => !sent.some((s) => s.back === l.back));
          // what is sent is what would be read back, less some lines; the newest `keep` and every line with a cause are among it
          for (const s of sent) expect(all).toContainEqual(s);
          expect(all.slice(Math.max(0, all.length - keep)).every((l) => sent.some((s) => s.back === l.back))).toBe(true);
          for (const l of left) expect(causes.mayBeInLine(stripDecorations(l.text)), l.text).toBe(false);
          expect(found.thinned(i)).toEqual(left.length ? { keep, lineCheck } : null);
          dropped += left.length;
          if (left.length) thinnedCandidates++;
          i++;
          return true;
        });
      }),
      { numRuns: 40, seed: 2026120203 },
    );
    expect(dropped).toBeGreaterThan(5000);
    expect(thinnedCandidates).toBeGreaterThan(100);
  });

  it('does not read back the line cut by the start of the bytes kept from the chunk before, even where its bytes hold the pid', () => {
    // The first job of a file reads 2 MiB: its first chunk ends at the newline at 2 MiB - 1, and the
    // next begins with an Authing line of pid 1234 (its pid at column 20). The line before it is
    // 20,000 bytes of " 1234": the kept bytes begin inside it, where column 20 holds " 1234 ".
    const chunk = 1 << 21;
    const dense = 20_000;
    const filler: string[] = [];
    let at = 0;
    while (chunk - dense - at > 300) {
      const l = `01-01 00:00:00.000   999   999 I Filler: line ${filler.length}\n`;
      filler.push(l);
      at += l.length;
    }
    filler.push(`01-01 00:00:00.000   999   999 I Filler: ${'f'.repeat(chunk - dense - at - 42)}\n`);
    const candidate = withPid(threadtime[0]!, 1234, true, false);
    expect(pidColumn(candidate, '1234')).toBe(20);
    const text = `${filler.join('')}${' 1234'.repeat(dense / 5).slice(0, dense - 1)}\n${candidate}\n${withPid(threadtime[1]!, 1234, false, false)}\n`;
    const bytes = Buffer.from(text, 'latin1');
    expect(bytes.toString('latin1', chunk - dense - 1, chunk - dense + 5)).toBe('\n 1234');
    expect(bytes.indexOf(candidate)).toBe(chunk);
    // the kept bytes would begin at 2 MiB - 16384, and column 20 of them is a pid
    expect(bytes.toString('latin1', chunk - LOOKBACK_BYTES + 19, chunk - LOOKBACK_BYTES + 25)).toBe(' 1234 ');
    const f = join(tempDir(), 'cut.log');
    writeFileSync(f, bytes);
    const r = runJob({ id: 0, path: f, start: 0, end: bytes.length, size: bytes.length, maxLine: 1 << 20, needles });
    expect(r.candidates.at).toEqual([chunk]);
    const found = new FoundBefore(r.candidates, r.candidates.before!);
    expect(found.pidOf(0)).toBe(1234);
    // the main thread reads back no line of 1234 that starts within LOOKBACK_BYTES
    expect(readBack(bytes, chunk, candidate, 1234)).toEqual([]);
    expect(found.linesOf(0, LOOKBACK_LINES)).toEqual([]);
  });
});

describe('stringArray', () => {
  it('gives a new empty array each time, which takes strings (the candidate lists start from it)', () => {
    const a = stringArray();
    const b = stringArray();
    expect(a).not.toBe(b);
    a.push('x', 'y');
    expect(a).toEqual(['x', 'y']);
    expect(b).toEqual([]);
    expect(stringArray()).toEqual([]);
  });
});
