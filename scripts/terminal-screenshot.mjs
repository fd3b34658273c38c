#!/usr/bin/env node
// Renders a `tmux capture-pane -e` text file (ANSI SGR colours) as HTML, then as a PNG with headless
// Chromium: node scripts/terminal-screenshot.mjs capture.txt out.png  (used for docs/screenshots/live.png)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [input, output] = process.argv.slice(2);
const COLORS = { 30: '#555', 31: '#e5534b', 32: '#57ab5a', 33: '#c69026', 34: '#539bf5', 35: '#b083f0', 36: '#39c5cf', 37: '#d0d0d0', 90: '#768390', 91: '#ff938a', 92: '#6bc46d', 93: '#daaa3f', 94: '#6cb6ff', 95: '#dcbdfb', 96: '#56d4dd', 97: '#fff' };
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
let html = '';
let style = {};
const open = () => {
  const css = [style.fg && `color:${style.fg}`, style.bold && 'font-weight:bold', style.dim && 'opacity:.6', style.rev && 'background:#d0d0d0;color:#111'].filter(Boolean).join(';');
  return css ? `<span style="${css}">` : '<span>';
};
html += open();
for (const part of readFileSync(input, 'utf8').split(/(\x1b\[[0-9;]*m)/)) {
  const m = /^\x1b\[([0-9;]*)m$/.exec(part);
  if (!m) {
    html += esc(part);
    continue;
  }
  for (const code of (m[1] || '0').split(';').map(Number)) {
    if (code === 0) style = {};
    else if (code === 1) style.bold = true;
    else if (code === 2) style.dim = true;
    else if (code === 7) style.rev = true;
    else if (code === 22) style.bold = style.dim = false;
    else if (code === 39) style.fg = undefined;
    else if (COLORS[code]) style.fg = COLORS[code];
  }
  html += `</span>${open()}`;
}
html += '</span>';
const dir = mkdtempSync(join(tmpdir(), 'shot-'));
const page = join(dir, 'term.html');
writeFileSync(page, `<!doctype html><meta charset="utf-8"><body style="margin:0;background:#1c2128;color:#d0d0d0"><pre style="margin:0;padding:14px;font:13px/1.35 'DejaVu Sans Mono',monospace;white-space:pre">${html}</pre>`);
execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'p')}`, `--screenshot=${output}`, '--window-size=1280,720', `file://${page}`], { stdio: 'ignore' });
