/**
 * A stream's chunks of whole lines (stdin, gzip) -> scanned units, in input order, using worker
 * threads when the input flows faster than one thread scans. Chunks are gathered into jobs of
 * `jobBytes` for the pool. When the input goes quiet (no chunk within two
 * milliseconds) and no job is in flight, what was gathered is handed back to be scanned inline at once,
 * so a live `adb logcat | authing-triage` is never held back waiting for a job to fill.
 */
import type { LineChunk } from '../sources/chunks.js';
import { monotonicMs } from '../clock.js';
import { scanError, type ScanPool } from './parallel.js';
import type { RangeResult } from './scan-jobs.js';
import { newlinesIn } from './scan.js';

/**
 * Buffers the reader thread lent (sources/stdin-reader.ts): one that holds a job's whole lines is
 * scanned as it is (by the reader thread itself, or a scan thread), and comes back to be filled again.
 */
export interface LentBuffers {
  owns(b: Buffer): boolean;
  recycle(b: Uint8Array): void;
  /** Asks the reader to scan the job-sized pieces it posts from now on (or, `false`, to stop: they would not be taken). */
  scanJobs(on?: boolean): void;
  /** The reader's scan of `b`, the whole of a lent buffer's lines, if it made one. */
  takeScan(b: Buffer): RangeResult | undefined;
}

/**
 * A unit in input order: a chunk to scan here, or whole lines the pool scanned: input bytes
 * [offset, offset + bytes), which `data` holds until the next unit is asked for.
 */
export type PooledUnit =
  | { kind: 'inline'; chunk: LineChunk }
  | { kind: 'pooled'; result: RangeResult; offset: number; data: Buffer; next: number | null; tail: boolean; bytes: number; overlong: number; cutAt?: number; exact: boolean; /** Job.inputBytes */ inputBytes?: number };

interface Job {
  promise: Promise<RangeResult>;
  settled: boolean;
  /** Input offset of the job buffer's first byte, and the part of the buffer this job scans. */
  offset: number;
  start: number;
  end: number;
  next: number | null;
  tail: boolean;
  overlong: number;
  /** The 0-based index, among the lines of [start, end), of the first line lineChunks cut (its head only is in the buffer). */
  cutAt?: number;
  /** Buffer index + offset is the input offset (false when a cut line, whose buffer is its head only, is in it). */
  exact: boolean;
  /** The buffer is the reader thread's: it goes back there once its frame is taken. */
  lent?: boolean;
  /**
   * A job with decoded chunks (UTF-16 text: LineChunk.inputBytes): the input bytes it stands for, its text's length
   * not being theirs (given with its last unit: a capped job's parts before it stand for none).
   */
  inputBytes?: number;
}

/**
 * No chunk for this long means the input is quiet: scan what was gathered now. Long enough that a
 * pipe written at full speed never looks quiet (a 64 KiB chunk every few microseconds), short
 * against the 50 ms a live event may take to show.
 */
const QUIET_MS = 2;

/** A chunk smaller than this, arriving when nothing is gathered, is taken for live input. */
const LIVE_CHUNK = 16 << 10;

type Wake = { k: 'in'; r: IteratorResult<LineChunk> } | { k: 'err'; e: unknown } | { k: 'job' } | { k: 'idle' };

/** Gathers chunks into pool jobs; `usePool()` false (a format that needs every line) keeps them inline. */
export async function* pooledChunks(chunks: AsyncIterable<LineChunk>, pool: ScanPool, jobBytes: number, usePool: () => boolean, lent?: LentBuffers): AsyncGenerator<PooledUnit> {
  const it = chunks[Symbol.asyncIterator]();
  const maxQueue = pool.threads * 2;
  /**
   * The next chunk, asked for ahead. It is raced only at the loop's wait: a settled job (the reader
   * thread's own scan) is yielded first, and a read that fails meanwhile (a signal's abort on a quiet
   * pipe) must not be an unhandled rejection; the race still takes its error.
   */
  const readNext = (): Promise<IteratorResult<LineChunk>> => {
    const p = it.next();
    p.catch(() => {});
    return p;
  };
  // Asked before the first read: the reader posts the next piece as soon as it is asked for.
  lent?.scanJobs();
  let nextIn: Promise<IteratorResult<LineChunk>> | null = readNext();
  let inputError: unknown = null;
  const queue: Job[] = [];
  let acc: LineChunk[] = [];
  let accBytes = 0;
  let lastArrival = -Infinity;
  // Job buffers move to a worker and back, and are filled again: memory stays at a few jobs.
  const free: Buffer[] = [];
  /** Whether the reader is asked for its scans: not while the layout needs every line (`-v long`), when no piece is taken as a job. */
  let scanning = true;

  /** A buffer of at least `n` bytes, from those handed back when one fits. */
  const takeBuffer = (n: number): Buffer => {
    const i = free.findIndex((b) => b.length >= n);
    return i >= 0 ? free.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(Math.max(n, 2 * jobBytes));
  };
  const dispatch = (): void => {
    const buf = takeBuffer(accBytes);
    let o = 0;
    let overlong = 0;
    let cutAt: number | undefined;
    for (const c of acc) {
      // a chunk with a cut line is that line alone (lineChunks): its index is the count of lines before it
      if (c.overlong && cutAt === undefined) cutAt = newlinesIn(buf, o);
      c.buf.copy(buf, o, 0, c.end);
      o += c.end;
      overlong += c.overlong;
    }
    const last = acc[acc.length - 1]!;
    // With the reader thread (lent), the pieces it posts whole are scanned by it; what is gathered here is the few
    // short reads between them (the pipe ran dry for a moment): scanned here, in a millisecond or two, rather than
    // by the scan threads, whose start (~0.1 s of CPU each, +25 MB) this one job would pay for. Seen under load: 1
    // piped run of the 1 GB capture in 6 started both threads, +0.25 s of CPU.
    const here = lent !== undefined;
    const inputBytes = acc.some((c) => c.inputBytes !== undefined) ? acc.reduce((n, c) => n + (c.inputBytes ?? c.end - (c.tail ? 1 : 0)), 0) : undefined;
    queue.push(submit({ promise: here ? Promise.resolve(pool.bufferHere(buf, 0, accBytes)) : pool.buffer(buf, 0, accBytes), settled: here, offset: acc[0]!.offset, start: 0, end: accBytes, next: last.next, tail: !!last.tail, overlong, ...(cutAt !== undefined ? { cutAt } : {}), exact: acc.every((c) => c.next !== null && !c.origin), ...(inputBytes !== undefined ? { inputBytes } : {}) }));
    acc = [];
    accBytes = 0;
  };
  /** A lent buffer holding a job's worth of whole lines: sent as it is (no copy), after what was gathered before it. */
  const dispatchLent = (c: LineChunk): void => {
    if (acc.length) dispatch();
    const whole = Buffer.from(c.buf.buffer, 0, c.buf.buffer.byteLength);
    const start = c.buf.byteOffset;
    const job = { offset: c.offset - start, start, end: start + c.end, next: c.next, tail: !!c.tail, overlong: c.overlong, ...(c.overlong ? { cutAt: 0 } : {}), exact: c.next !== null, lent: true };
    // Scanned by the reader as it read it: ready now, no round trip through a scan thread.
    const scanned = lent!.takeScan(c.buf);
    if (scanned) queue.push({ ...job, promise: Promise.resolve({ ...scanned, buf: new Uint8Array(whole.buffer) }), settled: true });
    else queue.push(submit({ ...job, promise: pool.buffer(whole, start, start + c.end), settled: false }));
  };
  const submit = (job: Job): Job => {
    job.promise.then(() => (job.settled = true));
    return job;
  };
  async function* oldest(): AsyncGenerator<PooledUnit> {
    const job = queue.shift()!;
    const result = await job.promise;
    const err = scanError(result);
    if (err) throw err;
    const buf = Buffer.from(result.buf!.buffer, result.buf!.byteOffset, result.buf!.byteLength);
    const stop = result.stoppedAt;
    // Stopped at its candidate cap: the rest goes out again now, first in line, in this same buffer (no
    // copy of it), so it is scanned while this part is parsed; this part's bytes are copied out to be
    // taken here. A capped part holds its cap of candidate lines: far less than the rest where candidates
    // are dense (a copy of the rest, and a new 2-job buffer for it, grew the peak memory).
    if (stop !== undefined) {
      const part = Buffer.from(buf.subarray(job.start, stop));
      // the first cut line is in this part or in the rest, whose lines are counted from its own first
      const cutHere = job.cutAt !== undefined && job.cutAt < result.lines;
      const rest = job.cutAt === undefined || cutHere ? {} : { cutAt: job.cutAt - result.lines };
      queue.unshift(submit({ ...job, promise: pool.buffer(buf, stop, job.end), settled: false, start: stop, overlong: 0, cutAt: undefined, ...rest }));
      yield {
        kind: 'pooled', result, offset: job.offset + job.start, data: part, bytes: stop - job.start,
        next: job.exact ? job.offset + stop : null, tail: false, overlong: job.overlong, ...(cutHere ? { cutAt: job.cutAt } : {}), exact: job.exact, ...(job.inputBytes !== undefined ? { inputBytes: 0 } : {}),
      };
      return;
    }
    yield {
      kind: 'pooled', result, offset: job.offset + job.start, data: buf.subarray(job.start, job.end), bytes: job.end - job.start,
      next: job.next, tail: job.tail, overlong: job.overlong, ...(job.cutAt !== undefined ? { cutAt: job.cutAt } : {}), exact: job.exact, ...(job.inputBytes !== undefined ? { inputBytes: job.inputBytes } : {}),
    };
    if (job.lent) lent!.recycle(buf);
    else free.push(buf);
  }
  function* inline(): Generator<PooledUnit> {
    const held = acc;
    acc = [];
    accBytes = 0;
    for (const chunk of held) yield { kind: 'inline', chunk };
  }

  for (;;) {
    while (queue.length && queue[0]!.settled) yield* oldest();
    if (!nextIn) {
      // The input ended (or failed): what came before it is scanned and kept, in order.
      if (acc.length && queue.length) dispatch();
      else if (acc.length) yield* inline();
      if (queue.length) {
        yield* oldest();
        continue;
      }
      if (inputError) throw inputError;
      return;
    }
    if (queue.length >= maxQueue) {
      yield* oldest();
      continue;
    }
    const waits: Promise<Wake>[] = [nextIn.then((r): Wake => ({ k: 'in', r }), (e): Wake => ({ k: 'err', e }))];
    if (queue.length) waits.push(queue[0]!.promise.then((): Wake => ({ k: 'job' })));
    let timer: NodeJS.Timeout | undefined;
    if (acc.length) waits.push(new Promise<Wake>((resolve) => (timer = setTimeout(() => resolve({ k: 'idle' }), QUIET_MS))));
    const wake = await Promise.race(waits);
    clearTimeout(timer);
    if (wake.k === 'job') continue;
    if (wake.k === 'idle') {
      if (queue.length && usePool()) dispatch();
      else if (!queue.length) yield* inline();
      continue;
    }
    if (wake.k === 'err') {
      inputError = wake.e;
      nextIn = null;
      continue;
    }
    if (wake.r.done) {
      nextIn = null;
      continue;
    }
    nextIn = readNext();
    const c = wake.r.value;
    const now = monotonicMs();
    const pooled = usePool();
    if (lent && pooled !== scanning) lent.scanJobs((scanning = pooled));
    // With nothing gathered or in flight, a small chunk (a pipe at full speed brings 64 KiB ones) or
    // one after a quiet spell is live input: show it now.
    const live = !acc.length && !queue.length && (c.end < LIVE_CHUNK || now - lastArrival >= QUIET_MS);
    lastArrival = now;
    // Only a chunk that is the whole of a lent buffer's lines may move (lineChunks keeps no view of it
    // then). The reader thread posts a buffer that large only while the input flows (live input comes in
    // the small pieces a short read flushes): no quiet spell before it makes it live.
    if (lent && pooled && c.end === c.buf.length && lent.owns(c.buf)) {
      dispatchLent(c);
      continue;
    }
    // A cut line has no checkpoint after it: the lines gathered before it go as a job of their own, so
    // that theirs is kept (gathered with it, a job's checkpoint fell back to the one before them).
    if (c.next === null && acc.length && usePool()) dispatch();
    acc.push(c);
    accBytes += c.end;
    if (!usePool() || live) {
      // Every line must be seen here: hand back in order once the pool is drained.
      if (!queue.length) yield* inline();
    } else if (accBytes >= jobBytes) {
      dispatch();
    }
  }
}
