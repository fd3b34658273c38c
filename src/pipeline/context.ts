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
import { redact, redactionWindow } from '../extract/redact.js';
import { yearsBefore } from '../parse/time.js';
import { MULTI_LINE_FORMATS } from '../parse/formats.js';
import { RecordParser, stripDecorations } from '../parse/records.js';
import { terminalText } from '../sinks/terminal-text.js';
import type { FormatName, LogRecord } from '../types.js';
import { MAX_CONTEXT } from './context-limits.js';
import { RecentMap } from './recent-map.js';
import { FIXED_PID_COLUMN, LineWindow, LOOKBACK_LINES, LOOKBACK_MAX, type PidLine } from './line-window.js';
export { DEFAULT_CONTEXT, MAX_CONTEXT } from './context-limits.js';
export { FIXED_PID_COLUMN, LineWindow, LOOKBACK_BYTES, LOOKBACK_LINES, LOOKBACK_MAX, type PidLine } from './line-window.js';
/** Longest context line stored, in characters (like an excerpt, cut after redaction). */
export const CONTEXT_LINE_CHARS = 300;
/** A tag that is a secret's key (`token`, `refresh_token`, `AuthToken`, `pwd`), not one that only holds such a word (`TokenAuthenticator`). */
const SECRET_TAG = /(?:^|[_.-]|[a-z](?=[A-Z]))(?:access[_-]?token|refresh[_-]?token|id[_-]?token|token|password|passwd|pwd|passcode|secret|otp|sms[_-]?code|verify[_-]?code)$/i;
function secretTag(tag: string): boolean {
  return SECRET_TAG.test(tag.trim());
}

/** What a context line shows of a record: its time, level, tag and message on one line. */
export function contextLine(r: LogRecord, noRedact = false): string {
  // The tag is redacted on its own, as the event's is: read with the message, a tag like TokenAuthenticator was taken
  // for a key whose value began the message (`E/TokenAuthenticator: errCode = 2005` lost its code; a review's find).
  const head = `${r.time ?? ''} ${r.level ?? ''}/${noRedact ? r.tag : redact(r.tag)}: `.trimStart();
  // Cut back to a separator, as an excerpt is: a value cut in two there (a token, an ID number) would be missed by its rule.
  const msg = redactionWindow(r.message, CONTEXT_LINE_CHARS * 4);
  // Redact before cutting, so a secret is never half-shown at the cut; and before joining its lines (excerptOf). A
  // tag that names a secret (`Log.d("refresh_token", token)`) makes a one-word message its value.
  const red = noRedact ? msg : secretTag(r.tag) && /^\S+$/.test(msg) ? '[redacted]' : redact(msg);
  const clean = head + red.replace(/\s*\n\s*/g, ' ⏎ ');
  return terminalText(clean.length > CONTEXT_LINE_CHARS ? clean.slice(0, CONTEXT_LINE_CHARS) + '…' : clean);
}

/** A record kept for context, with the cause its own message shows (matched once). */
interface Kept {
  rec: LogRecord;
  cause: string | null;
}

/** Recent records of each pid, at most MAX_CONTEXT each: causes are looked for in all of them, a stack trace being longer than 5 lines. */
class PidRing {
  /** In the order of each pid's last record, oldest first. */
  private readonly rings = new Map<number, Kept[]>();
  /** The pid of the last record added (last in `rings`). */
  private last: number | null = null;
  /**
   * Bounded: a capture with a new pid on every line keeps the 1024 pids whose records are the most recent. (The
   * first pid made went before, however recent its records: a process logging all along lost its context at the
   * 1024th newer pid, and a resumed run, whose ring was made at its resume point, kept it.)
   */
  add(k: Kept): void {
    const pid = k.rec.pid;
    if (pid === null) return;
    let ring = this.rings.get(pid);
    if (!ring) {
      if (this.rings.size >= 1024) this.rings.delete(this.rings.keys().next().value!);
      this.rings.set(pid, (ring = []));
    } else if (pid !== this.last) {
      this.rings.delete(pid);
      this.rings.set(pid, ring);
    }
    this.last = pid;
    ring.push(k);
    if (ring.length > MAX_CONTEXT) ring.shift();
  }
  /** Those of r's pid within LOOKBACK_LINES lines before it, oldest first. */
  before(r: LogRecord): Kept[] {
    return (this.rings.get(r.pid!) ?? []).filter((x) => x.rec.line < r.line && x.rec.line >= r.line - LOOKBACK_LINES);
  }
}


/** Lines without a needle between two candidates that a run of parsed lines reads and takes in (bridge): a short stack trace. */
const BRIDGE_LINES = 4;
/**
 * Lines a run must have for bridge to take a gap in: where events are dense. Where one line in three is an
 * event, every run is one line and every gap two: parsing the gaps cost more than the read-backs it saved
 * (main thread +15% on the 30 MB one-in-three capture, measured; docs/performance.md, round nine).
 */
const BRIDGE_AFTER = 16;
/** What bridge records for a line that is no record: no pid's. */
const NO_PID = -2;

/** A read-back that reads nothing, and one that finds nothing: shared, never written to. */
const NO_LINES: readonly PidLine[] = [];
const NO_RECORDS: readonly LogRecord[] = [];
/** The context of an event with none kept before it: one array for all of them (frozen: events are not edited). */
const NO_CONTEXT: string[] = [];
Object.freeze(NO_CONTEXT);

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
  /**
   * The Selector's line limit: a line fed whole (not cut at it) parses as its bytes read back do, so
   * the lines the Parser saw can stand in for a read-back (0: always read back).
   */
  maxLine?: number;
  /** The causes of messages (extract/causes.ts). */
  causes: CauseFinder;
}

/** Finds causes in text: `inText(m, true)` reads m as a record before the event; `inBoth` gives both readings from one match; `mayBeInLine` rules a line out before it is parsed. */
export type CauseFinder = Pick<CauseMatcher, 'inText' | 'inBoth' | 'mayBeInLine' | 'lineCheck'>;

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
  /** What the last event of each pid saw (one-line layouts); the 1024 pids with the latest events are kept. */
  private readonly pids = new RecentMap<number, PidSeen>(1024);
  /** The parser of read-back lines, made again when the layout or the year changes. */
  private parser: { key: string; parser: RecordParser } | null = null;
  /** Context lines already made, by record (dropped with the record). */
  private readonly lines = new WeakMap<LogRecord, string>();
  /**
   * The run of lines the Parser saw last, each fed whole and a one-line record of one layout: its first
   * and last line, the layout, and the last line of each pid in it. Where a read-back would look only
   * at lines of this run and the run has none of the event's pid, it would find nothing: it is not
   * made (a capture where every line is an event walked 64 lines back for each; 10% of its main
   * thread, profiled).
   */
  private runFrom = 0;
  private runLast = -1;
  /** The pid of the run's first line: runPids is filled from its second line (a sparse capture's runs are one line each). */
  private runFirstPid = -1;
  private runFormat: FormatName | null = null;
  private readonly runPids = new Map<number, number>();
  /** Read-backs not made: the Parser had seen every line they would read, and none of the pid. */
  readBacksSkipped = 0;
  /** Longest text of a line known to be fed whole: 3 UTF-8 bytes at most per UTF-16 unit. */
  private readonly wholeChars: number;

  constructor(private readonly o: ContextOptions) {
    this.wholeChars = Math.floor((o.maxLine ?? 0) / 3) - 1;
  }

  /** Sees every record the Parser makes; one-line records are read back instead, when an event needs them. */
  observe(r: LogRecord): void {
    if (!readBackable(r)) {
      this.ring.add({ rec: r, cause: this.o.causes.inText(r.message, true) });
      return;
    }
    if (this.window.line !== r.line || this.window.fedChars > this.wholeChars) {
      this.runLast = -1; // a line not seen whole: what comes after it starts a new run
      return;
    }
    if (r.line > this.runLast + 1) this.bridge(r);
    const pid = r.pid ?? -1;
    // A line not seen (not a candidate, or no record), a change of layout, or too many pids: a new run.
    if (r.line !== this.runLast + 1 || r.format !== this.runFormat || (this.runPids.size >= 4096 && !this.runPids.has(pid))) {
      this.runFrom = this.runLast = r.line;
      this.runFormat = r.format;
      this.runFirstPid = pid;
      // A sparse capture starts a run at each record: no table is made (a clear makes a new one) for a run of one line.
      if (this.runPids.size) this.runPids.clear();
      return;
    }
    if (this.runLast === this.runFrom) this.runPids.set(this.runFirstPid, this.runFrom);
    this.runLast = r.line;
    this.runPids.set(pid, r.line);
  }

  /**
   * Takes the few lines between the run and `r` that the Parser was not handed (lines without a needle:
   * a stack trace's `at ...` lines in a capture where every other line is an event) into the run, read
   * from the frame's bytes and parsed as a read-back would parse them. Without it each such gap started
   * a new run, and the next LOOKBACK_LINES events each walked 64 lines back for nothing: 31,264
   * read-backs that found 24 lines on the 30 MB every-line capture (docs/performance.md, round nine).
   * A gap it cannot read (in the frame before, a file range, longer than BRIDGE_LINES) or after a run
   * shorter than BRIDGE_AFTER starts a new run, as before.
   */
  private bridge(r: LogRecord): void {
    const gap = r.line - 1 - this.runLast;
    if (this.runLast < 0 || gap < 1 || gap > BRIDGE_LINES || this.runLast - this.runFrom + 1 < BRIDGE_AFTER || r.format !== this.runFormat || this.window.line !== r.line) return;
    const texts = this.window.linesBefore(gap);
    if (!texts) return;
    const parser = this.parserFor(r);
    const pids: number[] = [];
    for (let i = 0; i < gap; i++) {
      // A line that is no record is skipped by a read-back too: it is of no pid.
      const res = parser.push(texts[i]!, this.runLast + 1 + i);
      pids.push('record' in res ? (res.record.pid ?? -1) : NO_PID);
    }
    if (this.runLast === this.runFrom) this.runPids.set(this.runFirstPid, this.runFrom);
    for (let i = 0; i < gap; i++) {
      const pid = pids[i]!;
      if (pid === NO_PID) continue;
      if (this.runPids.size >= 4096 && !this.runPids.has(pid)) return; // too many pids: observe starts a new run
      this.runPids.set(pid, this.runLast + 1 + i);
    }
    this.runLast = r.line - 1;
  }

  /** True when the `n` lines before `r` were all seen whole, as records of r's layout, and none is of r's pid. */
  private noneOfPid(r: LogRecord, n: number): boolean {
    if (this.runLast < r.line - 1) this.bridge(r);
    if (this.runLast !== r.line - 1 || this.runFrom > r.line - n || this.runFormat !== r.format) return false;
    const last = this.runLast === this.runFrom ? (r.pid === this.runFirstPid ? this.runFrom : undefined) : this.runPids.get(r.pid!);
    return last === undefined || last < r.line - n;
  }

  /** The context and cause of the event of record `r` (its message `message`); call before observe(r). */
  eventContext(r: LogRecord, message: string): EventContext {
    let kept: readonly LogRecord[] = NO_RECORDS;
    let cause: string | null = null;
    // The message read as the event's own, when the read-back already matched it (one match, not two).
    let asMessage: string | null | undefined;
    if (r.pid !== null) {
      if (!readBackable(r)) {
        const ring = this.ring.before(r);
        kept = ring.map((k) => k.rec);
        for (let i = ring.length - 1; i >= 0 && cause === null; i--) cause = ring[i]!.cause;
      } else if (this.window.line === r.line) {
        kept = this.readBack(r, message);
        cause = this.readCause;
        asMessage = this.readAsMessage;
      }
    }
    return {
      context: this.o.size === 0 ? undefined : this.contextLines(kept),
      cause: cause ?? (asMessage !== undefined ? asMessage : this.o.causes.inText(message, false)),
    };
  }

  /** The context lines of the last `size` of `kept`, in one array. */
  private contextLines(kept: readonly LogRecord[]): string[] {
    if (kept.length === 0) return NO_CONTEXT;
    const out: string[] = [];
    for (let i = Math.max(0, kept.length - this.o.size); i < kept.length; i++) out.push(this.line(kept[i]!));
    return out;
  }

  /** What the last readBack found besides its records (fields, not a tuple per event): the nearest cause, and the message read as the event's own. */
  private readCause: string | null = null;
  private readAsMessage: string | null | undefined = undefined;

  /**
   * The records of r's pid in the lines before it, oldest first, and the nearest cause among them.
   * What the pid's last event saw is kept, so only the lines since it are read back: a capture where
   * every line is an event of one process reads each line once, not LOOKBACK_LINES times.
   */
  private readBack(r: LogRecord, message: string): readonly LogRecord[] {
    const pid = r.pid!;
    const floor = r.line - LOOKBACK_LINES;
    const last = this.pids.get(pid);
    const near = last && last.line < r.line && last.line >= floor ? last : undefined;
    const back = near ? r.line - near.line - 1 : LOOKBACK_LINES;
    const seen = back > 0 && this.noneOfPid(r, back);
    if (seen) this.readBacksSkipped++;
    const fixed = FIXED_PID_COLUMN.has(r.format);
    let lines = back <= 0 || seen ? NO_LINES : this.window.linesOfPid(pid, LOOKBACK_MAX, back, fixed);
    // A scan thread that left lines out for another --context or other causes than these: the whole window, from the file.
    const thin = lines.length ? this.window.thinned : null;
    if (thin && (thin.keep < this.o.size || thin.lineCheck !== this.o.causes.lineCheck)) lines = this.window.linesOfPid(pid, LOOKBACK_MAX, back, fixed, true);
    // Garbage per event is the collector's work (a fifth of a dense run's main thread): nothing is made for nothing found.
    let found: readonly LogRecord[] = NO_RECORDS;
    if (lines.length) found = this.parseBack(r, lines, this.window.thinned ? () => this.window.linesOfPid(pid, LOOKBACK_MAX, back, fixed, true) : null);
    let recs = found;
    if (near) {
      // one array, not three (a filter and a spread per event were most of the read-back's garbage)
      const all: LogRecord[] = [];
      // Indexed, not for-of: `recent` is made two ways, and iterating arrays of two maps threw this
      // function's optimized code away (--trace-deopt on the 1 GB capture); nor over the shared empty array.
      const before = near.recent;
      for (let i = 0; i < before.length; i++) if (before[i]!.line >= floor) all.push(before[i]!);
      if (found !== NO_RECORDS) for (let i = 0; i < found.length; i++) all.push(found[i]!);
      recs = all;
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
    if (cause === null && near && near.cause !== null && near.causeLine >= floor) {
      cause = near.cause;
      causeLine = near.causeLine;
    }
    // This event is a record before the pid's next one; its message read as its own comes from the same match.
    const [own, asMessage] = r.message === message ? this.o.causes.inBoth(message) : [this.o.causes.inText(r.message, true), undefined];
    // Made at its size (a push onto a slice grew it to 17 slots, kept for each pid and copied by the collector)
    const from = Math.max(0, recs.length - Math.max(this.o.size, 1) + 1);
    const recent: LogRecord[] = from >= recs.length ? [r] : [...recs.slice(from), r];
    this.pids.set(pid, { line: r.line, recent, cause: own ?? cause, causeLine: own !== null ? r.line : causeLine });
    this.readCause = cause;
    this.readAsMessage = asMessage;
    return recs.length > MAX_CONTEXT ? recs.slice(-MAX_CONTEXT) : recs;
  }

  /**
   * The records of r's pid among the lines read back, oldest first: the newest `size` lines, which the
   * context shows, and of the older ones those that may show a cause (CauseFinder.mayBeInLine, on the
   * line's text): the rest would be parsed for nothing. A capture of one process reads back 64 lines of
   * the pid for each event; parsing them all was most of its run (docs/performance.md, round fifteen).
   * When a newest line is not of the pid after all, every line is parsed, as before (`whole`: all the
   * lines, read again, when a scan thread left some out: then even `size` lines or fewer may not be all).
   */
  private parseBack(r: LogRecord, lines: readonly PidLine[], whole: (() => readonly PidLine[]) | null): LogRecord[] {
    const parser = this.parserFor(r);
    const pid = r.pid!;
    const first = lines.length - this.o.size;
    let some: LogRecord[] = [];
    let newest = 0;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (i < first && !this.o.causes.mayBeInLine(stripDecorations(l.text))) continue;
      const res = parser.push(l.text, r.line - l.back);
      if (!('record' in res) || res.record.pid !== pid) continue;
      some.push(res.record);
      if (i >= first) newest++;
    }
    if (newest < this.o.size && (first > 0 || whole)) {
      // a record the context needs may be among the lines skipped or left out: all of them (dated from r again)
      this.parserFor(r);
      some = [];
      for (const l of whole ? whole() : lines) {
        const res = parser.push(l.text, r.line - l.back);
        if ('record' in res && res.record.pid === pid) some.push(res.record);
      }
    }
    return some;
  }

  /**
   * A parser of r's layout whose year-less stamps are of the year that puts them at or before r (one-line layouts
   * hold no other state between lines): a stamp later in the year than r's day (December before a January
   * event) is of the year before. Anchored again at each call: a parser kept from event to event counted a
   * year on at each December-then-January it read, so read-backs across New Year dated context lines two years
   * on, and r's UTC year is not its stamp's in every zone.
   */
  private parserFor(r: LogRecord): RecordParser {
    const key = r.format;
    if (this.parser?.key !== key) this.parser = { key, parser: new RecordParser({ format: r.format, year: new Date().getUTCFullYear(), tz: this.o.tz }) };
    const ms = r.time ? Date.parse(r.time) : NaN;
    this.parser.parser.anchorYear(Number.isNaN(ms) ? { year: new Date().getUTCFullYear() } : yearsBefore(ms));
    return this.parser.parser;
  }

  /** A record's context line, made once: in a dense capture one record is context of several events. */
  private line(rec: LogRecord): string {
    let l = this.lines.get(rec);
    if (l === undefined) this.lines.set(rec, (l = contextLine(rec, this.o.noRedact)));
    return l;
  }
}
