/**
 * The context of an event: the records just before it in the same process (pid), kept with it.
 *
 * The Selector hands the Parser only candidate lines, so the records before an event were never
 * parsed. Parsing every line to keep them would slow the hot path; instead, when an event is found,
 * the lines before it are read back from the bytes the Selector still holds (the frame, plus the tail
 * of the frame before, copied once per frame) and only those are parsed. Layouts whose records span
 * lines (`-v long`, Studio copies) and whole-record inputs (binary, Studio JSON) hand every record to
 * the Parser anyway: for them a small ring of recent records per pid is kept instead. Both look back
 * at most LOOKBACK_LINES lines, so every read strategy gives one answer.
 */
import { redact } from '../extract/redact.js';
import { MULTI_LINE_FORMATS } from '../parse/formats.js';
import { RecordParser } from '../parse/records.js';
import { terminalText } from '../sinks/terminal-text.js';
import type { FormatName, LogRecord } from '../types.js';

/** Records of context kept by default (--context). */
export const DEFAULT_CONTEXT = 5;
/** The most records of context --context may ask for. */
export const MAX_CONTEXT = 50;
/** Longest context line stored, in characters (like an excerpt, cut after redaction). */
export const CONTEXT_LINE_CHARS = 300;
/** Lines looked back for the context of an event, whatever the pids between. */
export const LOOKBACK_LINES = 256;
/** Bytes looked back (and kept from the frame before): 256 lines of a busy capture are ~40 KB. */
export const LOOKBACK_BYTES = 1 << 16;

/** What a context line shows of a record: its time, level, tag and message on one line. */
export function contextLine(r: LogRecord, noRedact = false): string {
  const head = `${r.time ?? ''} ${r.level ?? ''}/${r.tag}: `.trimStart();
  const msg = r.message.length > CONTEXT_LINE_CHARS * 4 ? r.message.slice(0, CONTEXT_LINE_CHARS * 4) : r.message;
  const one = (head + msg).replace(/\s*\n\s*/g, ' ⏎ ');
  // Redact before cutting, so a secret is never half-shown at the cut.
  const clean = noRedact ? one : redact(one);
  return terminalText(clean.length > CONTEXT_LINE_CHARS ? clean.slice(0, CONTEXT_LINE_CHARS) + '…' : clean);
}

/**
 * The bytes just before the line the Selector is handing over: where that line starts in the buffer
 * it is in, and the tail of the bytes before that buffer. Set before each line is fed; read only when
 * the line yields an event.
 */
export class LineWindow {
  private buf: Buffer | null = null;
  private start = 0;
  /** 1-based number of the line at `start`. */
  line = 0;
  /** Whole lines that came before `buf` (the tail of the previous frame), or empty. */
  private carry: Buffer = Buffer.alloc(0);
  /** Reads the input's bytes before `start` when `buf` does not hold them (a file read in ranges). */
  private reader: ((at: number, max: number) => Buffer) | null = null;

  /** The line numbered `line` starts at buf[start]. */
  at(buf: Buffer, start: number, line: number, reader: ((at: number, max: number) => Buffer) | null = null): void {
    this.buf = buf;
    this.start = start;
    this.line = line;
    this.reader = reader;
  }

  /** A frame ended at buf[end]: its last whole lines are kept for the frame after it (a copy: buffers are reused). */
  keepTail(buf: Buffer, end: number): void {
    let from = Math.max(0, end - LOOKBACK_BYTES);
    if (from > 0) from = buf.indexOf(10, from - 1) + 1 || end;
    const tail = buf.subarray(from, end);
    this.carry = tail.length >= LOOKBACK_BYTES || !this.carry.length ? Buffer.from(tail) : Buffer.concat([this.carry.subarray(Math.max(0, this.carry.length - (LOOKBACK_BYTES - tail.length))), tail]);
    this.buf = null;
  }

  /** Forgets the bytes kept (a layout read as records, a resume). */
  reset(): void {
    this.carry = Buffer.alloc(0);
    this.buf = null;
  }

  /** Up to `max` lines before the current one, oldest first, decoded. */
  before(max: number): string[] {
    const out: string[] = [];
    if (!this.buf) return out;
    const take = (b: Buffer, end: number): boolean => {
      let e = end;
      // b[end - 1] is the newline of the line before
      while (out.length < max && e > 0) {
        const nl = b.lastIndexOf(10, e - 2);
        const s = nl < 0 ? 0 : nl + 1;
        const lineEnd = b[e - 1] === 10 ? e - 1 : e;
        out.push(b.toString('utf8', s, lineEnd > 0 && b[lineEnd - 1] === 13 ? lineEnd - 1 : lineEnd));
        e = s;
      }
      return e === 0;
    };
    const lo = Math.max(0, this.start - LOOKBACK_BYTES);
    if (this.reader) {
      const bytes = this.reader(this.start, LOOKBACK_BYTES);
      const from = bytes.length === LOOKBACK_BYTES ? bytes.indexOf(10) + 1 : 0;
      take(bytes.subarray(from), bytes.length - from);
      return out.reverse();
    }
    // Whole lines only: a line cut by the byte bound is not read.
    const from = lo === 0 ? 0 : this.buf.indexOf(10, lo - 1) + 1;
    const whole = take(this.buf.subarray(from), this.start - from);
    if (whole && lo === 0 && out.length < max) take(this.carry, this.carry.length);
    return out.reverse();
  }
}

/** A record kept for context, with the cause its own message shows (matched once). */
interface Kept {
  rec: LogRecord;
  cause: string | null;
}

/** Recent records of each pid, at most MAX_CONTEXT each: causes are looked for in all of them, a stack trace being longer than 5 lines. */
class PidRing {
  private readonly rings = new Map<number, Kept[]>();
  /** Bounded: a capture with a new pid on every line keeps the 1024 most recent pids. */
  add(k: Kept): void {
    const pid = k.rec.pid;
    if (pid === null) return;
    let ring = this.rings.get(pid);
    if (!ring) {
      if (this.rings.size >= 1024) this.rings.delete(this.rings.keys().next().value!);
      this.rings.set(pid, (ring = []));
    }
    ring.push(k);
    if (ring.length > MAX_CONTEXT) ring.shift();
  }
  /** Those of r's pid within LOOKBACK_LINES lines before it, oldest first. */
  before(r: LogRecord): Kept[] {
    return (this.rings.get(r.pid!) ?? []).filter((x) => x.rec.line < r.line && x.rec.line >= r.line - LOOKBACK_LINES);
  }
}

/** A record of one line of text, whose context is read back from the bytes (else every record reaches the ring). */
function readBackable(r: LogRecord): boolean {
  return !MULTI_LINE_FORMATS.has(r.format) && r.format !== 'binary' && r.format !== 'studio-json';
}

/** Settings of a ContextKeeper. */
export interface ContextOptions {
  /** Records of context stored per event (0: none; causes are still looked for). */
  size: number;
  /** Keep the lines as they are (--no-redact). */
  noRedact?: boolean;
  /** The zone of local time stamps, as the source's Parser has it. */
  tz?: string;
  /** The cause one message shows (extract/causes.ts). */
  causeOf: (message: string) => string | null;
}

/** What an event gets: its context lines (undefined with --context 0) and its cause. */
export interface EventContext {
  context: string[] | undefined;
  cause: string | null;
}

/**
 * Finds the context of each event of one source. One ring of recent records per pid serves both
 * ways: for one-line layouts the lines since the last event are read back and parsed when an event
 * comes (each line at most once), for the others the Parser's records go in as they come.
 */
export class ContextKeeper {
  private readonly ring = new PidRing();
  /** The bytes before the line being fed (the Selector sets it). */
  readonly window = new LineWindow();
  /** The last line read back into the ring. */
  private filledTo = -1;

  constructor(private readonly o: ContextOptions) {}

  /** Sees every record the Parser makes; one-line records are read back instead, when an event needs them. */
  observe(r: LogRecord): void {
    if (!readBackable(r)) this.ring.add({ rec: r, cause: this.o.causeOf(r.message) });
  }

  /** The context and cause of the event of record `r`; call before observe(r). */
  eventContext(r: LogRecord, message: string): EventContext {
    let kept: Kept[] = [];
    if (r.pid !== null) {
      if (readBackable(r) && this.window.line === r.line) {
        this.fill(r);
        kept = this.ring.before(r);
        this.ring.add({ rec: r, cause: this.o.causeOf(r.message) });
        this.filledTo = r.line;
      } else if (!readBackable(r)) kept = this.ring.before(r);
    }
    let cause: string | null = null;
    for (let i = kept.length - 1; i >= 0 && cause === null; i--) cause = kept[i]!.cause;
    return {
      context: this.o.size === 0 ? undefined : kept.slice(-this.o.size).map((k) => contextLine(k.rec, this.o.noRedact)),
      cause: cause ?? this.o.causeOf(message),
    };
  }

  /** Reads back and parses the lines between the last one read back and `r` (at most LOOKBACK_LINES), into the ring. */
  private fill(r: LogRecord): void {
    const gap = this.filledTo < 0 || this.filledTo >= r.line ? LOOKBACK_LINES : Math.min(LOOKBACK_LINES, r.line - this.filledTo - 1);
    if (gap <= 0) return;
    const lines = this.window.before(gap);
    if (!lines.length) return;
    const year = r.time ? Number(r.time.slice(0, 4)) : new Date().getUTCFullYear();
    const parser = new RecordParser({ format: r.format as FormatName, year, tz: this.o.tz });
    const first = r.line - lines.length;
    for (let i = 0; i < lines.length; i++) {
      const res = parser.push(lines[i]!, first + i);
      if ('record' in res && res.record.pid !== null) this.ring.add({ rec: res.record, cause: this.o.causeOf(res.record.message) });
    }
  }
}
