/**
 * The self-contained HTML report: inline CSS and SVG, no script, no network. Every piece of
 * text from logs or the registry goes through escapeHtml.
 */
import type { ReportRow, Totals } from './query.js';
import { categoryLabel, ui, type Lang } from '../registry/text.js';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g, '\uFFFD');
}

/** Only http(s) links are kept; anything else (javascript:, data:) becomes plain text. */
function safeHref(url: string | null | undefined): string | null {
  return url && /^https?:\/\/[^\s"'<>]+$/.test(url) ? url : null;
}

/** Everything the page shows. */
export interface HtmlReportData {
  title: string;
  generatedAt: string;
  window: { since: string | null; until: string | null };
  totals: Totals;
  /** Rows of (bucket, category, count) for the chart; bucket is a day or an hour. */
  series: { bucket: string; category: string; count: number }[];
  bucketKind: 'day' | 'hour';
  byCategory: ReportRow[];
  topCodes: ReportRow[];
  unregistered: (ReportRow & { sample?: string | null })[];
  sources: { name: string; events: number; lines: number; last_seen: string }[];
  /** The page's one language (default en); topCodes carry their message in it. */
  lang?: Lang;
}

const PALETTE: Record<string, string> = {
  success: '#2e9e5b', mfa: '#7b61ff', password: '#d9480f', 'account-binding': '#1c7ed6', account: '#0b7285',
  verification: '#e67700', network: '#f08c00', config: '#c2255c', session: '#5c7cfa', permission: '#862e9c',
  'social-login': '#20c997', 'one-click': '#94d82d', sms: '#fab005', profile: '#15aabf', billing: '#a61e4d',
  'rate-limit': '#fd7e14', 'client-request': '#868e96', server: '#e03131', unregistered: '#495057',
};
const colorOf = (c: string): string => PALETTE[c] ?? '#adb5bd';

/** A stacked bar chart of events per bucket and category, as inline SVG. */
export function stackedChart(series: HtmlReportData['series'], lang: Lang = 'en'): string {
  const buckets = [...new Set(series.map((s) => s.bucket))].sort();
  if (!buckets.length) return `<p class="muted">${escapeHtml(ui(lang).html.noEvents)}</p>`;
  const cats = [...new Set(series.map((s) => s.category))].sort();
  const byBucket = new Map<string, Map<string, number>>();
  for (const s of series) {
    const m = byBucket.get(s.bucket) ?? new Map<string, number>();
    m.set(s.category, (m.get(s.category) ?? 0) + s.count);
    byBucket.set(s.bucket, m);
  }
  const max = Math.max(...buckets.map((b) => [...byBucket.get(b)!.values()].reduce((a, n) => a + n, 0)));
  const W = 720, H = 220, padL = 40, padB = 36, plotW = W - padL - 8, plotH = H - padB - 8;
  const slot = plotW / buckets.length;
  // Few buckets would make very wide bars: cap the bar, keep the slot.
  const bw = Math.min(slot, 64);
  const x0 = padL + (slot - bw) / 2;
  const bars: string[] = [];
  buckets.forEach((b, i) => {
    let y = 8 + plotH;
    const m = byBucket.get(b)!;
    let total = 0;
    for (const c of cats) {
      const n = m.get(c) ?? 0;
      if (!n) continue;
      total += n;
      const h = (n / max) * plotH;
      y -= h;
      bars.push(`<rect x="${(x0 + i * slot + bw * 0.1).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${colorOf(c)}"><title>${escapeHtml(b)} · ${escapeHtml(categoryLabel(c, lang))}: ${n}</title></rect>`);
    }
    const label = buckets.length <= 8 || i % Math.ceil(buckets.length / 8) === 0 ? `<text x="${(x0 + i * slot + bw / 2).toFixed(1)}" y="${H - 18}" class="tick">${escapeHtml(b.length > 10 ? b.slice(5, 13).replace('T', ' ') + 'h' : b.slice(5))}</text>` : '';
    bars.push(`${label}<g data-bucket="${escapeHtml(b)}" data-total="${total}"></g>`);
  });
  const legend = cats.map((c) => `<span class="key"><i style="background:${colorOf(c)}"></i>${escapeHtml(categoryLabel(c, lang))}</span>`).join('');
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(ui(lang).html.chartLabel)}" class="chart">
<line x1="${padL}" y1="${8 + plotH}" x2="${W - 8}" y2="${8 + plotH}" class="axis"/><text x="${padL - 6}" y="14" class="tick end">${max}</text><text x="${padL - 6}" y="${8 + plotH}" class="tick end">0</text>
${bars.join('\n')}</svg><div class="legend">${legend}</div>`;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Renders the whole page. */
export function renderHtml(d: HtmlReportData): string {
  const lang = d.lang ?? 'en';
  const t = ui(lang).html;
  const win = `${d.window.since ?? d.totals.first ?? t.beginning} → ${d.window.until ?? d.totals.last ?? t.now}`;
  const catRows = d.byCategory
    .map((r) => `<tr data-category="${escapeHtml(r.category)}" data-count="${r.count}"><td><i class="dot" style="background:${colorOf(r.category!)}"></i>${escapeHtml(categoryLabel(r.category!, lang))}</td><td class="num">${fmt(r.count)}</td></tr>`)
    .join('\n');
  const codeRows = d.topCodes
    .map((r) => {
      const href = safeHref(r.docs);
      return `<tr data-code="${escapeHtml(r.code)}" data-count="${r.count}"><td class="num">${escapeHtml(r.code)}</td><td>${escapeHtml(categoryLabel(r.category!, lang))}</td><td class="num">${fmt(r.count)}${r.canceled ? `<div class="muted" data-canceled="${r.canceled}">${escapeHtml(ui(lang).outcomes.canceled)} ${fmt(r.canceled)}</div>` : ''}</td><td>${escapeHtml(r.message ?? t.notInRegistry)}${r.suggestion ? `<div class="muted">${escapeHtml(r.suggestion)}</div>` : ''}</td><td>${href ? `<a href="${escapeHtml(href)}" rel="noreferrer">${escapeHtml(t.docs)}</a>` : ''}</td></tr>`;
    })
    .join('\n');
  const unregRows = d.unregistered
    .map((r) => `<tr data-unregistered="${escapeHtml(r.code)}" data-count="${r.count}"><td class="num">${escapeHtml(r.code)}</td><td class="num">${fmt(r.count)}</td><td><code>${escapeHtml(r.sample ?? '')}</code></td></tr>`)
    .join('\n');
  const srcRows = d.sources
    .map((s) => `<tr><td class="src">${escapeHtml(s.name)}</td><td class="num">${fmt(s.events)}</td><td class="num">${fmt(s.lines)}</td><td class="hide-sm">${escapeHtml(s.last_seen)}</td></tr>`)
    .join('\n');
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
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Noto Sans CJK SC",sans-serif; background:var(--bg); color:var(--fg); }
main { max-width:1080px; margin:0 auto; padding:20px 16px 48px; }
h1 { font-size:1.4rem; margin:0 0 4px; } h2 { font-size:1.1rem; margin:28px 0 8px; }
.muted { color:var(--muted); font-size:.9em; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:10px; margin:16px 0; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 12px; }
.card b { display:block; font-size:1.6rem; font-variant-numeric:tabular-nums; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th,td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; overflow-wrap:anywhere; }
th { white-space:nowrap; font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
td.num,th.num { text-align:right; white-space:nowrap; }
.scroll { overflow-x:auto; }
.chart { width:100%; height:auto; } .chart .axis { stroke:var(--line); } .chart .tick { fill:var(--muted); font-size:11px; text-anchor:middle; } .chart .tick.end { text-anchor:end; }
.legend { display:flex; flex-wrap:wrap; gap:6px 14px; font-size:.85rem; margin-top:6px; }
.key i,.dot { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:6px; vertical-align:middle; }
a { color:var(--accent); } code { font-size:.85em; }
.src { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:.85em; }
@media (max-width:600px) { body { font-size:14px; } .hide-sm { display:none; } }
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
<h2>${escapeHtml(t.perBucket(d.bucketKind))}</h2>
${stackedChart(d.series, lang)}
<h2>${escapeHtml(t.byCategory)}</h2>
<div class="scroll"><table id="categories"><thead><tr><th>${escapeHtml(ui(lang).columns.category)}</th><th class="num">${escapeHtml(t.events)}</th></tr></thead><tbody>
${catRows}
</tbody></table></div>
<h2>${escapeHtml(t.topCodes)}</h2>
<div class="scroll"><table id="codes"><thead><tr><th class="num">${escapeHtml(ui(lang).columns.code)}</th><th>${escapeHtml(ui(lang).columns.category)}</th><th class="num">${escapeHtml(t.events)}</th><th>${escapeHtml(t.meaning)}</th><th>${escapeHtml(t.docs)}</th></tr></thead><tbody>
${codeRows}
</tbody></table></div>
<h2>${escapeHtml(t.unregistered)}</h2>
${d.unregistered.length ? `<div class="scroll"><table id="unregistered"><thead><tr><th class="num">${escapeHtml(ui(lang).columns.code)}</th><th class="num">${escapeHtml(t.events)}</th><th>${escapeHtml(t.latestLine)}</th></tr></thead><tbody>\n${unregRows}\n</tbody></table></div>` : `<p class="muted" id="unregistered">${escapeHtml(t.noUnregistered)}</p>`}
<h2>${escapeHtml(t.sources)}</h2>
<div class="scroll"><table id="sources"><thead><tr><th>${escapeHtml(ui(lang).columns.source)}</th><th class="num">${escapeHtml(t.events)}</th><th class="num">${escapeHtml(t.lines)}</th><th class="hide-sm">${escapeHtml(t.lastRead)}</th></tr></thead><tbody>
${srcRows}
</tbody></table></div>
</main>
</body>
</html>
`;
}
