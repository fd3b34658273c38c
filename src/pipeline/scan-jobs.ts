/**
 * The jobs of the scan threads: one newline-aligned byte range of a plain file, or a buffer of
 * whole lines handed over from a stream (stdin, gzip). A job counts the lines and returns the
 * candidate lines (decoded), exactly as the single-threaded scan would see them. The workers run
 * them (scan-worker.ts); the main thread runs a file's first range itself while they start.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Needles } from '../extract/prefilter.js';
import { CandidateList, NO_CANDIDATES, type Candidates } from './candidates.js';
import { chunkScanner, type ChunkScanner } from './scan.js';

/** A job: scan [start, end) of path. */
export interface RangeJob {
  id: number;
  path: string;
  start: number;
  end: number;
  maxLine: number;
  needles: Needles;
}

/** A job: scan the whole lines in buf[0, end) (the buffer is transferred, not copied). */
export interface BufferJob {
  id: number;
  buf: Uint8Array;
  end: number;
  maxLine: number;
  needles: Needles;
}

/** What a range holds: its line count, cut lines, and its candidate lines by 0-based line index. */
export interface RangeResult {
  id: number;
  lines: number;
  overlong: number;
  candidates: Candidates;
  error?: string;
  /** A buffer job's buffer, handed back to be filled again. */
  buf?: Uint8Array;
}

const NL = Buffer.from('\n');

/**
 * The range as chunks of whole lines, read synchronously into one reused buffer: a scan thread has
 * nothing else to do (and the main thread does this for one range, while the workers start), async
 * reads would queue on libuv's pool that all workers share, and a new buffer per chunk would leave
 * the garbage collector behind. A line longer than the buffer holds is cut to maxLine bytes like
 * lineChunks does; shorter over-long lines are cut by the scanner.
 */
function* rangeChunks(scanner: ChunkScanner, path: string, start: number, end: number, maxLine: number): Generator<{ buf: Buffer; end: number; overlong: number }> {
  const fd = openSync(path, 'r');
  // One buffer for every job of this thread, the scanner's own (SIMD: inside its memory, so the
  // bytes are scanned where they were read); a new one per job grew the C heap (measured).
  const buf = scanner.input(Math.max(2 * maxLine, 1 << 21));
  let have = 0;
  let pos = start;
  let dropping = false;
  try {
    for (;;) {
      const n = pos < end ? readSync(fd, buf, have, Math.min(buf.length - have, end - pos), pos) : 0;
      pos += n;
      const len = have + n;
      const eof = pos >= end || n === 0;
      let from = 0;
      if (dropping) {
        const nl = buf.subarray(0, len).indexOf(10);
        if (nl < 0) {
          have = 0;
          if (eof) return;
          continue;
        }
        from = nl + 1;
        dropping = false;
      }
      const last = buf.subarray(0, len).lastIndexOf(10);
      if (last >= from) {
        yield { buf: buf.subarray(from), end: last + 1 - from, overlong: 0 };
        buf.copyWithin(0, last + 1, len);
        have = len - (last + 1);
      } else if (len - from > maxLine) {
        yield { buf: Buffer.concat([buf.subarray(from, from + maxLine), NL]), end: maxLine + 1, overlong: 1 };
        dropping = true;
        have = 0;
      } else {
        buf.copyWithin(0, from, len);
        have = len - from;
      }
      if (eof) {
        if (have > 0 && !dropping) yield { buf: Buffer.concat([buf.subarray(0, have), NL]), end: have + 1, overlong: 0 };
        return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The result of a job that failed: nothing counted, and why. */
export function failedResult(id: number, error: string): RangeResult {
  return { id, lines: 0, overlong: 0, candidates: NO_CANDIDATES, error };
}

function scanBuffer(job: BufferJob): RangeResult {
  const list = new CandidateList();
  const buf = Buffer.from(job.buf.buffer, job.buf.byteOffset, job.buf.byteLength);
  const r = chunkScanner(job.needles).scan(buf, job.end, job.maxLine, (text, i) => list.add(text, i));
  return { id: job.id, lines: r.lines, overlong: r.overlong, candidates: list.done(), buf: job.buf };
}

function scanRange(job: RangeJob): RangeResult {
  const scanner = chunkScanner(job.needles);
  const list = new CandidateList();
  let lines = 0;
  let overlong = 0;
  if (job.end > job.start) {
    for (const c of rangeChunks(scanner, job.path, job.start, job.end, job.maxLine)) {
      const base = lines;
      const r = scanner.scan(c.buf, c.end, job.maxLine, (text, i) => list.add(text, base + i));
      lines += r.lines;
      overlong += c.overlong + r.overlong;
    }
  }
  return { id: job.id, lines, overlong, candidates: list.done() };
}

/** Runs a job on this thread; a failure comes back as the result's error. */
export function runJob(job: RangeJob | BufferJob): RangeResult {
  try {
    return 'buf' in job ? scanBuffer(job) : scanRange(job);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return failedResult(job.id, `${err.code ?? ''} ${err.message}`.trim());
  }
}
