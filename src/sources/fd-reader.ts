/**
 * The stdin reader thread (issue 25: stdin at >= 600 MB/s): reads fd 0 synchronously into its
 * scanner's memory, cuts what it holds after its last newline and posts the whole lines to the main
 * thread, with the prefix hash at each piece's end (fingerprint.ts) and, once asked, what a scan
 * thread would find in a job-sized piece, so the main thread neither reads 64 KiB pipe chunks
 * through streams, nor hashes every byte, nor waits for a scan thread. Runs in a thread of the scan-worker bundle
 * (scan-worker.ts starts it when its workerData asks); the main side is stdin-reader.ts.
 *
 * Live input: a read that returns less than the pipe holds (the writer did not fill it) flushes the
 * whole lines gathered at once, so `adb logcat | authing-triage` shows an event as its line comes. Once a
 * read finds the pipe full (a bulk writer), the pipe is enlarged to 1 MiB (pipe-size.ts): cat and the reader
 * then hand over up to 1 MiB a read instead of 64 KiB, and a read of 64 KiB or more that drained it flushes
 * only when the pipe stays empty a moment after it (`quiet`: cat writes 128 KiB at a time).
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { monotonicMs } from '../clock.js';
import type { Needles } from '../extract/prefilter.js';
import { workerThreads } from '../threads.js';
import { BLOCK, joinedPrefixHash, type BlockHasher } from '../pipeline/fingerprint.js';
import { scanWholeLines, type RangeResult } from '../pipeline/scan-jobs.js';
import { chunkScanner, withLayoutNeedles } from '../pipeline/scan.js';
import { DEFAULT_PIPE_BYTES, enlargeStdinPipe } from './pipe-size.js';
import { utf16Free } from './encoding.js';

/** What the main thread hands the reader thread. */
export interface FdReadStart {
  fd: number;
  /** Size of one read buffer; a buffer is posted once it holds `jobBytes`. */
  bufBytes: number;
  jobBytes: number;
  /** fd 0 is a pipe: enlarged (pipe-size.ts) once a read finds it full. */
  pipe: boolean;
  /** Int32 words shared with the main thread: STOP, CREDITS and SCAN below. */
  state: SharedArrayBuffer;
  /** Buffers the main thread hands back to be filled again. */
  recycled: MessagePort;
  /** The scan threads' needles and line bound (ScanPool's): a piece of a job's whole lines is scanned here once SCAN is set. */
  needles: Needles;
  maxLine: number;
}

/** Index of the stop flag (set by the main thread) in `state`. */
export const STOP = 0;
/** Index of the count of buffers the main thread may still take (flow control) in `state`. */
export const CREDITS = 1;
/** Index of the flag (set by the main thread) that asks for each job-sized piece's scan (pooled.ts takes it instead of a scan thread's). */
export const SCAN = 2;
/** Int32 words of `state`. */
export const STATE_WORDS = 3;

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
  /** What a scan thread would return for `bytes` (whole lines, a job's worth), when SCAN was set. */
  scanned?: RangeResult;
  /** The pipe's capacity once enlarged, or why it was not (pipe-size.ts), on the first piece after the try: the main thread traces it. */
  pipe?: number | string;
  /** `bytes` hold no NUL and no FF: no line in UTF-16 starts in them (encoding.ts Utf16Watch), looked for here, not on the main thread. */
  text?: true;
}

/**
 * How long an enlarged pipe that a large read drained must stay empty before what is held is posted:
 * cat refills 1 MiB in about this time, a live writer's next line takes longer.
 */
const QUIET_MS = 0.2;

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

/**
 * Reads `s.fd` to its end (or until STOP), posting pieces with `post`.
 *
 * The bytes are read into this thread's scanner memory (WebAssembly, scan.ts) and stay there until
 * posted: the block digests are computed where they lie (needle-scan's XXH64, no copy), a job-sized
 * piece is scanned there when the main thread asks (SCAN), and each piece is copied once into the
 * buffer that moves to the main thread. Before, every byte was copied into the prefix hasher's block
 * and again into xxhash-wasm's memory, and every piece waited for a scan thread on the main thread's
 * turn (docs/performance.md, "Round seven: stdin").
 */
export function readFdLoop(s: FdReadStart, post: (p: FdPiece, transfer: ArrayBuffer[]) => void): void {
  const state = new Int32Array(s.state);
  const scanner = chunkScanner(withLayoutNeedles(s.needles));
  // What is read and not posted (at most bufBytes), the bytes of its block before it (a prefix hash
  // needs them), and room to read on before they are moved to the front.
  const room = 4 * s.bufBytes + BLOCK;
  const mem = scanner.input(room);
  /** Input offset of mem[0]. */
  let lo = 0;
  /** Input offset of the first byte not posted; `have` bytes from there are read: mem[base - lo, base - lo + have). */
  let base = 0;
  let have = 0;
  /** Digests of the whole blocks read, 16 hex digits each, in order; the block being read and its length so far. */
  let digests = '';
  let block: BlockHasher = scanner.blockHasher();
  let blockLen = 0;
  let lastHash = -Infinity;
  /** The input offset of the last prefix hash posted. */
  let hashedTo = 0;
  /** The pipe's capacity: what a read of it full returns. */
  let pipe = DEFAULT_PIPE_BYTES;
  /** A read found the pipe full (a bulk writer): it is enlarged after the next piece is posted, and that tried once. */
  let filled = false;
  let enlargeTried = !s.pipe;
  /** What the try gave, for the next piece (FdPiece.pipe). */
  let enlarged: number | string | undefined;
  /** Posts a piece, with what the try gave if it is not posted yet. */
  const give = (p: FdPiece, transfer: ArrayBuffer[]): void => {
    if (enlarged !== undefined) [p.pipe, enlarged] = [enlarged, undefined];
    post(p, transfer);
  };
  const stopped = (): boolean => Atomics.load(state, STOP) !== 0;
  const take = (): Buffer => {
    const r = workerThreads().receiveMessageOnPort(s.recycled);
    return r ? Buffer.from(r.message as ArrayBuffer) : Buffer.allocUnsafeSlow(s.bufBytes);
  };

  /** Feeds the n bytes read at mem[at] to the block digests. */
  const digest = (at: number, n: number): void => {
    while (n > 0) {
      const k = Math.min(n, BLOCK - blockLen);
      block.update(mem.subarray(at, at + k));
      blockLen += k;
      at += k;
      n -= k;
      if (blockLen === BLOCK) {
        digests += block.digest();
        block = scanner.blockHasher();
        blockLen = 0;
      }
    }
  };
  /** The prefix hash at input offset `offset` (read, and not before the block of `base`). */
  const hashAt = (offset: number): string => {
    const from = Math.floor(offset / BLOCK) * BLOCK;
    return joinedPrefixHash(offset, digests, mem.subarray(from - lo, offset - lo));
  };

  /** fd 0 opened again without blocking (for quiet()), once the pipe was enlarged; -1 before. */
  let probe = -1;
  /**
   * True when the pipe stays empty for QUIET_MS (the input is live: post what is held); else reads what
   * came meanwhile, as the loop's read would, until the writer fills the pipe again or a job is held.
   * Polls: a blocking read cannot time out.
   */
  const quiet = (): boolean => {
    try {
      if (probe < 0) probe = openSync(`/proc/self/fd/${s.fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
      for (;;) {
        Atomics.wait(state, STOP, 0, QUIET_MS);
        if (stopped()) return false;
        const [at, max] = [base - lo + have, s.bufBytes - have];
        const m = readSync(probe, mem, at, max, null);
        // 0: the writer closed the pipe, which the blocking read then sees; the byte that ends a read (stop) is not input
        if (m === 0 || stopped()) return false;
        digest(at, m);
        have += m;
        if (m >= Math.min(pipe, max) || have >= s.jobBytes) return false;
      }
    } catch {
      // EAGAIN: nothing came; or no /proc: post what is held, as a short read would
      return true;
    }
  };

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

  /** What a scan thread's buffer job (scan-jobs.ts) returns for these whole lines. */
  const scan = (lines: Buffer): RangeResult => ({ id: -1, ...scanWholeLines(scanner, lines, s.maxLine) });

  /** Posts the first `cut` bytes not posted (a copy: a job's worth goes in a buffer that comes back, with its scan when asked). */
  const send = (cut: number, eof: boolean): boolean => {
    const big = cut >= s.jobBytes >> 1;
    const piece = mem.subarray(base - lo, base - lo + cut);
    // Only whole lines are a job (a line that fills the buffer, or the input's last without its newline, is not).
    const whole = piece[cut - 1] === 10;
    const asked = (): boolean => big && whole && Atomics.load(state, SCAN) !== 0;
    // Scanned before the wait for the main thread's ask, where the bytes lie (nothing more is held: the
    // copy out waits for the ask): the main thread, which asks when it has taken the piece before, gets
    // this one at once, not after its scan. Scanned after the wait when the main thread asked for scans
    // meanwhile (the first pieces of a run).
    let scanned = asked() ? scan(piece) : undefined;
    const text = utf16Free(piece);
    if (!credit()) return false;
    if (!scanned && asked()) scanned = scan(piece);
    const now = monotonicMs();
    const hash = big || eof || now - lastHash >= HASH_EVERY_MS ? hashAt(base + cut) : null;
    if (hash !== null) [lastHash, hashedTo] = [now, base + cut];
    const out = big ? take() : Buffer.allocUnsafeSlow(cut);
    piece.copy(out, 0, 0, cut);
    give({ bytes: new Uint8Array(out.buffer, out.byteOffset, cut), offset: base, hash, ...(scanned ? { scanned } : {}), ...(text ? { text } : {}) }, [out.buffer as ArrayBuffer]);
    base += cut;
    have -= cut;
    // After the piece is posted, not before: the first bytes do not wait for perl (~15 ms here, not on the main thread).
    if (filled && !enlargeTried) {
      enlargeTried = true;
      enlarged = enlargeStdinPipe();
      if (typeof enlarged === 'number') pipe = enlarged;
    }
    return true;
  };

  /** Posts the prefix hash at `base` (the start of what is held) unless it was posted; false when stopped. */
  const hashAtBase = (): boolean => {
    if (hashedTo === base) return true;
    if (!credit()) return false;
    give({ offset: base, hash: hashAt(base) }, []);
    hashedTo = base;
    return true;
  };

  try {
    readLoop();
  } finally {
    if (probe >= 0) closeSync(probe);
  }

  function readLoop(): void {
    for (;;) {
      if (stopped()) return;
      const want = s.bufBytes - have;
      if (room - (base - lo + have) < want) {
        // Out of room: what is held, and its block's bytes before it, move to the front.
        const keep = Math.floor(base / BLOCK) * BLOCK;
        mem.copyWithin(0, keep - lo, base - lo + have);
        lo = keep;
      }
      const end = base - lo + have;
      let n: number;
      try {
        n = readSync(s.fd, mem, end, want, null);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        // fd 0 made non-blocking by someone else: wait a little instead of failing
        if (err.code === 'EAGAIN') {
          Atomics.wait(state, STOP, 0, 1);
          continue;
        }
        if (err.code === 'EINTR') continue;
        if (!stopped()) give({ offset: base + have, hash: null, error: err.message, code: err.code }, []);
        return;
      }
      // The byte written to end a blocked read (stdin-reader.ts) is not input.
      if (stopped()) return;
      const held = (): Buffer => mem.subarray(base - lo, base - lo + have);
      if (n === 0) {
        // The end, and the start of a last line without its newline (where the checkpoint stays), get their hashes.
        const cut = have > 0 ? held().lastIndexOf(10, have - 1) + 1 : 0;
        if (cut > 0 && !send(cut, true)) return;
        if (!hashAtBase()) return;
        if (have > 0 && !send(have, true)) return;
        if (credit()) give({ offset: base, hash: null, eof: true }, []);
        return;
      }
      digest(end, n);
      have += n;
      // A read that returns less than the pipe holds found it drained: the writer is not ahead.
      if (n >= pipe) filled = true;
      let short = n < Math.min(DEFAULT_PIPE_BYTES, want);
      // An enlarged pipe (pipe-size.ts) that a read of more drained: a bulk writer a moment behind (cat
      // writes 128 KiB at a time), or a live one after a burst, whose whole lines must not wait for its next line.
      if (!short && n < Math.min(pipe, want) && have < s.jobBytes) short = quiet();
      if (have < s.jobBytes && !short && have < s.bufBytes) continue;
      const buf = held();
      const last = buf.lastIndexOf(10, have - 1) + 1;
      const cutAtBlock = have >= s.jobBytes ? blockCut(buf, base, have) : 0;
      // One line past a block boundary, unless that leaves less than half a job (then the rest is copied for nothing).
      const cut = cutAtBlock >= s.jobBytes >> 1 ? cutAtBlock : last;
      // No newline: wait for the line's end, unless it fills the buffer (the main thread cuts it to maxLine).
      if (cut === 0 && have < s.bufBytes) continue;
      // A line that fills the buffer goes out in pieces: the hash at its start first (where the checkpoint
      // stays if it is the input's last line, without a newline), which a throttled small piece may not have sent.
      if (cut === 0 && !hashAtBase()) return;
      if (!send(cut === 0 ? have : cut, false)) return;
    }
  }
}
