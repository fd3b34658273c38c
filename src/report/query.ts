/**
 * Store -> report rows. Reads the hourly counts (whole hours) and the events table (only for
 * the partial hours at the edges of a window), joined to the registry table for categories.
 */
import { UserError } from '../errors.js';
import { badLabelKey } from '../labels/labels.js';
import { SUCCESS } from '../registry/index.js';
import type { Store } from '../store/store.js';
import { EARLIEST_MS } from '../parse/time.js';

/** A dimension of the stored rows a report can break down by. */
export type BaseDimension = 'category' | 'code' | 'tag' | 'source' | 'day' | 'hour' | 'outcome' | 'cause';
/** A dimension: a base one, or a source label (`label:device`). */
export type Dimension = BaseDimension | `label:${string}`;
export const DIMENSIONS: readonly BaseDimension[] = ['category', 'code', 'tag', 'source', 'day', 'hour', 'outcome', 'cause'];

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
  /** Sources labelled so (`--where label:android=14`): every entry must hold (AND), any of its values (OR). */
  labels?: { key: string; values: string[] }[];
}

/** One row of a breakdown. */
export interface ReportRow {
  /** A label dimension's value (`label:device`), null for sources without that label. */
  [label: `label:${string}`]: string | null | undefined;
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
/** A window's end as a time to compare stored ISO times with: none (or the largest date) is '9999', after every ISO time (the ISO form of 8.64e15 is '+275760-…', before them all). */
const isoUntil = (until: number | undefined): string => (until === undefined || until >= 8.64e15 ? '9999' : iso(until));

/** The events inside the window counted by (hour, code, tag, source_id, outcome, cause): for the dimensions the hourly counts lack. */
function windowedEvents(f: ReportFilter): { sql: string; params: unknown[] } {
  const cols = 'hour, code, tag, source_id, outcome, cause';
  if (f.since === undefined && f.until === undefined) return { sql: `SELECT ${cols}, COUNT(*) AS count FROM events GROUP BY ${cols}`, params: [] };
  return { sql: `SELECT ${cols}, COUNT(*) AS count FROM events WHERE time >= ? AND time < ? GROUP BY ${cols}`, params: [iso(f.since ?? 0), isoUntil(f.until)] };
}

/** The rows (hour, code, tag, source_id, outcome, count) inside the window, as SQL with parameters. */
function windowed(f: ReportFilter, by: readonly Dimension[] = []): { sql: string; params: unknown[] } {
  if (by.some((d) => EVENT_DIMENSIONS.has(d))) return windowedEvents(f);
  if (f.since === undefined && f.until === undefined) return { sql: 'SELECT hour, code, tag, source_id, outcome, count FROM counts_hourly', params: [] };
  const S = f.since ?? 0;
  const U = f.until ?? 8.64e15;
  const ev = (from: number, to: number) => ({
    sql: 'SELECT hour, code, tag, source_id, outcome, COUNT(*) AS count FROM events WHERE time >= ? AND time < ? GROUP BY hour, code, tag, source_id, outcome',
    params: [iso(from), isoUntil(to)],
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

const DIM_SQL: Record<BaseDimension, string> = {
  category: "COALESCE(c.category, 'unregistered')",
  code: 'x.code',
  tag: 'x.tag',
  source: 's.name',
  day: "NULLIF(substr(x.hour, 1, 10), '')",
  hour: "CASE WHEN x.hour = '' THEN NULL ELSE x.hour || ':00:00Z' END",
  outcome: 'x.outcome',
  cause: 'x.cause',
};

/** Dimensions that take a name after a prefix: `label:KEY`, the source's label of that key, joined once per dimension. */
const PREFIXED: Record<string, { check: (name: string) => string | null; join: (alias: string) => string; column: (alias: string) => string }> = {
  label: {
    check: badLabelKey,
    join: (a) => `LEFT JOIN source_labels ${a} ON ${a}.source_id = x.source_id AND ${a}.key = ?`,
    column: (a) => `${a}.value`,
  },
};

/** The names `--by` takes, for messages. */
export const DIMENSION_NAMES = [...DIMENSIONS, ...Object.keys(PREFIXED).map((p) => `${p}:KEY`)];

/** Parses one `--by` name: a base dimension or `prefix:name` (label:device); a usage error otherwise. */
export function parseDimension(text: string): Dimension {
  if ((DIMENSIONS as readonly string[]).includes(text)) return text as Dimension;
  const colon = text.indexOf(':');
  const spec = colon > 0 ? PREFIXED[text.slice(0, colon)] : undefined;
  if (!spec) throw new UserError('usage', `--by ${text}: expected one or two of ${DIMENSION_NAMES.join(', ')}`);
  const why = spec.check(text.slice(colon + 1));
  if (why) throw new UserError('usage', `--by ${text}: ${JSON.stringify(text.slice(colon + 1))} is not a label key; ${why}`);
  return text as Dimension;
}

/** The SQL of each dimension: its expression, and the joins (with their parameters) it needs. */
function dimensionsSql(by: readonly Dimension[]): { exprs: string[]; joins: string; params: unknown[] } {
  const joins: string[] = [];
  const params: unknown[] = [];
  const exprs = by.map((d, i) => {
    if (Object.hasOwn(DIM_SQL, d)) return DIM_SQL[d as BaseDimension];
    const colon = d.indexOf(':');
    const spec = PREFIXED[d.slice(0, colon)]!;
    const alias = `d${i}`;
    joins.push(spec.join(alias));
    params.push(d.slice(colon + 1));
    return spec.column(alias);
  });
  return { exprs, joins: joins.join(' '), params };
}

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
  for (const l of f.labels ?? []) {
    conds.push(`EXISTS (SELECT 1 FROM source_labels wl WHERE wl.source_id = x.source_id AND wl.key = ? AND wl.value IN (${l.values.map(() => '?').join(', ')}))`);
    params.push(l.key, ...l.values);
  }
  return { sql: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** Counts broken down by one or two dimensions, largest first. */
export async function breakdown(store: Store, by: readonly Dimension[], f: ReportFilter = {}, top?: number): Promise<ReportRow[]> {
  const w = windowed(f, by);
  const where = whereClause(f);
  const dims = dimensionsSql(by);
  // Names are checked (parseDimension): a label key is [a-z][a-z0-9_]*, safe inside the quotes.
  const cols = by.map((d, i) => `${dims.exprs[i]} AS "${d}"`);
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
    FROM (${w.sql}) x LEFT JOIN codes c ON c.code = x.code JOIN sources s ON s.id = x.source_id ${dims.joins}
    ${where.sql}
    GROUP BY ${groupAll} ORDER BY ${order}${top ? ' LIMIT ?' : ''}`;
  const params = [...w.params, ...dims.params, ...where.params, ...(top ? [top] : [])];
  return store.all<ReportRow>(sql, params);
}

/** The conditions an event `x` meets to be in a report: its filters, then its window (when it has one). */
function eventConditions(f: ReportFilter): { conds: string[]; params: unknown[] } {
  const where = whereClause(f);
  const conds = where.sql ? [where.sql.slice('WHERE '.length)] : [];
  const params = [...where.params];
  if (f.since !== undefined || f.until !== undefined) {
    conds.push('x.time >= ? AND x.time < ?');
    params.push(iso(f.since ?? 0), isoUntil(f.until));
  }
  return { conds, params };
}

/** Rows up to which `latestEvents` looks each row up in its last hour; past it, one scan of the events is cheaper. */
const PER_ROW_MAX = 1000;

/**
 * The id of the latest event of each row of a breakdown (`authing-triage show ID`), keyed like
 * the rows: the dimensions' values joined by NUL. Rows whose events were pruned have none. Given the
 * rows shown (at most PER_ROW_MAX), each is looked up in its last hour only (the hourly counts give
 * it; the events' time index reads that hour): a scan of every event took 8-10 s on a store of 10
 * million, the report itself 25 ms.
 */
export async function latestEvents(store: Store, by: readonly Dimension[], f: ReportFilter = {}, rows?: readonly Partial<Record<Dimension, unknown>>[]): Promise<Map<string, number>> {
  if (rows && rows.length <= PER_ROW_MAX) return latestPerRow(store, by, f, rows);
  const ev = eventConditions(f);
  const dims = dimensionsSql(by);
  const cols = by.map((d, i) => `${dims.exprs[i]} AS "${d}"`);
  const found = await store.all<Record<string, unknown>>(
    `SELECT ${cols.join(', ')}, MAX(x.id) AS latest
     FROM events x LEFT JOIN codes c ON c.code = x.code JOIN sources s ON s.id = x.source_id ${dims.joins}
     ${ev.conds.length ? `WHERE ${ev.conds.join(' AND ')}` : ''}
     GROUP BY ${by.map((_, i) => String(i + 1)).join(', ')}`,
    [...dims.params, ...ev.params],
  );
  return new Map(found.map((r) => [rowKey(by, r), Number(r.latest)]));
}

/** latestEvents for a few rows: each row's last hour from the window's counts, then that hour's events. */
async function latestPerRow(store: Store, by: readonly Dimension[], f: ReportFilter, rows: readonly Partial<Record<Dimension, unknown>>[]): Promise<Map<string, number>> {
  const w = windowed(f, by);
  const where = whereClause(f);
  const dims = dimensionsSql(by);
  const cols = by.map((d, i) => `${dims.exprs[i]} AS "${d}"`);
  const last = await store.all<Record<string, unknown>>(
    `SELECT ${cols.join(', ')}, MAX(x.hour) AS last_hour
     FROM (${w.sql}) x LEFT JOIN codes c ON c.code = x.code JOIN sources s ON s.id = x.source_id ${dims.joins}
     ${where.sql}
     GROUP BY ${by.map((_, i) => String(i + 1)).join(', ')}`,
    [...w.params, ...dims.params, ...where.params],
  );
  const lastHour = new Map(last.map((r) => [rowKey(by, r), String(r.last_hour ?? '')]));
  const ev = eventConditions(f);
  const out = new Map<string, number>();
  for (const r of rows) {
    const key = rowKey(by, r);
    const hour = lastHour.get(key);
    if (hour === undefined) continue;
    // An hour key 'YYYY-MM-DDTHH' holds the times from 'YYYY-MM-DDTHH:' up to 'YYYY-MM-DDTHH;' (';' follows ':').
    // MATERIALIZED: the hour's events first, through the time index; given the code too, the planner
    // chose the code's index and read every event of the code (0.6 s a row on 10 million).
    const inHour = hour === '' ? 'time IS NULL' : 'time >= ? AND time < ?';
    const hourParams = hour === '' ? [] : [hour, `${hour};`];
    const conds = [...ev.conds, ...dims.exprs.map((e) => `${e} IS NOT DISTINCT FROM ?`)];
    const [row] = await store.all<{ latest: number | null }>(
      `WITH h AS MATERIALIZED (SELECT * FROM events WHERE ${inHour})
       SELECT MAX(x.id) AS latest
       FROM h x LEFT JOIN codes c ON c.code = x.code JOIN sources s ON s.id = x.source_id ${dims.joins}
       ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''}`,
      [...hourParams, ...dims.params, ...ev.params, ...by.map((d) => r[d] ?? null)],
    );
    if (row?.latest !== null && row?.latest !== undefined) out.set(key, Number(row.latest));
  }
  return out;
}

/** A row's key by its dimensions' values. */
export function rowKey(by: readonly Dimension[], r: Partial<Record<Dimension, unknown>>): string {
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

/** A spike from `before` to `after` events: at least double and SPIKE_MIN_INCREASE more; more successes is no alarm. */
function isSpike(category: string | undefined, before: number, after: number): boolean {
  return category !== SUCCESS && after >= 2 * before && after - before >= SPIKE_MIN_INCREASE;
}

/** Compares the window [since, until) with the same length just before it. */
export async function compare(store: Store, by: readonly Dimension[], f: ReportFilter & { since: number; until: number }, top?: number): Promise<CompareRow[]> {
  const len = f.until - f.since;
  const now = await breakdown(store, by, f, top);
  const before = await breakdown(store, by, { ...f, since: Math.max(f.since - len, EARLIEST_MS), until: f.since });
  const prev = new Map(before.map((r) => [rowKey(by, r), r.count]));
  return now.map((r) => {
    const p = prev.get(rowKey(by, r)) ?? 0;
    return {
      ...r,
      previous: p,
      change: r.count - p,
      changePct: p ? Math.round(((r.count - p) / p) * 1000) / 10 : null,
      isNew: p === 0,
      spike: isSpike(r.category, p, r.count),
    };
  });
}

/** The latest redacted excerpt of a code, for showing what an unregistered code looked like. */
export async function latestExcerpt(store: Store, code: number): Promise<string | null> {
  const [r] = await store.all<{ excerpt: string }>('SELECT excerpt FROM events WHERE code = ? ORDER BY id DESC LIMIT 1', [code]);
  return r?.excerpt ?? null;
}

/**
 * Sources with events in the window: name, events, lines read, last read; one row a source. Counted by source, not by
 * name: several sources share one (every stdin is `-`, two users' captures redacted alike), and a count by name gave
 * each of them the events of all.
 */
export async function sourcesInWindow(store: Store, f: ReportFilter): Promise<{ name: string; events: number; lines: number; last_seen: string }[]> {
  const w = windowed(f, ['source']);
  const where = whereClause(f);
  const rows = await store.all<{ name: string; events: number | string; lines: number; last_seen: string }>(
    `SELECT s.name AS name, SUM(x.count) AS events, s.lines_done AS lines, s.last_seen AS last_seen
     FROM (${w.sql}) x LEFT JOIN codes c ON c.code = x.code JOIN sources s ON s.id = x.source_id
     ${where.sql}
     GROUP BY s.id, s.name, s.lines_done, s.last_seen ORDER BY s.last_seen DESC, s.name, s.id`,
    [...w.params, ...where.params],
  );
  return rows.map((r) => ({ ...r, events: Number(r.events) }));
}

/** A row of `--compare label:KEY=A,B`: the counts of sources labelled A and of those labelled B. */
export type LabelCompareRow = Omit<ReportRow, 'count' | 'canceled'> & {
  /** Events of the sources labelled A. */
  countA: number;
  /** Events of the sources labelled B. */
  countB: number;
  /** B over A, two decimals; null when A had none. */
  ratio: number | null;
  /** new: only under B; gone: only under A; spike: at least double and SPIKE_MIN_INCREASE more under B. */
  note: 'new' | 'gone' | 'spike' | '';
};

/**
 * Compares two values of one label (app 1.4.2 against 1.4.3): each row's count among the sources
 * labelled `values[0]` and among those labelled `values[1]`; the codes that appear, spike or vanish.
 */
export async function compareLabel(store: Store, by: readonly Dimension[], f: ReportFilter, key: string, values: readonly [string, string], top?: number): Promise<LabelCompareRow[]> {
  const side = (v: string) => breakdown(store, by, { ...f, labels: [...(f.labels ?? []), { key, values: [v] }] });
  const a = await side(values[0]);
  const b = await side(values[1]);
  const onA = new Map(a.map((r) => [rowKey(by, r), r]));
  const row = ({ count: _c, canceled: _x, ...r }: ReportRow, countA: number, countB: number): LabelCompareRow => ({
    ...r, countA, countB,
    ratio: countA ? Math.round((countB / countA) * 100) / 100 : null,
    note: countA === 0 ? 'new' : countB === 0 ? 'gone' : isSpike(r.category, countA, countB) ? 'spike' : '',
  });
  const rows = b.map((r) => {
    const k = rowKey(by, r);
    const countA = onA.get(k)?.count ?? 0;
    onA.delete(k);
    return row(r, countA, r.count);
  });
  // What A had and B has not: vanished.
  for (const r of onA.values()) rows.push(row(r, r.count, 0));
  const order = (x: LabelCompareRow) => rowKey(by, x);
  rows.sort((x, y) => y.countB - x.countB || y.countA - x.countA || (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0));
  return top ? rows.slice(0, top) : rows;
}
