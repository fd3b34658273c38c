/**
 * How scanInParallel hands a large file's ranges to the scan threads (parallel.ts): a thread that
 * answers gets its next job at once, up to JOBS_AHEAD jobs a thread out at a time, and the results
 * are still taken in file order. The scan threads here are a pool whose jobs run the real range job
 * (scan-jobs.ts runJob) and answer after random delays, so that they come back out of order, while
 * the consumer takes a random time over each result (as the main thread parses). Whatever the order,
 * the ranges yielded must hold exactly what one job over the whole file finds: every line counted
 * once, every candidate once, at its own line and offset, with the same look-back, and the block
 * digests of every block once. Ranges of a block or more end before a block boundary (splitRanges),
 * also where a long line leaves no newline within 64 KiB before it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { candidateNeedles } from '../../src/extract/index.js';
import { forEachCandidate } from '../../src/pipeline/candidates.js';
import { BLOCK, loadBlockHash } from '../../src/pipeline/fingerprint.js';
import { LOOKBACK_LINES } from '../../src/pipeline/line-window.js';
import { FoundBefore } from '../../src/pipeline/lookback.js';
import { JOBS_AHEAD, scanInParallel, splitRanges, type ScanPool } from '../../src/pipeline/parallel.js';
import { runJob, type RangeJob, type RangeResult } from '../../src/pipeline/scan-jobs.js';
import { withLayoutNeedles } from '../../src/pipeline/scan.js';
import { DEFAULT_MAX_LINE } from '../../src/sources/chunks.js';
import { prng, SHARED, tempDir } from '../helpers.js';

beforeAll(() => loadBlockHash());

const needles = withLayoutNeedles(candidateNeedles([]));

/** A candidate as one job over the whole file sees it: file line, file offset, text, and its look-back (pid, lines). */
type Seen = [number, number, string, number, string[]];

/** The candidates of a result whose range starts at file offset `start` and file line `line0`, as Seen. */
function seenIn(r: RangeResult, start: number, line0: number): Seen[] {
  const out: Seen[] = [];
  const before = r.candidates.before ? new FoundBefore(r.candidates, r.candidates.before) : null;
  let i = 0;
  forEachCandidate(r.candidates, (text, rel, at) => {
    // a look-back line is read without its CR, except one that is a candidate of the same job (its text is the candidate's): the context parses both alike
    const lines = before?.linesOf(i, LOOKBACK_LINES).map((l) => `${l.back} ${l.text.replace(/\r$/, '')}`) ?? [];
    out.push([line0 + rel, start + at, text, before?.pidOf(i) ?? -1, lines]);
    i++;
    return true;
  });
  return out;
}

/**
 * Scan threads that run each job here and answer it after a random delay (0-4 ms), counting what is
 * out: the jobs sent and not yet taken by the consumer, and every range sent.
 */
class DelayedPool {
  readonly sent: [number, number][] = [];
  constructor(
    readonly threads: number,
    private readonly rand: () => number,
  ) {}
  private job(path: string, start: number, end: number, size: number, floor: number): RangeJob {
    return { id: this.sent.length, path, start, end, size, floor, maxLine: DEFAULT_MAX_LINE, needles };
  }
  range(path: string, start: number, end: number, size: number, floor = 0): Promise<RangeResult> {
    const r = runJob(this.job(path, start, end, size, floor));
    this.sent.push([start, end]);
    const ms = Math.floor(this.rand() * 5);
    return new Promise((resolve) => setTimeout(() => resolve(r), ms));
  }
  scanHere(path: string, start: number, end: number, size: number, floor = 0): RangeResult {
    return runJob(this.job(path, start, end, size, floor));
  }
}

/**
 * A real capture (`copies` times over) damaged as captures are: CR LF on some lines, a block of junk
 * bytes (with no newline when there are several copies), and a last line cut without its newline.
 */
function damaged(rand: () => number, copies = 1): Buffer {
  const real = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'latin1').split('\n');
  const lines = Array.from({ length: copies }, () => real)
    .flat()
    .map((l) => (rand() < 0.3 ? `${l}\r` : l));
  // in a capture of several copies, a junk "line" of 100-220 KB: a range boundary may fall where no newline lies within 64 KiB before it
  const junk = Buffer.from(Array.from({ length: (copies > 1 ? 100_000 : 1) + Math.floor(rand() * (copies > 1 ? 120_000 : 3000)) }, () => (copies > 1 ? [9, 11, 65, 200][Math.floor(rand() * 4)]! : Math.floor(rand() * 256))));
  // (the long junk line across the 2 MiB boundary, where a range of 1-2 MiB may aim to end)
  let at = Math.floor(rand() * lines.length);
  if (copies > 1) for (let bytes = 0, i = 0; i < lines.length; bytes += lines[i]!.length + 1, i++) if (bytes > 2 * 2 ** 20 - 100_000) {
    at = i;
    break;
  }
  const text = Buffer.concat([Buffer.from(lines.slice(0, at).join('\n') + '\n', 'latin1'), junk, Buffer.from('\n' + lines.slice(at).join('\n'), 'latin1')]);
  // cut inside the last line or two: no newline at the end
  return text.subarray(0, text.length - 1 - Math.floor(rand() * 200));
}

describe('the ranges of a large file sent to the scan threads', () => {
  const dir = tempDir();

  it('yield, in file order, every line and candidate of the file once, at its line and offset with its look-back, whatever order the threads answer in', async () => {
    let n = 0;
    await fc.assert(
      // ranges of 2-40 KiB, or of 1-2 MiB in a capture of 3-4 MiB (those end before a block boundary, parallel.ts splitRanges)
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2, 3), fc.oneof(fc.integer({ min: 2048, max: 40_000 }), fc.integer({ min: BLOCK, max: 2 * BLOCK })), async (seed, threads, target) => {
        const rand = prng(seed);
        const bytes = damaged(rand, target >= BLOCK ? 10 : 1);
        const path = join(dir, `capture-${n++}.log`);
        writeFileSync(path, bytes);
        // a run that resumes: it reads from a line start in the first third (or from the start)
        const resume = rand() < 0.5 ? 0 : bytes.lastIndexOf(10, Math.floor((rand() * bytes.length) / 3)) + 1;
        const whole = runJob({ id: 0, path, start: resume, end: bytes.length, size: bytes.length, floor: resume, maxLine: DEFAULT_MAX_LINE, needles });
        const expected = seenIn(whole, resume, 0);
        // the ranges start at random offsets: the target size is random, and a range ends just after a newline
        const ranges = splitRanges(path, resume, bytes.length, target);
        const pool = new DelayedPool(threads, rand);
        const got: Seen[] = [];
        const blocks: [number, string][] = [];
        let at = resume;
        let lines = 0;
        let taken = 0;
        for await (const r of scanInParallel(path, ranges, bytes.length, pool as unknown as ScanPool)) {
          expect(r.start, 'ranges come in file order, each after the one before').toBe(at);
          got.push(...seenIn(r, r.start, lines));
          blocks.push(...(r.blocks ?? []));
          lines += r.lines;
          at = r.end;
          taken++;
          // the first range is scanned here, the others were sent: those sent and not yet taken are bounded
          expect(pool.sent.length - (taken - 1), 'jobs out at once').toBeLessThanOrEqual(threads * JOBS_AHEAD);
          // the consumer parses for a while
          await new Promise((resolve) => setTimeout(resolve, Math.floor(rand() * 3)));
        }
        expect(at).toBe(bytes.length);
        expect(lines).toBe(whole.lines);
        expect(got).toEqual(expected);
        expect(blocks).toEqual(whole.blocks);
        // every range but the first (scanned here) was sent once
        expect(pool.sent).toEqual(ranges.slice(1));
      }),
      { numRuns: 16, seed: 2026120103 },
    );
  });

  it('sends no range once the consumer has stopped, and lets the ranges already out finish', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(2, 3), async (seed, threads) => {
        const rand = prng(seed);
        const bytes = damaged(rand);
        const path = join(dir, `stop-${seed}.log`);
        writeFileSync(path, bytes);
        const ranges = splitRanges(path, 0, bytes.length, 4096);
        const pool = new DelayedPool(threads, rand);
        const stopAfter = 1 + Math.floor(rand() * 4);
        let taken = 0;
        let sentAtStop = -1;
        for await (const _r of scanInParallel(path, ranges, bytes.length, pool as unknown as ScanPool)) {
          if (++taken === stopAfter) {
            sentAtStop = pool.sent.length;
            break;
          }
        }
        // the generator's finally waited for the ranges out; their answers sent nothing more
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(ranges.length).toBeGreaterThan(stopAfter + threads * JOBS_AHEAD);
        expect(pool.sent.length).toBe(sentAtStop);
      }),
      { numRuns: 8, seed: 2026120104 },
    );
  });
});
