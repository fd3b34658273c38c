/**
 * A real headless Chromium for the HTML tests, from npm alone: puppeteer-core drives the Chromium that
 * @sparticuz/chromium ships inside its package (no Debian package, no download at run time). Chinese text
 * renders with Noto Sans SC from @fontsource/noto-sans-sc, added to the page as a fallback font.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const require = createRequire(import.meta.url);
const CJK_CSS = join(dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'index.css');
// The machine has no network: keep Chromium from trying to reach Google's hosts at start.
const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Starts headless Chromium; close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, ...QUIET],
    headless: true,
  });
}

/** Opens `file` (a path) at the given viewport, with a CJK fallback font so screenshots show glyphs. */
export async function openFile(browser: Browser, file: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  // The report's Content-Security-Policy (style-src 'unsafe-inline') would refuse the font's stylesheet.
  await page.setBypassCSP(true);
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.addStyleTag({ url: pathToFileURL(CJK_CSS).href });
  await page.evaluate(() => {
    document.body.style.fontFamily = `${getComputedStyle(document.body).fontFamily}, "Noto Sans SC"`;
  });
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  return page;
}
