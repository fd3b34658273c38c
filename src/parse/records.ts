/**
 * Lines -> records. A RecordParser holds the per-source state: the detected format,
 * the year of year-less stamps and the zone of local ones.
 */
import type { FormatName, LogRecord } from '../types.js';
import { LINE_FORMATS, LONG_HEADER, MULTI_LINE_FORMATS, NON_ENTRY, PROCESS_BANNER, STUDIO_HIDDEN_TAG, lineFormat, processId, toLevel, type HeaderFields, type LineFormat } from './formats.js';
import { YearTracker, fractionToMs, isoTime, localToEpochMs } from './time.js';
import { parseNdjsonLine } from './json-logs.js';
import { stripDecorations } from './decorations.js';
export { stripDecorations } from './decorations.js';
import { T_FRAC, T_FRAC_END, T_LEVEL, T_MONTH, T_MSG, T_PID, T_PID_END, T_SPANS, T_TAG_END, T_TID, T_TID_END, T_YEAR, digitsValue, threadtimeSpans } from './threadtime.js';

/** Options that shape how a source's lines become records. */
export interface ParseOptions {
  /** Force a format instead of detecting it. */
  format?: FormatName;
  /** Year for stamps that have none. */
  year: number;
  /** IANA zone of local stamps (default: the machine's). */
  tz?: string;
  /**
   * No year-less stamp is dated after this (epoch ms): the file's mtime plus a day. With it, `year`
   * is the year of the last stamp and the first stamp's year is counted back from there.
   */
  notAfter?: number;
  /** Longest multi-line record body kept, in characters (default: MAX_RECORD_CHARS); the rest is cut. */
  maxRecord?: number;
}

/**
 * Result of one line: a record, nothing (separator, part of a multi-line record), or unparsed.
 * `before` is a multi-line record that this line ended, to be taken first.
 */
export type LineResult = { record: LogRecord; before?: LogRecord } | { skip: true } | { unparsed: true };

const SKIP: LineResult = { skip: true };
const UNPARSED: LineResult = { unparsed: true };

// Control characters other than tab, CR and ESC (colour), or U+FFFD (bytes that are not UTF-8): binary junk.
const NOT_TEXT = /[\x00-\x08\x0E-\x1A\x1C-\x1F\uFFFD]/;

/** True when a line looks like text: junk lines are neither scored by detection nor counted against a layout. */
export function looksLikeText(line: string): boolean {
  return !NOT_TEXT.test(line);
}

/**
 * Picks the format that matches most of the sample lines; `raw` only when no structured layout fits
 * a fair share (a quarter) of the lines that look like text. Binary junk lines are not scored.
 */
export function detectFormat(sample: readonly string[]): FormatName {
  const scores = new Map<FormatName, number>();
  let entries = 0;
  for (const raw of sample) {
    const line = stripDecorations(raw);
    if (!line.trim() || NON_ENTRY.test(line) || !looksLikeText(line)) continue;
    if (line.trimStart().startsWith('{') && parseNdjsonLine(line, 0)) {
      scores.set('ndjson', (scores.get('ndjson') ?? 0) + 1);
      entries++;
      continue;
    }
    if (LONG_HEADER.test(line)) {
      scores.set('long', (scores.get('long') ?? 0) + 1);
      entries++;
      continue;
    }
    // Every layout that fits scores: `process` with uid and `thread` share a shape, `tag` fits brief lines.
    let fits = false;
    for (const lf of LINE_FORMATS) {
      if (!lf.re.test(line)) continue;
      scores.set(lf.name, (scores.get(lf.name) ?? 0) + 1);
      fits = true;
    }
    // An indented line that fits nothing is a continuation (a Studio stack trace, a long message): not a share against a layout.
    if (fits || !/^\s/.test(line)) entries++;
  }
  let best: FormatName = 'raw';
  let bestScore = 0;
  // Ties go to the earlier layout in LINE_FORMATS (the more specific one).
  const order = ['ndjson', 'long', ...LINE_FORMATS.map((f) => f.name)] as FormatName[];
  for (const name of order) {
    const score = scores.get(name) ?? 0;
    if (score > bestScore) [best, bestScore] = [name, score];
  }
  // A format that fits only a few lines is coincidence (a raw message that looks like a header);
  // a long entry's message lines and a Studio record's continuation lines match nothing, so one
  // header is enough for `long`.
  // One fitting line among a few is coincidence too ("I/O error: x" fits `tag`); a raw region still parses structured lines.
  return best === 'long' || (bestScore * 4 >= Math.min(entries, 40) && (bestScore >= 2 || entries <= 2)) ? best : 'raw';
}

/** Parses whole text at once (tests, small inputs): the records and the unparsed line numbers. */
export function parseText(text: string, opts: ParseOptions): { format: FormatName | undefined; records: LogRecord[]; unparsed: number[] } {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const parser = new RecordParser(opts);
  if (!opts.format) parser.setFormat(detectFormat(lines.slice(0, 200)));
  const records: LogRecord[] = [];
  const unparsed: number[] = [];
  lines.forEach((l, i) => {
    const r = parser.push(l, i + 1);
    if ('record' in r) {
      if (r.before) records.push(r.before);
      records.push(r.record);
    }
    else if ('unparsed' in r) unparsed.push(i + 1);
  });
  const last = parser.end();
  if (last) records.push(last);
  return { format: parser.format, records, unparsed };
}


/**
 * `s` made flat now. A string joined from parts is a tree of pairs until something reads its
 * characters; an event's time waits in the batch until the store cuts its hour, so each collection
 * in between copied the whole tree. Reading one character flattens it in place (measured: 250 -> 120
 * ns a stamp kept for a batch, the store's hour cut included).
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** The number a stamp's two-digit field (`\d\d` in every layout) says, read from its char codes (Number() of a string was a profiled cost per record). */
function twoDigits(s: string | undefined): number {
  return s !== undefined && s.length === 2 ? (s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48) : Number(s);
}

/** A record being built from several lines: a long entry, or a Studio record with continuation lines. */
interface Pending {
  fields: HeaderFields;
  format: FormatName;
  line: number;
  body: string[];
  /** Characters in body, bounded by MAX_RECORD_CHARS. */
  size?: number;
  /** A blank line was seen: a divider or a line of another layout ends the entry now. */
  afterBlank: boolean;
  /** Lines were dropped at the record cap. */
  cut?: boolean;
}

/** Longest message kept for a multi-line record; later lines are dropped (memory stays bounded). */
export const MAX_RECORD_CHARS = 1 << 20;

/** Adds a line to a record's body unless that passes `max` characters; false when it was dropped. */
function addLine(p: Pending, line: string, max: number): boolean {
  const size = (p.size ?? 0) + line.length + 1;
  if (size > max) return false;
  p.size = size;
  p.body.push(line);
  return true;
}

// After a blank line inside a long entry, these layouts end it (the loose `tag` shape could be message text).
const SWITCH_FROM_LONG = LINE_FORMATS.filter((f) => f.name !== 'tag');
/**
 * Without the blank line, these end it too: a record whose header holds a date and time, and logcat's own buffer
 * divider. An entry cut before its "\n\n" footer (`adb logcat -v long > f` killed,
 * then `adb logcat >> f`; a capture whose last newline an editor took, then another joined to it) otherwise took
 * every later line as its message: the rest of the file, its events with it (the adversarial review's find: 77 of
 * 156 events, and nothing said).
 */
const CUT_LONG = LINE_FORMATS.filter((f) => f.name === 'threadtime' || f.name === 'time' || f.name === 'studio' || f.name === 'studio-v2');
const BUFFER_DIVIDER = /^\s*-{9} (?:beginning of|switch to) /;

/** Turns the lines of one source into records, one call per line. */
export class RecordParser {
  private current: LineFormat | undefined;
  private formatName: FormatName | undefined;
  private years: YearTracker;
  private pending: Pending | null = null;
  private readonly seen = new Set<FormatName>();
  /** pid -> package, from Android Studio's `---- PROCESS STARTED (pid) for package x ----` banners. */
  readonly packages = new Map<number, string>();
  /** Multi-line records cut at the record cap since the last takeCutRecords(). */
  private cutRecords = 0;
  /**
   * The tag of the last Studio column record (null: it had none, the Compact view; undefined: none read yet): a line
   * whose tag Studio hid ("hide repeated tags") has it. A resumed run's main parser gets it from its look-back's
   * (RecordStage.carried), or from further back in the file (ingest.ts), as one clean run had it there.
   */
  studioTag: string | null | undefined = undefined;

  constructor(private readonly opts: ParseOptions) {
    this.years = new YearTracker(opts.year, opts.notAfter);
    if (opts.format) this.setFormat(opts.format);
  }

  /**
   * Year-less stamps from here on are of `years.year`, counted back until they fall before `notAfter` (YearTracker):
   * the lines read back before an event are dated from the event, each time, not from the lines read before.
   */
  anchorYear(years: { year: number; notAfter?: number }): void {
    this.years = new YearTracker(years.year, years.notAfter);
  }

  /** The format in force (after detection). */
  get format(): FormatName | undefined {
    return this.formatName;
  }

  /** Every format a record of this source came in, in order of first use. */
  get formatsSeen(): FormatName[] {
    return [...this.seen];
  }

  /**
   * True while a record may span lines (long, Studio copies): the caller must then give the parser
   * every line, not only candidate lines, or continuation lines would join the wrong record.
   */
  get multiLine(): boolean {
    return this.formatName !== undefined && MULTI_LINE_FORMATS.has(this.formatName);
  }

  /** The line where a record still open began (a multi-line record awaiting its end), or null: a checkpoint may not pass it. */
  get openLine(): number | null {
    return this.pending?.line ?? null;
  }

  /** Sets the format explicitly, for example from detectFormat on the first lines. */
  setFormat(name: FormatName): void {
    this.formatName = name;
    this.current = lineFormat(name);
  }

  /** Feeds one line (without its newline); multi-line records come out when they end. */
  push(rawLine: string, lineNo: number): LineResult {
    const line = stripDecorations(rawLine);
    if (this.formatName === 'long') return this.pushLong(line, lineNo);
    if (NON_ENTRY.test(line)) return this.separator(line);
    if (this.formatName === 'ndjson') {
      const rec = parseNdjsonLine(line, lineNo);
      if (rec) return { record: rec };
      return line.trim() === '' ? SKIP : UNPARSED;
    }
    const cur = this.current;
    if (cur) {
      // logcat's default layout, read by char codes when it has its plain shape (the pattern's match was most of a record's garbage)
      if (cur.name === 'threadtime' && threadtimeSpans(line, this.spans)) {
        const done = this.flushPending();
        const rec = this.threadtimeRecord(line, lineNo);
        return done ? { record: rec, before: done } : { record: rec };
      }
      const g = cur.fields(line);
      if (g) return this.header(g, cur.name, lineNo);
    }
    // A Studio copy puts stack traces and wrapped text under a record, indented and without a header.
    const open = this.pending;
    if (open && (this.opts.format ? line.trim() !== '' : this.continues(line))) {
      this.addLine(open, line);
      return SKIP;
    }
    // Re-detect: the stream may have changed format, a structured line may follow junk (`raw`), or this is vendor junk.
    if (!this.opts.format) {
      for (const lf of LINE_FORMATS) {
        if (lf === cur) continue;
        const g = (lf.switchFields ?? lf.fields)(line);
        if (g) {
          // Inside a raw region a single-line layout is read for this line only: a raw message that looks
          // like a header ("I/O error: x" fits `tag`) must not turn the raw lines after it into unparsed ones.
          if (this.formatName !== 'raw' || MULTI_LINE_FORMATS.has(lf.name)) {
            this.current = lf;
            this.formatName = lf.name;
          }
          return this.header(g, lf.name, lineNo);
        }
      }
      if (LONG_HEADER.test(line)) {
        const done = this.flushPending();
        this.setFormat('long');
        const r = this.pushLong(line, lineNo);
        return done ? { record: done } : r;
      }
    }
    if (this.formatName === 'raw') return { record: this.build({ msg: line }, 'raw', lineNo) };
    if (line.trim() === '') return SKIP;
    return UNPARSED;
  }

  /** How many multi-line records were cut at the record cap since the last call (counted like over-long lines). */
  takeCutRecords(): number {
    const n = this.cutRecords;
    this.cutRecords = 0;
    return n;
  }

  /** Adds a line to the open record; a record is capped like a line (a header then gigabytes of body keep the first MiB). */
  private addLine(p: Pending, line: string): void {
    if (!addLine(p, line, this.opts.maxRecord ?? MAX_RECORD_CHARS) && !p.cut) {
      p.cut = true;
      this.cutRecords++;
    }
  }

  /** Ends the source: returns the last multi-line record, if one is open. */
  end(): LogRecord | null {
    return this.flushPending();
  }

  /** Under a Studio record, any line that fits no layout is part of it (a blank line too). */
  private continues(line: string): boolean {
    if (!this.pending || this.pending.format === 'long' || !looksLikeText(line)) return false;
    for (const lf of LINE_FORMATS) if (lf.re.test(line)) return false;
    return !LONG_HEADER.test(line);
  }

  /** A divider or banner: skipped, and ends a multi-line record. */
  private separator(line: string): LineResult {
    const b = PROCESS_BANNER.exec(line);
    if (b) this.packages.set(Number(b.groups!.pid), b.groups!.pkg!);
    const done = this.flushPending();
    return done ? { record: done } : SKIP;
  }

  /** A header line: a record now, or (Studio) the start of one that continuation lines may extend. */
  private header(g: HeaderFields, format: FormatName, lineNo: number): LineResult {
    const done = this.flushPending();
    if (format === 'studio-v2') {
      // "hide repeated tags": the tag of the record before (none known: a resumed run's look-back primes it)
      // (a hidden tag is the one before: it changes nothing, and an unknown one stays unknown)
      if (g.tag === STUDIO_HIDDEN_TAG) g.tag = this.studioTag ?? undefined;
      else this.studioTag = g.tag ?? null;
    }
    if (format === 'studio' || format === 'studio-v2') {
      this.pending = { fields: g, format, line: lineNo, body: [g.msg ?? ''], size: (g.msg ?? '').length, afterBlank: false };
      return done ? { record: done } : SKIP;
    }
    const rec = this.build(g, format, lineNo);
    return done ? { record: rec, before: done } : { record: rec };
  }

  private pushLong(line: string, lineNo: number): LineResult {
    const m = LONG_HEADER.exec(line);
    if (m) {
      const done = this.flushPending();
      this.pending = { fields: m.groups as HeaderFields, format: 'long', line: lineNo, body: [], afterBlank: false };
      return done ? { record: done } : SKIP;
    }
    const p = this.pending;
    if (p && p.format === 'long') {
      // The "\n\n" footer, then a divider or a line of another layout: the entry has ended.
      if (!this.opts.format) {
        if (p.afterBlank ? NON_ENTRY.test(line) : BUFFER_DIVIDER.test(line)) return this.separator(line);
        // (Without the footer the record switches the layout too, as a resumed run starting at it does: a run resumed
        // there has no entry open, and a layout it re-detects there must be the one a clean run switched to. So a
        // message that holds a logcat line is cut there, and its lines after it that fit no layout are unparsed lines.)
        for (const lf of p.afterBlank ? SWITCH_FROM_LONG : CUT_LONG) {
          const lg = lf.fields(line);
          if (lg) {
            this.setFormat(lf.name);
            return this.header(lg, lf.name, lineNo);
          }
        }
      }
      p.afterBlank = line.trim() === '';
      this.addLine(p, line);
      return SKIP;
    }
    if (NON_ENTRY.test(line)) return this.separator(line);
    if (line.trim() === '') return SKIP;
    // A line format inside a long capture: re-detect unless forced.
    if (!this.opts.format) {
      const lf = LINE_FORMATS.find((f) => f.re.test(line));
      if (lf) {
        this.setFormat(lf.name);
        return this.push(line, lineNo);
      }
    }
    return UNPARSED;
  }

  private flushPending(): LogRecord | null {
    const p = this.pending;
    if (!p) return null;
    this.pending = null;
    // A long entry ends with one blank line (the "\n\n" footer); trailing blanks are not message.
    let end = p.body.length;
    while (end > 0 && p.body[end - 1]!.trim() === '') end--;
    return this.build({ ...p.fields, msg: p.body.slice(0, end).join('\n') }, p.format, p.line);
  }

  private build(g: HeaderFields, format: FormatName, line: number): LogRecord {
    this.seen.add(format);
    return {
      time: this.time(g),
      pid: g.pid !== undefined ? processId(Number(g.pid)) : null,
      tid: g.tid !== undefined ? processId(Number(g.tid)) : null,
      level: toLevel(g.L),
      tag: g.tag !== undefined ? g.tag.trimEnd() : '',
      message: g.msg ?? '',
      format,
      line,
    };
  }

  /** Where threadtimeSpans found the fields of the line being read. */
  private readonly spans = new Int32Array(T_SPANS);

  /** The record of a plain threadtime line whose fields are in `spans`: what build() makes of the pattern's fields, field for field. */
  private threadtimeRecord(line: string, lineNo: number): LogRecord {
    this.seen.add('threadtime');
    const sp = this.spans;
    const msg = sp[T_MSG]!;
    return {
      time: this.threadtimeTime(line),
      pid: digitsValue(line, sp[T_PID]!, sp[T_PID_END]!),
      tid: digitsValue(line, sp[T_TID]!, sp[T_TID_END]!),
      level: toLevel(line[sp[T_LEVEL]!]),
      tag: line.slice(sp[T_LEVEL]! + 2, sp[T_TAG_END]!).trimEnd(),
      message: msg < 0 ? '' : line.slice(msg),
      format: 'threadtime',
      line: lineNo,
    };
  }

  /** time() of a plain threadtime line, from `spans` (no zone: threadtimeSpans leaves a zoned stamp to the pattern). */
  private threadtimeTime(line: string): string | null {
    const sp = this.spans;
    const m = sp[T_MONTH]!;
    const month = digitsValue(line, m, m + 2);
    const day = digitsValue(line, m + 3, m + 5);
    const year = sp[T_YEAR]! >= 0 ? digitsValue(line, 0, 4) : this.years.yearFor(month, day);
    this.atMinute(year, month, day, digitsValue(line, m + 6, m + 8), digitsValue(line, m + 9, m + 11), undefined);
    const sec = digitsValue(line, m + 12, m + 14);
    const frac = sp[T_FRAC]!;
    const fracEnd = sp[T_FRAC_END]!;
    if (this.lastMinuteIso !== null && sec < 60 && fracEnd - frac === 3) {
      // "ss.fff" as written is the stamp's tail: the 24 characters made at once, flat (a slice and two joins
      // were 128 bytes of garbage an event, and a flattening copy)
      const c = this.isoCodes;
      const s = m + 12;
      return String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!, c[13]!, c[14]!, c[15]!, c[16]!, line.charCodeAt(s), line.charCodeAt(s + 1), 46, line.charCodeAt(frac), line.charCodeAt(frac + 1), line.charCodeAt(frac + 2), 90);
    }
    return this.stamp(sec, line.slice(m + 12, m + 14), frac < 0 ? undefined : line.slice(frac, fracEnd));
  }

  private lastYear = NaN;
  private lastMonth = NaN;
  private lastDay = NaN;
  private lastHour = NaN;
  private lastMin = NaN;
  private lastZone: string | undefined = undefined;
  private lastMinuteMs = NaN;
  private lastMinuteIso: string | null = null;

  private time(g: HeaderFields): string | null {
    if (g.E !== undefined) {
      const secs = Number(g.E);
      // Epoch stamps are seconds since 1970; small numbers are monotonic (since boot) and have no date.
      if (secs < 100_000_000) return null;
      return isoTime(secs * 1000 + fractionToMs(g.EF));
    }
    if (g.M === undefined) return null;
    // every field of a stamp but the year and the fraction is `\d\d`
    const month = twoDigits(g.M);
    const day = twoDigits(g.D);
    const year = g.Y !== undefined ? Number(g.Y) : this.years.yearFor(month, day);
    this.atMinute(year, month, day, twoDigits(g.h), twoDigits(g.mi), g.Z);
    return this.stamp(twoDigits(g.s), g.s!, g.f);
  }

  /**
   * Sets the minute of the stamp being read. Records come in time order: the zone lookup is made once a
   * minute (offsets change on the hour). The minute is compared field by field: a key string per record
   * was garbage on every event.
   */
  private atMinute(year: number, month: number, day: number, hour: number, minute: number, zone: string | undefined): void {
    if (year === this.lastYear && month === this.lastMonth && day === this.lastDay && hour === this.lastHour && minute === this.lastMin && zone === this.lastZone) return;
    this.lastYear = year;
    this.lastMonth = month;
    this.lastDay = day;
    this.lastHour = hour;
    this.lastMin = minute;
    this.lastZone = zone;
    this.lastMinuteMs = localToEpochMs(year, month, day, hour, minute, 0, 0, this.opts.tz, zone);
    // "YYYY-MM-DDTHH:MM:" of that minute in UTC, when the zone offset is whole minutes
    const iso = Number.isFinite(this.lastMinuteMs) && this.lastMinuteMs % 60_000 === 0 ? new Date(this.lastMinuteMs).toISOString() : '';
    this.lastMinuteIso = iso.length === 24 ? iso.slice(0, 17) : null;
    for (let i = 0; i < 17; i++) this.isoCodes[i] = iso.charCodeAt(i);
  }

  /** The char codes of lastMinuteIso. */
  private readonly isoCodes = new Uint16Array(17);

  /** The ISO time of second `sec` (written `s`, two digits) and fraction `f` of the minute atMinute set. */
  private stamp(sec: number, s: string, f: string | undefined): string | null {
    if (this.lastMinuteIso !== null && sec < 60) {
      // `s` is two digits; a fraction of three digits is the milliseconds as written
      return flat(`${this.lastMinuteIso}${s}.${f !== undefined && f.length === 3 ? f : String(fractionToMs(f)).padStart(3, '0')}Z`);
    }
    const ms = this.lastMinuteMs + sec * 1000 + fractionToMs(f);
    return isoTime(ms);
  }
}
