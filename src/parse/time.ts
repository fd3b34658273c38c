/** Turning logcat's local wall-clock stamps into UTC ISO strings. */

export interface TimeContext {
  /** Year for stamps without one. */
  year: number;
  /** IANA zone of local stamps; undefined means the machine's zone. */
  tz?: string;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset in minutes of `tz` at the given UTC instant. */
function zoneOffsetMinutes(tz: string, utcMs: number): number {
  let f = offsetFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormatters.set(tz, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/** Checks that a zone name is known to this Node build. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Converts broken-down local time to epoch milliseconds.
 * `offset` ("+0800") wins over `tz`; without either the machine's zone applies.
 */
export function localToEpochMs(
  y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number,
  tz: string | undefined, offset?: string,
): number {
  if (offset) {
    const sign = offset[0] === '-' ? -1 : 1;
    const mins = Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5));
    return Date.UTC(y, mo - 1, d, h, mi, s, ms) - sign * mins * 60000;
  }
  if (!tz) return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
  const guess = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const off1 = zoneOffsetMinutes(tz, guess - 0);
  const t1 = guess - off1 * 60000;
  const off2 = zoneOffsetMinutes(tz, t1);
  return off1 === off2 ? t1 : guess - off2 * 60000;
}

/** Fraction digits ("123", "123456", "123456789") to milliseconds. */
export function fractionToMs(frac: string | undefined): number {
  if (!frac) return 0;
  return Number((frac + '000').slice(0, 3));
}

/**
 * Tracks the year of a capture whose stamps have none: a month that jumps back by more than half
 * a year (December -> January) starts the next year. With `notAfter` (the file's mtime plus a day)
 * the year given is that of the end of the capture: the first stamp is counted back until it falls
 * before `notAfter` (a device that starts at a pre-RTC `11-24` and is set to `03-28`), and no
 * rollover dates a record after it.
 */
export class YearTracker {
  private lastMonth = 0;
  /** The day and year the last call gave (records come in order: most stamps share their day with the one before). */
  private lastDay = 0;
  private lastYear = 0;
  constructor(
    private year: number,
    private readonly notAfter?: number,
  ) {}
  /** The year of a stamp of this month and day, given the stamps before it. */
  yearFor(month: number, day = 1): number {
    // The same month and day as the call before: nothing below can change (two Date.UTC a record, profiled).
    if (this.lastMonth && month === this.lastMonth && day === this.lastDay) return this.lastYear;
    const na = this.notAfter;
    if (!this.lastMonth) {
      if (na !== undefined) while (Date.UTC(this.year, month - 1, day) > na) this.year -= 1;
    } else if (month < this.lastMonth - 6 && (na === undefined || Date.UTC(this.year + 1, month - 1, day) <= na)) {
      this.year += 1;
    }
    this.lastMonth = month;
    this.lastDay = day;
    // A stamp after the end of the capture (a clock set forward) is of the year before, never of the future.
    this.lastYear = na !== undefined && Date.UTC(this.year, month - 1, day) > na ? this.year - 1 : this.year;
    return this.lastYear;
  }
}

const DAY_MS = 86_400_000;

/**
 * The year options of a source. `--year Y` names the year of the capture's last stamp when that stamp's
 * month and day are known (`last`, read from a file's tail): the first stamp is counted back from it, as
 * from an mtime. Without `last` (a stream, a compressed input) `--year` is the year of the first stamp.
 * Without `--year`: the year of the file's mtime (or now, for a stream), no stamp dated after it plus a day.
 */
export function yearAnchor(
  year: number | undefined,
  mtime: Date | null,
  now: Date = new Date(),
  last: { month: number; day: number } | null = null,
): { year: number; notAfter?: number } {
  if (year !== undefined) return last ? { year, notAfter: Date.UTC(year, last.month - 1, last.day) + DAY_MS } : { year };
  const anchor = mtime ?? now;
  return { year: anchor.getFullYear(), notAfter: anchor.getTime() + DAY_MS };
}

/**
 * The year options of lines just before an instant `ms` (an event's time), for a YearTracker: each stamp is of the
 * year that puts it at or before the instant's day and the next (December before a January event is of the year
 * before). Counted back from the year after the instant's UTC year: a local stamp may be a day ahead of UTC.
 */
export function yearsBefore(ms: number): { year: number; notAfter: number } {
  return { year: new Date(ms).getUTCFullYear() + 1, notAfter: ms + DAY_MS };
}

/**
 * Milliseconds since the epoch as a stored time (`YYYY-MM-DDThh:mm:ss.sssZ`), or none: past what a Date holds (a
 * JSON log's `"time": 1e300` was a RangeError and a stack trace, a damaged epoch stamp's 17 digits failed its whole
 * input), or a year of other than four digits, whose ISO form (`+275760-09-13…`) has no hour where every stored time
 * has it.
 */
export function isoTime(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  return ms < EARLIEST_MS || ms > LATEST_MS ? null : new Date(ms).toISOString();
}

/** The first and last instants a stored time (four-digit year) can say. */
export const EARLIEST_MS = Date.parse('0000-01-01T00:00:00Z');
export const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
