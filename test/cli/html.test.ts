/** The HTML report opened in a real headless Chromium: numbers match the JSON report; log markup stays text. */
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openFile } from '../browser.js';
import { FIXTURES, ROOT, SHARED, runCli, tempDir } from '../helpers.js';

// Chinese in a log line: the report shows it whatever language its own text is in.
const CJK = '登录失败';
const EVIL = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`;

let browser: Browser;
let dir: string;
let db: string;
let html: string;
let dom: string;
let title: string;
beforeAll(async () => {
  browser = await launchBrowser();
  dir = tempDir();
  db = join(dir, 'h.db');
  const evil = join(dir, 'evil.log');
  writeFileSync(evil, `2026-03-17 16:20:00.000  4672  4672 E SocialLoginButton: loginDone: errCode = 88888 errMessage = ${CJK} ${EVIL}\n`);
  const labeled = join(SHARED, 'corpus', 'labeled');
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', join(labeled, 'dev-threadtime.log'), join(labeled, 'dev-time.log'), evil]);
  expect(r.status).toBe(0);
  html = join(dir, 'report.html');
  const h = runCli(['report', '--db', db, '--format', 'html', '--out', html]);
  expect(h.stderr).toBe('');
  // The markup and title only: no font needed.
  const page = await openFile(browser, html, undefined, { cjkFont: false });
  dom = await page.content();
  title = await page.title();
  await page.close();
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

/** A full-page PNG of the report at this viewport, in light or dark colour scheme. */
async function screenshot(path: string, viewport: { width: number; height: number }, scheme: 'light' | 'dark' = 'light'): Promise<void> {
  const page = await openFile(browser, html, viewport);
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
  await page.screenshot({ path: path as `${string}.png`, fullPage: true });
  await page.close();
}

const json = (...args: string[]) => JSON.parse(runCli(['report', '--db', db, '--format', 'json', ...args]).stdout) as Record<string, number | string>[];

describe('HTML report in headless Chromium', () => {
  it('is one self-contained file: no script, no external reference, mode 600', () => {
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script|<link|@import|url\(|src="http|href="\/\//i);
    expect(text).toMatch(/prefers-color-scheme: dark/);
    expect(statSync(html).mode & 0o777).toBe(0o600);
  });

  it('shows the same numbers as report --format json', () => {
    expect(dom).toContain('<title>Authing triage report</title>');
    const byCategory = json('--by', 'category');
    const total = byCategory.reduce((a, r) => a + Number(r.count), 0);
    expect(dom).toMatch(new RegExp(`id="total-events" data-value="${total}"`));
    for (const r of byCategory) expect(dom).toContain(`data-category="${r.category}" data-count="${r.count}"`);
    for (const r of json('--by', 'code', '--top', '20')) expect(dom).toContain(`data-code="${r.code}" data-count="${r.count}"`);
    expect(dom).toContain('data-unregistered="88888" data-count="1"');
  });

  it('shows log markup as text and never runs it', () => {
    expect(title).toBe('Authing triage report');
    expect(dom).not.toContain('pwned</title>');
    expect(dom).not.toMatch(/<img src="x"|<script>document/);
    expect(dom).toContain('&lt;img src=x onerror=');
    expect(dom).toContain('&lt;script&gt;document.title=');
  });

  it('draws Chinese text in the CJK font, with the report\'s Content-Security-Policy in force', async () => {
    const page = await openFile(browser, html);
    try {
      expect(await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'))).toMatch(/default-src 'none'/);
      const cdp = await page.createCDPSession();
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
      const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: 'body *' });
      // The innermost element holding the log line's Chinese words, in document order as the CDP's list.
      const at = await page.evaluate((cjk: string) => [...document.querySelectorAll('body *')].findIndex((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent!.includes(cjk))), CJK);
      expect(at).toBeGreaterThanOrEqual(0);
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId: nodeIds[at]! });
      const cjkGlyphs = fonts.filter((f) => f.isCustomFont && f.familyName.startsWith('Noto Sans SC')).reduce((a, f) => a + f.glyphCount, 0);
      expect(cjkGlyphs).toBeGreaterThanOrEqual(CJK.length);
    } finally {
      await page.close();
    }
  });

  it('saves screenshots for review (.tmp/screenshots/report*.png): desktop, phone, dark', async () => {
    const png = join(dir, 'report.png');
    await screenshot(png, { width: 1200, height: 1800 });
    expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
    const phone = join(dir, 'report-phone.png');
    await screenshot(phone, { width: 390, height: 1400 });
    expect(statSync(phone).size).toBeGreaterThan(1000);
    const dark = join(dir, 'report-dark.png');
    await screenshot(dark, { width: 1200, height: 1800 }, 'dark');
    expect(readFileSync(dark)).not.toEqual(readFileSync(png)); // the dark palette really applies
    const keep = join(ROOT, '.tmp', 'screenshots');
    mkdirSync(keep, { recursive: true });
    copyFileSync(png, join(keep, 'report.png'));
    copyFileSync(phone, join(keep, 'report-phone.png'));
    copyFileSync(dark, join(keep, 'report-dark.png'));
  });
});

// From test/cli/context.test.ts, where it launched a Chromium of its own for this one page.
describe('the latest event of each top code, with its context (context-causes.log)', () => {
  it('shows the latest event of each top code with its context collapsed, log markup as text (headless Chromium)', async () => {
    const d = tempDir();
    // Two lines of pid 7001: an UnknownHostException whose message is markup, then a 10001.
    const evil = join(d, 'hostile.log');
    writeFileSync(evil, `03-17 16:30:00.000  7001  7010 W System.err: java.net.UnknownHostException: ${EVIL}\n03-17 16:30:00.100  7001  7001 E SocialLoginButton: loginDone: errCode = 10001 errMessage = Network error\n`);
    const ctxDb = join(d, 'h.db');
    expect(runCli([join(FIXTURES, 'context-causes.log'), evil, '--db', ctxDb, '--quiet', '--year', '2026', '--tz', 'UTC']).status).toBe(0);
    const out = join(d, 'r.html');
    expect(runCli(['report', '--db', ctxDb, '-f', 'html', '--out', out]).status).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toMatch(/<script|<img/);
    // What is open, shown and written: the DOM's, whatever the font.
    const page = await openFile(browser, out, undefined, { cjkFont: false });
    try {
      const before = await page.$$eval('#codes details.latest', (ds) => ds.map((x) => ({ open: (x as HTMLDetailsElement).open, id: x.getAttribute('data-event'), cause: x.querySelector('.cause')!.textContent, shown: (x.querySelector('pre') as HTMLElement).checkVisibility() })));
      // one code in the capture, 10001: its latest event is the evil file's, with its dns line before it
      expect(before).toEqual([{ open: false, id: '11', cause: 'dns', shown: false }]);
      await page.click('#codes details.latest summary');
      const after = await page.$eval('#codes details.latest', (x) => ({ open: (x as HTMLDetailsElement).open, text: x.querySelector('pre')!.textContent, shown: (x.querySelector('pre') as HTMLElement).checkVisibility() }));
      expect(after).toEqual({
        open: true,
        shown: true,
        text: `2026-03-17T16:30:00.000Z W/System.err: java.net.UnknownHostException: ${EVIL}\n2026-03-17T16:30:00.100Z E/SocialLoginButton: loginDone: errCode = 10001 errMessage = Network error`,
      });
      expect(await page.title()).toBe('Authing triage report');
    } finally {
      await page.close();
    }
  });
});
