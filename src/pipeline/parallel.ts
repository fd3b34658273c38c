/**
 * Splitting a large plain file into newline-aligned ranges scanned by worker threads. Results come
 * back in file order, so line numbers and checkpoints stay exactly those of the single-threaded scan.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { workerThreads } from '../threads.js';
import { scanWorkerUrl } from '../assets.js';
import { bundledCauses } from '../extract/causes.js';
import type { Needles } from '../extract/prefilter.js';
import { BLOCK } from './fingerprint.js';
import { DEFAULT_CONTEXT } from './context-limits.js';
import type { Thinning } from './line-window.js';
import { failedResult, runJob, type BufferJob, type RangeJob, type RangeResult } from './scan-jobs.js';
import { scanChunk, withLayoutNeedles } from './scan.js';

/** Below this many bytes left to read, a plain file is read on one thread (four ranges: the workers would not pay off). */
export function largeInput(bytes: number): boolean {
  return bytes >= 4 * rangeBytes();
}

/** denseInput's windows: how many, of how many bytes, and the bytes per candidate line at or under which one is dense. */
const DENSE_WINDOWS = 8;
const DENSE_WINDOW_BYTES = 64 * 1024;
const DENSE_BYTES_PER_CANDIDATE = 2048;

/** The whole number of at least `min` in the environment variable `name` (a test's setting), else `fallback`. */
function envInteger(name: string, min: number, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n >= min ? n : fallback;
}

/**
 * True when a large plain file is dense with candidate lines: each of DENSE_WINDOWS windows spread over
 * [start, size) (whole lines of DENSE_WINDOW_BYTES) holds one candidate line or more per
 * DENSE_BYTES_PER_CANDIDATE bytes. Such a file is read on the main thread, like a small one: its cost
 * is the parsing and storing of its events there, and scan threads only add the candidates' hand-over
 * and their own CPU on the same two cores. Measured on 100 MB captures (bench/generate.mjs, seed 7;
 * default ranges against the main thread, 3 runs each, round fourteen): every line an event 9.15-9.72
 * against 6.60-7.54 s wall, 183-189 against 164-169 MiB peak; one line in three 2.90-2.92 against 2.87-2.94 s,
 * 173-193 against 144-152 MiB; 10% 1.38-1.44 against 1.38-1.48 s; 3% 0.79-0.81 against 0.78-0.83 s
 * (not dense here); 1% 0.55-0.57 against 0.64-0.65 s (ranges win: not dense). Every window must be
 * dense, so a sparse file that opens with a burst of errors keeps its ranges.
 */
export function denseInput(path: string, start: number, size: number, needles: Needles, maxLine: number): boolean {
  const span = size - start;
  // AUTHING_TRIAGE_DENSE_BYTES, for tests: 0 reads every large file in ranges
  const perCandidate = envInteger('AUTHING_TRIAGE_DENSE_BYTES', 0, DENSE_BYTES_PER_CANDIDATE);
  if (span <= 0 || perCandidate === 0) return false;
  const scanned = withLayoutNeedles(needles);
  const buf = Buffer.allocUnsafe(Math.min(DENSE_WINDOW_BYTES, span));
  const fd = openSync(path, 'r');
  try {
    for (let k = 0; k < DENSE_WINDOWS; k++) {
      const at = start + Math.floor(((span - buf.length) * k) / (DENSE_WINDOWS - 1));
      const n = readSync(fd, buf, 0, buf.length, at);
      // whole lines only: from the first line start in the window (its first byte when that is one) to its last newline
      const from = at === start ? 0 : buf.subarray(0, n).indexOf(10) + 1;
      const to = buf.subarray(0, n).lastIndexOf(10) + 1;
      if (from <= 0 && at !== start) return false;
      if (to <= from) return false;
      let candidates = 0;
      scanChunk(buf.subarray(from, to), to - from, scanned, maxLine, () => void candidates++);
      if (candidates * perCandidate < to - from) return false;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

/** denseInput over the whole file at `path`, when it is large enough for ranges (false when it cannot be read). */
export function denseFile(path: string, needles: Needles, maxLine: number): boolean {
  try {
    const size = statSync(path).size;
    return largeInput(size) && denseInput(path, 0, size, needles, maxLine);
  } catch {
    return false;
  }
}

/** Bytes per file range, and four times the bytes of a stream job (AUTHING_TRIAGE_RANGE_BYTES, for tests). */
export function rangeBytes(): number {
  return envInteger('AUTHING_TRIAGE_RANGE_BYTES', 1, 16 * 1024 * 1024);
}

/**
 * Cuts [start, size) into ranges that end just after a newline (or at the end of the file). Ranges of a
 * block or more end at the last newline before a block boundary when one lies within the 64 KiB before
 * it: a range hashes the blocks that start in it (scan-jobs.ts RangeBlocks), and one cut just after the
 * boundary read the next range's first MiB again to complete its last block (58 MiB more of the 1 GB
 * capture read and hashed twice, strace).
 */
export function splitRanges(path: string, start: number, size: number, target: number): [number, number][] {
  const fd = openSync(path, 'r');
  const probe = Buffer.alloc(64 * 1024);
  const ranges: [number, number][] = [];
  try {
    let from = start;
    while (from < size) {
      let cut = from + target;
      if (cut >= size) {
        ranges.push([from, size]);
        break;
      }
      // the nearest block boundary: a range that ended just before one aims just before the next
      const boundary = Math.round(cut / BLOCK) * BLOCK;
      if (target >= BLOCK && boundary > from) {
        const at = Math.max(from, boundary - probe.length);
        const n = readSync(fd, probe, 0, boundary - at, at);
        const nl = probe.subarray(0, n).lastIndexOf(10);
        if (nl >= 0 && at + nl + 1 > from) {
          ranges.push([from, at + nl + 1]);
          from = at + nl + 1;
          continue;
        }
        cut = boundary;
      }
      // move the cut to just after the next newline
      for (;;) {
        const n = readSync(fd, probe, 0, probe.length, cut);
        if (n <= 0) {
          cut = size;
          break;
        }
        const nl = probe.subarray(0, n).indexOf(10);
        if (nl >= 0) {
          cut += nl + 1;
          break;
        }
        cut += n;
      }
      ranges.push([from, Math.min(cut, size)]);
      from = cut;
    }
  } finally {
    closeSync(fd);
  }
  return ranges;
}

/**
 * Worker threads that scan file ranges or buffers of whole lines; started on first use, or by
 * start() ahead of it (the run starts them while it opens the database: they boot meanwhile).
 */
export class ScanPool {
  private workers: Worker[] | null = null;
  private readonly pending = new Map<number, (r: RangeResult) => void>();
  /** Jobs posted to each worker and not answered yet: a new job goes to the one with the fewest. */
  private queued: number[] = [];
  private nextId = 0;
  private readonly needles: Needles;
  /** What range jobs leave out of their look-backs, made at the first (the causes are read then). */
  private thinning: Thinning | null | undefined;
  /** `context`: the records of context the run keeps before each event (--context): the lines its look-backs always send. */
  constructor(
    readonly threads: number,
    needles: Needles,
    private readonly maxLine: number,
    private readonly context = DEFAULT_CONTEXT,
  ) {
    this.needles = withLayoutNeedles(needles);
  }

  /** The newest `context` lines of a look-back are sent, and older ones where a cause may show (null: every line, when the causes cannot tell from a line). */
  private thin(): Thinning | undefined {
    if (this.thinning === undefined) {
      const lineCheck = bundledCauses().lineCheck;
      this.thinning = lineCheck === null ? null : { keep: this.context, lineCheck };
    }
    return this.thinning ?? undefined;
  }

  /** Starts the threads now rather than at the first job. */
  start(): this {
    this.started();
    return this;
  }

  /** The threads, started at the first call (and again after one failed). */
  private started(): Worker[] {
    if (!this.workers) {
      this.queued = Array.from({ length: Math.max(1, this.threads) }, () => 0);
      this.workers = Array.from({ length: Math.max(1, this.threads) }, () => {
        const w = new (workerThreads().Worker)(scanWorkerUrl(), { resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
        w.on('message', (r: RangeResult) => {
          this.pending.get(r.id)?.(r);
          this.pending.delete(r.id);
        });
        w.on('error', (e) => {
          for (const [pid, resolve] of this.pending) resolve(failedResult(pid, e.message));
          this.pending.clear();
          // the pool lives as long as the run: the next job starts fresh threads
          const dead = this.workers;
          this.workers = null;
          for (const o of dead ?? []) void o.terminate();
        });
        return w;
      });
    }
    return this.workers;
  }

  /**
   * Posts a job to the worker with the fewest jobs not answered yet (ties: the job's id in turn). Taken
   * in turn by id alone, a worker that fell behind (the main thread and V8's threads outrank a scan
   * thread, nice 10) held the next result in file order while the other sat idle with its jobs done.
   */
  private submit(job: RangeJob | BufferJob, transfer: ArrayBuffer[] = []): Promise<RangeResult> {
    const workers = this.started();
    let w = job.id % workers.length;
    for (let i = 0; i < workers.length; i++) if (this.queued[i]! < this.queued[w]!) w = i;
    const queued = this.queued;
    queued[w]!++;
    const p = new Promise<RangeResult>((resolve) =>
      this.pending.set(job.id, (r) => {
        queued[w]!--;
        resolve(r);
      }),
    );
    workers[w]!.postMessage(job, transfer);
    return p;
  }

  /** Scans [start, end) of a file of `size` bytes, read from `floor` on (no look-back before it). */
  range(path: string, start: number, end: number, size: number, floor = 0): Promise<RangeResult> {
    return this.submit({ id: this.nextId++, path, start, end, size, floor, maxLine: this.maxLine, needles: this.needles, thinning: this.thin() });
  }

  /** Scans the whole lines of buf[start, end); buf must own its memory, which moves to the worker. */
  buffer(buf: Buffer, start: number, end: number): Promise<RangeResult> {
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    return this.submit({ id: this.nextId++, buf: bytes, start, end, maxLine: this.maxLine, needles: this.needles }, [buf.buffer as ArrayBuffer]);
  }

  /** Scans the whole lines of buf[start, end) on this thread, as a worker would (no thread is started for it). */
  bufferHere(buf: Buffer, start: number, end: number): RangeResult {
    return runJob({ id: this.nextId++, buf: new Uint8Array(buf.buffer, buf.byteOffset, buf.length), start, end, maxLine: this.maxLine, needles: this.needles });
  }

  /** Scans [start, end) of a file on this thread, as a worker would. */
  scanHere(path: string, start: number, end: number, size: number, floor = 0): RangeResult {
    return runJob({ id: this.nextId++, path, start, end, size, floor, maxLine: this.maxLine, needles: this.needles, thinning: this.thin() });
  }

  async close(): Promise<void> {
    if (this.workers) await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = null;
  }
}

/** A failed scan as the error to throw. */
export function scanError(r: RangeResult): Error | null {
  return r.error ? Object.assign(new Error(r.error), { code: r.error.split(' ')[0] }) : null;
}

/**
 * Jobs per scan thread that may be out at once, answered or not (each result is bounded: CANDIDATE_CAP).
 * Two left a thread idle whenever the result next in file order was the other thread's and late: the 1 GB
 * capture's run, 2 threads on 2 cores, went 1.59 / 1.76 s -> 1.42 / 1.58 s (min / median of 7, four ahead
 * with the least busy worker taking each job; docs/performance.md, round ten).
 */
export const JOBS_AHEAD = 4;

/** A scanned part of a file, in file order: [start, end) and what the scan found there. */
export type ScannedRange = RangeResult & { start: number; end: number; here: boolean };

/**
 * Scans the ranges with the pool's workers, at most JOBS_AHEAD jobs ahead per worker, and yields the
 * results in file order. The first range is scanned here, on the calling thread, once the workers
 * have the next ones: the run would otherwise wait for a worker's first result (they take tens of
 * milliseconds to start) with nothing to do. A job that stopped at its candidate cap is yielded as
 * far as it went, and the rest of its range goes out again ahead of the others: at most
 * `JOBS_AHEAD × threads` results of bounded size wait here, whatever the density of candidates (back-pressure).
 */
export async function* scanInParallel(path: string, ranges: [number, number][], size: number, pool: ScanPool, signal?: AbortSignal, lookBackFrom?: number): AsyncGenerator<ScannedRange> {
  const threads = pool.threads;
  // the run reads from the first range's start, or a resumed run from the line start its look-back may reach
  // back to (lookBackFrom): no look-back reads before it
  const floor = lookBackFrom ?? ranges[0]?.[0] ?? 0;
  // In flight, in file order; a consumed result is dropped at once, or every candidate line would stay alive.
  const inFlight: { start: number; end: number; p: Promise<RangeResult> }[] = [];
  let next = 1;
  let closed = false;
  const dispatch = () => {
    while (!closed && next < ranges.length && inFlight.length < threads * JOBS_AHEAD) {
      const [start, end] = ranges[next++]!;
      inFlight.push({ start, end, p: sent(pool.range(path, start, end, size, floor)) });
    }
  };
  // A worker that answers gets its next job then, not when the main thread next takes a result in file
  // order: the main thread may be waiting for the other worker's (or parsing), and this one would idle.
  const sent = (p: Promise<RangeResult>): Promise<RangeResult> => {
    void p.then(dispatch);
    return p;
  };
  try {
    dispatch();
    let here: { start: number; end: number; r: RangeResult } | null = ranges.length ? { start: ranges[0]![0], end: ranges[0]![1], r: pool.scanHere(path, ranges[0]![0], ranges[0]![1], size, floor) } : null;
    while (here || inFlight.length || next < ranges.length) {
      dispatch();
      if (signal?.aborted) return;
      let job: { start: number; end: number; r: RangeResult; here: boolean };
      if (here) {
        job = { ...here, here: true };
        here = null;
      } else {
        const f = inFlight.shift()!;
        job = { start: f.start, end: f.end, r: await f.p, here: false };
      }
      const err = scanError(job.r);
      if (err) throw err;
      const stop = job.r.stoppedAt;
      // The rest of a job that stopped at its cap: first in line, and sent now, so that it is scanned
      // while this part is parsed (one part ahead: the main thread never waits a round trip).
      if (stop !== undefined) inFlight.unshift({ start: stop, end: job.end, p: sent(pool.range(path, stop, job.end, size, floor)) });
      yield { ...job.r, start: job.start, end: stop ?? job.end, here: job.here };
    }
  } finally {
    // The consumer stopped early: let the ranges in flight finish (their results are dropped), so the
    // run's shared threads are idle for its next input; none is sent meanwhile.
    closed = true;
    await Promise.all(inFlight.map((f) => f.p));
  }
}
