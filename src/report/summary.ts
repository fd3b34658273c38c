/** The summary printed when an ingest run ends: what was read, and what was found. */
import type { Registry } from '../registry/index.js';
import { categoryOf, SUCCESS, UNREGISTERED } from '../registry/index.js';
import type { SourceResult } from '../pipeline/ingest.js';
import type { AuthingEvent } from '../types.js';
import { renderTable } from './render.js';
import { categoryLabel, codeMessage, ui, type Lang } from '../registry/text.js';

/** Counts of the events one run stored. */
export class RunTally {
  readonly byCategory = new Map<string, number>();
  readonly byCode = new Map<number, number>();
  total = 0;

  add(e: AuthingEvent): void {
    this.total++;
    this.byCategory.set(e.category, (this.byCategory.get(e.category) ?? 0) + 1);
    this.byCode.set(e.code, (this.byCode.get(e.code) ?? 0) + 1);
  }
}

/** The run summary as data (for --json and for the text below). */
export interface RunSummary {
  /** `notLog`: inputs skipped because they are not logs at all (an image, a PDF). */
  files: { read: number; resumed: number; skipped: number; failed: number; taken: number; notLog: number };
  bytes: number;
  lines: number;
  unparsed: number;
  overlong: number;
  events: number;
  byCategory: { category: string; count: number }[];
  /**
   * The largest failure codes (success codes are not failures), then every unregistered code not
   * among them: the README promises unregistered codes are always listed. `message` in the run's
   * language; `messageEn` and `messageZh` for scripts.
   */
  topCodes: { code: number; category: string; message: string; messageEn: string | null; messageZh: string | null; count: number }[];
  /** Distinct failure codes of the run, of which topCodes shows the largest TOP_CODES. */
  failureCodes: number;
  elapsedMs: number;
  mbPerSec: number;
  sources: SourceResult[];
}

/** How many codes the end-of-run table ranks. */
export const TOP_CODES = 10;


function topFailureCodes(tally: RunTally, reg: Registry, lang: Lang): Pick<RunSummary, 'topCodes' | 'failureCodes'> {
  const failures = [...tally.byCode]
    .map(([code, count]) => {
      const entry = reg.codes.get(code);
      const message = entry ? codeMessage(entry, lang, code) : ui(lang).html.notInRegistry;
      return { code, category: categoryOf(reg, code), message, messageEn: entry ? codeMessage(entry, 'en', code) : null, messageZh: entry ? codeMessage(entry, 'zh', code) : null, count };
    })
    .filter((c) => c.category !== SUCCESS)
    .sort((a, b) => b.count - a.count || a.code - b.code);
  const top = failures.slice(0, TOP_CODES);
  const unregistered = failures.slice(TOP_CODES).filter((c) => c.category === UNREGISTERED);
  return { topCodes: [...top, ...unregistered], failureCodes: failures.length };
}


/** Builds the run summary from the per-source results and the tally. */
export function summarize(results: readonly SourceResult[], tally: RunTally, reg: Registry, elapsedMs: number, lang: Lang = 'en'): RunSummary {
  const files = { read: 0, resumed: 0, skipped: 0, failed: 0, taken: 0, notLog: 0 };
  for (const r of results) {
    if (r.status === 'read' || r.status === 'interrupted') files.read++;
    else if (r.status === 'not-a-log') files.notLog++;
    else files[r.status]++;
  }
  const bytes = results.reduce((a, r) => a + r.bytes, 0);
  return {
    files,
    bytes,
    lines: results.reduce((a, r) => a + r.lines, 0),
    unparsed: results.reduce((a, r) => a + r.unparsed, 0),
    overlong: results.reduce((a, r) => a + r.overlong, 0),
    events: tally.total,
    // Category names are [a-z][a-z0-9-]* (registry/index.ts), where code-unit order is the collator's
    // order; localeCompare would start ICU's collator, ~9 ms of every run's start-up (measured).
    byCategory: [...tally.byCategory].map(([category, count]) => ({ category, count })).sort((a, b) => b.count - a.count || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0)),
    ...topFailureCodes(tally, reg, lang),
    elapsedMs,
    mbPerSec: elapsedMs > 0 ? Math.round((bytes / 1e6 / (elapsedMs / 1000)) * 10) / 10 : 0,
    sources: [...results],
  };
}

/** The human-readable summary for stderr. */
export function formatSummary(s: RunSummary, opts: { color?: boolean; width?: number; lang?: Lang } = {}): string {
  const out: string[] = [];
  const lang = opts.lang ?? 'en';
  const col = ui(lang).columns;
  const named = <T extends { category: string }>(rows: T[]) => rows.map((r) => ({ ...r, category: categoryLabel(r.category, lang) }));
  if (s.byCategory.length) {
    out.push(renderTable(named(s.byCategory), [{ key: 'category', title: col.category }, { key: 'count', title: col.count, align: 'right' }], { color: opts.color }));
    const shown = Math.min(TOP_CODES, s.failureCodes);
    if (s.topCodes.length) out.push(
      ui(lang).summary.topCodes(TOP_CODES, s.failureCodes, s.topCodes.length - shown) + '\n' +
      renderTable(named(s.topCodes), [
        { key: 'code', title: col.code, align: 'right' },
        { key: 'category', title: col.category },
        { key: 'count', title: col.count, align: 'right' },
        { key: 'message', title: col.message, shrink: true },
      ], { color: opts.color, maxWidth: opts.width }),
    );
  }
  const t = ui(lang).summary;
  const f = s.files;
  out.push(
    t.line(s.events, s.lines, (s.bytes / 1e6).toFixed(1), t.files(s.files), (s.elapsedMs / 1000).toFixed(2), f.read + f.resumed + f.skipped + f.taken + f.failed) +
      (s.unparsed ? t.unparsed(s.unparsed) : '') +
      (s.overlong ? t.overlong(s.overlong) : '') +
      (f.notLog ? t.notLog(f.notLog) : '') +
      '\n' +
      s.sources.map(sourceLine).filter(Boolean).join(''),
  );
  return out.join('\n');
}

/** One line for a source read in a way worth knowing (several layouts, UTF-16 or several encodings, CR line endings, unparsed lines), else ''. */
function sourceLine(r: SourceResult): string {
  const parts = [
    (r.formats?.length ?? 0) > 1 && `layouts ${r.formats!.join(' -> ')}`,
    r.encodings ? `encodings ${r.encodings.map((e) => e.toUpperCase()).join(' -> ')}` : r.encoding && r.encoding !== 'utf-8' && r.encoding !== 'binary' && r.encoding.toUpperCase(),
    r.lineEnding && r.lineEnding !== 'lf' && r.lineEnding !== 'none' && `${r.lineEnding.toUpperCase().replace(/-/g, ' ')} line endings`,
    r.unparsed > 0 && `${r.unparsed} unparsed`,
  ].filter(Boolean);
  return parts.length ? `  ${r.name}: ${parts.join('; ')}\n` : '';
}
