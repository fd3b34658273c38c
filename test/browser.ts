/**
 * A real headless Chromium for the HTML tests, from npm alone: puppeteer-core drives the Chromium that
 * @sparticuz/chromium ships inside its package (no Debian package, no download at run time). Chinese text
 * renders with Noto Sans SC from @fontsource/noto-sans-sc, added to the page as a fallback font.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const require = createRequire(import.meta.url);
const FONT_DIR = dirname(require.resolve('@fontsource/noto-sans-sc/package.json'));
const CJK_FAMILY = 'Noto Sans SC';
// From CJK Radicals Supplement up: the scripts the fallback face is for.
const CJK_FROM = 0x2e80;
// The machine has no network: keep Chromium from trying to reach Google's hosts at start.
const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
// @sparticuz/chromium composites through SwiftShader, a GPU emulated on the CPU (its args: --use-angle=swiftshader);
// without a GPU Chromium draws with its software rasterizer, the same pages and screenshots for a third less
// CPU: html and html-layout tests 9.5 -> 6.1 s of the browser's CPU (AUTHING_TRIAGE_TEST_CPU, two runs each).
const SOFTWARE = ['--disable-gpu'];

/** One woff2 subset of Noto Sans SC and the code points it covers, from fontsource's index.css. */
interface FontSubset {
  file: string;
  range: string;
  spans: [number, number][];
}

let subsets: FontSubset[] | undefined;
/** The regular-weight subsets, read once: fontsource splits the font by unicode-range (about 100 files). */
function fontSubsets(): FontSubset[] {
  subsets ??= [...readFileSync(join(FONT_DIR, 'index.css'), 'utf8').matchAll(/url\(\.\/(files\/[^)]+\.woff2)\)[^;]*;\s*unicode-range:\s*([^;]+);/g)].map(([, file, range]) => ({
    file: join(FONT_DIR, file!),
    range: range!.trim(),
    spans: range!.split(',').map((r) => {
      const [lo, hi] = r.trim().replace(/^U\+/i, '').split('-');
      return [parseInt(lo!, 16), parseInt(hi ?? lo!, 16)] as [number, number];
    }),
  }));
  return subsets;
}

/**
 * Puppeteer's own bounds on a start and on a page's load (30 s each by default), which a start of Chromium beside four
 * test workers on two cores can come near: they bound a hang, as the tests' timeouts do.
 */
const BROWSER_START_MS = 120_000;
const PAGE_STEP_MS = 120_000;

/** Starts headless Chromium; close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, ...QUIET, ...SOFTWARE],
    headless: true,
    timeout: BROWSER_START_MS,
  });
}

/**
 * Opens `file` (a path) at the given viewport, with a CJK fallback font so screenshots show glyphs.
 * The font goes in as bytes (`new FontFace(name, data)`), not as a URL, so the page's own
 * Content-Security-Policy (the report allows no fonts from anywhere) stays in force; only the
 * subsets holding characters of the page are sent. The fallback is added through the CSSOM, so
 * `page.content()` still serializes the page's own markup. `cjkFont: false` opens the page as it is, for
 * a test that reads only its DOM (text, attributes, computed colours), never its layout or pixels: sending
 * and loading the font cost Chromium ~0.14 s of CPU a page with Chinese text, more than the page itself.
 */
export async function openFile(browser: Browser, file: string, viewport = { width: 1280, height: 900 }, { cjkFont = true } = {}): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(PAGE_STEP_MS);
  await page.setViewport(viewport);
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  if (!cjkFont) return page;
  const text = await page.evaluate(() => document.documentElement.textContent ?? '');
  const points = new Set<number>();
  for (const ch of text) if (ch.codePointAt(0)! >= CJK_FROM) points.add(ch.codePointAt(0)!);
  for (const s of fontSubsets()) {
    // Only the subset's CJK part: fontsource's ranges also hold some ASCII, which stays in the page's font.
    const spans = s.spans.filter(([, hi]) => hi >= CJK_FROM).map(([lo, hi]) => [Math.max(lo, CJK_FROM), hi] as const);
    if (![...points].some((p) => spans.some(([lo, hi]) => p >= lo && p <= hi))) continue;
    const unicodeRange = spans.map(([lo, hi]) => `U+${lo.toString(16)}-${hi.toString(16)}`).join(',');
    await page.evaluate(
      async (b64: string, range: string, family: string) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        document.fonts.add(await new FontFace(family, bytes, { unicodeRange: range }).load());
      },
      readFileSync(s.file).toString('base64'),
      unicodeRange,
      CJK_FAMILY,
    );
  }
  await page.evaluate((family: string) => {
    // Chromium ends the search at a generic family (sans-serif, monospace...), so the CJK face goes just before it.
    const generic = /^(serif|sans-serif|monospace|cursive|fantasy|system-ui|math|emoji|fangsong|ui-[a-z-]+)$/i;
    const withCjk = (stack: string): string => {
      const names = stack.split(',').map((n) => n.trim());
      const at = names.findIndex((n) => generic.test(n));
      names.splice(at < 0 ? names.length : at, 0, `"${family}"`);
      return names.join(', ');
    };
    const patch = (rules: CSSRuleList): void => {
      for (const rule of Array.from(rules)) {
        if (rule instanceof CSSStyleRule && rule.style.fontFamily) rule.style.fontFamily = withCjk(rule.style.fontFamily);
        if ('cssRules' in rule) patch((rule as CSSGroupingRule).cssRules);
      }
    };
    for (const sheet of Array.from(document.styleSheets)) patch(sheet.cssRules);
    // Where the page names no font, the browser's defaults apply; :where() keeps any page rule above these.
    const defaults = new CSSStyleSheet();
    defaults.replaceSync(`:where(html) { font-family: ${withCjk('serif')} } :where(pre, code, kbd, samp, tt) { font-family: ${withCjk('monospace')} }`);
    document.adoptedStyleSheets = [defaults, ...document.adoptedStyleSheets];
  }, CJK_FAMILY);
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
  return page;
}
