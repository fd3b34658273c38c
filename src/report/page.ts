/** Store -> the data of the HTML report. */
import type { Registry } from '../registry/index.js';
import { codeAction, codeMessage, ui, type Lang } from '../registry/text.js';
import type { Store } from '../store/store.js';
import { renderHtml } from './html.js';
import { breakdown, latestExcerpt, sourcesInWindow, totals, type ReportFilter } from './query.js';

/** Builds the HTML report of a window. */
export async function htmlReport(store: Store, f: ReportFilter, top = 20, opts: { registry?: Registry; lang?: Lang } = {}): Promise<string> {
  const lang = opts.lang ?? 'en';
  // The stored message is whatever language the registry had; the page shows the run's language.
  const inLang = <T extends { code?: number; message?: string | null; suggestion?: string | null }>(r: T): T => {
    if (!opts.registry || r.code === undefined) return r;
    const entry = opts.registry.codes.get(r.code);
    return { ...r, message: entry ? codeMessage(entry, lang, r.code) : null, suggestion: codeAction(entry, lang) };
  };
  const t = await totals(store, f);
  const spanMs = (f.until ?? (t.last ? Date.parse(t.last) : Date.now())) - (f.since ?? (t.first ? Date.parse(t.first) : Date.now()));
  const bucketKind = spanMs <= 3 * 86_400_000 ? 'hour' : 'day';
  const series = (await breakdown(store, [bucketKind, 'category'], f))
    .filter((r) => r[bucketKind])
    .map((r) => ({ bucket: r[bucketKind]!, category: r.category!, count: r.count }));
  const unregistered = [];
  for (const r of await breakdown(store, ['code'], { ...f, category: ['unregistered'] })) unregistered.push({ ...r, sample: await latestExcerpt(store, r.code!) });
  return renderHtml({
    title: ui(lang).html.title,
    lang,
    generatedAt: new Date().toISOString(),
    window: { since: f.since !== undefined ? new Date(f.since).toISOString() : null, until: f.until !== undefined ? new Date(f.until).toISOString() : null },
    totals: t,
    series,
    bucketKind,
    byCategory: await breakdown(store, ['category'], f),
    topCodes: (await breakdown(store, ['code'], f, top)).map(inLang),
    unregistered,
    sources: await sourcesInWindow(store, f),
  });
}
