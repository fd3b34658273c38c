/**
 * The self-contained HTML report: inline CSS and SVG, no script, no network. Every piece of
 * text from logs or the registry goes through escapeHtml.
 */
import palette from './palette.json' with { type: 'json' };
import type { CompareRow, Dimension, ReportRow, Totals } from './query.js';
import { categoryLabel, ui, type Lang } from '../registry/text.js';
import type { StoredEvent } from './event.js';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g, '\uFFFD');
}

/** Only http(s) links are kept; anything else (javascript:, data:) becomes plain text. */
function safeHref(url: string | null | undefined): string | null {
  return url && /^https?:\/\/[^\s"'<>]+$/.test(url) ? url : null;
}

/** The chart's time axis: every bucket from the window's start to its end, empty ones included. */
export interface TimeAxis {
  kind: 'day' | 'hour';
  /** Bucket keys in order: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:00:00Z`. */
  buckets: string[];
  /** Dated events before the first bucket, when the axis was cut to its last MAX_DAYS (page.ts): said, not drawn. */
  earlier?: number;
}

/** A breakdown the user asked for with `--by` (and `--compare`). */
export interface HtmlBreakdown {
  by: Dimension[];
  rows: ReportRow[];
  /** With --compare: the rows against the previous period of the same length. */
  compare?: { previous: { since: string; until: string }; rows: CompareRow[]; newCodes: CompareRow[]; spiking: CompareRow[] };
}

/** Everything the page shows. */
export interface HtmlReportData {
  title: string;
  generatedAt: string;
  window: { since: string | null; until: string | null };
  totals: Totals;
  /** Rows of (bucket, category, count) for the chart; bucket is a key of `axis`. */
  series: { bucket: string; category: string; count: number }[];
  axis: TimeAxis;
  /** Events without a time stamp, by category: a bar of their own beside the time axis. */
  undated: { category: string; count: number }[];
  byCategory: ReportRow[];
  /** The largest failure codes (success codes are not failures), each with its latest event and that event's context. */
  topCodes: (ReportRow & { latest?: StoredEvent | null })[];
  /** How many failure codes there are in all, of which topCodes shows the largest. */
  failureCodes: number;
  /** Success codes, apart from the failures. */
  successCodes: ReportRow[];
  unregistered: (ReportRow & { sample?: string | null })[];
  sources: { name: string; events: number; lines: number; last_seen: string }[];
  breakdown?: HtmlBreakdown;
  /** The page's one language (default en); the codes carry their message in it. */
  lang?: Lang;
}

const PALETTE = palette as { light: Record<string, string>; dark: Record<string, string> };
const CATEGORIES = Object.keys(PALETTE.light);
/** A category's CSS class: by index, so that a category name from an override file never reaches CSS. */
const classOf = (c: string): string => {
  const i = CATEGORIES.indexOf(c);
  return i < 0 ? 'k-other' : `k${i}`;
};

/** The colour rules of every category, light and dark. */
function paletteCss(): string {
  const rules = (p: Record<string, string>) => CATEGORIES.map((c, i) => `.k${i}{--k:${p[c]}}`).join('');
  return `${rules(PALETTE.light)} .k-other{--k:#868e96}\n@media (prefers-color-scheme: dark) { ${rules(PALETTE.dark)} .k-other{--k:#adb5bd} }`;
}

/** The key of the bar of events without a time stamp (data, not display: the label follows the language). */
const NO_TIME = 'no time stamp';

/** The tick label of a bucket: the year only when the axis spans years, the hour for hourly axes. */
function tickLabel(bucket: string, kind: TimeAxis['kind'], spansYears: boolean): string {
  const date = spansYears ? bucket.slice(0, 10) : bucket.slice(5, 10);
  return kind === 'day' ? date : `${date} ${bucket.slice(11, 13)}h`;
}

/** A stacked bar chart of events per bucket and category on a time axis, as inline SVG. */
export function stackedChart(series: HtmlReportData['series'], axis: TimeAxis, undated: HtmlReportData['undated'], lang: Lang = 'en'): string {
  const t = ui(lang).html;
  if (!axis.buckets.length && !undated.length) return `<p class="muted">${escapeHtml(t.noEvents)}</p>`;
  const byBucket = new Map<string, Map<string, number>>();
  for (const s of series) {
    const m = byBucket.get(s.bucket) ?? new Map<string, number>();
    m.set(s.category, (m.get(s.category) ?? 0) + s.count);
    byBucket.set(s.bucket, m);
  }
  if (undated.length) byBucket.set(NO_TIME, new Map(undated.map((u) => [u.category, u.count])));
  const cats = [...new Set([...series.map((s) => s.category), ...undated.map((u) => u.category)])].sort((a, b) => CATEGORIES.indexOf(a) - CATEGORIES.indexOf(b) || a.localeCompare(b));
  const sum = (b: string) => [...(byBucket.get(b)?.values() ?? [])].reduce((a, n) => a + n, 0);
  const columns = [...axis.buckets, ...(undated.length ? [NO_TIME] : [])];
  const max = Math.max(1, ...columns.map(sum));
  const W = 720, H = 230, padL = 44, padR = 8, padB = 40, padT = 10;
  // The undated bar stands apart from the axis, after a gap.
  const gap = undated.length && axis.buckets.length ? 24 : 0;
  const undatedW = undated.length ? 40 : 0;
  const plotW = W - padL - padR - gap - undatedW;
  const plotH = H - padB - padT;
  const slot = axis.buckets.length ? plotW / axis.buckets.length : 0;
  const bw = Math.min(slot * 0.8, 48);
  const spansYears = axis.buckets.length > 0 && axis.buckets[0]!.slice(0, 4) !== axis.buckets.at(-1)!.slice(0, 4);
  const every = Math.max(1, Math.ceil(axis.buckets.length / 7));
  const parts: string[] = [];
  const bar = (b: string, cx: number, width: number) => {
    let y = padT + plotH;
    const m = byBucket.get(b);
    for (const c of cats) {
      const n = m?.get(c) ?? 0;
      if (!n) continue;
      const h = (n / max) * plotH;
      y -= h;
      parts.push(`<rect x="${(cx - width / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${h.toFixed(1)}" class="${classOf(c)}"><title>${escapeHtml(b === NO_TIME ? t.noTime : b)} · ${escapeHtml(categoryLabel(c, lang))}: ${n}</title></rect>`);
    }
    parts.push(`<g data-bucket="${escapeHtml(b)}" data-total="${sum(b)}"></g>`);
  };
  axis.buckets.forEach((b, i) => {
    const cx = padL + (i + 0.5) * slot;
    bar(b, cx, bw);
    if (i % every === 0) parts.push(`<line x1="${cx.toFixed(1)}" y1="${padT + plotH}" x2="${cx.toFixed(1)}" y2="${padT + plotH + 4}" class="axis"/><text x="${cx.toFixed(1)}" y="${H - 22}" class="tick">${escapeHtml(tickLabel(b, axis.kind, spansYears))}</text>`);
  });
  if (undated.length) {
    const cx = W - padR - undatedW / 2;
    bar(NO_TIME, cx, Math.min(undatedW * 0.8, 32));
    parts.push(`<text x="${cx.toFixed(1)}" y="${H - 22}" class="tick">${escapeHtml(t.noTimeTick[0])}</text><text x="${cx.toFixed(1)}" y="${H - 9}" class="tick">${escapeHtml(t.noTimeTick[1])}</text>`);
  }
  const legend = cats.map((c) => `<span class="key"><i class="${classOf(c)}"></i>${escapeHtml(categoryLabel(c, lang))}</span>`).join('');
  const axisEnd = padL + axis.buckets.length * slot;
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(t.perBucket(axis.kind))}" class="chart" data-kind="${axis.kind}" data-max="${max}">
<line x1="${padL}" y1="${padT + plotH}" x2="${axisEnd.toFixed(1)}" y2="${padT + plotH}" class="axis"/><text x="${padL - 6}" y="${padT + 6}" class="tick end">${max}</text><text x="${padL - 6}" y="${padT + plotH}" class="tick end">0</text>
${parts.join('\n')}</svg><div class="legend">${legend}</div>${axis.earlier ? `<p class="muted">${escapeHtml(t.earlier(axis.earlier, axis.buckets[0]!))}</p>` : ''}`;
}

const fmt = (n: number): string => n.toLocaleString('en-US');
/** A cell of a breakdown dimension: categories with their colour key, codes and counts as numbers. */
function dimCell(d: Dimension, r: ReportRow, lang: Lang): string {
  const v = r[d];
  if (d === 'category') return `<td class="cat"><i class="dot ${classOf(String(v))}"></i>${escapeHtml(categoryLabel(String(v), lang))}</td>`;
  if (d === 'code') return `<td class="num">${escapeHtml(v)}</td>`;
  // A source without this label: a dash, as an empty cell would look like a missing value.
  if (d.startsWith('label:')) return `<td class="text">${escapeHtml(v ?? '—')}</td>`;
  if (d === 'cause') return `<td class="text">${escapeHtml(v ?? ui(lang).html.noCause)}</td>`;
  if (d === 'outcome' && v) return `<td class="text">${escapeHtml(ui(lang).outcomes[v as keyof ReturnType<typeof ui>['outcomes']] ?? v)}</td>`;
  return `<td class="${d === 'source' ? 'src' : 'text'}">${escapeHtml(v ?? ui(lang).html.noTime)}</td>`;
}

/**
 * A code's latest event, collapsed: its time, cause and line, with the lines before it in its
 * process. Every log-derived text is escaped; no script is needed to open it.
 */
function latestEventDetails(e: StoredEvent, lang: Lang): string {
  const t = ui(lang).html;
  const lines = [...(e.context ?? []), `${e.time ?? ''} ${e.level ?? ''}/${e.tag}: ${e.excerpt}`.trimStart()];
  return `<details class="latest" data-event="${e.id}"><summary>${escapeHtml(t.latestEvent)} ${escapeHtml(e.time ?? '')} · ${escapeHtml(t.cause)}: <b class="cause">${escapeHtml(e.cause ?? t.noCause)}</b></summary>`
    + `<div class="muted">${escapeHtml(e.context === null ? t.noContext : t.context(e.context.length))} · authing-triage show ${e.id}</div>`
    + `<pre class="context">${lines.map((l) => escapeHtml(l)).join('\n')}</pre></details>`;
}

/** The `--by` table, or with `--compare` the before/after table and the new and spiking codes. */
function breakdownSection(b: HtmlBreakdown, lang: Lang): string {
  const t = ui(lang).html;
  const cols = ui(lang).columns as Record<string, string>;
  // A label dimension is titled by its own name (label:device), in either language.
  const col = (d: Dimension): string => cols[d] ?? d.toUpperCase();
  // English titles in title case ("Code"), as the page's other headers; CSS shows them upper case.
  const title = (d: Dimension) => (lang === 'en' ? col(d).charAt(0) + col(d).slice(1).toLowerCase() : col(d));
  const dims = b.by.map((d) => `<th${d === 'code' ? ' class="num"' : ''}>${escapeHtml(title(d))}</th>`).join('');
  const name = b.by.map((d) => (lang === 'en' ? col(d).toLowerCase() : col(d))).join(t.and);
  if (!b.compare) {
    const rows = b.rows.map((r) => `<tr>${b.by.map((d) => dimCell(d, r, lang)).join('')}<td class="num">${fmt(r.count)}</td></tr>`).join('\n');
    return `<h2>${escapeHtml(t.byDims(name))}</h2>
<div class="scroll"><table id="breakdown" data-by="${escapeHtml(b.by.join(','))}"><thead><tr>${dims}<th class="num">${escapeHtml(t.events)}</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
  }
  const c = b.compare;
  const pct = (r: CompareRow) => (r.changePct === null ? '' : `${r.changePct > 0 ? '+' : ''}${r.changePct}%`);
  const rows = c.rows
    .map((r) => `<tr data-change="${r.change}">${b.by.map((d) => dimCell(d, r, lang)).join('')}<td class="num">${fmt(r.previous)}</td><td class="num">${fmt(r.count)}</td><td class="num">${r.change > 0 ? '+' : ''}${fmt(r.change)}</td><td class="num">${pct(r)}</td><td>${escapeHtml([r.isNew ? ui(lang).flags.new : '', r.spike ? ui(lang).flags.spike : ''].filter(Boolean).join(' '))}</td></tr>`)
    .join('\n');
  const list = (id: string, title: string, rs: CompareRow[], none: string) =>
    `<h3>${escapeHtml(title)}</h3>` +
    (rs.length
      ? `<ul id="${id}">${rs.map((r) => `<li data-code="${escapeHtml(r.code)}"><b>${escapeHtml(r.code)}</b> <span class="muted">${escapeHtml(categoryLabel(String(r.category), lang))}</span> ${fmt(r.previous)} → ${fmt(r.count)}${r.message ? ` · ${escapeHtml(r.message)}` : ''}</li>`).join('')}</ul>`
      : `<p class="muted" id="${id}">${escapeHtml(none)}</p>`);
  return `<h2>${escapeHtml(t.compareTitle(name))}</h2>
<div class="muted">${escapeHtml(t.before)}: ${escapeHtml(c.previous.since)} → ${escapeHtml(c.previous.until)}</div>
<div class="scroll"><table id="compare" data-by="${escapeHtml(b.by.join(','))}"><thead><tr>${dims}<th class="num">${escapeHtml(t.before)}</th><th class="num">${escapeHtml(t.after)}</th><th class="num">${escapeHtml(t.change)}</th><th class="num">%</th><th>${escapeHtml(t.note)}</th></tr></thead><tbody>
${rows}
</tbody></table></div>
${list('new-codes', t.newCodes, c.newCodes, t.noNewCodes)}
${list('spiking-codes', t.spikingCodes, c.spiking, t.noSpikes)}`;
}

/** Renders the whole page. */
export function renderHtml(d: HtmlReportData): string {
  const lang = d.lang ?? 'en';
  const t = ui(lang).html;
  const col = ui(lang).columns;
  const win = `${d.window.since ?? d.totals.first ?? t.beginning} → ${d.window.until ?? d.totals.last ?? t.now}`;
  const undatedTotal = d.undated.reduce((a, u) => a + u.count, 0);
  const catRows = d.byCategory
    .map((r) => `<tr data-category="${escapeHtml(r.category)}" data-count="${r.count}"><td class="cat"><i class="dot ${classOf(r.category!)}"></i>${escapeHtml(categoryLabel(r.category!, lang))}</td><td class="num">${fmt(r.count)}</td></tr>`)
    .join('\n');
  const codeRow = (r: ReportRow & { latest?: StoredEvent | null }) => {
    const href = safeHref(r.docs);
    return `<tr data-code="${escapeHtml(r.code)}" data-count="${r.count}"><td class="num">${escapeHtml(r.code)}</td><td class="cat"><i class="dot ${classOf(r.category!)}"></i>${escapeHtml(categoryLabel(r.category!, lang))}</td><td class="num">${fmt(r.count)}${r.canceled ? `<div class="muted" data-canceled="${r.canceled}">${escapeHtml(ui(lang).outcomes.canceled)} ${fmt(r.canceled)}</div>` : ''}</td><td class="text">${escapeHtml(r.message ?? t.notInRegistry)}${r.suggestion ? `<div class="muted">${escapeHtml(r.suggestion)}</div>` : ''}${href ? ` <a href="${escapeHtml(href)}" rel="noreferrer">${escapeHtml(t.docs)}</a>` : ''}${r.latest ? latestEventDetails(r.latest, lang) : ''}</td></tr>`;
  };
  const codesTitle = t.failureCodes(d.topCodes.length, d.failureCodes);
  const unregRows = d.unregistered
    .map((r) => `<tr data-unregistered="${escapeHtml(r.code)}" data-count="${r.count}"><td class="num">${escapeHtml(r.code)}</td><td class="num">${fmt(r.count)}</td><td class="text"><code>${escapeHtml(r.sample ?? '')}</code></td></tr>`)
    .join('\n');
  const srcRows = d.sources
    .map((s) => `<tr><td class="src">${escapeHtml(s.name)}</td><td class="num">${fmt(s.events)}</td><td class="num">${fmt(s.lines)}</td><td class="hide-sm">${escapeHtml(s.last_seen)}</td></tr>`)
    .join('\n');
  const chartNote = undatedTotal
    ? `<p class="muted" id="undated-note">${escapeHtml(t.undatedNote(undatedTotal))}</p>`
    : '';
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(d.title)}</title>
<style>
:root { color-scheme: light dark; --bg:#fff; --fg:#1d2125; --muted:#6a737d; --card:#f6f8fa; --line:#d8dee4; --accent:#1c7ed6; }
@media (prefers-color-scheme: dark) { :root { --bg:#0d1117; --fg:#e6edf3; --muted:#8b949e; --card:#161b22; --line:#30363d; --accent:#4dabf7; } }
${paletteCss()}
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Noto Sans CJK SC",sans-serif; background:var(--bg); color:var(--fg); }
main { max-width:1080px; margin:0 auto; padding:20px 16px 48px; }
h1 { font-size:1.4rem; margin:0 0 4px; } h2 { font-size:1.1rem; margin:28px 0 8px; } h3 { font-size:1rem; margin:18px 0 6px; }
.muted { color:var(--muted); font-size:.9em; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(140px,1fr)); gap:10px; margin:16px 0; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 12px; }
.card b { display:block; font-size:1.6rem; font-variant-numeric:tabular-nums; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th,td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { white-space:nowrap; font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
td.num,th.num { text-align:right; white-space:nowrap; }
/* A category is one word: never broken inside ("unregistered"). Free text may break anywhere. */
td.cat { white-space:nowrap; }
td.text { overflow-wrap:anywhere; }
.scroll { overflow-x:auto; }
rect[class^="k"], .chart rect { fill:var(--k); }
.chart { width:100%; height:auto; } .chart .axis { stroke:var(--line); } .chart .tick { fill:var(--muted); font-size:11px; text-anchor:middle; } .chart .tick.end { text-anchor:end; }
.legend { display:flex; flex-wrap:wrap; gap:6px 14px; font-size:.85rem; margin-top:6px; }
.key i,.dot { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:6px; vertical-align:middle; background:var(--k); }
a { color:var(--accent); } code { font-size:.85em; }
details.latest { margin-top:6px; } details.latest summary { cursor:pointer; color:var(--muted); font-size:.9em; }
pre.context { margin:4px 0 0; padding:6px 8px; background:var(--card); border:1px solid var(--line); border-radius:6px; font-size:.8em; white-space:pre-wrap; overflow-wrap:anywhere; }
.src { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:.85em; overflow-wrap:anywhere; }
ul { padding-left:20px; margin:4px 0; }
@media (max-width:600px) {
  body { font-size:14px; } main { padding:14px 10px 32px; } .hide-sm { display:none; }
  th,td { padding:5px 4px; } .card b { font-size:1.3rem; } .chart .tick { font-size:16px; }
  /* The code table keeps code, category and count in view; the meaning goes under them. */
  #codes tr { display:grid; grid-template-columns:auto 1fr auto; } #codes td.text { grid-column:1 / -1; border-bottom:1px solid var(--line); }
  #codes td:not(.text) { border-bottom:none; } #codes thead th:nth-child(4) { display:none; }
}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(d.title)}</h1>
<div class="muted">${escapeHtml(t.window)}: <span id="window">${escapeHtml(win)}</span> · ${escapeHtml(t.generated)} ${escapeHtml(d.generatedAt)}</div>
<section class="cards">
<div class="card"><span class="muted">${escapeHtml(t.events)}</span><b id="total-events" data-value="${d.totals.events}">${fmt(d.totals.events)}</b></div>
<div class="card"><span class="muted">${escapeHtml(t.distinctCodes)}</span><b id="total-codes" data-value="${d.totals.codes}">${fmt(d.totals.codes)}</b></div>
<div class="card"><span class="muted">${escapeHtml(t.unregisteredEvents)}</span><b id="total-unregistered" data-value="${d.totals.unregistered}">${fmt(d.totals.unregistered)}</b></div>
<div class="card"><span class="muted">${escapeHtml(t.sources)}</span><b id="total-sources" data-value="${d.totals.sources}">${fmt(d.totals.sources)}</b></div>
</section>
<h2>${escapeHtml(t.perBucket(d.axis.kind))}</h2>
${stackedChart(d.series, d.axis, d.undated, lang)}
${chartNote}
${d.breakdown ? breakdownSection(d.breakdown, lang) : ''}
<h2>${escapeHtml(t.byCategory)}</h2>
<div class="scroll"><table id="categories"><thead><tr><th>${escapeHtml(col.category)}</th><th class="num">${escapeHtml(t.events)}</th></tr></thead><tbody>
${catRows}
</tbody></table></div>
<h2>${codesTitle}</h2>
<div class="scroll"><table id="codes"><thead><tr><th class="num">${escapeHtml(col.code)}</th><th>${escapeHtml(col.category)}</th><th class="num">${escapeHtml(t.events)}</th><th>${escapeHtml(t.meaning)}</th></tr></thead><tbody>
${d.topCodes.map(codeRow).join('\n')}
</tbody></table></div>
${d.successCodes.length ? `<h3>${escapeHtml(t.successes)}</h3>\n<ul id="successes">${d.successCodes.map((r) => `<li data-code="${escapeHtml(r.code)}" data-count="${r.count}"><b>${escapeHtml(r.code)}</b> ${escapeHtml(r.message ?? '')}: ${fmt(r.count)}</li>`).join('')}</ul>` : ''}
<h2>${escapeHtml(t.unregistered)}</h2>
${d.unregistered.length ? `<div class="scroll"><table id="unregistered"><thead><tr><th class="num">${escapeHtml(col.code)}</th><th class="num">${escapeHtml(t.events)}</th><th>${escapeHtml(t.latestLine)}</th></tr></thead><tbody>\n${unregRows}\n</tbody></table></div>` : `<p class="muted" id="unregistered">${escapeHtml(t.noUnregistered)}</p>`}
<h2>${escapeHtml(t.sources)}</h2>
<div class="scroll"><table id="sources"><thead><tr><th>${escapeHtml(col.source)}</th><th class="num">${escapeHtml(t.events)}</th><th class="num">${escapeHtml(t.lines)}</th><th class="hide-sm">${escapeHtml(t.lastRead)}</th></tr></thead><tbody>
${srcRows}
</tbody></table></div>
</main>
</body>
</html>
`;
}
