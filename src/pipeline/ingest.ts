/**
 * One source, end to end: the stages of stages.ts connected. Counting is exactly-once: a source is
 * known by its content (fingerprint.ts), and its checkpoint moves in the same transaction as its counts
 * (store-sink.ts), never past a record that is not complete.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Extractor, Needles } from '../extract/index.js';
import { HEAD_BYTES, formatOfHead, shapeOf } from '../parse/stream.js';
import { peekHead } from '../sources/head.js';
import { DEFAULT_MAX_LINE } from '../sources/chunks.js';
import type { Input } from '../sources/inputs.js';
import { openInput, type OpenedInput } from '../sources/open.js';
import { SQLITE_MAGIC, SourceTakenError, type SourceRow, type Store } from '../store/store.js';
import { UserError } from '../errors.js';
import type { AuthingEvent, FormatName, LogRecord } from '../types.js';
import { PrefixHasher, claimVariant, fileStamp, headKey, loadBlockHash, sha256, sourcesWithHead, type FileStamp } from './fingerprint.js';
import { abortable, binaryFrames, lineFrames, pooledFrames, rangeFrames, skipHashing, studioFrames, tapped } from './frames.js';
import { ScanPool, largeInput } from './parallel.js';
import { RecordStage } from './parser-stage.js';
import { chunkScanner } from './scan.js';
import { Selector } from './selector.js';
import type { Checkpoint, Frame } from './stages.js';
import { InputChangedError, StoreSink } from './store-sink.js';

/** Settings of one ingest run. */
export interface IngestOptions {
  extractor: Extractor;
  needles: Needles;
  format?: FormatName;
  year?: number;
  tz?: string;
  /** Keep only events at or after / before these epoch milliseconds. */
  since?: number;
  until?: number;
  /** Commit when this many events are pending ... */
  batchEvents?: number;
  /** ... or this many milliseconds have passed since the last commit. */
  batchMs?: number;
  maxLine?: number;
  /** Scan threads shared by the run's inputs (same needles and maxLine); else one is made per input when needed. */
  pool?: ScanPool;
  /** Called for each event as it is found (live printer, NDJSON). */
  onEvent?: (e: AuthingEvent, source: string) => void;
  /** Called for each event once it is stored (run summary). */
  onStored?: (e: AuthingEvent) => void;
  /** Called with every input chunk, unchanged (--tee); may return a promise for back-pressure. */
  tee?: (chunk: Buffer) => void | Promise<void>;
  /** Sees every record before extraction (the --package pid tracker); forces the every-line path. */
  observeRecord?: (r: LogRecord) => void;
  /** Keeps only the records it returns true for (--package). */
  keepRecord?: (r: LogRecord) => boolean;
  /** Keeps only the events it returns true for (--level, --category, --code, --only-tag). */
  keepEvent?: (e: AuthingEvent) => boolean;
  /** Wait at most this long for the first 64 KiB of a stream before going on (live input). */
  headWaitMs?: number;
  /** Worker threads for a large plain file (1: scan on this thread). */
  threads?: number;
  /** Called after each chunk with the bytes read from disk for this source and the events found so far. */
  onProgress?: (rawBytes: number, events: number) => void;
  /** Stop early (SIGINT): the run commits what it read and returns. */
  signal?: AbortSignal;
  stdin?: NodeJS.ReadableStream;
}

/** What happened to one source. */
export interface SourceResult {
  name: string;
  status: 'read' | 'resumed' | 'skipped' | 'failed' | 'taken' | 'interrupted';
  format: FormatName | null;
  compression: 'none' | 'gzip' | 'zip' | null;
  bytes: number;
  lines: number;
  events: number;
  unparsed: number;
  overlong: number;
  /** Of `bytes`, those scanned by worker threads (file ranges, stream jobs). */
  workerBytes?: number;
  error?: string;
}

function errorReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'Z_DATA_ERROR': case 'Z_BUF_ERROR': return `corrupt gzip data (${err.message})`;
    case 'ETOOBIG': case 'EBADJSON': return err.message;
    default: return err.message ?? String(e);
  }
}

/** Stops reading an input that the pipeline will not read as a stream (a file read in ranges). */
function closeStream(s: AsyncIterable<Buffer>): void {
  if (s instanceof Readable) s.destroy();
}

/** The Extractor stage for one source: record filters, the extractor, event filters, then the sink and live printers. */
function extractStage(opts: IngestOptions, name: string, sink: StoreSink): (r: LogRecord) => void {
  const { since, until, keepRecord, keepEvent, observeRecord, onEvent, extractor } = opts;
  const inWindow = (e: AuthingEvent): boolean => {
    if (since === undefined && until === undefined) return true;
    if (!e.time) return false;
    const t = Date.parse(e.time);
    return (since === undefined || t >= since) && (until === undefined || t < until);
  };
  return (rec) => {
    observeRecord?.(rec);
    if (keepRecord && !keepRecord(rec)) return;
    const e = extractor.extract(rec);
    if (!e || !inWindow(e) || (keepEvent && !keepEvent(e))) return;
    sink.event(e);
    onEvent?.(e, name);
  };
}

/** Why a file is not what the run started reading, or null. */
function changedReason(path: string, at: FileStamp, cp: Checkpoint, compressed: boolean, hasher: PrefixHasher, headHash: string, headLen: number): string | null {
  const now = fileStamp(path);
  if (!now) return 'was removed';
  if (now.ino !== at.ino || now.dev !== at.dev) return 'was replaced by another file';
  if (now.mtimeMs === at.mtimeMs && now.size === at.size) return null;
  // Grown (a capture still being written) is fine, if the bytes already read are still there.
  if (compressed) return 'was rewritten';
  if (now.size < at.size || now.size < cp.offset) return 'was truncated';
  if (!hasher.sameOnDisk(cp.offset, headHash, headLen)) return 'was rewritten';
  return null;
}

/** Ingests one input into the store. Never throws for a problem of the input itself. */
export async function ingestSource(store: Store, input: Input, opts: IngestOptions): Promise<SourceResult> {
  const result: SourceResult = { name: input.name, status: 'read', format: null, compression: null, bytes: 0, lines: 0, events: 0, unparsed: 0, overlong: 0 };
  await loadBlockHash();
  // Source: bytes, the head kept for fingerprint and detection.
  const open = async (): Promise<{ opened: OpenedInput; head: Buffer; all: AsyncIterable<Buffer>; complete: boolean; stamp: FileStamp | null }> => {
    const opened = await openInput(input, opts.stdin as Readable | undefined);
    const stamp = input.path !== null ? fileStamp(input.path) : null;
    const source = opts.tee ? tapped(opened.stream, opts.tee) : opened.stream;
    const peeked = await peekHead(source, HEAD_BYTES, input.path === null ? (opts.headWaitMs ?? 200) : undefined);
    return { opened, stamp, ...peeked };
  };
  let src0;
  try {
    src0 = await open();
  } catch (e) {
    return { ...result, status: 'failed', error: errorReason(e) };
  }
  let { opened, all } = src0;
  const { head, complete, stamp } = src0;
  result.compression = opened.compression;
  if (head.length === 0) return { ...result, status: 'failed', error: 'empty input' };
  if (head.subarray(0, 16).toString('latin1') === SQLITE_MAGIC) return { ...result, status: 'failed', error: 'an SQLite database, not a log' };

  const plainFile = input.path !== null && !input.entry && opened.compression === 'none';
  const format = opts.format ?? formatOfHead(head, complete);
  const shape = shapeOf(format);
  const maxLine = opts.maxLine ?? DEFAULT_MAX_LINE;
  const threads = opts.threads ?? 1;

  // Fingerprint: the stored source whose counted prefix this input starts with, or a new one.
  let hasher = new PrefixHasher(plainFile ? input.path : null);
  let src: SourceRow | null = null;
  let body: AsyncIterable<Buffer> | null = null; // the stream from the resume point, when already skipped to it
  let matches;
  try {
    matches = await sourcesWithHead(store, head);
    for (const m of matches) {
      const P = m.row.bytes_done;
      // Rows of older builds have no prefix hash: their head is all there is to go by.
      if (P === 0 || m.row.prefix_hash === null) {
        src = m.row;
        break;
      }
      if (plainFile || shape === 'studio-json') {
        if (plainFile && hasher.fileHashAt(P) === m.row.prefix_hash) {
          src = m.row;
          break;
        }
        if (plainFile) hasher = new PrefixHasher(input.path);
        else {
          src = m.row; // a Studio export is read whole and its records counted by index
          break;
        }
        continue;
      }
      // A stream is read once: skip to the stored offset, hashing, and compare.
      const rest = await skipHashing(abortable(all, opts.signal), P, hasher);
      if (rest && hasher.hashAt(P) === m.row.prefix_hash) {
        src = m.row;
        body = rest;
        break;
      }
      if (input.path === null) {
        return { ...result, status: 'failed', error: `starts like a source counted before (${m.row.name}) but differs within its first ${P} bytes; nothing was counted: save it to a file and give its path` };
      }
      closeStream(opened.stream);
      ({ opened, all } = await open());
      hasher = new PrefixHasher(null);
    }
  } catch (e) {
    if (opts.signal?.aborted) return { ...result, status: 'interrupted' };
    return { ...result, status: 'failed', error: errorReason(e) };
  }
  if (!src) src = await claimVariant(store, head, input.name, matches);
  else if (src.head_len < head.length) await store.extendHead(src.id, head.length, headKey(sha256(head), 0), input.name);
  const source: SourceRow = src;
  const startBytes = source.bytes_done;
  if (startBytes > 0) result.status = 'resumed';

  const path = input.path;
  const sink: StoreSink = new StoreSink(store, source, {
    batchEvents: opts.batchEvents ?? 5000,
    batchMs: opts.batchMs ?? 1000,
    hasher,
    format: (): FormatName | null => parser.format,
    onStored: opts.onStored,
    verify:
      path !== null && stamp
        ? (cp) => {
            const why = changedReason(path, stamp, cp, !plainFile, hasher, sha256(head), head.length);
            if (why) throw new InputChangedError(`changed while being read (${why}); nothing after byte ${sink.done.offset} was kept: run again to count it as it is now`);
          }
        : undefined,
  });
  const year = opts.year ?? opened.mtime?.getFullYear() ?? new Date().getFullYear();
  const parser: RecordStage = new RecordStage({ format: opts.format, year, tz: opts.tz }, format, extractStage(opts, input.name, sink));
  result.format = parser.format;
  const everyLine = !!opts.observeRecord || !!opts.keepRecord;
  const selector = new Selector(parser, { scanner: chunkScanner(opts.needles), maxLine, everyLine, startLine: source.lines_done });

  // The run's scan threads, or this input's own (closed when it is read).
  const own: { pool: ScanPool | null } = { pool: null };
  const scanPool = (): ScanPool => opts.pool ?? (own.pool ??= new ScanPool(threads, opts.needles, maxLine));
  const parallel = shape === 'text' && plainFile && threads > 1 && !opts.tee && !everyLine && opened.size !== null && body === null && largeInput(opened.size - startBytes);

  /** The Framer for this input's shape and read strategy. */
  const frames = async function* (): AsyncGenerator<Frame> {
    if (parallel && input.path !== null && opened.size !== null) {
      closeStream(opened.stream);
      return yield* rangeFrames(input.path, startBytes, opened.size, maxLine, scanPool(), hasher, opts.signal);
    }
    let rest: AsyncIterable<Buffer>;
    if (shape === 'studio-json') return yield* studioFrames(abortable(all, opts.signal), startBytes, source.lines_done);
    if (body) rest = body;
    else if (plainFile && path !== null && startBytes > 0 && !opts.tee) {
      // Read on from the checkpoint: the bytes before it were hashed when the source was recognised.
      closeStream(opened.stream);
      hasher.resumeAt(startBytes);
      rest = createReadStream(path, { start: startBytes, highWaterMark: 1 << 20 });
    } else {
      const skipped = await skipHashing(abortable(all, opts.signal), startBytes, hasher);
      if (!skipped) throw new InputChangedError(`is shorter than the ${startBytes} bytes counted before; nothing was counted`);
      rest = skipped;
    }
    const hashed = tapped(abortable(rest, opts.signal), (c) => hasher.feed(c));
    if (shape === 'binary') return yield* binaryFrames(hashed, startBytes, source.lines_done);
    if (threads > 1 && !everyLine) return yield* pooledFrames(hashed, maxLine, startBytes, scanPool(), () => !selector.wantsEveryLine);
    return yield* lineFrames(hashed, maxLine, startBytes);
  };

  let last: Checkpoint | null = null;
  const finishWith = (status: SourceResult['status'], error?: string): SourceResult => ({
    ...result, status, error, lines: selector.lineNo - source.lines_done, unparsed: parser.unparsed, overlong: selector.overlong, events: sink.stored,
    format: parser.format, ...(selector.workerBytes ? { workerBytes: selector.workerBytes } : {}),
  });
  try {
    for await (const frame of frames()) {
      const cp = await selector.take(frame);
      result.bytes += frame.kind === 'lines' ? frame.chunk.end : frame.bytes;
      opts.onProgress?.(plainFile ? (last?.offset ?? startBytes) : opened.rawBytesRead(), sink.stored + sink.waiting);
      if (cp) {
        last = cp;
        await sink.checkpoint(cp);
      }
      if (opts.signal?.aborted) {
        await sink.finish(last, false);
        return finishWith('interrupted');
      }
    }
    // The record still open at the end is complete now; the checkpoint stays before it.
    selector.end();
    await sink.finish(last, true);
  } catch (e) {
    if (e instanceof SourceTakenError) return finishWith('taken', 'being read by another run; left to it');
    if (e instanceof InputChangedError) return finishWith('failed', e.message);
    // The database failing (disk full, locked, corrupt) is not the input's fault: stop the run.
    if (e instanceof UserError && e.kind === 'database') throw e;
    if (opts.signal?.aborted) {
      await sink.finish(last, false);
      return finishWith('interrupted');
    }
    // Keep what was read before the fault; a re-run goes on from there.
    try {
      await sink.finish(last, false);
    } catch (e2) {
      if (e2 instanceof UserError && e2.kind === 'database') throw e2;
      if (!(e2 instanceof SourceTakenError)) return finishWith('failed', errorReason(e2));
    }
    return finishWith('failed', errorReason(e));
  } finally {
    sink.close();
    await own.pool?.close();
  }
  const res = finishWith('read');
  if (startBytes > 0) res.status = sink.done.offset === startBytes && sink.stored === 0 ? 'skipped' : 'resumed';
  return res;
}
