/**
 * The jobs of the scan threads: one newline-aligned byte range of a plain file, or a buffer of
 * whole lines handed over from a stream (stdin, gzip). A job counts the lines and returns the
 * candidate lines (decoded), exactly as the single-threaded scan would see them. The workers run
 * them (scan-worker.ts); the main thread runs a file's first range itself while they start.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Needles } from '../extract/prefilter.js';
import { CandidateList, NO_CANDIDATES, type Candidates } from './candidates.js';
import { BLOCK, readAt, type BlockHasher } from './fingerprint.js';
import { LOOKBACK_BYTES, type Thinning } from './line-window.js';
import { LookBackFinder } from './lookback.js';
import { cutLine } from '../sources/chunks.js';
import { utf16LineIn } from '../sources/encoding.js';
import { chunkScanner, firstOverlongIn, type ChunkScanner } from './scan.js';

/** A job: scan [start, end) of path, and hash the whole blocks that start in it (the file is `size` bytes). */
export interface RangeJob {
  id: number;
  path: string;
  start: number;
  end: number;
  size: number;
  /** Where the run began reading (a line start): no byte before it is read for a look-back (0 when absent). */
  floor?: number;
  maxLine: number;
  needles: Needles;
  /** The look-back's lines to leave out (lookback.ts); absent: all are sent. */
  thinning?: Thinning;
}

/** A job: scan the whole lines in buf[start, end) (the buffer is transferred, not copied). */
export interface BufferJob {
  id: number;
  buf: Uint8Array;
  start: number;
  end: number;
  maxLine: number;
  needles: Needles;
}

/** What a range holds: its line count, cut lines, and its candidate lines by 0-based line index. */
export interface RangeResult {
  id: number;
  lines: number;
  overlong: number;
  /** Set when `overlong` is: the 0-based index among `lines` of the first line cut (a run's warning names it). */
  firstCut?: number;
  candidates: Candidates;
  /**
   * Set when the job stopped at its candidate cap: the offset (file offset, or index in a buffer job's
   * buffer) where the rest begins, to be scanned as another job. Lines and overlong count up to it.
   */
  stoppedAt?: number;
  /** Digests of the whole 1 MiB blocks that start in the range (fingerprint.ts). */
  blocks?: [number, string][];
  /**
   * Set when the range ends the file with a line without its newline: the file offset where that
   * line starts (a checkpoint stays before it: an append may complete it).
   */
  openAt?: number;
  error?: string;
  /** A buffer job's buffer, handed back to be filled again. */
  buf?: Uint8Array;
  /** A range's: the file offset of its first line that starts as UTF-16 (utf16LineIn), which a scan reads as no line. */
  utf16At?: number;
}

/**
 * The digests of the whole blocks that start at or after `start`, fed with the range's bytes as they
 * are read (no second read); the last block is completed past the range's end.
 */
class RangeBlocks {
  readonly done: [number, string][] = [];
  private cur: BlockHasher | null = null;
  private curLen = 0;
  private curIndex = -1;
  private readonly first: number;
  /** The scanner hashes the bytes read into its input() where they lie (needle-scan.wat's XXH64). */
  constructor(
    start: number,
    private readonly size: number,
    private readonly scanner: ChunkScanner,
  ) {
    this.first = Math.ceil(start / BLOCK) * BLOCK;
  }

  /** Bytes at file offset `pos`, contiguous with the last fed. */
  feed(pos: number, bytes: Uint8Array): void {
    let at = Math.max(0, this.first - pos);
    while (at < bytes.length) {
      const off = pos + at;
      if (!this.cur) {
        if (off % BLOCK !== 0 || off + BLOCK > this.size) return; // a partial last block is never needed whole
        this.cur = this.scanner.blockHasher();
        this.curLen = 0;
        this.curIndex = off / BLOCK;
      }
      const n = Math.min(bytes.length - at, BLOCK - this.curLen);
      this.cur.update(bytes.subarray(at, at + n));
      this.curLen += n;
      at += n;
      if (this.curLen === BLOCK) {
        this.done.push([this.curIndex, this.cur.digest()]);
        this.cur = null;
      }
    }
  }

  /** Completes a block begun before `stop` by reading on past the range (into the scanner's input(), free once the range is read). */
  finish(fd: number, stop: number): void {
    if (!this.cur || this.curIndex * BLOCK >= stop) return;
    const pos = this.curIndex * BLOCK + this.curLen;
    const rest = readAt(fd, pos, BLOCK - this.curLen, this.scanner.input(BLOCK - this.curLen));
    // the file shrank: no digest, a checkpoint reads the block itself
    if (rest.length === BLOCK - this.curLen) this.feed(pos, rest);
  }
}

/**
 * A chunk of whole lines of a range, in `buf` from index `from` to `end`, at file offset `offset`:
 * buf[0, from) are the file's bytes just before it (whole lines, at most LOOKBACK_BYTES), kept for the
 * look-back of its candidates. A candidate at file offset o has all of its look-back window in buf
 * when o - LOOKBACK_BYTES >= validFrom (lookback.ts).
 */
interface RangeChunk {
  buf: Buffer;
  from: number;
  end: number;
  overlong: number;
  offset: number;
  validFrom: number;
}

/**
 * Reads the whole lines of the LOOKBACK_BYTES before `start` into mem[KEPT - kept, KEPT), where the
 * range reader keeps a chunk's look-back, so that the candidates at a range's start have theirs found
 * here too (before, the main thread read each of those back from the file: a read and a walk in
 * JavaScript on the serial thread, and a rarely taken path that made its optimized code start over).
 * Returns the bytes kept and the validFrom of the first chunk: the window of any candidate is held
 * (one cut by the run's start, `floor`, holds all there is: the main thread reads nothing before it either).
 */
function keepBefore(fd: number, start: number, floor: number, mem: Buffer, KEPT: number): { kept: number; validFrom: number } {
  const held = { kept: 0, validFrom: start };
  // nothing before the run's start is read back (BytesBefore's bound, and all a --threads 1 run has)
  if (start <= floor) return { kept: 0, validFrom: -KEPT };
  // one byte more than the window: a line that starts just at its bound is whole
  const want = Math.min(start - floor, KEPT + 1);
  const bytes = readAt(fd, start - want, want, mem.subarray(KEPT, KEPT + want));
  // the file shrank under the run: as without the bytes (the commit finds the change)
  if (bytes.length < want) return held;
  const from = want > KEPT ? bytes.indexOf(10) + 1 : 0;
  if (from === 0 && want > KEPT) return held;
  const kept = want - from;
  mem.copyWithin(KEPT - kept, KEPT + from, KEPT + want);
  // a window cut by the run's start holds all there is to read
  return { kept, validFrom: want > KEPT ? start - KEPT : -KEPT };
}

/**
 * The range as chunks of whole lines, read synchronously into one reused buffer: a scan thread has
 * nothing else to do (and the main thread does this for one range, while the workers start), async
 * reads would queue on libuv's pool that all workers share, and a new buffer per chunk would leave
 * the garbage collector behind. A line longer than the buffer holds is cut to maxLine bytes like
 * lineChunks does; shorter over-long lines are cut by the scanner. The last LOOKBACK_BYTES of whole
 * lines of a chunk are moved ahead of the next one with its cut line, so a candidate's look-back
 * is one contiguous walk over the bytes in place (lookback.ts).
 */
function* rangeChunks(scanner: ChunkScanner, fd: number, start: number, end: number, floor: number, maxLine: number, blocks: RangeBlocks): Generator<RangeChunk> {
  // One buffer for every job of this thread, the scanner's own (SIMD: inside its memory, so the
  // bytes are scanned where they were read); a new one per job grew the C heap (measured). The
  // chunks are read to KEPT on; the bytes kept from the chunk before lie just ahead of KEPT.
  const KEPT = LOOKBACK_BYTES;
  const mem = scanner.input(KEPT + Math.max(2 * maxLine, 1 << 21));
  const buf = mem.subarray(KEPT);
  const before = keepBefore(fd, start, floor, mem, KEPT);
  let have = 0;
  let kept = before.kept; // bytes kept ahead of buf[0] (a line start), the file's own just before it
  let validFrom = before.validFrom;
  let pos = start;
  let dropping = false;
  for (;;) {
    const n = pos < end ? readSync(fd, buf, have, Math.min(buf.length - have, end - pos), pos) : 0;
    blocks.feed(pos, buf.subarray(have, have + n));
    pos += n;
    const len = have + n;
    const base = pos - len; // file offset of buf[0]
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
      // the bytes before this line are a cut line's head: the look-back of the next LOOKBACK_BYTES is read by the main thread
      validFrom = base + from;
    }
    const last = buf.subarray(0, len).lastIndexOf(10);
    if (last >= from) {
      // (kept is 0 after a cut line, whose rest is dropped here)
      yield { buf: mem.subarray(KEPT + from - kept), from: kept, end: kept + last + 1 - from, overlong: 0, offset: base + from, validFrom };
      // the next chunk's look-back: the whole lines of the last KEPT bytes before it, with its cut line
      const valid = KEPT + from - kept;
      const next = KEPT + last + 1;
      let keep = Math.max(valid, next - KEPT);
      if (keep > valid) keep = mem.indexOf(10, keep - 1) + 1;
      kept = next - keep;
      mem.copyWithin(KEPT - kept, keep, KEPT + len);
      have = len - (last + 1);
    } else if (cutLine(len - from, maxLine, buf[len - 1]!)) {
      // the line cut to maxLine bytes and a newline, in place (its rest is dropped)
      buf[from + maxLine] = 10;
      yield { buf: mem.subarray(KEPT + from - kept), from: kept, end: kept + maxLine + 1, overlong: 1, offset: base + from, validFrom };
      dropping = true;
      have = 0;
      kept = 0;
    } else {
      buf.copyWithin(0, from, len);
      have = len - from;
    }
    if (eof) {
      if (have > 0 && !dropping) {
        // a last line without its newline: one is put after it (have < buf.length: a line that fills buf is cut above)
        buf[have] = 10;
        yield { buf: mem.subarray(KEPT - kept), from: kept, end: kept + have + 1, overlong: 0, offset: pos - have, validFrom };
      }
      return;
    }
  }
}

/** The result of a job that failed: nothing counted, and why. */
export function failedResult(id: number, error: string): RangeResult {
  return { id, lines: 0, overlong: 0, candidates: NO_CANDIDATES, error };
}

/**
 * What a buffer job finds in the whole lines of `lines`: their count, cut lines and candidates, and where
 * it stopped at the candidate cap (an index in `lines`). The scan threads' buffer jobs and the stdin
 * reader thread's own scan of a piece (fd-reader.ts) both come here.
 */
export function scanWholeLines(scanner: ChunkScanner, lines: Buffer, maxLine: number): Pick<RangeResult, 'lines' | 'overlong' | 'firstCut' | 'candidates' | 'stoppedAt'> {
  const list = new CandidateList();
  const r = scanner.scan(lines, lines.length, maxLine, (text, i, at) => list.add(text, i, at));
  const stoppedAt = r.stoppedAt !== undefined && r.stoppedAt < lines.length ? r.stoppedAt : undefined;
  const firstCut = r.overlong ? firstOverlongIn(lines, 0, r.stoppedAt ?? lines.length, maxLine) : -1;
  return { lines: r.lines, overlong: r.overlong, ...(firstCut >= 0 ? { firstCut } : {}), candidates: list.done(), stoppedAt };
}

function scanBuffer(job: BufferJob): RangeResult {
  const buf = Buffer.from(job.buf.buffer, job.buf.byteOffset + job.start, job.end - job.start);
  const r = scanWholeLines(chunkScanner(job.needles), buf, job.maxLine);
  return { id: job.id, ...r, stoppedAt: r.stoppedAt === undefined ? undefined : job.start + r.stoppedAt, buf: job.buf };
}

function scanRange(job: RangeJob): RangeResult {
  const scanner = chunkScanner(job.needles);
  const list = new CandidateList();
  const blocks = new RangeBlocks(job.start, job.size, scanner);
  // The earlier lines of each candidate's pid, from the bytes held here (the main thread would read them again).
  const before = new LookBackFinder(scanner, job.thinning);
  let lines = 0;
  let overlong = 0;
  let firstCut: number | undefined;
  let stoppedAt: number | undefined;
  let lastChunk = job.start;
  let openAt: number | undefined;
  let utf16At: number | undefined;
  const fd = openSync(job.path, 'r');
  try {
    if (job.end > job.start) {
      for (const c of rangeChunks(scanner, fd, job.start, job.end, job.floor ?? 0, job.maxLine, blocks)) {
        lastChunk = c.offset;
        const base = lines;
        const rel = c.offset - job.start;
        before.chunk(c.validFrom);
        const r = scanner.scan(c.buf.subarray(c.from), c.end - c.from, job.maxLine, (text, i, at) => {
          list.add(text, base + i, rel + at);
          return list.charge(before.candidate(c.buf, c.from + at, c.offset + at, base + i, text));
        });
        // the first line cut: a chunk cut by rangeChunks is that one line; else the scan's first over-long line
        if (firstCut === undefined && c.overlong) firstCut = base;
        else if (firstCut === undefined && r.overlong) firstCut = base + firstOverlongIn(c.buf, c.from, c.from + (r.stoppedAt ?? c.end - c.from), job.maxLine);
        lines += r.lines;
        overlong += c.overlong + r.overlong;
        // (one memchr a chunk: a NUL is rare in UTF-8 text)
        if (utf16At === undefined && c.overlong === 0) {
          const u = utf16LineIn(c.buf, c.from, c.end);
          if (u >= 0) utf16At = c.offset + (u - c.from);
        }
        // Full: the rest of the range is another job. A cut line's chunk is not file bytes (head + newline): go on past it.
        if (r.stoppedAt !== undefined && c.overlong === 0 && c.offset + r.stoppedAt < job.end) {
          stoppedAt = c.offset + r.stoppedAt;
          break;
        }
      }
    }
    blocks.finish(fd, stoppedAt ?? job.end);
    // The file's last line has no newline: it is the last chunk's last line (the chunk of its bytes, or of its head when it was cut).
    if (stoppedAt === undefined && job.end === job.size && job.end > job.start && readAt(fd, job.end - 1, 1, Buffer.alloc(1))[0] !== 10) openAt = lastChunk;
  } finally {
    closeSync(fd);
  }
  return { id: job.id, lines, overlong, ...(firstCut !== undefined ? { firstCut } : {}), candidates: list.done(before.done()), stoppedAt, blocks: blocks.done, openAt, ...(utf16At !== undefined ? { utf16At } : {}) };
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
