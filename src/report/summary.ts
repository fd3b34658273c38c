/** The summary printed when an ingest run ends: what was read, and what was found. */
import type { Registry } from '../registry/index.js';
import { categoryOf, UNREGISTERED } from '../registry/index.js';
import type { SourceResult } from '../pipeline/ingest.js';
import type { AuthingEvent } from '../types.js';
import { renderTable } from './render.js';

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
   * among them: the README promises unregistered codes are always listed.
   */
  topCodes: { code: number; category: string; message: string; count: number }[];
  /** Distinct failure codes of the run, of which topCodes shows the largest TOP_CODES. */
  failureCodes: number;
  elapsedMs: number;
  mbPerSec: number;
  sources: SourceResult[];
}

/** How many codes the end-of-run table ranks. */
export const TOP_CODES = 10;

/** A category whose codes are not failures: never ranked among them. */
export const SUCCESS = 'success';

function topFailureCodes(tally: RunTally, reg: Registry): Pick<RunSummary, 'topCodes' | 'failureCodes'> {
  const failures = [...tally.byCode]
    .map(([code, count]) => ({ code, category: categoryOf(reg, code), message: reg.codes.get(code)?.message ?? '(not in the registry)', count }))
    .filter((c) => c.category !== SUCCESS)
    .sort((a, b) => b.count - a.count || a.code - b.code);
  const top = failures.slice(0, TOP_CODES);
  const unregistered = failures.slice(TOP_CODES).filter((c) => c.category === UNREGISTERED);
  return { topCodes: [...top, ...unregistered], failureCodes: failures.length };
}

/** "1 event", "2 events". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Builds the run summary from the per-source results and the tally. */
export function summarize(results: readonly SourceResult[], tally: RunTally, reg: Registry, elapsedMs: number): RunSummary {
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
    byCategory: [...tally.byCategory].map(([category, count]) => ({ category, count })).sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
    ...topFailureCodes(tally, reg),
    elapsedMs,
    mbPerSec: elapsedMs > 0 ? Math.round((bytes / 1e6 / (elapsedMs / 1000)) * 10) / 10 : 0,
    sources: [...results],
  };
}

/** The human-readable summary for stderr. */
export function formatSummary(s: RunSummary, opts: { color?: boolean; width?: number } = {}): string {
  const out: string[] = [];
  if (s.byCategory.length) {
    out.push(renderTable(s.byCategory, [{ key: 'category', title: 'CATEGORY' }, { key: 'count', title: 'EVENTS', align: 'right' }], { color: opts.color }));
    const shown = Math.min(TOP_CODES, s.failureCodes);
    const extra = s.topCodes.length - shown;
    if (s.topCodes.length) out.push(
      (s.failureCodes > TOP_CODES ? `top ${TOP_CODES} of ${s.failureCodes} failure codes` : `${s.failureCodes === 1 ? 'the failure code' : `all ${s.failureCodes} failure codes`}`) +
      (extra ? `, and ${plural(extra, 'more unregistered code')} (always listed)` : '') + ':\n' +
      renderTable(s.topCodes, [
        { key: 'code', title: 'CODE', align: 'right' },
        { key: 'category', title: 'CATEGORY' },
        { key: 'count', title: 'EVENTS', align: 'right' },
        { key: 'message', title: 'MESSAGE', shrink: true },
      ], { color: opts.color, maxWidth: opts.width }),
    );
  }
  const f = s.files;
  const fileParts = [`${f.read} read`, f.resumed && `${f.resumed} resumed`, f.skipped && `${f.skipped} already counted`, f.taken && `${f.taken} left to another run`, f.failed && `${f.failed} failed`, f.notLog && `${f.notLog} skipped: not a log`].filter(Boolean);
  out.push(
    `${plural(s.events, 'event')} in ${plural(s.lines, 'line')} (${(s.bytes / 1e6).toFixed(1)} MB) from ${fileParts.join(', ')} ${f.read + f.resumed + f.skipped + f.taken + f.failed === 1 ? 'input' : 'inputs'} in ${(s.elapsedMs / 1000).toFixed(2)} s` +
      (s.unparsed ? `; ${plural(s.unparsed, 'unparsed line')} that could hold an event` : '') +
      (s.overlong ? `; ${s.overlong} over-long lines cut` : '') +
      '\n' +
      s.sources.map(sourceLine).filter(Boolean).join(''),
  );
  return out.join('\n');
}

/** One line for a source read in a way worth knowing (several layouts, UTF-16, CR line endings, unparsed lines), else ''. */
function sourceLine(r: SourceResult): string {
  const parts = [
    (r.formats?.length ?? 0) > 1 && `layouts ${r.formats!.join(' -> ')}`,
    r.encoding && r.encoding !== 'utf-8' && r.encoding !== 'binary' && r.encoding.toUpperCase(),
    r.lineEnding && r.lineEnding !== 'lf' && r.lineEnding !== 'none' && `${r.lineEnding.toUpperCase().replace(/-/g, ' ')} line endings`,
    r.unparsed > 0 && `${r.unparsed} unparsed`,
  ].filter(Boolean);
  return parts.length ? `  ${r.name}: ${parts.join('; ')}\n` : '';
}
