/**
 * The stdin reader thread (issue 25: stdin at >= 600 MB/s): reads fd 0 synchronously into large
 * buffers, cuts them after their last newline and posts the whole lines to the main thread, with
 * the prefix hash at each buffer's end (fingerprint.ts), so the main thread neither reads 64 KiB pipe
 * chunks through streams nor hashes every byte. Runs in a thread of the scan-worker bundle
 * (scan-worker.ts starts it when its workerData asks); the main side is stdin-reader.ts.
 *
 * Live input: a read that returns less than the pipe holds (the writer did not fill it) flushes the
 * whole lines gathered at once, so `adb logcat | authing-triage` shows an event as its line comes.
 */
import { readSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { monotonicMs } from '../clock.js';
import { workerThreads } from '../threads.js';
import { BLOCK, PrefixHasher } from '../pipeline/fingerprint.js';

/** What the main thread hands the reader thread. */
export interface FdReadStart {
  fd: number;
  /** Size of one read buffer; a buffer is posted once it holds `jobBytes`. */
  bufBytes: number;
  jobBytes: number;
  /** Int32 words shared with the main thread: STOP and CREDITS below. */
  state: SharedArrayBuffer;
  /** Buffers the main thread hands back to be filled again. */
  recycled: MessagePort;
}

/** Index of the stop flag (set by the main thread) in `state`. */
export const STOP = 0;
/** Index of the count of buffers the main thread may still take (flow control) in `state`. */
export const CREDITS = 1;

/**
 * One posted piece of input: bytes [offset, offset + bytes.length), whole lines unless it is the
 * input's end or one line fills a buffer; or only a hash (no bytes), or the end (`eof`), or an error.
 */
export interface FdPiece {
  bytes?: Uint8Array;
  offset: number;
  /** The prefix hash at offset + bytes.length, or null when it was not computed (small live pieces in between). */
  hash: string | null;
  eof?: boolean;
  error?: string;
  code?: string;
}

/** A pipe holds 64 KiB on Linux: a read that returns less found it drained (the writer is not ahead). */
const PIPE_BYTES = 1 << 16;

/**
 * Small live pieces get a prefix hash at most this often: a hash costs up to a block (1 MiB) of
 * SHA-256, and a line a millisecond would otherwise hash 1 GB a second. A checkpoint lags the input by
 * at most this much of it (re-read, and counted once, by the next run of the same stream).
 */
const HASH_EVERY_MS = 20;

/**
 * Where a full buffer (input bytes [base, base + have)) is cut: just after the first newline after
 * the last block boundary in it, so that the prefix hash there needs the bytes of one line past the
 * block digests (a cut anywhere would hash up to a whole block, 1 MiB, per piece). Else after the last newline.
 */
export function blockCut(buf: Buffer, base: number, have: number): number {
  for (let b = Math.floor((base + have - 1) / BLOCK) * BLOCK; b > base; b -= BLOCK) {
    const nl = buf.indexOf(10, b - base);
    if (nl >= 0 && nl < have) return nl + 1;
  }
  return buf.lastIndexOf(10, have - 1) + 1;
}

/** Reads `s.fd` to its end (or until STOP), posting pieces with `post`. */
export function readFdLoop(s: FdReadStart, post: (p: FdPiece, transfer: ArrayBuffer[]) => void): void {
  const state = new Int32Array(s.state);
  const hasher = new PrefixHasher(null);
  const take = (): Buffer => {
    const r = workerThreads().receiveMessageOnPort(s.recycled);
    return r ? Buffer.from(r.message as ArrayBuffer) : Buffer.allocUnsafeSlow(s.bufBytes);
  };
  let buf = take();
  let have = 0;
  let base = 0;
  let lastHash = -Infinity;
  /** The input offset of the last prefix hash posted. */
  let hashedTo = 0;
  const stopped = (): boolean => Atomics.load(state, STOP) !== 0;

  /** Waits for the main thread to take a piece (at most a few wait there); false when stopped. */
  const credit = (): boolean => {
    for (;;) {
      if (stopped()) return false;
      const c = Atomics.load(state, CREDITS);
      if (c > 0) {
        if (Atomics.compareExchange(state, CREDITS, c, c - 1) === c) return true;
        continue;
      }
      Atomics.wait(state, CREDITS, c, 1000);
    }
  };

  /** Posts buf[0, cut) and keeps the rest (a partial line) at the start of the buffer. */
  const send = (cut: number, eof: boolean): boolean => {
    if (!credit()) return false;
    const now = monotonicMs();
    const big = cut >= s.jobBytes >> 1;
    const hash = big || eof || now - lastHash >= HASH_EVERY_MS ? hasher.hashAt(base + cut) : null;
    if (hash !== null) [lastHash, hashedTo] = [now, base + cut];
    if (big) {
      // The buffer itself moves to the main thread (no copy); the partial line goes on in another.
      const next = take();
      buf.copy(next, 0, cut, have);
      post({ bytes: new Uint8Array(buf.buffer, buf.byteOffset, cut), offset: base, hash }, [buf.buffer as ArrayBuffer]);
      buf = next;
    } else {
      const copy = Buffer.allocUnsafeSlow(cut);
      buf.copy(copy, 0, 0, cut);
      post({ bytes: copy, offset: base, hash }, [copy.buffer as ArrayBuffer]);
      buf.copyWithin(0, cut, have);
    }
    base += cut;
    have -= cut;
    return true;
  };

  /** Posts the prefix hash at `base` (the start of what the buffer holds) unless it was posted; false when stopped. */
  const hashAtBase = (): boolean => {
    if (hashedTo === base) return true;
    if (!credit()) return false;
    post({ offset: base, hash: hasher.hashAt(base) }, []);
    hashedTo = base;
    return true;
  };

  for (;;) {
    if (stopped()) return;
    const want = buf.length - have;
    let n: number;
    try {
      n = readSync(s.fd, buf, have, want, null);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      // fd 0 made non-blocking by someone else: wait a little instead of failing
      if (err.code === 'EAGAIN') {
        Atomics.wait(state, STOP, 0, 1);
        continue;
      }
      if (err.code === 'EINTR') continue;
      if (!stopped()) post({ offset: base + have, hash: null, error: err.message, code: err.code }, []);
      return;
    }
    // The byte written to end a blocked read (stdin-reader.ts) is not input.
    if (stopped()) return;
    if (n === 0) {
      // The end, and the start of a last line without its newline (where the checkpoint stays), get their hashes.
      const cut = have > 0 ? buf.lastIndexOf(10, have - 1) + 1 : 0;
      if (cut > 0 && !send(cut, true)) return;
      if (!hashAtBase()) return;
      if (have > 0 && !send(have, true)) return;
      if (credit()) post({ offset: base, hash: null, eof: true }, []);
      return;
    }
    hasher.feed(buf.subarray(have, have + n));
    have += n;
    const short = n < Math.min(PIPE_BYTES, want);
    if (have < s.jobBytes && !short && have < buf.length) continue;
    const last = buf.lastIndexOf(10, have - 1) + 1;
    const block = have >= s.jobBytes ? blockCut(buf, base, have) : 0;
    // One line past a block boundary, unless that leaves less than half a job (then the rest is copied for nothing).
    const cut = block >= s.jobBytes >> 1 ? block : last;
    // No newline: wait for the line's end, unless it fills the buffer (the main thread cuts it to maxLine).
    if (cut === 0 && have < buf.length) continue;
    // A line that fills the buffer goes out in pieces: the hash at its start first (where the checkpoint
    // stays if it is the input's last line, without a newline), which a throttled small piece may not have sent.
    if (cut === 0 && !hashAtBase()) return;
    if (!send(cut === 0 ? have : cut, false)) return;
  }
}
