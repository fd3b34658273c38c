/**
 * The Framer stage: a source's bytes -> Frames, each ending where a checkpoint may be set. One small
 * function per read strategy (ripgrep's glue.rs): a stream read on this thread, a stream whose chunks
 * are scanned by the pool, a large plain file cut into ranges for the pool, binary logger entries,
 * and Android Studio's JSON export.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { BinaryRecords } from '../parse/binary.js';
import { readStudioJson } from '../parse/json-logs.js';
import { lineChunks, type LineChunk } from '../sources/chunks.js';
import { decodedLineChunks, decodedRead, type DecodeAs, type TextEncoding } from '../sources/encoding.js';
import type { PrefixHasher } from './fingerprint.js';
import { scanInParallel, splitRanges, rangeBytes, type ScanPool } from './parallel.js';
import { pooledChunks, type LentBuffers } from './pooled.js';
import type { Frame } from './stages.js';

/** Passes every chunk through `each` (hashing, --tee) before it goes on. */
export async function* tapped(it: AsyncIterable<Buffer>, each: (b: Buffer) => void | Promise<void>): AsyncGenerator<Buffer> {
  for await (const c of it) {
    await each(c);
    yield c;
  }
}

/** Ends the iteration with an AbortError as soon as `signal` fires, even while waiting for input. */
export async function* abortable(it: AsyncIterable<Buffer>, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  if (!signal) return yield* it;
  const iter = it[Symbol.asyncIterator]();
  // One listener per wait, removed when the wait ends: a long-lived race promise would keep every chunk alive.
  const next = (): Promise<IteratorResult<Buffer>> =>
    new Promise((resolve, reject) => {
      const onAbort = () => reject(abortError());
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      iter.next().then(
        (r) => {
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  for (;;) {
    const r = await next();
    if (r.done) return;
    yield r.value;
  }
}

/** The error that ends a read on SIGINT/SIGTERM. */
export function abortError(): Error {
  return Object.assign(new Error('interrupted'), { name: 'AbortError' });
}

/**
 * Reads the first `n` bytes of a stream into the hasher and returns the stream of the rest, or null
 * when the stream ended first.
 */
export async function skipHashing(stream: AsyncIterable<Buffer>, n: number, hasher: PrefixHasher): Promise<AsyncIterable<Buffer> | null> {
  const it = stream[Symbol.asyncIterator]();
  let left = n;
  let first: Buffer | null = null;
  while (left > 0) {
    const r = await it.next();
    if (r.done) return null;
    const c = r.value;
    if (c.length <= left) {
      hasher.feed(c);
      left -= c.length;
    } else {
      hasher.feed(c.subarray(0, left));
      first = c.subarray(left);
      left = 0;
    }
  }
  const rest = first;
  return (async function* () {
    if (rest) yield rest;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })();
}

/** Lines read on this thread, chunk by chunk (UTF-16 or a mixed capture decoded to UTF-8 first: its chunks' offsets are not the file's). */
export async function* lineFrames(body: AsyncIterable<Buffer>, encoding: TextEncoding, maxLine: number, start: number, as: DecodeAs = {}): AsyncGenerator<Frame> {
  const exact = !decodedRead(encoding, as.mixed);
  // (a UTF-8 read goes on decoded from a line in UTF-16: decodedLineChunks; those chunks have an origin)
  for await (const chunk of decodedLineChunks(body, encoding, maxLine, start, as)) yield { kind: 'lines', chunk, exact: exact && !chunk.origin };
}

/** A stream's chunks gathered into jobs for the pool while it flows fast and `usePool()` says so (pooled.ts). */
export async function* pooledFrames(body: AsyncIterable<Buffer>, encoding: TextEncoding, maxLine: number, start: number, pool: ScanPool, usePool: () => boolean, lent?: LentBuffers, as: DecodeAs = {}): AsyncGenerator<Frame> {
  // (named for what it is not: true when the chunks are the input's own bytes)
  const decoded = !decodedRead(encoding, as.mixed);
  for await (const u of pooledChunks(decodedLineChunks(body, encoding, maxLine, start, as), pool, streamJobBytes(), usePool, lent)) {
    if (u.kind === 'inline') {
      yield { kind: 'lines', chunk: u.chunk, exact: decoded && !u.chunk.origin };
      continue;
    }
    const { data, offset } = u;
    yield {
      // (input bytes: a tail's newline, lineChunks', is none of them; the worker scanned it)
      // (a job of decoded chunks: the input bytes they stand for)
      kind: 'scanned', offset, bytes: u.inputBytes ?? u.bytes - (u.tail ? 1 : 0), result: u.result, exact: u.exact && decoded, next: u.next, tail: u.tail, overlong: u.overlong, ...(u.cutAt !== undefined ? { cutAt: u.cutAt } : {}), workerBytes: u.bytes, held: data,
      // Valid while this frame is being taken: the buffer is filled again only after.
      data: (from) => one({ buf: data.subarray(from), end: data.length - from, offset: offset + from, overlong: 0, next: null }),
    };
  }
}

/** Bytes of one scan job of a stream (a quarter of a file range). */
export function streamJobBytes(): number {
  return Math.max(1, rangeBytes() >> 2);
}

async function* one(c: LineChunk): AsyncGenerator<LineChunk> {
  yield c;
}

/** Where the `n`th whole line before the end of `buf` starts (`buf` ends at a line start), or -1 when it holds fewer after its first byte. */
export function lineStartBack(buf: Buffer, n: number): number {
  let e = buf.length - 1;
  if (e < 0 || buf[e] !== 10) return -1;
  for (let k = 1; ; k++) {
    const s = e === 0 ? 0 : buf.lastIndexOf(10, e - 1) + 1;
    if (k === n) return s > 0 ? s : -1;
    if (s === 0) return -1;
    e = s - 1;
  }
}

/** The first line start in `buf` at or after `p` (buf[0] is one only when `from`, its input offset, is 0); buf.length when none. */
function wholeFrom(buf: Buffer, from: number, p: number): number {
  if (p <= 0 && from === 0) return 0;
  const i = buf.indexOf(10, Math.max(0, p - 1));
  return i < 0 ? buf.length : i + 1;
}

/**
 * The whole lines of a plain file before `offset` (a line start) that a resumed run goes over again: its last
 * `lines` lines and the `extra` bytes of lines before those, read in growing pieces up to `cap` bytes (fewer
 * where the file or the cap ends first); `floor` is the input offset of the first.
 */
export function linesBack(path: string, offset: number, lines: number, extra: number, cap: number): { floor: number; bytes: Buffer } {
  for (let size = Math.min(offset, cap, 1 << 16); ; size = Math.min(offset, cap, size * 4)) {
    const buf = bytesBefore(path, offset, size);
    const from = offset - buf.length;
    if (lineStartBack(buf, lines) > extra || from === 0 || size >= cap) {
      const k = backStart(buf, from, lines, extra);
      return { floor: from + k, bytes: buf.subarray(k) };
    }
  }
}

/**
 * Where in `buf` (bytes ending at a line start; `from`: the input offset of buf[0]) the lines a resumed run goes
 * over again start: its last `lines` whole lines and the `extra` bytes of lines before those, as far as buf holds them.
 */
export function backStart(buf: Buffer, from: number, lines: number, extra: number): number {
  const s = lineStartBack(buf, lines);
  return wholeFrom(buf, from, s < 0 ? 0 : s - extra);
}

/** Up to `max` bytes of a plain file just before `offset`, as they are (a UTF-16 capture's: textBefore). */
export function bytesBefore(path: string, offset: number, max: number): Buffer {
  const want = Math.min(offset, max);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, offset - want + got);
      if (n <= 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/**
 * A large plain file: newline-aligned ranges scanned by the pool, in file order; their block digests go to the hasher.
 * `floor`: no byte before it is read for a look-back (a resumed run's: the line start before `start` that
 * lookBackFloor gives, so that the first events after the resume point have the context one clean run gives them).
 * `onUtf16`: told the start of the first range with a line in UTF-16, where the frames end.
 */
export async function* rangeFrames(path: string, start: number, size: number, maxLine: number, pool: ScanPool, hasher: PrefixHasher, signal?: AbortSignal, floor = start, onUtf16?: (at: number) => void): AsyncGenerator<Frame> {
  const ranges = splitRanges(path, start, size, rangeBytes());
  const back = new BytesBefore(path, floor);
  try {
    for await (const r of scanInParallel(path, ranges, size, pool, signal, floor)) {
      // A line in UTF-16 (a part neither end of the file showed), which a scan reads as no line: the read ends at this
      // range's start (a line start, the last checkpoint), where `onUtf16` goes on reading on one thread, decoding it.
      if (r.utf16At !== undefined && onUtf16) {
        onUtf16(r.start);
        return;
      }
      if (r.blocks) hasher.add(r.blocks);
      const end = r.end;
      yield {
        // a last line without its newline is read, but the checkpoint stays before it (as lineChunks' tail)
        kind: 'scanned', offset: r.start, bytes: r.end - r.start, result: r, exact: true, next: r.openAt ?? r.end, tail: r.openAt !== undefined, overlong: 0, workerBytes: r.here ? 0 : r.end - r.start,
        data: (from) => lineChunks(Readable.from(createReadStream(path, { start: r.start + from, end: end - 1 })), maxLine, r.start + from),
        readBefore: (at, max) => back.read(at, max),
      };
    }
  } finally {
    back.close();
  }
  if (signal?.aborted) throw abortError();
}

/**
 * The file's bytes just before an offset, for the context of an event: the scan threads kept only the
 * candidate lines. Events come in file order, so the file is read forward in blocks and the events of
 * one block are served from it (an open, a read and a close per event cost more than the rest of the
 * read-back, measured).
 */
class BytesBefore {
  private fd: number | null = null;
  private readonly block = Buffer.allocUnsafe(BLOCK_BEFORE);
  /** The file's bytes [from, to) are block[0, to - from). */
  private from = 0;
  private to = 0;
  constructor(
    private readonly path: string,
    /** Where this run started reading: no byte before it is read back. */
    private readonly start: number,
  ) {}
  /** The bytes [max(start, at - max), at); valid until the next call. */
  read(at: number, max: number): Buffer {
    const from = Math.max(this.start, at - max);
    if (from < this.from || at > this.to) {
      this.fd ??= openSync(this.path, 'r');
      this.from = from;
      this.to = from + readSync(this.fd, this.block, 0, this.block.length, from);
    }
    return this.block.subarray(from - this.from, Math.min(at, this.to) - this.from);
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Bytes read at a time for the context of events in a file read in ranges (events of one block share a read). */
const BLOCK_BEFORE = 1 << 18;

/** Binary logger entries; a checkpoint only where no entry is cut in two. */
export async function* binaryFrames(body: AsyncIterable<Buffer>, start: number, startLine: number): AsyncGenerator<Frame> {
  const entries = new BinaryRecords(startLine);
  let offset = start;
  for await (const chunk of body) {
    const { records, drained } = entries.push(chunk);
    offset += chunk.length;
    yield { kind: 'records', records, next: drained ? offset : null, lines: entries.entries, bytes: chunk.length };
  }
}

/** Android Studio's export is one JSON document: read whole (bounded), then the messages after `startLine`. */
export async function* studioFrames(whole: AsyncIterable<Buffer>, start: number, startLine: number): AsyncGenerator<Frame> {
  const { records, size } = await readStudioJson(whole);
  yield { kind: 'records', records: records.filter((r) => r.line > startLine), next: size, lines: records.length, bytes: Math.max(0, size - start) };
}
