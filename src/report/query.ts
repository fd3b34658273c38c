/**
 * Store -> report rows. Reads the hourly counts (whole hours) and the events table (only for
 * the partial hours at the edges of a window), joined to the registry table for categories.
 */
import { SUCCESS } from '../registry/index.js';
import type { Store } from '../store/store.js';

/** A dimension a report can break down by. */
export type Dimension = 'category' | 'code' | 'tag' | 'source' | 'day' | 'hour' | 'outcome' | 'cause';
export const DIMENSIONS: readonly Dimension[] = ['category', 'code', 'tag', 'source', 'day', 'hour', 'outcome', 'cause'];

/** Filters of a report; every value is bound as a parameter. */
export interface ReportFilter {
  /** Epoch milliseconds, inclusive. */
  since?: number;
  /** Epoch milliseconds, exclusive. */
  until?: number;
  category?: string[];
  code?: number[];
  tag?: string[];
  source?: string[];
  /** failed, canceled, error, success (--outcome). */
  outcome?: string[];
}

/** One row of a breakdown. */
export interface ReportRow {
  category?: string;
  code?: number;
  message?: string | null;
  suggestion?: string | null;
  docs?: string | null;
  tag?: string;
  source?: string;
  day?: string;
  hour?: string;
  outcome?: string;
  /** dns, timeout, tls, ... (registry/causes.json), or null: none found. */
  cause?: string | null;
  count: number;
  /** By code: how many of `count` were canceled. */
  canceled?: number;
}

const HOUR_MS = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const hourKey = (ms: number): string => iso(ms).slice(0, 13);

/** The events inside the window counted by (hour, code, tag, source_id, outcome, cause): for the dimensions the hourly counts lack. */
function windowedEvents(f: ReportFilter): { sql: string; params: unknown[] } {
  const cols = 'hour, code, tag, source_id, outcome, cause';
  if (f.since === undefined && f.until === undefined) return { sql: `SELECT ${cols}, COUNT(*) AS count FROM events GROUP BY ${cols}`, params: [] };
  return { sql: `SELECT ${cols}, COUNT(*) AS count FROM events WHERE time >= ? AND time < ? GROUP BY ${cols}`, params: [iso(f.since ?? 0), iso(Math.min(f.until ?? 8.64e15, 8.64e15))] };
}

/** The rows (hour, code, tag, source_id, outcome, count) inside the window, as SQL with parameters. */
function windowed(f: ReportFilter, by: readonly Dimension[] = []): { sql: string; params: unknown[] } {
  if (by.some((d) => EVENT_DIMENSIONS.has(d))) return windowedEvents(f);
  if (f.since === undefined && f.until === undefined) return { sql: 'SELECT hour, code, tag, source_id, outcome, count FROM counts_hourly', params: [] };
  const S = f.since ?? 0;
  const U = f.until ?? 8.64e15;
  const ev = (from: number, to: number) => ({
    sql: 'SELECT hour, code, tag, source_id, outcome, COUNT(*) AS count FROM events WHERE time >= ? AND time < ? GROUP BY hour, code, tag, source_id, outcome',
    params: [iso(from), iso(Math.min(to, 8.64e15))],
  });
  const Sh = Math.ceil(S / HOUR_MS) * HOUR_MS;
  const Uh = Math.floor(U / HOUR_MS) * HOUR_MS;
  if (Sh >= Uh) return ev(S, U);
  const parts = [
    { sql: "SELECT hour, code, tag, source_id, outcome, count FROM counts_hourly WHERE hour <> '' AND hour >= ? AND hour < ?", params: [hourKey(Sh), Uh >= 8.64e15 ? '9999' : hourKey(Uh)] },
  ];
  if (S < Sh) parts.push(ev(S, Sh));
  if (Uh < U && U < 8.64e15) parts.push(ev(Uh, U));
  return { sql: parts.map((p) => p.sql).join(' UNION ALL '), params: parts.flatMap((p) => p.params) };
}

const DIM_SQL: Record<Dimension, string> = {
  category: "COALESCE(c.category, 'unregistered')",
  code: 'x.code',
  tag: 'x.tag',
  source: 's.name',
  day: "NULLIF(substr(x.hour, 1, 10), '')",
  hour: "CASE WHEN x.hour = '' THEN NULL ELSE x.hour || ':00:00Z' END",
  outcome: 'x.outcome',
  cause: 'x.cause',
};

/** Dimensions the hourly counts do not hold: read from the events (so pruned events are not in them). */
const EVENT_DIMENSIONS: ReadonlySet<Dimension> = new Set(['cause']);

function whereClause(f: ReportFilter): { sql: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  const inList = (expr: string, values: readonly unknown[] | undefined) => {
    if (!values?.length) return;
    conds.push(`${expr} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  inList(DIM_SQL.category, f.category);
  inList('x.code', f.code);
  inList('x.tag', f.tag);
  inList('s.name', f.source);
  inList('x.outcome', f.outcome);
  return { sql: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** Counts broken down by one or two dimensions, largest first. */
export async function breakdown(store: Store, by: readonly Dimension[], f: ReportFilter = {}, top?: number): Promise<ReportRow[]> {
  const w = windowed(f, by);
  const where = whereClause(f);
  const cols = by.map((d) => `${DIM_SQL[d]} AS "${d}"`);
  if (by.includes('code')) cols.push('c.message AS message', 'c.suggestion AS suggestion', 'c.docs AS docs');
  if (by.includes('code') && !by.includes('category')) cols.push(`${DIM_SQL.category} AS category`);
  // Positions, not names: "code" would be ambiguous between the alias and the joined tables.
  // Every column is grouped (message and the rest follow from the code), as PostgreSQL requires.
  const groupAll = cols.map((_, i) => String(i + 1)).join(', ');
  const timeDim = by.findIndex((d) => d === 'day' || d === 'hour');
  // NULLS FIRST: SQLite's order of events without a time, which PostgreSQL puts last otherwise.
  const nullsFirst = by.map((_, i) => `${i + 1} NULLS FIRST`).join(', ');
  const order = timeDim >= 0 ? `${timeDim + 1} NULLS FIRST, SUM(x.count) DESC, ${nullsFirst}` : `SUM(x.count) DESC, ${nullsFirst}`;
  // By code, canceled attempts are counted apart: a user who cancels a social login is not an outage.
  const canceled = by.includes('code') && !by.includes('outcome') ? ", SUM(CASE WHEN x.outcome = 'canceled' THEN x.count ELSE 0 END) AS canceled" : '';
  const sql = `SELECT ${cols.join(', ')}, SUM(x.count) AS count${canceled}
    FROM (${w.sql}) x LEFT JOIN codes c ON c.code = x.code JOIN sources s ON s.id = x.source_id
    ${where.sql}
    GROUP BY ${groupAll} ORDER BY ${order}${top ? ' LIMIT ?' : ''}`;
  const params = [...w.params, ...where.params, ...(top ? [top] : [])];
  return store.all<ReportRow>(sql, params);
}

/**
 * The id of the latest event of each row of a breakdown (`authing-triage show ID`), keyed like
 * the rows: the dimensions' values joined by NUL. Rows whose events were pruned have none.
 */
export async function latestEvents(store: Store, by: readonly Dimension[], f: ReportFilter = {}): Promise<Map<string, number>> {
  const where = whereClause(f);
  const conds = where.sql ? [where.sql.slice('WHERE '.length)] : [];
  const params: unknown[] = [];
  if (f.since !== undefined || f.until !== undefined) {
    conds.push('x.time >= ? AND x.time < ?');
    params.push(iso(f.since ?? 0), iso(Math.min(f.until ?? 8.64e15, 8.64e15)));
  }
  const cols = by.map((d) => `${DIM_SQL[d]} AS "${d}"`);
  const rows = await store.all<Record<string, unknown>>(
    `SELECT ${cols.join(', ')}, MAX(x.id) AS latest
     FROM events x LEFT JOIN codes c ON c.code = x.code JOIN sources s ON s.id = x.source_id
     ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''}
     GROUP BY ${by.map((_, i) => String(i + 1)).join(', ')}`,
    [...where.params, ...params],
  );
  return new Map(rows.map((r) => [rowKey(by, r), Number(r.latest)]));
}

/** A row's key by its dimensions' values. */
export function rowKey(by: readonly Dimension[], r: Record<string, unknown>): string {
  return by.map((d) => String(r[d])).join('\u0000');
}

/** Headline numbers of a window. */
export interface Totals {
  events: number;
  codes: number;
  unregistered: number;
  sources: number;
  first: string | null;
  last: string | null;
}

/** Totals of a window: events, distinct codes, unregistered events, sources, first and last hour. */
export async function totals(store: Store, f: ReportFilter = {}): Promise<Totals> {
  const w = windowed(f);
  const where = whereClause(f);
  const [row] = await store.all<Totals>(
      `SELECT COALESCE(SUM(x.count), 0) AS events, COUNT(DISTINCT x.code) AS codes,
         COALESCE(SUM(CASE WHEN c.code IS NULL THEN x.count ELSE 0 END), 0) AS unregistered,
         COUNT(DISTINCT x.source_id) AS sources,
         MIN(NULLIF(x.hour, '')) AS first, MAX(NULLIF(x.hour, '')) AS last
       FROM (${w.sql}) x LEFT JOIN codes c ON c.code = x.code JOIN sources s ON s.id = x.source_id ${where.sql}`,
      [...w.params, ...where.params],
    );
  return {
    ...row!,
    first: row!.first ? `${row!.first}:00:00Z` : null,
    last: row!.last ? `${row!.last}:59:59Z` : null,
  };
}

/** A row of --compare: this period against the previous one of the same length. */
export interface CompareRow extends ReportRow {
  previous: number;
  change: number;
  /** Percent change; null when the previous period had none. */
  changePct: number | null;
  isNew: boolean;
  spike: boolean;
}

/** A spike: at least double the previous period, and at least this many more events. */
export const SPIKE_MIN_INCREASE = 5;

/** Compares the window [since, until) with the same length just before it. */
export async function compare(store: Store, by: readonly Dimension[], f: ReportFilter & { since: number; until: number }, top?: number): Promise<CompareRow[]> {
  const len = f.until - f.since;
  const now = await breakdown(store, by, f, top);
  const before = await breakdown(store, by, { ...f, since: f.since - len, until: f.since });
  const key = (r: ReportRow) => by.map((d) => String(r[d])).join('\u0000');
  const prev = new Map(before.map((r) => [key(r), r.count]));
  return now.map((r) => {
    const p = prev.get(key(r)) ?? 0;
    return {
      ...r,
      previous: p,
      change: r.count - p,
      changePct: p ? Math.round(((r.count - p) / p) * 1000) / 10 : null,
      isNew: p === 0,
      // More successes is no alarm.
      spike: r.category !== SUCCESS && r.count >= 2 * p && r.count - p >= SPIKE_MIN_INCREASE,
    };
  });
}

/** The latest redacted excerpt of a code, for showing what an unregistered code looked like. */
export async function latestExcerpt(store: Store, code: number): Promise<string | null> {
  const [r] = await store.all<{ excerpt: string }>('SELECT excerpt FROM events WHERE code = ? ORDER BY id DESC LIMIT 1', [code]);
  return r?.excerpt ?? null;
}

/** Sources with events in the window: name, events, lines read, last read. */
export async function sourcesInWindow(store: Store, f: ReportFilter): Promise<{ name: string; events: number; lines: number; last_seen: string }[]> {
  const bySource = new Map((await breakdown(store, ['source'], f)).map((r) => [r.source, r.count]));
  const rows = await store.all<{ name: string; lines: number; last_seen: string }>('SELECT name, lines_done AS lines, last_seen FROM sources ORDER BY last_seen DESC, name');
  return rows.filter((r) => bySource.has(r.name)).map((r) => ({ ...r, events: bySource.get(r.name)! }));
}
