/**
 * The context of an event: the records just before it in the same process (pid), kept with it, and
 * the cause they show.
 *
 * The Selector hands the Parser only candidate lines, so the records before an event were never
 * parsed, and parsing every line would slow the hot path. Instead, when an event is found, the lines
 * before it are read back from the bytes the Selector still holds (the frame, plus the tail of the
 * frame before, copied once per frame; a file read in ranges is read again): within LOOKBACK_LINES
 * lines and LOOKBACK_BYTES bytes, only the lines whose first bytes hold the pid's digits are decoded
 * and parsed. What each pid's last event saw is kept, so the next event of that pid reads only the
 * lines since it. Layouts whose records span lines (`-v long`, Studio copies) and whole-record inputs
 * (binary, Studio JSON) hand every record to the Parser anyway: for them a ring of recent records per
 * pid is kept instead. Every read strategy (threads, stdin, gzip) gives one answer.
 */
import type { CauseMatcher } from '../extract/causes.js';
import { redact } from '../extract/redact.js';
import { MULTI_LINE_FORMATS } from '../parse/formats.js';
import { RecordParser } from '../parse/records.js';
import { terminalText } from '../sinks/terminal-text.js';
import type { FormatName, LogRecord } from '../types.js';
import { MAX_CONTEXT } from './context-limits.js';
import type { FoundBefore } from './lookback.js';
export { DEFAULT_CONTEXT, MAX_CONTEXT } from './context-limits.js';
/** Longest context line stored, in characters (like an excerpt, cut after redaction). */
export const CONTEXT_LINE_CHARS = 300;
/** Lines looked back for the context of an event, whatever the pids between. */
export const LOOKBACK_LINES = 64;
/** Bytes looked back (and kept from the frame before): 64 lines of a busy capture are ~10 KB. */
export const LOOKBACK_BYTES = 1 << 14;
/** Lines of a pid read back at most: twice as many as records, a pid's digits may stand near the start of another process's line. */
export const LOOKBACK_MAX = MAX_CONTEXT * 2;

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

  /** The text of the line being fed. */
  private text = '';
  /** What a scan thread found before the line (candidate `foundIndex` of its job), when it did. */
  private found: FoundBefore | null = null;
  private foundIndex = 0;

  /** The line numbered `line`, `text`, starts at buf[start]; `found` holds its look-back when a scan thread found it. */
  at(buf: Buffer, start: number, line: number, text: string, reader: ((at: number, max: number) => Buffer) | null = null, found: FoundBefore | null = null, foundIndex = 0): void {
    this.text = text;
    this.buf = buf;
    this.start = start;
    this.line = line;
    this.reader = reader;
    this.found = found;
    this.foundIndex = foundIndex;
  }

  /** A frame ended at buf[end]: its last whole lines are kept for the frame after it (a copy: buffers are reused). */
  keepTail(buf: Buffer, end: number): void {
    let from = Math.max(0, end - LOOKBACK_BYTES);
    if (from > 0) from = buf.indexOf(10, from - 1) + 1 || end;
    const tail = buf.subarray(from, end);
    this.carry = tail.length >= LOOKBACK_BYTES || !this.carry.length ? Buffer.from(tail) : Buffer.concat([this.carry.subarray(Math.max(0, this.carry.length - (LOOKBACK_BYTES - tail.length))), tail]);
    this.buf = null;
  }

  /**
   * Up to `max` of the `maxLines` lines before the current one (within LOOKBACK_BYTES) that may be of
   * process `pid`, oldest first, each with how many lines back it is: found by looking for the pid's
   * digits near a line's start, so the lines of other processes are neither decoded nor parsed (the
   * caller parses these and checks).
   */
  linesOfPid(pid: number, max: number, maxLines: number, fixedColumn: boolean): PidLine[] {
    const out: PidLine[] = [];
    if (!this.buf || max <= 0 || maxLines <= 0) return out;
    // The scan thread looked at the whole window, for the same pid and text: cut it to what is asked.
    if (fixedColumn && max === LOOKBACK_MAX && this.found?.pidOf(this.foundIndex) === pid) return this.found.linesOf(this.foundIndex, maxLines);
    // The digits as a string, compared by char code: no Buffer (a C++ call and garbage) per event.
    const needle = String(pid);
    // Layouts that put the pid before the tag (threadtime, process, thread) put it at one column in every
    // line of that pid: the column of the event's own line. One look a line instead of a search.
    const col = fixedColumn ? pidColumn(this.text, needle) : -1;
    if (this.reader) {
      // One byte more than the window: a line that starts just at its bound is whole, and read as from a held frame.
      const bytes = this.reader(this.start, LOOKBACK_BYTES + 1);
      // a first line cut by the byte bound is not read
      const from = bytes.length === LOOKBACK_BYTES + 1 ? bytes.indexOf(10) + 1 : 0;
      pidLines(bytes, from, bytes.length, needle, col, max, out, { lines: 0, max: maxLines });
      return out.reverse();
    }
    const lo = Math.max(0, this.start - LOOKBACK_BYTES);
    const from = lo === 0 ? 0 : this.buf.indexOf(10, lo - 1) + 1;
    const looked = { lines: 0, max: maxLines };
    pidLines(this.buf, from, this.start, needle, col, max, out, looked);
    // the rest of the look-back in the tail of the frame before (its first line may be cut: not read)
    const rest = LOOKBACK_BYTES - this.start;
    if (lo === 0 && rest > 0 && out.length < max) pidLines(this.carry, Math.max(0, this.carry.length - rest), this.carry.length, needle, col, max, out, looked);
    return out.reverse();
  }
}

/** A line read back: its text and how many lines before the event's it is (1: the line just before). */
export interface PidLine {
  text: string;
  back: number;
}

/** Where the pid stands in a line (a whole number in its first PID_WITHIN characters), or -1. */
function pidColumn(text: string, pid: string): number {
  // indexOf, not a RegExp made per event (compiling it was the read-back's largest cost, profiled)
  for (let i = text.indexOf(pid, 1); i > 0 && i < PID_WITHIN; i = text.indexOf(pid, i + 1)) {
    const before = text.charCodeAt(i - 1);
    const after = text.charCodeAt(i + pid.length);
    if ((before === 32 || before === 40) && (after === 32 || after === 41 || after === 58)) return i;
  }
  return -1;
}

// A pid stands after a blank (threadtime's padding) or `(` (brief, time, process, thread), and before
// a blank, `)` or `:` (thread's `( pid: tid)`).
/** Headers put the pid within the first bytes of a line. */
const PID_WITHIN = 64;

/**
 * Pushes to `out`, nearest first, the whole lines of b[lo, hi) that hold `needle` as a whole number in
 * their first PID_WITHIN bytes, until `out` has `max` or LOOKBACK_LINES lines were looked at. Line by
 * line with the newline search (memrchr), then a short byte loop: Buffer.lastIndexOf of a multi-byte
 * needle was 60% of a run's time (profiled).
 */
function pidLines(b: Buffer, lo: number, hi: number, needle: string, col: number, max: number, out: PidLine[], looked: { lines: number; max: number }): void {
  const first = needle.charCodeAt(0);
  const n = needle.length;
  let le = hi; // just after the newline of the line being looked at
  while (out.length < max && le > lo && looked.lines < looked.max) {
    // Back to the line's start (memrchr), then its first bytes forward.
    const end = b[le - 1] === 10 ? le - 1 : le;
    const ls = end >= 1 ? b.lastIndexOf(10, end - 1) + 1 : 0;
    // a line cut at the window's start is not read
    if (ls < lo || (ls === lo && lo > 0 && b[lo - 1] !== 10)) return;
    looked.lines++;
    const stop = Math.min(end, ls + PID_WITHIN) - n;
    for (let i = col >= 0 ? ls + col : ls + 1; i <= stop; i++) {
      if (col >= 0 && i > ls + col) break;
      if (b[i] !== first) continue;
      const before = b[i - 1];
      if (before !== 32 && before !== 40) continue;
      const after = b[i + n];
      if (after !== 32 && after !== 41 && after !== 58) continue;
      let k = 1;
      while (k < n && b[i + k] === needle.charCodeAt(k)) k++;
      if (k < n) continue;
      out.push({ text: b.toString('utf8', ls, end > ls && b[end - 1] === 13 ? end - 1 : end), back: looked.lines });
      break;
    }
    le = ls;
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

/** Layouts whose pid comes before the tag, so at one column in all the lines of a pid. */
export const FIXED_PID_COLUMN: ReadonlySet<FormatName> = new Set(['threadtime', 'process', 'thread']);

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
  /** The causes of messages (extract/causes.ts). */
  causes: CauseFinder;
}

/** Finds causes in text: `inText(m, true)` reads m as a record before the event; `inBoth` gives both readings from one match. */
export type CauseFinder = Pick<CauseMatcher, 'inText' | 'inBoth'>;

/** What a pid's last event saw: its line, the records before it and itself, and the nearest cause among them with its line. */
interface PidSeen {
  line: number;
  recent: LogRecord[];
  cause: string | null;
  causeLine: number;
}

/** What an event gets: its context lines (undefined with --context 0) and its cause. */
export interface EventContext {
  context: string[] | undefined;
  cause: string | null;
}

/**
 * Finds the context of each event of one source. For one-line layouts the lines of the event's pid
 * are read back from the bytes when an event comes; for the others the Parser's records go into a
 * ring per pid as they come.
 */
export class ContextKeeper {
  private readonly ring = new PidRing();
  /** The bytes before the line being fed (the Selector sets it). */
  readonly window = new LineWindow();
  /** What the last event of each pid saw (one-line layouts). */
  private readonly pids = new Map<number, PidSeen>();
  /** The parser of read-back lines, made again when the layout or the year changes. */
  private parser: { key: string; parser: RecordParser } | null = null;
  /** Context lines already made, by record (dropped with the record). */
  private readonly lines = new WeakMap<LogRecord, string>();

  constructor(private readonly o: ContextOptions) {}

  /** Sees every record the Parser makes; one-line records are read back instead, when an event needs them. */
  observe(r: LogRecord): void {
    if (!readBackable(r)) this.ring.add({ rec: r, cause: this.o.causes.inText(r.message, true) });
  }

  /** The context and cause of the event of record `r` (its message `message`); call before observe(r). */
  eventContext(r: LogRecord, message: string): EventContext {
    let kept: LogRecord[] = [];
    let cause: string | null = null;
    // The message read as the event's own, when the read-back already matched it (one match, not two).
    let asMessage: string | null | undefined;
    if (r.pid !== null) {
      if (!readBackable(r)) {
        const ring = this.ring.before(r);
        kept = ring.map((k) => k.rec);
        for (let i = ring.length - 1; i >= 0 && cause === null; i--) cause = ring[i]!.cause;
      } else if (this.window.line === r.line) {
        [kept, cause, asMessage] = this.readBack(r, message);
      }
    }
    return {
      context: this.o.size === 0 ? undefined : kept.slice(-this.o.size).map((k) => this.line(k)),
      cause: cause ?? (asMessage !== undefined ? asMessage : this.o.causes.inText(message, false)),
    };
  }

  /**
   * The records of r's pid in the lines before it, oldest first, and the nearest cause among them.
   * What the pid's last event saw is kept, so only the lines since it are read back: a capture where
   * every line is an event of one process reads each line once, not LOOKBACK_LINES times.
   */
  private readBack(r: LogRecord, message: string): [LogRecord[], string | null, string | null | undefined] {
    const pid = r.pid!;
    const floor = r.line - LOOKBACK_LINES;
    const last = this.pids.get(pid);
    const near = last && last.line < r.line && last.line >= floor ? last : undefined;
    const lines = this.window.linesOfPid(pid, LOOKBACK_MAX, near ? r.line - near.line - 1 : LOOKBACK_LINES, FIXED_PID_COLUMN.has(r.format));
    const found: LogRecord[] = [];
    if (lines.length) {
      const parser = this.parserFor(r);
      for (const l of lines) {
        const res = parser.push(l.text, r.line - l.back);
        if ('record' in res && res.record.pid === pid) found.push(res.record);
      }
    }
    let recs = found;
    if (near) {
      // one array, not three (a filter and a spread per event were most of the read-back's garbage)
      recs = [];
      for (const x of near.recent) if (x.line >= floor) recs.push(x);
      for (const x of found) recs.push(x);
    }
    let cause: string | null = null;
    let causeLine = -1;
    for (let i = found.length - 1; i >= 0; i--) {
      cause = this.o.causes.inText(found[i]!.message, true);
      if (cause !== null) {
        causeLine = found[i]!.line;
        break;
      }
    }
    if (cause === null && near && near.cause !== null && near.causeLine >= floor) [cause, causeLine] = [near.cause, near.causeLine];
    // This event is a record before the pid's next one; its message read as its own comes from the same match.
    const [own, asMessage] = r.message === message ? this.o.causes.inBoth(message) : [this.o.causes.inText(r.message, true), undefined];
    const recent = recs.slice(Math.max(0, recs.length - Math.max(this.o.size, 1) + 1));
    recent.push(r);
    this.remember(pid, { line: r.line, recent, cause: own ?? cause, causeLine: own !== null ? r.line : causeLine });
    return [recs.length > MAX_CONTEXT ? recs.slice(-MAX_CONTEXT) : recs, cause, asMessage];
  }

  /** A parser of r's layout whose year-less stamps are of r's year (one-line layouts hold no state between lines). */
  private parserFor(r: LogRecord): RecordParser {
    const year = r.time ? Number(r.time.slice(0, 4)) : new Date().getUTCFullYear();
    const key = `${r.format} ${year}`;
    if (this.parser?.key !== key) this.parser = { key, parser: new RecordParser({ format: r.format, year, tz: this.o.tz }) };
    return this.parser.parser;
  }

  /** A record's context line, made once: in a dense capture one record is context of several events. */
  private line(rec: LogRecord): string {
    let l = this.lines.get(rec);
    if (l === undefined) this.lines.set(rec, (l = contextLine(rec, this.o.noRedact)));
    return l;
  }

  /** What a pid's last event saw; the 1024 pids with the latest events are kept. */
  private remember(pid: number, seen: PidSeen): void {
    this.pids.delete(pid);
    if (this.pids.size >= 1024) this.pids.delete(this.pids.keys().next().value!);
    this.pids.set(pid, seen);
  }
}
