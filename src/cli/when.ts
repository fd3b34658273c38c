/** `--since` / `--until` values: relative (`30m`, `24h`, `7d`, `2w`) or absolute (ISO 8601 or `YYYY-MM-DD`). */
import { UserError } from '../errors.js';
import { EARLIEST_MS } from '../parse/time.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a time argument to epoch milliseconds, relative to `now`. */
export function parseWhen(value: string, flag: string, now = Date.now()): number {
  const v = value.trim();
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(v);
  if (rel) {
    const t = now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
    // before any time a store can hold (and past what a Date holds: a stack trace for `--since 999999999d`)
    if (!(t >= EARLIEST_MS)) throw new UserError('usage', `${flag} ${JSON.stringify(value)}: reaches back before the year 0000, which no stored time does; leave ${flag} out to take every event`);
    return t;
  }
  if (v === 'now') return now;
  if (/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$/.test(v)) {
    // A date or a time without a zone is UTC, like every stored time.
    const t = Date.parse(/Z|[+-]\d\d:?\d\d$/.test(v) || v.length === 10 ? v : `${v.replace(' ', 'T')}Z`);
    if (!Number.isNaN(t) && realDate(v)) return t;
  }
  throw new UserError('usage', `${flag} ${JSON.stringify(value)}: expected a duration like 24h or 7d, or a time like 2026-03-17 or 2026-03-17T16:00:00Z`);
}

/** True when the day is in its month and the time of day in range (Date.parse takes 2026-02-30 for March 2). */
function realDate(v: string): boolean {
  const [y, mo, d] = [Number(v.slice(0, 4)), Number(v.slice(5, 7)), Number(v.slice(8, 10))];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return false;
  const time = /^.{10}[T ](\d\d):(\d\d)(?::(\d\d))?/.exec(v);
  return !time || (Number(time[1]) <= 23 && Number(time[2]) <= 59 && Number(time[3] ?? 0) <= 59);
}

/**
 * Refuses a window that holds no time: --since at or after --until (until is exclusive). Taken silently, an ingest
 * showed and a report found nothing, and the report's hint offered another --since (the user-mistakes hunt).
 */
export function checkWindow(since: number | undefined, until: number | undefined, sinceText?: string, untilText?: string): void {
  if (since === undefined || until === undefined || since < until) return;
  throw new UserError('usage', `--since ${JSON.stringify(sinceText)} is not before --until ${JSON.stringify(untilText)}: no time is in between; swap them, or leave one out`);
}
