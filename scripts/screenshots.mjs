#!/usr/bin/env node
/**
 * Re-takes the README's screenshots (docs/screenshots/live.png and report.png) from the bundled
 * capture, in the headless Chromium of the tests (puppeteer-core + @sparticuz/chromium), with Noto Sans
 * SC from @fontsource/noto-sans-sc so that Chinese messages show as glyphs, not boxes. The live view is
 * the real `--live --color=always` output, its ANSI colours turned into HTML.
 * Run after `npm run build`: `node scripts/screenshots.mjs`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import chromium from '@sparticuz/chromium';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CJK_CSS = join(dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'index.css');
// Relative, as a user types it: the page names its sources.
const CAPTURE = 'fixtures/guard-threadtime.log';
const OUT = join(ROOT, 'docs', 'screenshots');

function cli(args, env = {}) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'authing-triage.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, AUTHING_TRIAGE_DB: '', NO_COLOR: '', ...env } });
  if (r.status !== 0) throw new Error(`authing-triage ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

// The SGR codes the live printer uses (pino-pretty's colorette, our own bold): code -> CSS.
const SGR = { 1: 'font-weight:bold', 2: 'opacity:.65', 3: 'font-style:italic', 4: 'text-decoration:underline', 30: 'color:#1e1e1e', 31: 'color:#f14c4c', 32: 'color:#23d18b', 33: 'color:#f5a623', 34: 'color:#3b8eea', 35: 'color:#d670d6', 36: 'color:#29b8db', 37: 'color:#e5e5e5', 90: 'color:#8b949e', 91: 'color:#ff6b6b', 92: 'color:#69db7c', 93: 'color:#ffd43b', 94: 'color:#74c0fc', 95: 'color:#e599f7', 96: 'color:#66d9e8', 97: 'color:#ffffff' };
const escape = (s) => s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);

/** ANSI-coloured text -> HTML spans. */
function ansiToHtml(text) {
  let html = '';
  let style = new Map();
  for (const part of text.split(/(\x1b\[[\d;]*m)/)) {
    const m = /^\x1b\[([\d;]*)m$/.exec(part);
    if (!m) {
      if (part) html += style.size ? `<span style="${[...style.values()].join(';')}">${escape(part)}</span>` : escape(part);
      continue;
    }
    for (const code of (m[1] || '0').split(';').map(Number)) {
      if (code === 0) style = new Map();
      else if (code === 22) (style.delete('b'), style.delete('d'));
      else if (code === 23) style.delete('i');
      else if (code === 24) style.delete('u');
      else if (code === 39) style.delete('fg');
      else if (SGR[code]) style.set(code === 1 ? 'b' : code === 2 ? 'd' : code === 3 ? 'i' : code === 4 ? 'u' : 'fg', SGR[code]);
    }
  }
  return html;
}

async function shoot(browser, file, png, width) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 600 });
  // The report's Content-Security-Policy would refuse the font's stylesheet.
  await page.setBypassCSP(true);
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.addStyleTag({ url: pathToFileURL(CJK_CSS).href });
  await page.evaluate(() => {
    document.body.style.fontFamily = `${getComputedStyle(document.body).fontFamily}, "Noto Sans SC"`;
  });
  // Wait for the Chinese glyphs themselves: the font's subsets load when text needs them.
  await page.evaluate(async () => {
    const text = document.body.innerText;
    for (const weight of ['400', '700']) await document.fonts.load(`${weight} 16px "Noto Sans SC"`, text);
    await document.fonts.ready;
  });
  await page.waitForNetworkIdle({ idleTime: 300 });
  await page.screenshot({ path: png, fullPage: true });
  await page.close();
}

const dir = mkdtempSync(join(tmpdir(), 'authing-triage-shots-'));
try {
  const db = join(dir, 'tour.db');
  const live = cli(['--db', db, '--tz', 'UTC', '--year', '2026', '--live', '--color=always', CAPTURE]);
  const terminal = join(dir, 'live.html');
  writeFileSync(terminal, `<!doctype html><meta charset="utf-8"><style>body{margin:0;background:#1e2227;color:#d4d4d4}pre{margin:0;padding:14px 16px;font:14px/1.35 "DejaVu Sans Mono","Noto Sans SC",monospace;white-space:pre-wrap}</style><body><pre>$ authing-triage --live fixtures/guard-threadtime.log\n${ansiToHtml(live)}</pre>`);
  const report = join(dir, 'report.html');
  cli(['report', '--db', db, '--format', 'html', '--since', '2026-03-17T08:00', '--until', '2026-03-18', '--out', report]);
  const browser = await puppeteer.launch({ executablePath: await chromium.executablePath(), args: [...chromium.args, '--disable-background-networking', '--disable-component-update', '--no-first-run'], headless: true });
  try {
    await shoot(browser, terminal, join(OUT, 'live.png'), 1280);
    await shoot(browser, report, join(OUT, 'report.png'), 1280);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
