/**
 * One source, end to end: bytes -> lines -> records -> events -> store (and live sinks).
 * Counting is exactly-once: a source is known by its content, and its offset moves in the
 * same transaction as its counts.
 */
import { createHash } from 'node:crypto';
import { Extractor, type Needles } from '../extract/index.js';
import { chunkScanner } from './scan.js';
import { RecordParser } from '../parse/records.js';
import { BinaryRecords } from '../parse/binary.js';
import { HEAD_BYTES, inspectHead, shapeOf } from '../parse/stream.js';
import { yearAnchor } from '../parse/time.js';
import { decodedLineChunks, type LineEnding, type TextEncoding } from '../sources/encoding.js';
import { isCandidateLine } from '../extract/prefilter.js';
import { peekHead } from '../sources/head.js';
import { ScanPool, rangeBytes, scanInParallel, splitRanges } from './parallel.js';
import { pooledChunks } from './pooled.js';
import { forEachCandidate } from './candidates.js';
import type { RangeResult } from './scan-jobs.js';
import { readStudioJson } from '../parse/json-logs.js';
import { planContract, type Contract } from './contract.js';
import { DEFAULT_MAX_LINE, type LineChunk } from '../sources/chunks.js';
import type { Input } from '../sources/inputs.js';
import { openInput } from '../sources/open.js';
import { SQLITE_MAGIC, SourceTakenError, StoreError, type Store } from '../store/store.js';
import type { AuthingEvent, FormatName, LogRecord } from '../types.js';

/** What one step of reading produced: the checkpoint offset after it (null: none here) and its size. */
interface Unit {
  next: number | null;
  bytes: number;
  overlong: number;
  /** Bytes of the file done, when the unit knows better than the read stream (parallel ranges). */
  raw?: number;
}

/** Settings of one ingest run. */
export interface IngestOptions {
  extractor: Extractor;
  needles: Needles;
  format?: FormatName;
  year?: number;
  tz?: string;
  /** The run's extraction contract: a source read under less is re-read (contract.ts). */
  contract?: Contract;
  /** Forget what each source contributed and read it again under `contract` (`rescan`). */
  rescan?: boolean;
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
  status: 'read' | 'resumed' | 'skipped' | 'failed' | 'taken' | 'interrupted' | 'not-a-log';
  format: FormatName | null;
  /** Every layout a record came in (a capture may switch), in order of first use. */
  formats?: FormatName[];
  /** Text encoding read (UTF-16 is decoded to UTF-8 first), or `binary` for binary logcat. */
  encoding?: TextEncoding | 'binary';
  /** Line-ending style of the head. */
  lineEnding?: LineEnding | null;
  /** Why the input was not read: `not a log`, or `already counted` (nothing new since the last run). */
  skipReason?: string;
  /** A one-line note for stderr: a silent fallback (read as raw) or why the input was skipped. */
  note?: string;
  compression: 'none' | 'gzip' | 'zip' | null;
  bytes: number;
  lines: number;
  events: number;
  /** Lines that could hold an event (they carry a candidate needle) but fit no layout; `parse` counts the same. */
  unparsed: number;
  overlong: number;
  /** Of `bytes`, those scanned by worker threads (file ranges, stream jobs). */
  workerBytes?: number;
  error?: string;
  /** Read again from the start because this run's contract has more than the stored one. */
  reread?: boolean;
  /** Contract elements the source was read under that this run lacks (their events stay). */
  contextRemoved?: string[];
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Ends the iteration with an AbortError as soon as `signal` fires, even while waiting for input. */
async function* abortable(it: AsyncIterable<Buffer>, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  if (!signal) return yield* it;
  const iter = it[Symbol.asyncIterator]();
  // One listener per wait, removed when the wait ends: a long-lived race promise would keep every chunk alive.
  const next = (): Promise<IteratorResult<Buffer>> =>
    new Promise((resolve, reject) => {
      const onAbort = () => reject(Object.assign(new Error('interrupted'), { name: 'AbortError' }));
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

/** Passes every chunk to `tee` (which may return a promise to apply back-pressure) unchanged. */
async function* tap(it: AsyncIterable<Buffer>, tee: ((b: Buffer) => void | Promise<void>) | undefined): AsyncGenerator<Buffer> {
  if (!tee) return yield* it;
  for await (const c of it) {
    await tee(c);
    yield c;
  }
}

/** Drops the first `n` bytes of a stream. */
async function* skipBytes(stream: AsyncIterable<Buffer>, n: number): AsyncGenerator<Buffer> {
  let left = n;
  for await (const c of stream) {
    if (left >= c.length) {
      left -= c.length;
      continue;
    }
    yield left > 0 ? c.subarray(left) : c;
    left = 0;
  }
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

/** Ingests one input into the store. Never throws for a problem of the input itself. */
export async function ingestSource(store: Store, input: Input, opts: IngestOptions): Promise<SourceResult> {
  const result: SourceResult = { name: input.name, status: 'read', format: null, compression: null, bytes: 0, lines: 0, events: 0, unparsed: 0, overlong: 0 };
  let opened;
  try {
    opened = await openInput(input, opts.stdin as never);
  } catch (e) {
    return { ...result, status: 'failed', error: errorReason(e) };
  }
  result.compression = opened.compression;

  let head: Buffer;
  let all: AsyncIterable<Buffer>;
  let complete: boolean;
  try {
    ({ head, all, complete } = await peekHead(tap(opened.stream, opts.tee), HEAD_BYTES, input.path === null ? (opts.headWaitMs ?? 200) : undefined));
  } catch (e) {
    return { ...result, status: 'failed', error: errorReason(e) };
  }
  if (head.length === 0) return { ...result, status: 'failed', error: 'empty input' };
  if (head.subarray(0, 16).toString('latin1') === SQLITE_MAGIC) return { ...result, status: 'failed', error: 'an SQLite database, not a log' };
  // What the head says (encoding, layout, not a log at all) before the input becomes a source.
  const info = inspectHead(head, complete, opts.format);
  Object.assign(result, { encoding: info.encoding, lineEnding: info.lineEnding, ...(info.note ? { note: info.note } : {}) });
  if (info.notLog) return { ...result, status: 'not-a-log', skipReason: 'not a log' };

  // Recognise the content: the longest stored head that this input starts with.
  let src = undefined;
  for (const len of await store.headLengths(head.length)) {
    src = await store.findSource(len, sha(head.subarray(0, len)));
    if (src) {
      if (len < head.length) await store.extendHead(src.id, head.length, sha(head), input.name);
      break;
    }
  }
  src ??= await store.claimSource(head.length, sha(head), input.name);
  const plan = await planContract(store, src, opts.contract, opts.rescan);
  src = plan.source;
  if (plan.reread) result.reread = true;
  if (plan.removed.length) result.contextRemoved = plan.removed;
  const startBytes = plan.reread ? 0 : src.bytes_done;
  const linesDone = plan.reread ? 0 : src.lines_done;
  if (startBytes > 0) result.status = 'resumed';

  const parser = new RecordParser({ format: opts.format, tz: opts.tz, ...yearAnchor(opts.year, opened.mtime) });
  parser.setFormat(info.format);
  const shape = shapeOf(parser.format!);
  result.format = parser.format ?? null;

  const pending: AuthingEvent[] = [];
  let committedBytes = startBytes;
  let lineNo = linesDone;
  let lastCommit = Date.now();
  const batchEvents = opts.batchEvents ?? 5000;
  const batchMs = opts.batchMs ?? 1000;

  const onRecord = (rec: LogRecord): void => {
    opts.observeRecord?.(rec);
    if (opts.keepRecord && !opts.keepRecord(rec)) return;
    const e = opts.extractor.extract(rec);
    if (!e) return;
    pending.push(e);
    // A re-read finds events stored before: they are shown once stored, if new.
    if (!plan.reread) opts.onEvent?.(e, input.name);
  };
  // Commits run one after another (the loop and the quiet-input timer both commit). Each takes
  // the events found so far; a failed commit poisons the rest, so no later offset skips its events.
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const commit = (bytes: number, complete: boolean): Promise<void> => {
    const batch = plan.storable ? pending.splice(0).filter(plan.storable) : pending.splice(0);
    const lines = lineNo;
    const format = parser.format ?? null;
    chain = chain.then(async () => {
      if (failure) throw failure;
      try {
        const added = await store.writeBatch(src!.id, batch, { fromBytes: committedBytes, bytes, lines, complete, format, ...plan.progress });
        result.events += added.length;
        if (plan.reread && opts.onEvent) for (const e of added) opts.onEvent(e, input.name);
        if (opts.onStored) for (const e of added) opts.onStored(e);
        committedBytes = bytes;
        lastCommit = Date.now();
      } catch (e) {
        failure = e;
        throw e;
      }
    });
    return chain;
  };

  // Multi-line records (long, Studio copies) read every line, so continuations join the right record; the rest decode candidates only.
  const needsEveryLine = (): boolean => parser.multiLine || !!opts.observeRecord || !!opts.keepRecord;
  const needles = opts.needles;
  const handleLine = (text: string, n: number): void => {
    const r = parser.push(text, n);
    if ('record' in r) {
      if (r.before) onRecord(r.before);
      onRecord(r.record);
    } else if ('unparsed' in r && isCandidateLine(needles, text)) result.unparsed++;
  };

  const maxLine = opts.maxLine ?? DEFAULT_MAX_LINE;
  /** Scans one chunk; only candidate lines are decoded unless the format needs every line. */
  const scan = (c: LineChunk): number => {
    const { buf, end } = c;
    if (needsEveryLine()) {
      let pos = 0;
      let overlong = 0;
      while (pos < end) {
        const nl = buf.indexOf(10, pos);
        if (nl - pos > maxLine) overlong++;
        lineNo++;
        handleLine(buf.toString('utf8', pos, Math.min(nl, pos + maxLine)), lineNo);
        pos = nl + 1;
      }
      return overlong;
    }
    const base = lineNo;
    const r = chunkScanner(needles).scan(buf, end, maxLine, (text, i) => handleLine(text, base + i + 1));
    lineNo = base + r.lines;
    return r.overlong;
  };

  /** Takes a scan job's result in input order: its candidate lines, then its line count; `workerBytes` of it were scanned by a worker. */
  const applyWorkerScan = (r: RangeResult, workerBytes: number): void => {
    const base = lineNo;
    forEachCandidate(r.candidates, (text, rel) => handleLine(text, base + rel + 1));
    lineNo = base + r.lines;
    result.workerBytes = (result.workerBytes ?? 0) + workerBytes;
  };

  // The run's scan threads, or this input's own (closed when it is read).
  let ownPool: ScanPool | null = null;
  const scanPool = (): ScanPool => opts.pool ?? (ownPool ??= new ScanPool(opts.threads!, needles, maxLine));
  const closeOwnPool = async (): Promise<void> => {
    await ownPool?.close();
    ownPool = null;
  };

  let lastNext: number | null = startBytes;
  // A live stream may go quiet: commit what was found at least every batchMs anyway.
  const timer = setInterval(() => {
    if (pending.length && lastNext !== null && lastNext > committedBytes) {
      // A failure is kept and reported by the next commit in the loop.
      commit(lastNext, false).catch(() => {});
    }
  }, Math.max(50, batchMs / 2));
  timer.unref();
  /** Text: chunks of whole lines; with threads, a fast stream's chunks are scanned by workers. */
  async function* textUnits(body: AsyncIterable<Buffer>): AsyncGenerator<Unit> {
    const chunks = decodedLineChunks(body, info.encoding as TextEncoding, maxLine, startBytes);
    if ((opts.threads ?? 1) > 1 && !needsEveryLine()) {
      const pool = scanPool();
      try {
        for await (const u of pooledChunks(chunks, pool, Math.max(1, rangeBytes() >> 2), () => !needsEveryLine())) {
          if (u.kind === 'inline') {
            const cut = scan(u.chunk);
            yield { next: u.chunk.next, bytes: u.chunk.end, overlong: u.chunk.overlong + cut };
          } else {
            applyWorkerScan(u.result, u.bytes);
            yield { next: u.next, bytes: u.bytes, overlong: u.overlong + u.result.overlong };
          }
        }
      } finally {
        await closeOwnPool();
      }
    } else {
      for await (const c of chunks) {
        const cut = scan(c);
        yield { next: c.next, bytes: c.end, overlong: c.overlong + cut };
      }
    }
    // A long entry still open at the end of the input.
    const last = parser.end();
    if (last) onRecord(last);
  }
  /** Binary: logger entries; a checkpoint only where no entry is cut in two. */
  async function* binaryUnits(body: AsyncIterable<Buffer>): AsyncGenerator<Unit> {
    const entries = new BinaryRecords(linesDone);
    let offset = startBytes;
    for await (const chunk of body) {
      const { records, drained } = entries.push(chunk);
      for (const r of records) onRecord(r);
      lineNo = entries.entries;
      offset += chunk.length;
      yield { next: drained ? offset : null, bytes: chunk.length, overlong: 0 };
    }
  }
  /** Android Studio's export is one JSON document: read whole (bounded), then its messages. */
  async function* studioUnits(whole: AsyncIterable<Buffer>): AsyncGenerator<Unit> {
    const { records, size } = await readStudioJson(whole);
    for (const r of records) if (r.line > linesDone) onRecord(r);
    lineNo = Math.max(lineNo, records.length);
    yield { next: size, bytes: Math.max(0, size - startBytes), overlong: 0 };
  }

  /** A large plain file: newline-aligned ranges scanned by worker threads, consumed in order. */
  async function* parallelUnits(path: string, size: number): AsyncGenerator<Unit> {
    (opened!.stream as unknown as { destroy?: () => void }).destroy?.();
    const ranges = splitRanges(path, startBytes, size, rangeBytes());
    try {
      for await (const r of scanInParallel(path, ranges, scanPool(), opts.signal)) {
        applyWorkerScan(r, r.here ? 0 : r.end - r.start);
        yield { next: r.end, bytes: r.end - r.start, overlong: r.overlong, raw: r.end };
      }
    } finally {
      await closeOwnPool();
    }
    if (opts.signal?.aborted) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
  }
  const parallel =
    shape === 'text' && info.encoding === 'utf-8' && (opts.threads ?? 1) > 1 && input.path !== null && !input.entry && opened.compression === 'none' && !opts.tee &&
    !needsEveryLine() && opened.size !== null && opened.size - startBytes >= 4 * rangeBytes();

  try {
    const units =
      shape === 'studio-json' ? studioUnits(abortable(all, opts.signal))
      : parallel ? parallelUnits(input.path!, opened.size!)
      : (shape === 'binary' ? binaryUnits : textUnits)(abortable(startBytes > 0 ? skipBytes(all, startBytes) : all, opts.signal));
    for await (const c of units) {
      result.overlong += c.overlong;
      result.bytes += c.bytes;
      lastNext = c.next;
      opts.onProgress?.(c.raw ?? opened.rawBytesRead(), result.events + pending.length);
      if (c.next !== null && (pending.length >= batchEvents || Date.now() - lastCommit >= batchMs)) await commit(c.next, false);
      if (opts.signal?.aborted) {
        if (c.next !== null) await commit(c.next, false);
        result.status = 'interrupted';
        result.lines = lineNo - linesDone;
        return result;
      }
    }
    await commit(lastNext ?? committedBytes, true);
  } catch (e) {
    result.lines = lineNo - linesDone;
    if (opts.signal?.aborted) {
      if (lastNext !== null && lastNext > committedBytes) await commit(lastNext, false);
      else if (pending.length) await commit(committedBytes, false);
      return { ...result, status: 'interrupted' };
    }
    if (e instanceof SourceTakenError) return { ...result, status: 'taken', error: 'being read by another run; left to it' };
    // The database failing (disk full, locked, corrupt) is not the input's fault: stop the run.
    if (e instanceof StoreError || String((e as { code?: unknown }).code ?? '').startsWith('SQLITE_')) throw e;
    if (failure) throw failure;
    if (lastNext !== null && lastNext > committedBytes) {
      try {
        await commit(lastNext, false);
      } catch (e2) {
        if (!(e2 instanceof SourceTakenError)) throw e2;
      }
    }
    // Keep what was read before the fault; a re-run goes on from there.
    return { ...result, status: 'failed', error: errorReason(e) };
  }
  finally {
    clearInterval(timer);
  }
  result.lines = lineNo - linesDone;
  result.formats = parser.formatsSeen;
  if (result.bytes === 0 && startBytes > 0) Object.assign(result, { status: 'skipped', skipReason: 'already counted' });
  return result;
}
