/**
 * stdin read by a thread of its own (fd-reader.ts), for a pipe (`cat FILE | authing-triage`,
 * `adb logcat | authing-triage`) or a regular file (`authing-triage < FILE`): the bytes come as a
 * stream of large whole-line buffers with the prefix hash at each one's end, and once asked
 * (`scanJobs`) the reader's scan of each job-sized one. A buffer the pipeline takes as a scan job
 * (pooled.ts) comes back here to be filled again (`owns`, `takeScan`, `recycle`).
 *
 * Other kinds of stdin (a terminal, a socket: what Node's child_process makes) are read as before,
 * through `process.stdin`: a read blocked on them could not be ended (a blocked thread keeps the
 * process from exiting), while a pipe's read is ended by writing a byte into it through /proc.
 */
import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import type { MessageChannel, Worker } from 'node:worker_threads';
import { workerThreads } from '../threads.js';
import { scanWorkerUrl } from '../assets.js';
import type { Needles } from '../extract/prefilter.js';
import type { RangeResult } from '../pipeline/scan-jobs.js';
import { CREDITS, SCAN, STATE_WORDS, STOP, type FdPiece, type FdReadStart } from './fd-reader.js';
import { trace } from '../trace.js';

/**
 * Pieces the reader thread may post before the main thread takes one (flow control: memory stays flat).
 * One more, granted at the first ask for scans (so that no unscanned piece starts the scan pool), cost
 * 0.1-0.3 s more CPU a GB through `cat` for no wall time that the loaded VM could show (docs/performance.md,
 * "Round ten: stdin"); test/unit/stdin-read-ahead.test.ts holds the reader to what it is asked for.
 */
const AHEAD = 0;

/** Prefix hashes kept for lookup: checkpoints lag the reading by at most a few pieces. */
const KEEP_HASHES = 64;

/** A write end of the pipe on fd 0 (Linux's /proc), never blocking: how a blocked read of it is ended. */
function openPipeWriteEnd(): number {
  return openSync('/proc/self/fd/0', constants.O_WRONLY | constants.O_NONBLOCK);
}

/** The kind of stdin the reader thread serves, or null (read through process.stdin). */
export function readableStdin(): 'pipe' | 'file' | null {
  if (process.env.AUTHING_TRIAGE_STDIN === 'stream') return null;
  let st;
  try {
    st = fstatSync(0);
  } catch {
    return null;
  }
  if (st.isFile()) return 'file';
  if (!st.isFIFO()) return null;
  // The write that ends a blocked read goes through /proc (Linux): without it, keep the stream.
  try {
    closeSync(openPipeWriteEnd());
    return 'pipe';
  } catch {
    return null;
  }
}

/** stdin as large whole-line buffers from the reader thread. */
export class StdinReader implements AsyncIterable<Buffer> {
  private readonly worker: Worker;
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * STATE_WORDS));
  private readonly channel: MessageChannel = new (workerThreads().MessageChannel)();
  private readonly queue: FdPiece[] = [];
  /** The buffers posted with FdPiece.text. */
  private readonly text = new WeakSet<Buffer>();
  private waiting: ((p: FdPiece) => void) | null = null;
  private readonly lent = new WeakSet<ArrayBuffer>();
  /** The reader's scan of a lent buffer's lines (asked for by scanJobs()), until taken. */
  private readonly scans = new WeakMap<ArrayBuffer, { bytes: number; result: RangeResult }>();
  private readonly hashes = new Map<number, string>();
  private ended = false;
  /** The reader thread is done reading (the input's end, or an error): no read to end. */
  private drained = false;
  private readonly onExit = () => this.stop();
  private readonly onAbort = () => this.stop();

  constructor(
    private readonly kind: 'pipe' | 'file',
    readonly bufBytes: number,
    jobBytes: number,
    scan: { needles: Needles; maxLine: number },
    private readonly signal?: AbortSignal,
  ) {
    Atomics.store(this.state, CREDITS, AHEAD);
    const start: FdReadStart = { fd: 0, bufBytes, jobBytes, pipe: kind === 'pipe', state: this.state.buffer as SharedArrayBuffer, recycled: this.channel.port2, ...scan };
    // Its heap holds a few digests and messages: a small young generation keeps the thread's memory small.
    this.worker = new (workerThreads().Worker)(scanWorkerUrl(), { workerData: { fdRead: start }, transferList: [this.channel.port2], resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 1 } });
    this.worker.on('message', (p: FdPiece) => this.arrive(p));
    this.worker.on('error', (e) => this.arrive({ offset: 0, hash: null, error: e.message }));
    // process.exit (EPIPE on stdout) joins every thread: a read still blocked would hold it.
    process.once('exit', this.onExit);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private arrive(p: FdPiece): void {
    if (p.eof || p.error) this.drained = true;
    if (p.pipe !== undefined) trace('stdin', typeof p.pipe === 'number' ? `pipe holds ${p.pipe} bytes` : `pipe left at its size (${p.pipe})`);
    if (p.bytes && p.bytes.buffer.byteLength === this.bufBytes) {
      this.lent.add(p.bytes.buffer as ArrayBuffer);
      if (p.scanned) this.scans.set(p.bytes.buffer as ArrayBuffer, { bytes: p.bytes.byteLength, result: p.scanned });
    }
    if (p.hash !== null) {
      this.hashes.set(p.offset + (p.bytes?.byteLength ?? 0), p.hash);
      if (this.hashes.size > KEEP_HASHES) this.hashes.delete(this.hashes.keys().next().value!);
    }
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(p);
    } else this.queue.push(p);
  }

  private next(): Promise<FdPiece> {
    const p = this.queue.shift();
    // One taken: the reader may post another (woken only when it waits for that: a notify costs a lock).
    if (Atomics.add(this.state, CREDITS, 1) <= 0) Atomics.notify(this.state, CREDITS);
    return p ? Promise.resolve(p) : new Promise((resolve) => (this.waiting = resolve));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      while (!this.ended) {
        const p = await this.next();
        if (p.error) throw Object.assign(new Error(p.error), { code: p.code });
        if (p.eof) break;
        if (!p.bytes) continue;
        const b = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
        if (p.text) this.text.add(b);
        yield b;
      }
    } finally {
      this.stop();
    }
  }

  /** The prefix hash at `offset` when a piece ended there (else null). */
  hashAt(offset: number): string | null {
    return this.hashes.get(offset) ?? null;
  }

  /** True when the reader thread found no NUL and no FF in `b`, a buffer it posted (FdPiece.text). */
  textOnly(b: Buffer): boolean {
    return this.text.has(b);
  }

  /** True when `b` is a whole buffer of the reader's that may move to another thread. */
  owns(b: Buffer): boolean {
    return b.buffer.byteLength === this.bufBytes && this.lent.has(b.buffer as ArrayBuffer);
  }

  /**
   * Asks the reader thread to scan each job-sized piece it posts from now on, with the needles and
   * line bound it was given (the scan pool's): pooled.ts takes that scan instead of sending the piece
   * to a scan thread and waiting for it. `false` stops it (a layout that needs every line takes no
   * piece as a job: the scan would be CPU for nothing).
   */
  scanJobs(on = true): void {
    Atomics.store(this.state, SCAN, on ? 1 : 0);
  }

  /** The reader thread's scan (scanJobs()) when `b` is the whole of what a lent buffer holds: a scan thread's result for it; once. */
  takeScan(b: Buffer): RangeResult | undefined {
    const s = this.scans.get(b.buffer as ArrayBuffer);
    this.scans.delete(b.buffer as ArrayBuffer);
    return s && b.byteOffset === 0 && b.length === s.bytes ? s.result : undefined;
  }

  /** Hands a buffer back to be filled again (its memory moves to the reader thread). */
  recycle(b: Uint8Array): void {
    if (this.ended || b.buffer.byteLength !== this.bufBytes) return;
    this.channel.port1.postMessage(b.buffer, [b.buffer as ArrayBuffer]);
  }

  /** Ends the reading: the thread stops at its next read, and a read blocked on a quiet pipe is ended by a byte written into it. */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    process.off('exit', this.onExit);
    this.signal?.removeEventListener('abort', this.onAbort);
    Atomics.store(this.state, STOP, 1);
    Atomics.notify(this.state, CREDITS);
    if (this.kind === 'pipe' && !this.drained) {
      try {
        const fd = openPipeWriteEnd();
        try {
          writeSync(fd, '\n');
        } finally {
          closeSync(fd);
        }
      } catch {
        // the pipe is full (the read is not blocked) or closed (it ended): nothing to wake
      }
    }
    this.waiting?.({ offset: 0, hash: null, eof: true });
    this.waiting = null;
    this.channel.port1.close();
    void this.worker.terminate();
  }
}
