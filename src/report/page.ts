/** Store -> the data of the HTML report. */
import type { Store } from '../store/sqlite.js';
import { renderHtml } from './html.js';
import { breakdown, latestExcerpt, sourcesInWindow, totals, type ReportFilter } from './query.js';

/** Builds the HTML report of a window. */
export function htmlReport(store: Store, f: ReportFilter, top = 20): string {
  const t = totals(store, f);
  const spanMs = (f.until ?? (t.last ? Date.parse(t.last) : Date.now())) - (f.since ?? (t.first ? Date.parse(t.first) : Date.now()));
  const bucketKind = spanMs <= 3 * 86_400_000 ? 'hour' : 'day';
  const series = breakdown(store, [bucketKind, 'category'], f)
    .filter((r) => r[bucketKind])
    .map((r) => ({ bucket: r[bucketKind]!, category: r.category!, count: r.count }));
  const unregistered = breakdown(store, ['code'], { ...f, category: ['unregistered'] }).map((r) => ({ ...r, sample: latestExcerpt(store, r.code!) }));
  return renderHtml({
    title: 'Authing triage report',
    generatedAt: new Date().toISOString(),
    window: { since: f.since !== undefined ? new Date(f.since).toISOString() : null, until: f.until !== undefined ? new Date(f.until).toISOString() : null },
    totals: t,
    series,
    bucketKind,
    byCategory: breakdown(store, ['category'], f),
    topCodes: breakdown(store, ['code'], f, top),
    unregistered,
    sources: sourcesInWindow(store, f),
  });
}
