/**
 * Lines -> records. A RecordParser holds the per-source state: the detected format,
 * the year of year-less stamps and the zone of local ones.
 */
import type { FormatName, LogRecord } from '../types.js';
import { LINE_FORMATS, LONG_HEADER, NON_ENTRY, lineFormat, toLevel, type HeaderFields, type LineFormat } from './formats.js';
import { YearTracker, fractionToMs, localToEpochMs } from './time.js';
import { parseNdjsonLine } from './json-logs.js';
import { DEFAULT_MAX_LINE } from '../sources/chunks.js';

/** Options that shape how a source's lines become records. */
export interface ParseOptions {
  /** Force a format instead of detecting it. */
  format?: FormatName;
  /** Year for stamps that have none. */
  year: number;
  /** IANA zone of local stamps (default: the machine's). */
  tz?: string;
  /** Longest `-v long` entry body kept, in characters (default: the line cap); the rest is cut. */
  maxRecord?: number;
}

/** Result of one line: a record, nothing (separator, part of a long entry), or unparsed. */
export type LineResult = { record: LogRecord } | { skip: true } | { unparsed: true };

const SKIP: LineResult = { skip: true };
const UNPARSED: LineResult = { unparsed: true };

/** Picks the format that matches most of the sample lines; `raw` when none does. */
export function detectFormat(sample: readonly string[]): FormatName {
  const scores = new Map<FormatName, number>();
  for (const raw of sample) {
    const line = stripDecorations(raw);
    if (!line || NON_ENTRY.test(line)) continue;
    if (line.trimStart().startsWith('{') && parseNdjsonLine(line, 0)) {
      scores.set('ndjson', (scores.get('ndjson') ?? 0) + 1);
      continue;
    }
    if (LONG_HEADER.test(line)) {
      scores.set('long', (scores.get('long') ?? 0) + 1);
      continue;
    }
    // Every layout that fits scores: `process` with uid and `thread` share a shape, `tag` fits brief lines.
    for (const lf of LINE_FORMATS) if (lf.re.test(line)) scores.set(lf.name, (scores.get(lf.name) ?? 0) + 1);
  }
  let best: FormatName = 'raw';
  let bestScore = 0;
  // Ties go to the earlier layout in LINE_FORMATS (the more specific one).
  const order = ['ndjson', 'long', ...LINE_FORMATS.map((f) => f.name)] as FormatName[];
  for (const name of order) {
    const score = scores.get(name) ?? 0;
    if (score > bestScore) [best, bestScore] = [name, score];
  }
  // A format that fits only a few lines is coincidence (a raw message that looks like a header).
  const entries = sample.filter((l) => l.trim() !== '' && !NON_ENTRY.test(stripDecorations(l))).length;
  // A long entry's message lines match nothing, so one header is enough for `long`.
  return best === 'long' || bestScore * 3 >= Math.min(entries, 30) ? best : 'raw';
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
    if ('record' in r) records.push(r.record);
    else if ('unparsed' in r) unparsed.push(i + 1);
  });
  const last = parser.end();
  if (last) records.push(last);
  return { format: parser.format, records, unparsed };
}

// `-v color` wraps each line in SGR escapes; CR from CRLF files and a BOM are dropped too.
const DECORATION = /\x1B\[[0-9;]*m|\r$|^\uFEFF/g;

/** Removes colour escapes, a trailing CR and a BOM, which never belong to a record. */
export function stripDecorations(line: string): string {
  return line.includes('\x1B') || line.includes('\r') || line.charCodeAt(0) === 0xfeff ? line.replace(DECORATION, '') : line;
}

/** Turns the lines of one source into records, one call per line. */
export class RecordParser {
  private current: LineFormat | undefined;
  private formatName: FormatName | undefined;
  private readonly years: YearTracker;
  private pending: { fields: HeaderFields; line: number; body: string[]; size: number; cut: boolean } | null = null;
  /** Long entries cut at the record cap since the last takeCutRecords(). */
  private cutRecords = 0;

  constructor(private readonly opts: ParseOptions) {
    this.years = new YearTracker(opts.year);
    if (opts.format) this.setFormat(opts.format);
  }

  /** The format in force (after detection). */
  get format(): FormatName | undefined {
    return this.formatName;
  }

  /** Sets the format explicitly, for example from detectFormat on the first lines. */
  setFormat(name: FormatName): void {
    this.formatName = name;
    this.current = lineFormat(name);
  }

  /** Feeds one line (without its newline); long entries come out when they end. */
  push(rawLine: string, lineNo: number): LineResult {
    const line = stripDecorations(rawLine);
    if (this.formatName === 'long') return this.pushLong(line, lineNo);
    if (NON_ENTRY.test(line)) return SKIP;
    if (this.formatName === 'ndjson') {
      const rec = parseNdjsonLine(line, lineNo);
      if (rec) return { record: rec };
      return line.trim() === '' ? SKIP : UNPARSED;
    }
    if (this.formatName === 'raw') return { record: this.build({ msg: line }, 'raw', lineNo) };
    const cur = this.current;
    if (cur) {
      const m = cur.re.exec(line);
      if (m) return { record: this.build(m.groups as HeaderFields, cur.name, lineNo) };
    }
    // Re-detect: the stream may have changed format, or this is vendor junk.
    if (!this.opts.format) {
      for (const lf of LINE_FORMATS) {
        if (lf === cur) continue;
        const m = lf.re.exec(line);
        if (m) {
          this.current = lf;
          this.formatName = lf.name;
          return { record: this.build(m.groups as HeaderFields, lf.name, lineNo) };
        }
      }
      if (LONG_HEADER.test(line)) {
        this.setFormat('long');
        return this.pushLong(line, lineNo);
      }
    }
    return line.trim() === '' ? SKIP : UNPARSED;
  }

  /** How many long entries were cut at the record cap since the last call (counted like over-long lines). */
  takeCutRecords(): number {
    const n = this.cutRecords;
    this.cutRecords = 0;
    return n;
  }

  /** Ends the source: returns the last long entry, if one is open. */
  end(): LogRecord | null {
    return this.flushLong();
  }

  private pushLong(line: string, lineNo: number): LineResult {
    const m = LONG_HEADER.exec(line);
    if (m) {
      const done = this.flushLong();
      this.pending = { fields: m.groups as HeaderFields, line: lineNo, body: [], size: 0, cut: false };
      return done ? { record: done } : SKIP;
    }
    if (this.pending) {
      const p = this.pending;
      // A record is capped like a line: a header and then gigabytes of body keep the first MiB.
      if (p.size + line.length > (this.opts.maxRecord ?? DEFAULT_MAX_LINE)) {
        if (!p.cut) this.cutRecords++;
        p.cut = true;
        return SKIP;
      }
      p.body.push(line);
      p.size += line.length + 1;
      return SKIP;
    }
    if (NON_ENTRY.test(line) || line.trim() === '') return SKIP;
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

  private flushLong(): LogRecord | null {
    const p = this.pending;
    if (!p) return null;
    this.pending = null;
    // The entry ends with one blank line (the "\n\n" footer); trailing blanks are not message.
    let end = p.body.length;
    while (end > 0 && p.body[end - 1] === '') end--;
    return this.build({ ...p.fields, msg: p.body.slice(0, end).join('\n') }, 'long', p.line);
  }

  private build(g: HeaderFields, format: FormatName, line: number): LogRecord {
    return {
      time: this.time(g),
      pid: g.pid !== undefined ? Number(g.pid) : null,
      tid: g.tid !== undefined ? Number(g.tid) : null,
      level: toLevel(g.L),
      tag: g.tag !== undefined ? g.tag.trimEnd() : '',
      message: g.msg ?? '',
      format,
      line,
    };
  }

  private lastMinute = '';
  private lastMinuteMs = NaN;
  private lastMinuteIso: string | null = null;

  private time(g: HeaderFields): string | null {
    if (g.E !== undefined) {
      const secs = Number(g.E);
      // Epoch stamps are seconds since 1970; small numbers are monotonic (since boot) and have no date.
      if (secs < 100_000_000) return null;
      return new Date(secs * 1000 + fractionToMs(g.EF)).toISOString();
    }
    if (g.M === undefined) return null;
    const month = Number(g.M);
    const year = g.Y !== undefined ? Number(g.Y) : this.years.yearFor(month);
    // Records come in time order: the zone lookup is made once a minute (offsets change on the hour).
    const minute = `${year}-${g.M}-${g.D} ${g.h}:${g.mi} ${g.Z ?? ''}`;
    if (minute !== this.lastMinute) {
      this.lastMinute = minute;
      this.lastMinuteMs = localToEpochMs(year, month, Number(g.D), Number(g.h), Number(g.mi), 0, 0, this.opts.tz, g.Z);
      // "YYYY-MM-DDTHH:MM:" of that minute in UTC, when the zone offset is whole minutes
      const iso = Number.isFinite(this.lastMinuteMs) && this.lastMinuteMs % 60_000 === 0 ? new Date(this.lastMinuteMs).toISOString() : '';
      this.lastMinuteIso = iso.length === 24 ? iso.slice(0, 17) : null;
    }
    const sec = Number(g.s);
    const frac = fractionToMs(g.f);
    if (this.lastMinuteIso !== null && sec < 60) {
      return `${this.lastMinuteIso}${String(sec).padStart(2, '0')}.${String(frac).padStart(3, '0')}Z`;
    }
    const ms = this.lastMinuteMs + sec * 1000 + frac;
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
}
