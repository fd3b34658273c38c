/**
 * The HTML report in a real headless Chromium (test/browser.ts), at 1280 and 390 px, light and dark
 * (issue 23 items 6, 7, 8, 14): what --by and --compare add, the time axis, events without time
 * stamps, a layout that fits a phone, and a palette whose colours all differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openFile } from '../browser.js';
import { FIXTURES, runCli, SHARED, tempDir } from '../helpers.js';

const CAPTURE = join(FIXTURES, 'guard-threadtime.log');

/** CIELAB of an `rgb(r, g, b)` CSS colour. */
function lab(css: string): [number, number, number] {
  const [r, g, b] = css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * b, z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
/** CIE76 distance of two CSS colours. */
const distance = (a: string, b: string): number => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]!));

/** A capture whose Authing lines log these codes this many times each, one a minute from 10:00. */
function codesLines(counts: [code: number, n: number][], day: string): string {
  const lines: string[] = [];
  let m = 0;
  for (const [code, n] of counts) for (let i = 0; i < n; i++, m++) lines.push(`${day} ${String(10 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00.000  4672  4672 E SocialLoginButton: loginDone: errCode = ${code} errMessage = x`);
  return lines.join('\n') + '\n';
}

function ingest(db: string, files: string[], ...args: string[]): void {
  const r = runCli(['--db', db, '--tz', 'UTC', '--quiet', ...args, ...files]);
  expect(r.stderr).toBe('');
}

function html(db: string, out: string, ...args: string[]): string {
  const r = runCli(['report', '--db', db, '--format', 'html', '--out', out, ...args]);
  expect(r.status).toBe(0);
  return out;
}

let browser: Browser;
let dir: string;
const pages: Record<string, string> = {};
beforeAll(async () => {
  dir = tempDir();
  // A: the labeled captures (CJK messages, unregistered codes) plus the bundled one as brief (no time stamps).
  const brief = join(dir, 'brief.log');
  writeFileSync(brief, readFileSync(CAPTURE, 'utf8').replace(/^[\d-]+ [\d:.]+ +(\d+) +\d+ ([VDIWEF]) ([^:]*?) *: /gm, (_m, pid: string, l: string, tag: string) => `${l}/${tag}(${pid.padStart(5)}): `));
  const labeled = join(SHARED, 'corpus', 'labeled');
  ingest(join(dir, 'a.db'), [join(labeled, 'dev-threadtime.log'), join(labeled, 'dev-time.log'), brief], '--year', '2026');
  pages.mixed = html(join(dir, 'a.db'), join(dir, 'mixed.html'));
  pages.byCode = html(join(dir, 'a.db'), join(dir, 'by-code.html'), '--by', 'code');
  pages.hours = html(join(dir, 'a.db'), join(dir, 'hours.html'), '--since', '2026-03-17T12:00', '--until', '2026-03-17T20:00');
  // B: the same day a year apart, nothing between.
  writeFileSync(join(dir, 'y1.log'), codesLines([[401, 3]], '01-13'));
  writeFileSync(join(dir, 'y2.log'), codesLines([[2333, 2], [77777, 1]], '01-13'));
  ingest(join(dir, 'b.db'), [join(dir, 'y1.log')], '--year', '2025');
  ingest(join(dir, 'b.db'), [join(dir, 'y2.log')], '--year', '2026');
  pages.years = html(join(dir, 'b.db'), join(dir, 'years.html'));
  // C: two days to compare: 401 spikes, 2333 is new, 429 falls, 200 (success) grows.
  writeFileSync(join(dir, 'd1.log'), codesLines([[401, 2], [429, 6], [200, 1]], '03-16'));
  writeFileSync(join(dir, 'd2.log'), codesLines([[401, 9], [2333, 3], [429, 1], [200, 20]], '03-17'));
  ingest(join(dir, 'c.db'), [join(dir, 'd1.log'), join(dir, 'd2.log')], '--year', '2026');
  pages.compare = html(join(dir, 'c.db'), join(dir, 'compare.html'), '--by', 'code', '--since', '2026-03-17', '--until', '2026-03-18', '--compare');
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

/** The page `name` in Chromium; `layout` when the test measures boxes, which depend on the CJK font's glyphs. */
async function open(name: string, width = 1280, dark = false, layout = false): Promise<Page> {
  const page = await openFile(browser, pages[name]!, { width, height: 900 }, { cjkFont: layout });
  if (dark) await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  return page;
}

/** The chart's buckets and their totals, in order. */
const buckets = (page: Page) => page.$$eval('svg.chart g[data-bucket]', (gs) => gs.map((g) => [g.getAttribute('data-bucket'), Number(g.getAttribute('data-total'))] as [string, number]));

describe('HTML honours --by and --compare (item 6)', () => {
  it('adds the --by table, so the page differs from the default one', async () => {
    expect(readFileSync(pages.byCode!, 'utf8').replace(/generated [^<]+/, '')).not.toBe(readFileSync(pages.mixed!, 'utf8').replace(/generated [^<]+/, ''));
    const page = await open('byCode');
    const table = await page.$eval('#breakdown', (t) => ({ by: t.getAttribute('data-by'), head: [...t.querySelectorAll('th')].map((th) => th.textContent), first: [...t.querySelectorAll('tbody tr:first-child td')].map((td) => td.textContent) }));
    expect(table).toEqual({ by: 'code', head: ['Code', 'Events'], first: ['200', '15'] });
    await page.close();
  });
  it('shows before, after and change, and the new and spiking codes', async () => {
    const page = await open('compare');
    const rows = await page.$$eval('#compare tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([
      ['200', '1', '20', '+19', '+1900%', ''],
      ['401', '2', '9', '+7', '+350%', 'spike'],
      ['2333', '0', '3', '+3', '', 'new'],
      ['429', '6', '1', '-5', '-83.3%', ''],
    ]);
    expect(await page.$$eval('#compare th', (th) => th.map((h) => h.textContent))).toEqual(['Code', 'Before', 'After', 'Change', '%', 'Note']);
    expect(await page.$$eval('#new-codes li', (li) => li.map((l) => l.getAttribute('data-code')))).toEqual(['2333']);
    expect(await page.$$eval('#spiking-codes li', (li) => li.map((l) => l.getAttribute('data-code')))).toEqual(['401']);
    await page.close();
  });
});

describe('events without time stamps in the HTML (item 7)', () => {
  it('draws them as their own bar, so the chart adds up to the Events card', async () => {
    const page = await open('mixed');
    const bs = await buckets(page);
    const events = Number(await page.$eval('#total-events', (b) => b.getAttribute('data-value')));
    expect(bs.at(-1)).toEqual(['no time stamp', 15]);
    expect(bs.reduce((a, [, n]) => a + n, 0)).toBe(events);
    expect(await page.$eval('#undated-note', (p) => p.textContent)).toBe('15 events have no time stamp (brief, tag or raw captures): the bar on the right, outside the time axis. A --since or --until window cannot include them.');
    await page.close();
  });
});

describe('the HTML chart is a time axis (item 8)', () => {
  it('shows every day between two events a year apart, with the year in the labels', async () => {
    const page = await open('years');
    const bs = await buckets(page);
    expect(bs).toHaveLength(366);
    expect(bs[0]).toEqual(['2025-01-13', 3]);
    expect(bs.at(-1)).toEqual(['2026-01-13', 3]);
    expect(bs.slice(1, -1).every(([, n]) => n === 0)).toBe(true);
    const ticks = await page.$$eval('svg.chart text.tick', (t) => t.map((x) => x.textContent));
    expect(ticks).toContain('2025-01-13');
    expect(ticks.filter((t) => t === '01-13')).toEqual([]);
    await page.close();
  });
  it('draws a short window by the hour, empty hours included', async () => {
    const page = await open('hours');
    expect(await page.$eval('svg.chart', (s) => s.getAttribute('data-kind'))).toBe('hour');
    const bs = await buckets(page);
    expect(bs.map(([b]) => b.slice(11, 13))).toEqual(['12', '13', '14', '15', '16', '17', '18', '19']);
    expect(bs.filter(([, n]) => n > 0).map(([b]) => b)).toEqual(['2026-03-17T16:00:00Z']);
    await page.close();
  });
});

describe('the HTML on a phone and in colour (item 14)', () => {
  for (const width of [1280, 390]) {
    for (const dark of [false, true]) {
      it(`fits ${width} px${dark ? ' in dark mode' : ''}: no overflow, no table cut, "unregistered" on one line`, async () => {
        for (const name of ['mixed', 'compare']) {
          const page = await open(name, width, dark, true);
          const fit = await page.evaluate(() => ({
            page: document.documentElement.scrollWidth <= innerWidth,
            cut: [...document.querySelectorAll('table')].filter((t) => t.scrollWidth > t.parentElement!.clientWidth + 1).map((t) => t.id),
            broken: [...document.querySelectorAll('td, .key')]
              .filter((e) => e.textContent!.includes('unregistered'))
              .filter((e) => {
                const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
                for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                  if (!n.textContent!.includes('unregistered')) continue;
                  const r = document.createRange();
                  r.selectNodeContents(n);
                  if (new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1) return true;
                }
                return false;
              }).length,
          }));
          expect(fit).toEqual({ page: true, cut: [], broken: 0 });
          await page.close();
        }
      });
    }
  }
  for (const dark of [false, true]) {
    it(`gives every two categories colours at least 25 apart (CIE76), and each 30 from the page${dark ? ', dark mode' : ''}`, async () => {
      const page = await open('mixed', 1280, dark);
      const { colours, background } = await page.evaluate(() => {
        const out: string[] = [];
        for (let i = 0; i < 19; i++) {
          const e = document.createElement('i');
          e.className = `dot k${i}`;
          document.body.append(e);
          out.push(getComputedStyle(e).backgroundColor);
        }
        return { colours: out, background: getComputedStyle(document.body).backgroundColor };
      });
      expect(new Set(colours).size).toBe(19);
      let min = Infinity;
      for (let i = 0; i < colours.length; i++) for (let j = i + 1; j < colours.length; j++) min = Math.min(min, distance(colours[i]!, colours[j]!));
      expect(min).toBeGreaterThanOrEqual(25);
      expect(Math.min(...colours.map((c) => distance(c, background)))).toBeGreaterThanOrEqual(30);
      await page.close();
    });
  }
});
