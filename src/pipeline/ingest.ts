/**
 * One source, end to end: the stages of stages.ts connected. Counting is exactly-once: a source is
 * known by its content (fingerprint.ts), and its checkpoint moves in the same transaction as its counts
 * (store-sink.ts), never past a record that is not complete.
 */
import { yearOptions } from '../sources/last-stamp.js';
import type { Readable } from 'node:stream';
import { resolve } from 'node:path';
import type { Extractor, Needles } from '../extract/index.js';
import { EventBudget } from '../extract/event-budget.js';
import { isCandidateLine } from '../extract/prefilter.js';
import { bundledCauses } from '../extract/causes.js';
import { ContextKeeper, DEFAULT_CONTEXT, LOOKBACK_BYTES, LOOKBACK_LINES } from './context.js';
import { HEAD_BYTES, inspectHead, shapeOf } from '../parse/stream.js';
import { LONG_HEADER, MULTI_LINE_FORMATS, STUDIO_HIDDEN_TAG, lineFormat } from '../parse/formats.js';
import { stripDecorations } from '../parse/decorations.js';
import { decodedRead, EncodingsRead, textBefore, utf16AtEnd, type LineEnding, type TextEncoding } from '../sources/encoding.js';
import { contractAdds, type Contract } from './contract.js';
import { peekHead } from '../sources/head.js';
import { DEFAULT_MAX_LINE } from '../sources/chunks.js';
import type { Input } from '../sources/inputs.js';
import { openInput, type OpenedInput } from '../sources/open.js';
import { SQLITE_MAGIC, SourceTakenError, type SourceRow, type Store } from '../store/store.js';
import { UserError } from '../errors.js';
import type { AuthingEvent, FormatName, LogRecord } from '../types.js';
import { mergeLabels, type Labels } from '../labels/labels.js';
import { fileStamp, loadBlockHash, sha256, sourcesWithHead, type FileStamp } from './fingerprint.js';
import { sourceName, sourcePath } from './source-name.js';
import { bytesFrom, changedReason, closeStream, findStoredSource, resumePoint, type InputBytes, type MatchRequest, type ResumePoint } from './source-match.js';
import { abortable, backStart, binaryFrames, bytesBefore, lineFrames, lineStartBack, linesBack, pooledFrames, rangeFrames, streamJobBytes, studioFrames, tapped } from './frames.js';
import { ScanPool, denseInput, largeInput } from './parallel.js';
import { RecordStage } from './parser-stage.js';
import { chunkScanner, newlinesIn } from './scan.js';
import { Selector } from './selector.js';
import type { Checkpoint, Frame } from './stages.js';
import { InputChangedError, StoreSink } from './store-sink.js';
import { trace, traceFirst } from '../trace.js';
import { terminalText } from '../sinks/terminal-text.js';
import { shellWord } from '../shell.js';

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
  /**
   * This run's flags that decide a source's events and their shape (--db, --config, --tag, --registry, --context,
   * --no-redact, --tz, --year), quoted for the shell: the `rescan` a warning names runs under them, or it would
   * count under other settings, or into another store, than the warning says (cli/config.ts rerunFlags).
   */
  rerunFlags?: string;
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
  /** True for an event counted before in another source (watch: one at its device's last counted time): not stored. */
  skipEvent?: (e: AuthingEvent) => boolean;
  /** Wait at most this long for the first 64 KiB of a stream before going on (live input). */
  headWaitMs?: number;
  /** Worker threads for a large plain file (1: scan on this thread). */
  threads?: number;
  /** Called after each chunk with the bytes read from disk for this source, the events found so far, and the bytes read after decompression (what the summary counts). */
  onProgress?: (rawBytes: number, events: number, bytes: number) => void;
  /** Stop early (SIGINT): the run commits what it read and returns. */
  signal?: AbortSignal;
  stdin?: NodeJS.ReadableStream;
  /** Keep at most this many events of the source in this run (--max-events). */
  maxEvents?: number;
  /**
   * Labels of the source: `explicit` (--label, config) over `found` (adb, --label-from-path) over
   * what the bytes carry (a bugreport's header); stored when the source is known and again at the end.
   */
  labels?: { explicit: Labels; found?: Labels };
  /** Records of context kept with each event (--context; default DEFAULT_CONTEXT, 0: none). */
  context?: number;
}

/** What happened to one source. */
export interface SourceResult {
  name: string;
  status: 'read' | 'resumed' | 'skipped' | 'failed' | 'taken' | 'interrupted' | 'not-a-log';
  format: FormatName | null;
  /** Every layout a record came in (a capture may switch), in order of first use. */
  formats?: FormatName[];
  /**
   * Text encoding read (UTF-16 is decoded to UTF-8 first), `mixed` for text in more than one (then `encodings`), or
   * `binary` for binary logcat.
   */
  encoding?: TextEncoding | 'mixed' | 'binary';
  /** With `encoding: 'mixed'`: the encodings of the text read, in order of first use (`utf-8`, `utf-16le`). */
  encodings?: TextEncoding[];
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
  /** Worth a line on stderr, not a failure (trailing bytes after gzip data). */
  warnings?: string[];
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

/**
 * The Extractor stage for one source: record filters, the extractor, the event budget, then the sink
 * and (live) `onEvent`, which a re-read calls once an event is stored instead (stored before: not shown).
 */
function extractStage(opts: IngestOptions, sourceId: number, sink: StoreSink, budget: EventBudget, keeper: ContextKeeper, onEvent: ((e: AuthingEvent) => void) | undefined): (r: LogRecord) => void {
  const { keepRecord, observeRecord, extractor, skipEvent } = opts;
  return (rec) => {
    observeRecord?.(rec);
    if (keepRecord && !keepRecord(rec)) return;
    // Past --max-events an event is only counted (the flood warning): its excerpt, redaction and outcome
    // were most of a capped flood's time (a million events: 3.9 s).
    if (budget.full) {
      if (extractor.finds(rec)) budget.take();
    } else {
      const e = extractor.extract(rec);
      if (e && !skipEvent?.(e) && budget.take()) {
        // Read now: the bytes before this line are at hand only while it is being fed.
        const c = keeper.eventContext(rec, rec.message);
        if (c.context) e.context = c.context;
        e.cause = c.cause;
        e.sourceId = sourceId;
        sink.event(e, rec.message);
        onEvent?.(e);
      }
    }
    keeper.observe(rec);
  };
}

/** How long stdin waits for its head (HEAD_BYTES) once its first bytes came: then it goes on with what came. */
const HEAD_WAIT_MS = 200;
/** How long more it waits where a source stored before has a longer head than what came (matchSource). */
const MATCH_HEAD_WAIT_MS = 3000;

/**
 * The Source stage of one input: its bytes (opened again from the start when the fingerprint check
 * read past what it may keep), the head kept for fingerprint and detection, and the file's stamp.
 */
class SourceBytes implements InputBytes {
  private constructor(
    private readonly input: Input,
    private readonly opts: IngestOptions,
    public opened: OpenedInput,
    private all: AsyncIterable<Buffer>,
    public head: Buffer,
    public complete: boolean,
    readonly stamp: FileStamp | null,
  ) {}

  /** Reads on until the head holds `n` bytes (or the input ends, `waitMs` passed since this call, or `signal` aborts). */
  async moreHead(n: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    const p = await peekHead(this.all, n, waitMs, signal);
    this.all = p.all;
    this.head = p.head;
    this.complete = p.complete;
  }

  /** Opens `input` and peeks its head; throws what opening throws. */
  static async open(input: Input, opts: IngestOptions): Promise<SourceBytes> {
    const o = await SourceBytes.openOnce(input, opts);
    return new SourceBytes(input, opts, o.opened, o.all, o.head, o.complete, input.path !== null ? fileStamp(input.path) : null);
  }

  private static async openOnce(input: Input, opts: IngestOptions): Promise<{ opened: OpenedInput; all: AsyncIterable<Buffer>; head: Buffer; complete: boolean }> {
    const opened = await openInput(input, opts.stdin as Readable | undefined, { jobBytes: streamJobBytes() >> 1, maxLine: opts.maxLine ?? DEFAULT_MAX_LINE, needles: opts.needles, signal: opts.signal });
    const source = opts.tee ? tapped(opened.stream, opts.tee) : opened.stream;
    const peeked = await peekHead(source, HEAD_BYTES, input.path === null ? (opts.headWaitMs ?? HEAD_WAIT_MS) : undefined);
    if (peeked.head.length) traceFirst('read');
    return { opened, ...peeked };
  }

  stream(): AsyncIterable<Buffer> {
    return this.all;
  }
  close(): void {
    closeStream(this.opened.stream);
  }
  async reopen(): Promise<void> {
    this.close();
    ({ opened: this.opened, all: this.all } = await SourceBytes.openOnce(this.input, this.opts));
  }
}

/** What the head says of an input before it becomes a source, or why it never does. */
interface HeadFacts {
  format: FormatName;
  shape: ReturnType<typeof shapeOf>;
  encoding: TextEncoding;
  /** UTF-16 only: the bytes of a junk head before its BOM (HeadEncoding.junk), read as UTF-8 lines. */
  junk: number;
  /**
   * UTF-8 at the head and UTF-16 further on (HeadEncoding.mixed, or a plain file's tail: utf16AtEnd): read line by line,
   * each line in the encoding its start shows, as UTF-16 is (MixedDecoder).
   */
  mixed?: boolean;
  /** With --input-format: the layout its head has by detection (the flag's warning, when lines fit no record). */
  detected?: FormatName;
  /** A plain file, read at positions (not stdin, a FIFO, a zip entry or gzip). */
  plainFile: boolean;
  /** Many lines hold a lone CR: why nothing is read of a source not read before, and the note for one that was. */
  loneCrs?: { refusal: string; note: string };
}

/** Checks the head (empty, a database, not a log) and fills what it says into `result`; a SourceResult ends the input there. */
function headFacts(src: SourceBytes, input: Input, opts: IngestOptions, result: SourceResult): HeadFacts | SourceResult {
  const { head, opened } = src;
  result.compression = opened.compression;
  // the same array: gzip adds its warning when the data ends
  if (opened.warnings) result.warnings = opened.warnings;
  if (head.length === 0) return { ...result, status: 'failed', error: 'empty input' };
  if (head.subarray(0, 16).toString('latin1') === SQLITE_MAGIC) return { ...result, status: 'failed', error: 'an SQLite database, not a log' };
  const info = inspectHead(head, src.complete, opts.format);
  // A file skipped as binary has no text encoding or line endings to report.
  if (info.notLog) return { ...result, encoding: 'binary', ...(info.note ? { note: info.note } : {}), status: 'not-a-log', skipReason: 'not a log' };
  // Lines that end in a lone CR (all, or at least 8 and a quarter of the head's: loneCrRefusal): read as it is, their
  // records would run together (one event, the others lost), and once counted so, the converted file would be another
  // source, counted again. Nothing is read. (A few lines so, among LF-ended ones, are read and said in the note: one
  // hostile message must not get a capture refused.)
  if (info.crOnly && !info.crReadNote) return { ...result, encoding: info.encoding, lineEnding: info.lineEnding, status: 'failed', error: info.crOnly };
  Object.assign(result, { encoding: info.encoding, lineEnding: info.lineEnding, ...(info.note ? { note: info.note } : {}) });
  // A plain file whose head is UTF-8 and whose end holds UTF-16 (PowerShell's `>>` after a UTF-8 tool's `>`): read line
  // by line in the encoding each line's start shows. The tail sample was read for every plain file before, after the
  // read, only to say so (its part read as no lines: 29 events of 80); a head in UTF-16 is read so whatever its end.
  const plainFile = input.path !== null && !input.entry && !input.pipe && opened.compression === 'none';
  const mixed = !!info.mixed || (info.encoding === 'utf-8' && shapeOf(info.format) === 'text' && plainFile && src.stamp !== null && utf16AtEnd(fileTail(input.path!, src.stamp.size)));
  return {
    format: info.format,
    shape: shapeOf(info.format),
    encoding: info.encoding === 'binary' ? 'utf-8' : info.encoding,
    junk: info.junk,
    ...(mixed ? { mixed } : {}),
    ...(info.detected ? { detected: info.detected } : {}),
    // A FIFO is read once, front to back, like stdin: no position to read its bytes at again.
    plainFile,
    ...(info.crOnly && info.crReadNote ? { loneCrs: { refusal: info.crOnly, note: info.crReadNote } } : {}),
  };
}

/**
 * The command that counts an input again (`rescan` with its path, quoted; a bugreport entry's zip), or what to do
 * for stdin, which rescan cannot read again (an adversarial review: `rescan -` and `rescan b.zip!entry` failed).
 */
function rescanOf(input: Input, flags: string | undefined): string {
  const rescan = `authing-triage rescan ${flags ? `${flags} ` : ''}`;
  if (input.path === null || input.pipe) return `saving the capture to a file and running \`${rescan}FILE\` on it`;
  // absolute, as the flags' paths are: the command is pasted where it is needed, not always here
  return `\`${rescan}${shellWord(resolve(input.path))}\``;
}

/** What a run's settings make of each stored event without changing which events there are (SourceRow.shape). */
interface EventShape {
  context: number;
  redact: boolean;
  tz: string | null;
}

/** The shape of this run's events (stored with a source as its JSON). */
function eventShape(opts: IngestOptions): EventShape {
  return { context: opts.context ?? DEFAULT_CONTEXT, redact: !opts.extractor.noRedact, tz: opts.tz ?? null };
}

/**
 * The warning for a source counted before under other such settings (a stored shape of another build that cannot
 * be read says nothing). A first run's --context, --no-redact or --tz decided the shape of its events for good, and
 * a later run said nothing of it (an unredacted secret stayed stored after a redacted run; the exactly-once review).
 */
function shapeChange(input: Input, stored: string, is: EventShape, flags: string | undefined): string {
  let was: Partial<EventShape>;
  try {
    was = JSON.parse(stored) as Partial<EventShape>;
  } catch {
    return `counted before under other settings, which its stored events keep; ${rescanOf(input, flags)} makes them this run's`;
  }
  const words = (s: Partial<EventShape>, k: keyof EventShape): string =>
    k === 'context' ? `--context ${s.context}` : k === 'redact' ? (s.redact ? 'redaction' : '--no-redact') : s.tz ? `--tz ${s.tz}` : "this machine's time zone";
  const keys = (['context', 'redact', 'tz'] as const).filter((k) => was[k] !== is[k]);
  const unredacted = was.redact === false && is.redact ? ' (their text and context lines are not redacted)' : '';
  return `counted before with ${keys.map((k) => words(was, k)).join(', ')}, this run with ${keys.map((k) => words(is, k)).join(', ')}: the events stored before keep theirs${unredacted}; ${rescanOf(input, flags)} makes them all this run's`;
}

/** The labels a run puts on the source of this input (its flags', then what the input says of itself), or null. */
function labelsOf(opts: IngestOptions, src: SourceBytes): Labels | null {
  const labels = opts.labels;
  return labels ? mergeLabels(labels.explicit, src.opened.labels?.(), labels.found) : null;
}

/** The fingerprint step: the stored source this input continues (or a new one) and where reading goes on; a SourceResult when it cannot. */
async function matchSource(store: Store, src: SourceBytes, input: Input, facts: HeadFacts, opts: IngestOptions, result: SourceResult, shownName: string): Promise<ResumePoint | SourceResult> {
  // stdin waits HEAD_WAIT_MS for its head (a live `adb logcat |` must not wait for 64 KiB). A pipe whose first bytes
  // came slower than that may be a source stored with a longer head: without the rest of it no stored source
  // matched, and its events were counted again as a new source's (an adversarial review). It waits for that head.
  if (input.path === null && !src.complete && src.head.length < HEAD_BYTES) {
    let longest = 0;
    try {
      longest = (await store.headLengths(HEAD_BYTES))[0] ?? 0;
    } catch {
      // a store that cannot answer fails below, where the reason is said
    }
    if (longest > src.head.length) await src.moreHead(longest, MATCH_HEAD_WAIT_MS, opts.signal);
  }
  const noRedact = opts.extractor.noRedact;
  const req: MatchRequest = { head: src.head, complete: src.complete, name: shownName, noRedact, plainFile: facts.plainFile ? input.path : null, studio: facts.shape === 'studio-json', once: input.path === null || !!input.pipe, signal: opts.signal };
  let found;
  try {
    found = await findStoredSource(store, req, src);
  } catch (e) {
    if (opts.signal?.aborted) return { ...result, status: 'interrupted' };
    return { ...result, status: 'failed', error: errorReason(e) };
  }
  if ('error' in found) return { ...result, status: 'failed', error: found.error };
  // An earlier copy of a source counted before: its lines are that source's, counted there. The run's labels go
  // on that source (as they would with its file given); settings that would read more of it name its file.
  if ('covered' in found) {
    const row = found.covered;
    // Its stored name, redacted here too (a store of an older build holds names as given), is a name to know it by;
    // what to give is the file it was just compared with, a real path. Not printed when redaction would change it
    // (a path from an older store, or one stored under --no-redact): a redacted path would name no file.
    const name = terminalText(sourceName(row.name, noRedact));
    const file = sourcePath(found.file, noRedact) === null ? null : terminalText(shellWord(found.file));
    const labels = labelsOf(opts, src);
    if (labels) await store.setLabels(row.id, labels);
    const skipped: SourceResult = { ...result, status: 'skipped', skipReason: 'already counted', note: `the first bytes of ${name}, counted before` };
    if (opts.rescan || (await contractAdds(store, row, opts.contract))) {
      const give = file ?? 'the file it was counted from (its path is not shown: it holds what redaction hides)';
      (skipped.warnings ??= []).push(`the run's ${opts.rescan ? 'rescan' : '--tag / --registry settings'} would read ${name} again, not this copy of its first bytes: give ${give} to do it`);
    }
    return skipped;
  }
  const at = await resumePoint(store, req, found, src, opts.contract, opts.rescan);
  if ('error' in at) return { ...result, status: 'failed', error: at.error };
  // The settings that shape each stored event: those of the run that counted the source first (or rescanned it). A
  // later run with others adds events of another shape beside the stored ones, which keep theirs: said, with rescan.
  const shape = eventShape(opts);
  const shapeJson = JSON.stringify(shape);
  const stored = at.plan.source.shape ?? null;
  if (at.plan.source.bytes_done === 0) {
    if (stored !== shapeJson) await store.noteShape(at.plan.source.id, shapeJson);
  } else if (stored !== null && stored !== shapeJson) (result.warnings ??= []).push(shapeChange(input, stored, shape, opts.rerunFlags));
  if (at.plan.reread) result.reread = true;
  if (at.plan.removed.length) result.contextRemoved = at.plan.removed;
  if (at.startBytes > 0) result.status = 'resumed';
  return at;
}

/** The Sink: the store's committer for this source, which checks at each commit that a file read in place did not change. */
function storeSinkFor(store: Store, src: SourceBytes, input: Input, facts: HeadFacts, at: ResumePoint, opts: IngestOptions, shownName: string, format: () => FormatName | null): StoreSink {
  const { plan, hasher } = at;
  const path = input.pipe ? null : input.path;
  const stamp = src.stamp;
  const sink: StoreSink = new StoreSink(store, plan.source, { offset: at.startBytes, lines: at.startLines }, {
    batchEvents: opts.batchEvents ?? 5000,
    batchMs: opts.batchMs ?? 1000,
    hasher,
    format,
    progress: plan.progress,
    storable: plan.storable,
    onStored: (e) => {
      if (plan.reread) opts.onEvent?.(e, shownName);
      opts.onStored?.(e);
    },
    verify:
      path !== null && stamp
        ? (cp) => {
            const why = changedReason(path, stamp, cp, !facts.plainFile, hasher, sha256(src.head), src.head.length);
            if (why) throw new InputChangedError(`changed while being read (${why}); nothing after byte ${sink.done.offset} was kept: run again to count it as it is now`);
          }
        : undefined,
  });
  return sink;
}

/**
 * Bytes before a resume point that a resumed run reads again at most (backLines): the last LOOKBACK_LINES
 * lines, where they fit in this (a stream holds as much as its skip kept). A UTF-16 capture's are decoded from
 * at most UTF16_BACK_BYTES.
 */
const RESUME_BACK_BYTES = 1 << 22;
const UTF16_BACK_BYTES = 1 << 19;

/**
 * The lines before a resume point that a resumed run goes over again, as they are in one clean run: the last
 * LOOKBACK_LINES and the LOOKBACK_BYTES before those (the read-backs of events among them). `raw`: the input's
 * bytes ending at `offset`, the first line cut unless they start the input (a plain UTF-8 file's: linesBack).
 */
function backLines(raw: Buffer, offset: number, encoding: TextEncoding, junk: number, mixed: boolean | undefined): Buffer {
  const decoded = decodedRead(encoding, mixed);
  const text = decoded ? textBefore(raw, offset, encoding, junk) : raw;
  return text.subarray(backStart(text, decoded ? 0 : offset - raw.length, LOOKBACK_LINES, LOOKBACK_BYTES + 1));
}

/**
 * Where a resumed run of a layout whose records span lines (`-v long`, Studio copies) starts going over the lines
 * before its resume point (whole lines, `bytes`): at the first entry header among its last LOOKBACK_LINES lines, so
 * that a record's message lines cut at the front are not read as records of their own (a message line that looks
 * like a threadtime line would switch the layout); at its start when none is an entry header (the layout changed).
 */
function firstEntry(bytes: Buffer, format: FormatName): number {
  const s = lineStartBack(bytes, LOOKBACK_LINES);
  // a Studio line whose tag is hidden is no start: the tag it repeats would be unknown there
  const header = format === 'long' ? (l: string) => LONG_HEADER.test(l) : (l: string) => {
    const g = lineFormat(format)?.fields(l);
    return g != null && g.tag !== STUDIO_HIDDEN_TAG;
  };
  for (let p = s < 0 ? 0 : s; p < bytes.length; ) {
    const nl = bytes.indexOf(10, p);
    const e = nl < 0 ? bytes.length : nl;
    if (header(stripDecorations(bytes.toString('utf8', p, e)))) return p;
    p = e + 1;
  }
  return 0;
}

/** How far back a resumed Studio capture looks for the tag its first lines repeat (studioTagBefore). */
const STUDIO_TAG_BACK_BYTES = 16 << 20;

/**
 * The tag of the last Studio column line before `end` that shows one (null: its view shows no tags), or undefined when
 * none is within STUDIO_TAG_BACK_BYTES: what "hide repeated tags" lines at `end` repeat.
 */
function studioTagBefore(path: string, end: number): string | null | undefined {
  const studio = lineFormat('studio-v2')!;
  let text: string;
  try {
    text = bytesBefore(path, end, STUDIO_TAG_BACK_BYTES).toString('utf8');
  } catch {
    return undefined;
  }
  for (let e = text.length; e > 0; ) {
    const s = text.lastIndexOf('\n', e - 1);
    const g = studio.fields(stripDecorations(text.slice(s + 1, e).replace(/\r+$/, '')));
    if (g && g.tag !== STUDIO_HIDDEN_TAG) return g.tag ?? null;
    e = s < 0 ? 0 : s;
  }
  return undefined;
}

/** The Framer for this input's shape and read strategy: file ranges for the scan threads, a stream's jobs, lines, binary or Studio entries. */
async function* framesOf(src: SourceBytes, input: Input, facts: HeadFacts, at: ResumePoint, opts: IngestOptions, selector: Selector, everyLine: boolean, scanPool: () => ScanPool, lookBack: (bytes: Buffer) => Promise<void>, onUtf16: (at: number) => void, seen: EncodingsRead): AsyncGenerator<Frame> {
  const { shape, encoding, plainFile } = facts;
  // read through the decoder (UTF-16, or UTF-8 with UTF-16 further on), not as the input's own bytes
  const decoded = decodedRead(encoding, facts.mixed);
  const { hasher, startBytes, startLines } = at;
  const maxLine = opts.maxLine ?? DEFAULT_MAX_LINE;
  const threads = opts.threads ?? 1;
  const size = src.opened.size;
  const large = size !== null && largeInput(size - startBytes);
  const rangeable = shape === 'text' && !decoded && plainFile && input.path !== null && threads > 1 && !opts.tee && !everyLine && large && at.body === null;
  // A file dense with candidate lines is read on this thread, as a small one is (denseInput says why and what it
  // measured). The Selector's needles count: a `-v long` file's every entry header is one, and it too was faster here.
  const dense = rangeable && denseInput(input.path!, startBytes, size, opts.needles, maxLine);
  const name = terminalText(input.name);
  // A resumed run: the lines just before its resume point are the look-back of the first events after it, as in
  // one clean run (a plain file's are read from it; a stream's, below, are those its skip hashed).
  // A UTF-16 capture's are decoded first. How far back: backLines.
  const resumedText = startBytes > 0 && shape === 'text';
  const atPath = plainFile && input.path !== null && at.body === null ? input.path : null;
  const before = resumedText && !decoded && atPath !== null ? linesBack(atPath, startBytes, LOOKBACK_LINES, LOOKBACK_BYTES + 1, RESUME_BACK_BYTES) : null;
  // Lines with NULs before the resume point: UTF-16 that a read went on to decode (decodedLineChunks; a read in ranges
  // hands such a part to one: rangeFrames), read back below as that read gave them, not as their bytes. Such a run is
  // read on this thread, not in ranges, whose look-backs are the file's bytes.
  const utf16Back = before !== null && before.bytes.indexOf(0) >= 0;
  const ranges = rangeable && !dense && !utf16Back;
  if (before && !utf16Back) await lookBack(before.bytes);
  if (ranges) {
    trace('read', `${name}: ranges on ${threads} threads`);
    src.close();
    return yield* rangeFrames(input.path!, startBytes, size, maxLine, scanPool(), hasher, opts.signal, before?.floor, onUtf16);
  }
  if (shape === 'studio-json') {
    trace('read', `${name}: this thread (Android Studio's JSON export)`);
    return yield* studioFrames(abortable(src.stream(), opts.signal), startBytes, startLines);
  }
  const rest = await bytesFrom(at, src, plainFile ? input.path : null, !opts.tee, opts.signal);
  // the bytes just before the resume point: the line they end says the encoding there (a decoded read's)
  let prev: Buffer | undefined = before && !utf16Back ? before.bytes.subarray(Math.max(0, before.bytes.length - 2)) : undefined;
  if (resumedText && (!before || utf16Back)) {
    const max = decoded || utf16Back ? UTF16_BACK_BYTES : RESUME_BACK_BYTES;
    const raw = atPath !== null ? bytesBefore(atPath, startBytes, max) : hasher.bytesBefore(startBytes, max);
    if (raw) await lookBack(backLines(raw, startBytes, encoding, facts.junk, facts.mixed || raw.indexOf(0) >= 0));
    if (raw) prev = raw.subarray(Math.max(0, raw.length - 2));
  }
  // (a UTF-8 read's too: the line they end says whether it goes on in the decoder)
  if (resumedText && (!prev || prev.length < 2)) prev = (atPath !== null ? bytesBefore(atPath, startBytes, 2) : hasher.bytesBefore(startBytes, 2)) ?? undefined;
  const stdin = src.opened.reader;
  const as = { junk: facts.junk, mixed: facts.mixed, before: prev, seen, ...(stdin ? { textOnly: (b: Buffer) => stdin.textOnly(b) } : {}) };
  // stdin's reader thread hashed what it read: the hashes at its buffers' ends are looked up, not computed
  // here. A layout whose records span lines sets checkpoints inside buffers: those bytes are hashed here.
  const reader = shape === 'text' && !decoded && src.opened.compression === 'none' && !MULTI_LINE_FORMATS.has(facts.format) ? src.opened.reader : undefined;
  if (reader) hasher.useKnown((o) => reader.hashAt(o));
  const hashed = reader ? abortable(rest, opts.signal) : tapped(abortable(rest, opts.signal), (c) => hasher.feed(c));
  if (shape === 'binary') {
    trace('read', `${name}: this thread (binary logger entries)`);
    return yield* binaryFrames(hashed, startBytes, startLines);
  }
  // A plain file too small for ranges is read on this thread: handing its lines to the scan threads as
  // stream jobs cost more than it saved (`--threads 1` against 2 on this 2-core VM, 3 runs each: 50 MB at 1%
  // events 0.30-0.38 against 0.44-0.49 s; 30 MB with a third of the lines events 1.49-1.57 against 1.82-2.02 s,
  // every line 57,947 against 48,868 events/s) and 40-50 MB more peak memory. Streams still use them.
  const small = plainFile && size !== null && (!large || dense);
  if (threads > 1 && !everyLine && !small) {
    trace('read', `${name}: stream jobs on ${threads} threads`);
    return yield* pooledFrames(hashed, encoding, maxLine, startBytes, scanPool(), () => !selector.wantsEveryLine, reader, as);
  }
  const why = threads < 2 ? '--threads 1' : everyLine ? 'every record is read' : dense ? 'dense with candidate lines' : 'small';
  trace('read', `${name}: this thread (${why})`);
  return yield* lineFrames(hashed, encoding, maxLine, startBytes, as);
}

/**
 * Ingests one input into the store. Never throws for a problem of the input itself. `store` may be
 * a function that opens it: it is called once the input's head has been read and checked, so that a
 * run's first bytes are read before its database is opened, migrated and given the registry
 * (start-up to the first byte, issue 25); a store it throws for (exit 4) closes the input first.
 */
export async function ingestSource(store: Store | (() => Promise<Store>), input: Input, opts: IngestOptions): Promise<SourceResult> {
  const result: SourceResult = { name: input.name, status: 'read', format: null, compression: null, bytes: 0, lines: 0, events: 0, unparsed: 0, overlong: 0 };
  // Source, then what its head says, then Fingerprint: which stored source, and from where.
  let src: SourceBytes;
  try {
    src = await SourceBytes.open(input, opts);
  } catch (e) {
    return { ...result, status: 'failed', error: errorReason(e) };
  }
  try {
    return await readSource(store, input, opts, src, result);
  } finally {
    // stdin's reader thread, if any: a read of a quiet pipe still blocked is ended here.
    src.opened.reader?.stop();
  }
}

/** The rest of ingestSource once the input is open: head, fingerprint, then the stages. */
async function readSource(store: Store | (() => Promise<Store>), input: Input, opts: IngestOptions, src: SourceBytes, result: SourceResult): Promise<SourceResult> {
  const facts = headFacts(src, input, opts, result);
  if ('status' in facts) return facts;
  let db: Store;
  try {
    db = typeof store === 'function' ? await store() : store;
    // the block hash (xxhash-wasm) is first needed by the fingerprint step
    await loadBlockHash();
  } catch (e) {
    src.close();
    throw e;
  }
  return ingestKnown(db, src, input, facts, opts, result);
}

/** The rest of ingestSource, from the fingerprint step on: the input's head is read and checked. */
async function ingestKnown(store: Store, src: SourceBytes, input: Input, facts: HeadFacts, opts: IngestOptions, result: SourceResult): Promise<SourceResult> {
  // Many lines with a lone CR: refused where nothing of the source was read before (before it is claimed: a refused
  // file leaves no source behind); a source read before (a file that grew past the threshold) is read on, said:
  // refused then, the converted copy would count its first part again.
  if (facts.loneCrs) {
    let readBefore = false;
    try {
      readBefore = (await sourcesWithHead(store, src.head)).some((m) => m.row.bytes_done > 0);
    } catch {
      // a store that cannot answer fails in matchSource, where the reason is said
    }
    if (!readBefore) return { ...result, status: 'failed', error: facts.loneCrs.refusal };
    result.note = result.note ? `${result.note}; ${facts.loneCrs.note}` : facts.loneCrs.note;
  }
  // the source's name as stored, and as each event's `source` shows it (and `report` later): redacted like its text
  const shownName = sourceName(input.name, opts.extractor.noRedact);
  const at = await matchSource(store, src, input, facts, opts, result, shownName);
  if ('status' in at) return at;
  const { plan, startBytes, startLines } = at;
  const storeLabels = opts.labels ? () => store.setLabels(plan.source.id, labelsOf(opts, src)!) : async () => {};
  await storeLabels();

  // Parser -> Extractor -> Sink, and the Selector in front of the Parser.
  const sink = storeSinkFor(store, src, input, facts, at, opts, shownName, () => parser.format);
  const budget = new EventBudget(opts.maxEvents, (w) => (result.warnings ??= []).push(w));
  const live = plan.reread || !opts.onEvent ? undefined : (e: AuthingEvent) => opts.onEvent?.(e, shownName);
  const keeper = new ContextKeeper({ size: opts.context ?? DEFAULT_CONTEXT, noRedact: opts.extractor.noRedact, tz: opts.tz, causes: bundledCauses(), maxLine: opts.maxLine ?? DEFAULT_MAX_LINE });
  let unparsed = 0;
  // --year names the year of a file's last stamp: its month and day come from the file's tail.
  const years = await yearOptions(opts.year, src.opened);
  const parser: RecordStage = new RecordStage(
    { format: opts.format, tz: opts.tz, ...years },
    facts.format,
    extractStage(opts, plan.source.id, sink, budget, keeper, live),
    // counted as `parse` counts them: the lines that could hold an event
    (_n, text) => void (isCandidateLine(opts.needles, text) && unparsed++),
  );
  result.format = parser.format;
  const maxLine = opts.maxLine ?? DEFAULT_MAX_LINE;
  const everyLine = !!opts.observeRecord || !!opts.keepRecord;
  const scanner = chunkScanner(opts.needles);
  const selector = new Selector(parser, { scanner, maxLine, everyLine, startLine: startLines, window: keeper.window });
  // The run's scan threads, or this input's own (closed when it is read).
  const own: { pool: ScanPool | null } = { pool: null };
  const scanPool = (): ScanPool => opts.pool ?? (own.pool ??= new ScanPool(opts.threads ?? 1, opts.needles, maxLine, opts.context ?? DEFAULT_CONTEXT));

  let cutRecords = 0;
  // the encodings the text was read in (a read in ranges, or of binary or Studio JSON, says none: its head's stands)
  const seen = new EncodingsRead();
  const finishWith = (status: SourceResult['status'], error?: string): SourceResult => ({
    ...result, ...encodingRead(result.encoding, seen.list), status, ...(error !== undefined ? { error } : {}), lines: selector.lineNo - startLines, unparsed, overlong: selector.overlong + cutRecords + parser.takeCutRecords(), events: sink.stored,
    // Only candidate lines are parsed: a capture without one still names the layout detection found.
    formats: parser.formatsSeen.length || !result.format ? parser.formatsSeen : [result.format], ...(selector.workerBytes ? { workerBytes: selector.workerBytes } : {}),
  });
  // A resumed run's lines before its resume point (whole lines) go through a Selector, Parser and Extractor of their
  // own, nothing stored, so that the keeper holds what one clean run's held there: the look-back's bytes, what each
  // pid's last event saw (its records and cause), which a clean run carries from event to event past the
  // LOOKBACK_BYTES a read-back reaches (an adversarial review found events of one process 64 lines of 340 bytes
  // apart), and the ring of recent records of layouts whose records span lines (a file may change layout: both).
  const keep = opts.keepRecord;
  const lookBack = async (whole: Buffer): Promise<void> => {
    const bytes = MULTI_LINE_FORMATS.has(facts.format) ? whole.subarray(firstEntry(whole, facts.format)) : whole;
    const lines = newlinesIn(bytes);
    const stage = new RecordStage({ format: opts.format, tz: opts.tz, ...years }, facts.format, (r) => {
      if (keep && !keep(r)) return;
      if (opts.extractor.extract(r)) keeper.eventContext(r, r.message);
      keeper.observe(r);
    });
    const again = new Selector(stage, { scanner, maxLine, everyLine, startLine: startLines - lines, window: keeper.window });
    await again.take({ kind: 'lines', chunk: { buf: bytes, end: bytes.length, offset: 0, overlong: 0, next: null }, exact: false });
    // the record the resume point ends (one spanning lines is made when the next begins)
    again.end();
    parser.carried = stage.carried;
    // Studio's "hide repeated tags" past the look-back (a chatty tag's run longer than it): the tag is further back in
    // the file (an adversarial review: 3 events of 63 lost their Authing tag in a resumed run)
    if (stage.carried === undefined && facts.format === 'studio-v2' && facts.plainFile && input.path !== null) parser.carried = studioTagBefore(input.path, startBytes);
  };
  // where a file read in ranges met a line in UTF-16 (rangeFrames): read on from there below
  let utf16From: number | null = null;
  const frames = framesOf(src, input, facts, at, opts, selector, everyLine, scanPool, lookBack, (o) => void (utf16From = o), seen);
  const onFrame = (frame: Frame, last: Checkpoint | null): void => {
    cutRecords += parser.takeCutRecords();
    // (not the newline lineChunks gives a last line that has none: a 511-byte file was 512 bytes read)
    // (a decoded chunk, UTF-16: the input's bytes it stands for, not its UTF-8 text's)
    result.bytes += frame.kind === 'lines' ? (frame.chunk.inputBytes ?? frame.chunk.end - (frame.chunk.tail ? 1 : 0)) : frame.bytes;
    opts.onProgress?.(facts.plainFile ? (last?.offset ?? startBytes) : src.opened.rawBytesRead(), sink.stored + sink.waiting, result.bytes);
  };
  try {
    const ended = await pump(frames, selector, sink, opts.signal, onFrame);
    if (ended !== 'read') return finishWith(...ended);
    // A bugreport's properties come after its logcat: what the whole text said.
    if (src.opened.labels) await storeLabels();
  } finally {
    sink.close();
    await own.pool?.close();
  }
  const res = finishWith('read');
  // after the read, into a copy (the input's own array may be the gzip reader's)
  const warn = (w: string): void => void (res.warnings = [...(res.warnings ?? []), w]);
  // Read with a layout the input does not have (--input-format): its bytes are counted as read all the same, so no
  // later run reads them again. Said, with the way back (an exactly-once review: 0 of 80 events, for good).
  // Only when the head is another layout by detection: a stray candidate line of a capture forced to its own layout is
  // no sign of a wrong flag (an adversarial review's find).
  if (opts.format && res.unparsed > 0 && facts.detected !== opts.format) warn(`read with --input-format ${opts.format}, ${res.unparsed} line(s) that could hold an event fit no ${opts.format} record; its bytes count as read, so a later run does not read them again: ${rescanOf(input, opts.rerunFlags)} without --input-format counts it again`);
  // A re-read under wider settings of a pruned source cannot tell which events before the cut-off were counted
  // before (their rows are gone, their counts stay): said, with the way to count the file again.
  if (sink.heldBack) warn(`read again under wider settings, ${sink.heldBack} event(s) before the prune cut-off (${at.plan.source.pruned_before}) were not stored again: those counted before keep their counts, and any only these settings find there are not counted; ${rescanOf(input, opts.rerunFlags)} counts it again from its start`);
  // A capture cut inside its last line's code (`errCode = 2005` cut to `20`) counts the code it shows: said, with the
  // last line read (an adversarial review: an unregistered code 20 raised --fail-on, unsaid; a record of several lines,
  // Studio's or `-v long`'s, starts before it). A plain file's next run reads that line again, and counts it as it is then.
  // A line over the line-length bound is cut there and the rest of it dropped (memory stays bounded): a code past the
  // cut is not seen. The summary only counted such lines; the warning names the first, so it can be looked at.
  if (selector.firstCut !== null) warn(`line ${selector.firstCut} is longer than ${sizeText(maxLine)} and was cut there (${selector.overlong} such line(s) in all): what a line holds past its first ${sizeText(maxLine)}, an error code too, is not read`);
  if (sink.cutTailCode !== null) warn(`its last line (${selector.lineNo}) has no newline and ends in the code ${sink.cutTailCode}, whose digits may be cut (a capture cut short, or still being written): counted as it is${facts.plainFile ? '; a later run reads that line again, once the file has grown' : ''}`);
  if (startBytes > 0 && sink.done.offset === startBytes && sink.stored === 0) Object.assign(res, { status: 'skipped', skipReason: 'already counted' });
  else if (startBytes > 0) res.status = 'resumed';
  // A file read in ranges whose scan met a line in UTF-16 (a part neither end showed, read as no lines by a scan) ended
  // its read at that range's start, a checkpoint: the rest is read as a resumed run on one thread, which decodes it
  // (decodedLineChunks), so the file counts as one --threads 1 run of it does.
  if (utf16From !== null && (res.status === 'read' || res.status === 'resumed' || res.status === 'skipped')) {
    trace('read', `${terminalText(input.name)}: a line in UTF-16 in the range from ${utf16From}: read on from there on this thread`);
    return joinedResults(res, await ingestSource(store, input, { ...opts, threads: 1 }));
  }
  return res;
}

/**
 * A source's `encoding` (and `encodings`) from the encodings its text was read in: the one, or `mixed` and the list;
 * the head's (`head`) when the read told none (nothing read, or read in ranges, as binary or Studio JSON).
 */
function encodingRead(head: SourceResult['encoding'], read: readonly TextEncoding[]): Pick<SourceResult, 'encoding' | 'encodings'> {
  if (read.length === 0) return { encoding: head };
  return read.length === 1 ? { encoding: read[0] } : { encoding: 'mixed', encodings: [...read] };
}

/** The encodings of a result's text: its list, or its one text encoding. */
function encodingsOf(r: SourceResult): TextEncoding[] {
  return r.encodings ?? (r.encoding && r.encoding !== 'mixed' && r.encoding !== 'binary' ? [r.encoding] : []);
}

/** One input's result from a read that ended early and the read that went on from there (ingestKnown's UTF-16 hand-off). */
function joinedResults(a: SourceResult, b: SourceResult): SourceResult {
  const warnings = [...new Set([...(a.warnings ?? []), ...(b.warnings ?? [])])];
  const formats = [...new Set([...(a.formats ?? []), ...(b.formats ?? [])])];
  const read = [...new Set([...encodingsOf(a), ...encodingsOf(b)])];
  const { skipReason: _skipped, encodings: _encodings, ...first } = a;
  return {
    ...first,
    status: a.status === 'skipped' || b.status === 'failed' || b.status === 'interrupted' ? b.status : a.status,
    ...(b.error ? { error: b.error } : {}),
    bytes: a.bytes + b.bytes,
    lines: a.lines + b.lines,
    events: a.events + b.events,
    unparsed: a.unparsed + b.unparsed,
    overlong: a.overlong + b.overlong,
    workerBytes: (a.workerBytes ?? 0) + (b.workerBytes ?? 0),
    ...encodingRead(a.encoding, read),
    ...(formats.length ? { formats } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

/** The line-length bound as a person reads it: `1 MiB`, or its bytes. */
function sizeText(bytes: number): string {
  return bytes % (1 << 20) === 0 ? `${bytes >> 20} MiB` : `${bytes} bytes`;
}

/** Bytes of a plain file's end looked at for UTF-16 after a UTF-8 head (utf16AtEnd). */
const TAIL_CHECK_BYTES = 16 * 1024;

/** The last TAIL_CHECK_BYTES of the `size` bytes of a file, from an even offset (empty when it cannot be read). */
function fileTail(path: string, size: number): Buffer {
  try {
    return bytesBefore(path, size, size - (Math.max(0, size - TAIL_CHECK_BYTES) & ~1));
  } catch {
    return Buffer.alloc(0);
  }
}

/** Resolves after the event loop has run its pending callbacks (signal handlers among them). */
function loopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs the frames through the Selector into the Sink, a checkpoint after each frame that allows one;
 * on a signal or a fault of the input, keeps what was committed and says how it ended. A fault of the
 * database itself is thrown: it is not the input's, and the run stops.
 */
async function pump(frames: AsyncIterable<Frame>, selector: Selector, sink: StoreSink, signal: AbortSignal | undefined, onFrame: (f: Frame, last: Checkpoint | null) => void): Promise<'read' | [SourceResult['status'], string?]> {
  let last: Checkpoint | null = null;
  try {
    for await (const frame of frames) {
      const cp = await selector.take(frame);
      traceFirst('scanned');
      onFrame(frame, last);
      if (cp) {
        last = cp;
        await sink.checkpoint(cp);
      }
      // A signal's handler runs only when the event loop turns. Frames that are ready when asked for (a
      // reader or scan threads ahead of this thread, every line an event) come as settled promises, and
      // the loop never turned between them: SIGINT was seen thousands of events late (1 s of CPU, up to
      // 16 s on a busy machine). One turn a frame lets it in.
      if (signal) await loopTurn();
      if (signal?.aborted) {
        await sink.finish(last, false);
        return ['interrupted'];
      }
    }
    // The record still open at the end is complete now; the checkpoint stays before it.
    selector.end();
    await sink.finish(last, true);
    return 'read';
  } catch (e) {
    if (e instanceof SourceTakenError) return ['taken', 'being read by another run; left to it'];
    if (e instanceof InputChangedError) return ['failed', e.message];
    if (e instanceof UserError && e.kind === 'database') throw e;
    if (signal?.aborted) {
      await sink.finish(last, false);
      return ['interrupted'];
    }
    // Keep what was read before the fault; a re-run goes on from there.
    try {
      await sink.finish(last, false);
    } catch (e2) {
      if (e2 instanceof UserError && e2.kind === 'database') throw e2;
      if (!(e2 instanceof SourceTakenError)) return ['failed', errorReason(e2)];
    }
    return ['failed', errorReason(e)];
  }
}
