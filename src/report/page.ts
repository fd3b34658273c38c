/** Store -> the data of the HTML report. */
import { SUCCESS, type Registry } from '../registry/index.js';
import { codeAction, codeMessage, ui, type Lang } from '../registry/text.js';
import type { Store } from '../store/store.js';
import { renderHtml, type HtmlBreakdown, type TimeAxis } from './html.js';
import { breakdown, compare, latestEvents, latestExcerpt, sourcesInWindow, totals, type Dimension, type ReportFilter } from './query.js';
import { eventByRef } from './event.js';
import { EARLIEST_MS } from '../parse/time.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Windows up to this long are drawn by the hour. */
const HOURLY_UP_TO_MS = 3 * DAY_MS;
/** The most days the chart draws (ten years): a longer axis shows its last ones (htmlReport). */
const MAX_DAYS = 3660;

/** Every bucket from `start` to `end` (epoch ms, end exclusive): a real time axis, gaps included. */
export function timeAxis(start: number, end: number): TimeAxis {
  const kind = end - start <= HOURLY_UP_TO_MS ? 'hour' : 'day';
  const step = kind === 'hour' ? HOUR_MS : DAY_MS;
  const buckets: string[] = [];
  for (let t = Math.floor(start / step) * step; t < end; t += step) {
    const iso = new Date(t).toISOString();
    buckets.push(kind === 'hour' ? `${iso.slice(0, 13)}:00:00Z` : iso.slice(0, 10));
  }
  return { kind, buckets };
}

/** What the page shows besides the defaults: the `--by` breakdown, and `--compare`. */
export interface HtmlOptions {
  top?: number;
  by?: Dimension[];
  compare?: boolean;
  /** The registry whose text the page shows, in `lang` (default en). */
  registry?: Registry;
  lang?: Lang;
}

/** Builds the HTML report of a window. */
export async function htmlReport(store: Store, f: ReportFilter, opts: HtmlOptions = {}): Promise<string> {
  const top = opts.top ?? 20;
  const lang = opts.lang ?? 'en';
  // The stored message is whatever language the registry had; the page shows the run's language.
  const inLang = <T extends { code?: number; message?: string | null; suggestion?: string | null }>(r: T): T => {
    if (!opts.registry || r.code === undefined) return r;
    const entry = opts.registry.codes.get(r.code);
    return { ...r, message: entry ? codeMessage(entry, lang, r.code) : null, suggestion: codeAction(entry, lang) };
  };
  const t = await totals(store, f);
  const start = f.since ?? (t.first ? Date.parse(t.first) : null);
  const end = f.until ?? (t.last ? Date.parse(t.last) + 1000 : f.since !== undefined ? Date.now() : null);
  const axis: TimeAxis = start !== null && end !== null && end > start ? timeAxis(start, end) : { kind: 'day' as const, buckets: [] };
  const series = (await breakdown(store, [axis.kind, 'category'], f))
    .filter((r) => r[axis.kind])
    .map((r) => ({ bucket: r[axis.kind]!, category: r.category!, count: r.count }));
  if (axis.buckets.length > MAX_DAYS) {
    // A window of centuries (`--since 700000d`), or a log's stamp of the year 0001 beside this year's, was a bar a
    // day: hundreds of thousands, and a stack overflow drawing them. Its days from the first event's, at most the
    // last MAX_DAYS; what comes before is said under the chart.
    const first = t.first ? t.first.slice(0, 10) : '';
    axis.buckets = axis.buckets.filter((b) => b >= first).slice(-MAX_DAYS);
    axis.earlier = series.reduce((n, s) => n + (s.bucket < axis.buckets[0]! ? s.count : 0), 0);
  }
  // No window can hold an event without a time stamp: they only show when there is no window.
  const undated = f.since === undefined && f.until === undefined
    ? (await breakdown(store, ['day', 'category'], f)).filter((r) => !r.day).map((r) => ({ category: r.category!, count: r.count }))
    : [];
  const codes = (await breakdown(store, ['code'], f)).map(inLang);
  const failures = codes.filter((r) => r.category !== SUCCESS);
  // The latest event of each top code, with the lines before it (collapsed on the page).
  const latest = await latestEvents(store, ['code'], f, failures.slice(0, top));
  const topCodes = [];
  for (const r of failures.slice(0, top)) {
    const id = latest.get(String(r.code));
    topCodes.push({ ...r, latest: id === undefined ? null : await eventByRef(store, { id }) });
  }
  const unregistered = [];
  for (const r of codes.filter((c) => c.category === 'unregistered')) unregistered.push({ ...r, sample: await latestExcerpt(store, r.code!) });
  let extra: HtmlBreakdown | undefined;
  const by = opts.by ?? ['category'];
  if (opts.compare && f.since !== undefined) {
    const until = f.until ?? Date.now();
    const window = { ...f, since: f.since, until };
    const rows = await compare(store, by, window, opts.top);
    const byCode = by.length === 1 && by[0] === 'code' ? rows : await compare(store, ['code'], window);
    const len = until - f.since;
    extra = {
      by,
      rows,
      compare: {
        previous: { since: new Date(Math.max(f.since - len, EARLIEST_MS)).toISOString(), until: new Date(f.since).toISOString() },
        rows,
        newCodes: byCode.filter((r) => r.isNew).map(inLang),
        spiking: byCode.filter((r) => r.spike && !r.isNew).map(inLang),
      },
    };
  } else if (by.length !== 1 || by[0] !== 'category') {
    extra = { by, rows: await breakdown(store, by, f, opts.top) };
  }
  return renderHtml({
    title: ui(lang).html.title,
    lang,
    generatedAt: new Date().toISOString(),
    window: { since: f.since !== undefined ? new Date(f.since).toISOString() : null, until: f.until !== undefined ? new Date(f.until).toISOString() : null },
    totals: t,
    series,
    axis,
    undated,
    byCategory: await breakdown(store, ['category'], f),
    topCodes,
    failureCodes: failures.length,
    successCodes: codes.filter((r) => r.category === SUCCESS),
    unregistered,
    sources: await sourcesInWindow(store, f),
    breakdown: extra,
  });
}
