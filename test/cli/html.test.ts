/** The HTML report opened in a real headless Chromium: numbers match the JSON report; log markup stays text. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SHARED, runCli, tempDir } from '../helpers.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? 'chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const EVIL = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`;

function chromium(args: string[], dir: string): string {
  const r = spawnSync(CHROMIUM, [...FLAGS, `--user-data-dir=${join(dir, 'profile')}`, ...args], { encoding: 'utf8', timeout: 90_000, maxBuffer: 32 << 20 });
  if (r.error) throw new Error(`chromium did not run (${r.error.message}); install the Debian package chromium`);
  return r.stdout;
}

let dir: string;
let db: string;
let html: string;
let dom: string;
beforeAll(() => {
  dir = tempDir();
  db = join(dir, 'h.db');
  const evil = join(dir, 'evil.log');
  writeFileSync(evil, `2026-03-17 16:20:00.000  4672  4672 E SocialLoginButton: loginDone: errCode = 88888 errMessage = ${EVIL}\n`);
  const labeled = join(SHARED, 'corpus', 'labeled');
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', join(labeled, 'dev-threadtime.log'), join(labeled, 'dev-time.log'), evil]);
  expect(r.status).toBe(0);
  html = join(dir, 'report.html');
  const h = runCli(['report', '--db', db, '--format', 'html', '--out', html]);
  expect(h.stderr).toBe('');
  dom = chromium(['--dump-dom', `file://${html}`], dir);
});

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
    const total = json('--by', 'category').reduce((a, r) => a + Number(r.count), 0);
    expect(dom).toMatch(new RegExp(`id="total-events" data-value="${total}"`));
    for (const r of json('--by', 'category')) expect(dom).toContain(`data-category="${r.category}" data-count="${r.count}"`);
    for (const r of json('--by', 'code', '--top', '20')) expect(dom).toContain(`data-code="${r.code}" data-count="${r.count}"`);
    expect(dom).toContain('data-unregistered="88888" data-count="1"');
  });

  it('shows log markup as text and never runs it', () => {
    expect(dom).not.toContain('pwned</title>');
    expect(dom).not.toMatch(/<img src="x"|<script>document/);
    expect(dom).toContain('&lt;img src=x onerror=');
    expect(dom).toContain('&lt;script&gt;document.title=');
  });

  it('saves a screenshot for review (test/screenshots/report.png)', () => {
    const png = join(dir, 'report.png');
    chromium([`--screenshot=${png}`, '--window-size=1200,1800', `file://${html}`], dir);
    expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
    const phone = join(dir, 'report-phone.png');
    chromium([`--screenshot=${phone}`, '--window-size=390,1400', `file://${html}`], dir);
    expect(statSync(phone).size).toBeGreaterThan(1000);
    const dark = join(dir, 'report-dark.png');
    chromium(['--force-dark-mode', '--blink-settings=preferredColorScheme=0', `--screenshot=${dark}`, '--window-size=1200,1800', `file://${html}`], dir);
    expect(readFileSync(dark)).not.toEqual(readFileSync(png)); // the dark palette really applies
    const keep = join(ROOT, '.tmp', 'screenshots');
    mkdirSync(keep, { recursive: true });
    copyFileSync(png, join(keep, 'report.png'));
    copyFileSync(phone, join(keep, 'report-phone.png'));
    copyFileSync(dark, join(keep, 'report-dark.png'));
  });
});
