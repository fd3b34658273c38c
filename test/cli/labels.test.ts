/**
 * Labels on sources (issue 26) through the real bin: --label, the config's labels, a bugreport's
 * header, --label-from-path, watch's adb; reports by label, --where label:, --compare label:; a
 * store of schema 4 migrated with no labels.
 */
import fc from 'fast-check';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CONTRACT_MIGRATION_SQLITE } from '../../src/store/contract-migration.js';
import { outcomeMigrationSqlite } from '../../src/store/outcome-migration.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite.js';
import { entry } from '../binary.js';
import { FIXTURES, ROOT, SHARED, exitOf, oldStore, query, runCli, startCli, tempDir, trialsHere, waitFor, writeZip } from '../helpers.js';

const LABELED = join(SHARED, 'corpus', 'labeled');
const FIXTURE = join(FIXTURES, 'guard-threadtime.log');
const BUGREPORT = join(FIXTURES, 'bugreport-pixel7.zip');
const expectedCounts = (name: string): Record<string, number> => JSON.parse(readFileSync(join(LABELED, name.replace(/\.log$/, '.expected.json')), 'utf8')).counts;

/** The labels of each source, by source name. */
const labelsBySource = (db: string): Record<string, Record<string, string>> => {
  const out: Record<string, Record<string, string>> = {};
  for (const r of query<{ name: string; key: string; value: string }>(db, 'SELECT s.name, l.key, l.value FROM source_labels l JOIN sources s ON s.id = l.source_id ORDER BY s.name, l.key')) {
    (out[r.name] ??= {})[r.key] = r.value;
  }
  return out;
};

const report = (db: string, ...args: string[]) => {
  const r = runCli(['report', '--db', db, '-f', 'json', ...args]);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.status, args.join(' ')).toBe(0);
  // Each row's latestEvent (an event id for `show`) is checked in report.test.ts; the counts are compared here.
  return (JSON.parse(r.stdout) as Record<string, unknown>[]).map(({ latestEvent, ...row }) => {
    expect(latestEvent === null || Number.isInteger(latestEvent), args.join(' ')).toBe(true);
    return row;
  });
};

/** A bugreport zip of `text` (the whole bugreport text), as `adb bugreport` writes one. */
const zipOf = (file: string, text: string | Buffer): Promise<void> => writeZip(file, { 'bugreport-oriole-TQ3A.230901.001-2026-03-17-16-20-00.txt': text });

/** A bugreport text: dumpstate's header (`header` lines), the capture as its SYSTEM LOG, then `props`. */
function bugreportText(header: string[], logcat: string, props: string[], eol = '\n'): string {
  return [
    '========================================================',
    '== dumpstate: 2026-03-17 16:20:00',
    '========================================================',
    '',
    ...header,
    '------ SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v) ------',
    logcat.trimEnd(),
    "------ 0.512s was the duration of 'SYSTEM LOG' ------",
    '------ SYSTEM PROPERTIES (getprop) ------',
    ...props,
  ].join(eol) + eol;
}

describe('labels on sources', () => {
  let shared: string | undefined;
  /**
   * One store the report tests read (and never write): dev-threadtime as pixel7, app 1.4.3, Android 14;
   * dev-brief as mi11, app 1.4.2, Android 14; dev-time as pixel7, Android 13, no app. Three runs, made once.
   */
  const sharedStore = (): string => {
    if (shared) return shared;
    const db = join(tempDir(), 'shared.db');
    for (const [labels, file] of [
      [['device=pixel7', 'app=1.4.3', 'android=14'], 'dev-threadtime.log'],
      [['device=mi11', 'app=1.4.2', 'android=14'], 'dev-brief.log'],
      [['device=pixel7', 'android=13'], 'dev-time.log'],
    ] as const) {
      const r = runCli(['--db', db, '--quiet', ...labels.flatMap((l) => ['--label', l]), join(LABELED, file)]);
      expect(r.status, r.stderr).toBe(0);
    }
    return (shared = db);
  };
  const total = (n: string) => Object.values(expectedCounts(n)).reduce((a, b) => a + b, 0);

  it("gives each device's codes with --by label:device code, as the issue's done-when says", () => {
    const db = sharedStore();
    const rows = report(db, '--by', 'label:device', 'code') as { 'label:device': string; code: number; count: number }[];
    const byDevice: Record<string, Record<string, number>> = {};
    for (const r of rows) (byDevice[r['label:device']] ??= {})[String(r.code)] = r.count;
    // pixel7 is two sources (dev-threadtime and dev-time): their counts add up by code.
    const pixel7: Record<string, number> = { ...expectedCounts('dev-threadtime.log') };
    for (const [code, n] of Object.entries(expectedCounts('dev-time.log'))) pixel7[code] = (pixel7[code] ?? 0) + n;
    expect(byDevice).toEqual({ pixel7, mi11: expectedCounts('dev-brief.log') });
    // A source without the label is a row of its own, null in JSON.
    const byApp = report(db, '--by', 'label:app') as { 'label:app': string | null; count: number }[];
    expect(byApp).toEqual([{ 'label:app': '1.4.3', count: total('dev-threadtime.log') }, { 'label:app': '1.4.2', count: total('dev-brief.log') }, { 'label:app': null, count: total('dev-time.log') }].sort((a, b) => b.count - a.count));
    // The views: v_events carries the labels as JSON text, v_counts_by_label counts by key, value and code.
    expect(query(db, "SELECT DISTINCT labels FROM v_events ORDER BY labels")).toEqual([
      { labels: '{"android":"13","device":"pixel7"}' },
      { labels: '{"android":"14","app":"1.4.2","device":"mi11"}' },
      { labels: '{"android":"14","app":"1.4.3","device":"pixel7"}' },
    ]);
    const view = query<{ code: number; count: number }>(db, "SELECT code, count FROM v_counts_by_label WHERE key = 'device' AND value = 'mi11'");
    expect(Object.fromEntries(view.map((r) => [String(r.code), r.count]))).toEqual(expectedCounts('dev-brief.log'));
  });

  it("labels a bugreport zip from its header with no flag, ro.product.model naming the device; --label overrides", async () => {
    const dir = tempDir();
    const db = join(dir, 'b.db');
    const r = runCli(['--db', db, '--quiet', BUGREPORT]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const name = `${BUGREPORT}!bugreport-panther-UQ1A.240205.004-2026-03-17-16-20-00.txt`;
    expect(labelsBySource(db)).toEqual({ [name]: { android: '14', build: 'UQ1A.240205.004', device: 'Pixel 7' } });
    expect(report(db, '--by', 'label:device')).toEqual([{ 'label:device': 'Pixel 7', count: 15 }]);
    // The newest run's value of a key wins; the keys it does not give stay.
    expect(runCli(['--db', db, '--quiet', '--label', 'device=lab-7', '--label', 'app=1.4.3', BUGREPORT]).status).toBe(0);
    expect(labelsBySource(db)).toEqual({ [name]: { android: '14', app: '1.4.3', build: 'UQ1A.240205.004', device: 'lab-7' } });

    // Without the properties section, and with CRLF line ends (a report saved on Windows): the fingerprint's device.
    const fp = "Build fingerprint: 'google/oriole/oriole:13/TQ3A.230901.001/10750268:user/release-keys'";
    const crlf = join(dir, 'crlf.zip');
    await zipOf(crlf, bugreportText(['Build: TQ3A.230901.001', fp, 'Bootloader: slider-1.2-9152140'], readFileSync(FIXTURE, 'utf8').replaceAll('\n', '\r\n'), ['[ro.build.version.release]: [13]'], '\r\n'));
    const db2 = join(dir, 'c.db');
    expect(runCli(['--db', db2, '--quiet', crlf]).status).toBe(0);
    expect(Object.values(labelsBySource(db2))).toEqual([{ android: '13', build: 'TQ3A.230901.001', device: 'oriole' }]);

    // Hostile header values: terminal escapes dropped, e-mails redacted; a tombstone's fingerprint later on is not the device's.
    // The properties come after a logcat section larger than the head read before the source is known.
    const hostile = join(dir, 'hostile.zip');
    await zipOf(hostile, bugreportText([fp], readFileSync(join(LABELED, 'dev-threadtime.log'), 'utf8'), [
      "Build fingerprint: 'other/crashed/crashed:9/PQ3A/1:user/release-keys'",
      '[ro.product.model]: [Pixel\u001b[2J 6 alice@example.com]',
    ]));
    const db3 = join(dir, 'h.db');
    expect(runCli(['--db', db3, '--quiet', hostile]).status).toBe(0);
    expect(Object.values(labelsBySource(db3))).toEqual([{ android: '13', build: 'TQ3A.230901.001', device: 'Pixel [2J 6 [email]' }]);
  });

  it('takes labels from each path with --label-from-path; a path that does not match gets none', { timeout: 180_000 }, () => {
    const dir = tempDir();
    const root = join(dir, 'srv');
    mkdirSync(join(root, 'device-logs', 'pixel7', '2026-03-17'), { recursive: true });
    mkdirSync(join(root, 'device-logs', 'mi11', '2026-03-18'), { recursive: true });
    mkdirSync(join(root, 'other'), { recursive: true });
    copyFileSync(join(LABELED, 'dev-threadtime.log'), join(root, 'device-logs', 'pixel7', '2026-03-17', 'a.log'));
    writeFileSync(join(root, 'device-logs', 'mi11', '2026-03-18', 'b.log.gz'), gzipSync(readFileSync(join(LABELED, 'dev-time.log'))));
    copyFileSync(join(LABELED, 'dev-brief.log'), join(root, 'other', 'c.log'));
    const db = join(dir, 'p.db');
    const r = runCli(['--db', db, '--quiet', '--label-from-path', 'device-logs/{device}/{date}/*', '--label', 'fleet=ci', root]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(labelsBySource(db)).toEqual({
      [join(root, 'device-logs', 'mi11', '2026-03-18', 'b.log.gz')]: { date: '2026-03-18', device: 'mi11', fleet: 'ci' },
      [join(root, 'device-logs', 'pixel7', '2026-03-17', 'a.log')]: { date: '2026-03-17', device: 'pixel7', fleet: 'ci' },
      [join(root, 'other', 'c.log')]: { fleet: 'ci' },
    });
    // An explicit --label wins over the path's.
    const db2 = join(dir, 'q.db');
    expect(runCli(['--db', db2, '--quiet', '--label-from-path', 'device-logs/{device}/{date}/*', '--label', 'device=bench', join(root, 'device-logs')]).status).toBe(0);
    expect(Object.values(labelsBySource(db2)).map((l) => l.device)).toEqual(['bench', 'bench']);
    // A placeholder that is no label key: one line, exit 2, nothing created.
    const bad = runCli(['--db', join(dir, 'none.db'), '--label-from-path', 'logs/{Device}/*', root]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('authing-triage: --label-from-path "logs/{Device}/*": {Device} is not a label key; a key is a lower-case letter then letters, digits or _ (e.g. device, app_version)\n');
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
  });

  it('filters by labels with --where label:KEY=V (repeatable, all must hold), in every text format', { timeout: 180_000 }, () => {
    const db = sharedStore();
    const codes = (rows: Record<string, unknown>[]) => Object.fromEntries(rows.map((r) => [String(r.code), r.count]));
    expect(codes(report(db, '--by', 'code', '--where', 'label:android=14', '--where', 'label:device=pixel7'))).toEqual(expectedCounts('dev-threadtime.log'));
    expect(codes(report(db, '--by', 'code', '--where', 'label:android=13'))).toEqual(expectedCounts('dev-time.log'));
    const both = report(db, '--by', 'label:device', '--where', 'label:android=14,13', '--where', 'label:device=mi11');
    expect(both).toEqual([{ 'label:device': 'mi11', count: Object.values(expectedCounts('dev-brief.log')).reduce((a, b) => a + b, 0) }]);
    const csv = runCli(['report', '--db', db, '--by', 'label:android', 'label:device', '-f', 'csv']);
    expect(csv.status).toBe(0);
    const n = (f: string) => Object.values(expectedCounts(f)).reduce((a, b) => a + b, 0);
    const rows = [['14', 'pixel7', n('dev-threadtime.log')], ['13', 'pixel7', n('dev-time.log')], ['14', 'mi11', n('dev-brief.log')]].sort((a, b) => Number(b[2]) - Number(a[2]));
    expect(csv.stdout).toBe(`label:android,label:device,count\r\n${rows.map((r) => r.join(',')).join('\r\n')}\r\n`);
    const md = runCli(['report', '--db', db, '--by', 'label:device', '-f', 'md']);
    expect(md.stdout).toContain('| LABEL:DEVICE | EVENTS |');
    // A bad key and a bad dimension: one line, exit 2.
    for (const [args, line] of [
      [['--where', 'label:Android=14'], 'authing-triage: --where "label:Android=14": "Android" is not a label key; a key is a lower-case letter then letters, digits or _ (e.g. device, app_version)'],
      [['--by', 'label:'], 'authing-triage: --by label:: "" is not a label key; a key is a lower-case letter then letters, digits or _ (e.g. device, app_version)'],
      [['--by', 'labels:device'], 'authing-triage: --by labels:device: expected one or two of category, code, tag, source, day, hour, outcome, cause, label:KEY'],
    ] as [string[], string][]) {
      const r = runCli(['report', '--db', db, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
    }
  });

  it('--compare label:app=A,B gives the codes that appear, spike or vanish, with the counts of each side and their ratio', () => {
    const codes = [2333, 10001, 2004, 1577, 10002];
    const line = (i: number, code: number) => `03-17 16:${String(10 + (i % 50)).padStart(2, '0')}:00.000  1702  2395 E SocialLoginButton: loginDone: errCode = ${code} errMessage = x\n`;
    const capture = (name: string, counts: number[]) => {
      let i = 0;
      // Lines of each code in a shuffled-looking order: code k every k-th place.
      const lines = [`03-17 16:09:00.000  1702  1702 I ActivityManager: capture ${name}\n`];
      const left = [...counts];
      while (left.some((n) => n > 0)) for (let k = 0; k < left.length; k++) if (left[k]! > 0) (left[k]!--, lines.push(line(i++, codes[k]!)));
      return lines.join('');
    };
    // The seeded cases drawn first and read in one run, each capture its own source labelled from its
    // path (logs/<case>/<app>/); then one --compare per case, kept to that case with --where.
    const side = fc.array(fc.nat(12), { minLength: codes.length, maxLength: codes.length });
    const cases = fc.sample(fc.tuple(side, side), { numRuns: trialsHere('label compare', 8, 4), seed: 2611 });
    const dir = tempDir();
    const db = join(dir, 'c.db');
    cases.forEach(([a, b], k) => {
      for (const [app, counts, name] of [['1.4.2', a, 'a'], ['1.4.3', b, 'b']] as const) {
        mkdirSync(join(dir, 'logs', `c${k}`, app), { recursive: true });
        // The case in the first line: two cases drawing the same counts are still two sources.
        writeFileSync(join(dir, 'logs', `c${k}`, app, `${name}.log`), capture(`${name} of case ${k}`, counts));
      }
    });
    expect(runCli(['--db', db, '--quiet', '--year', '2026', '--label-from-path', 'logs/{case}/{app}/*', join(dir, 'logs')]).status).toBe(0);
    expect(query(db, 'SELECT COUNT(*) AS n FROM sources')).toEqual([{ n: 2 * cases.length }]);
    // One report of every case's codes (--by label:case code), and the first case again through --where: two
    // runs of the CLI instead of one a case.
    const all = report(db, '--by', 'label:case', 'code', '--compare', 'label:app=1.4.2,1.4.3');
    const first = report(db, '--by', 'code', '--compare', 'label:app=1.4.2,1.4.3', '--where', 'label:case=c0').map((r) => [r.code, r.countA, r.countB, r.ratio, r.note]);
    cases.forEach(([a, b], k) => {
      const rows = all.filter((r) => r['label:case'] === `c${k}`).map((r) => [r.code, r.countA, r.countB, r.ratio, r.note]);
      const expected = codes
        .map((code, i) => [code, a[i]!, b[i]!] as const)
        .filter(([, x, y]) => x + y > 0)
        .map(([code, x, y]) => [code, x, y, x ? Math.round((y / x) * 100) / 100 : null, x === 0 ? 'new' : y === 0 ? 'gone' : y >= 2 * x && y - x >= 5 ? 'spike' : ''])
        .sort((p, q) => (q[2] as number) - (p[2] as number) || (q[1] as number) - (p[1] as number) || (String(p[0]) < String(q[0]) ? -1 : 1));
      expect({ k, a, b, rows }).toEqual({ k, a, b, rows: expected });
      if (k === 0) expect(first).toEqual(expected);
    });
    expect(all.map((r) => r['label:case']).filter((c) => !cases.some((_, k) => c === `c${k}`))).toEqual([]);
  });

  it('shows --compare label: in a table with each side titled by its value', () => {
    const db = sharedStore();
    const t = runCli(['report', '--db', db, '--by', 'code', '--compare', 'label:app=1.4.2,1.4.3', '-f', 'table', '--top', '3']);
    expect(t.status).toBe(0);
    expect(t.stdout.split('\n')[0]).toMatch(/^ +CODE +CATEGORY +APP=1\.4\.2 +APP=1\.4\.3 +RATIO +NOTE +MESSAGE$/);
    for (const [args, line] of [
      [['--compare', 'label:app=1.4.2'], 'authing-triage: --compare "label:app=1.4.2": give exactly two values to compare, e.g. label:app=1.4.2,1.4.3'],
      [['--compare', 'app=1.4.2,1.4.3'], 'authing-triage: --compare "app=1.4.2,1.4.3": expected --compare alone (against the previous period) or label:KEY=A,B'],
      [['--compare', 'label:app=1.4.2,1.4.3', '-f', 'html'], 'authing-triage: --compare label:... is a table, json, csv or md report; the page compares periods (--compare with --since)'],
    ] as [string[], string][]) {
      const r = runCli(['report', '--db', db, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
    }
  });

  it('shows --by label:KEY on the HTML page with every label value escaped', () => {
    const dir = tempDir();
    const db = join(dir, 'h.db');
    expect(runCli(['--db', db, '--quiet', '--label', 'device=<img src=x onerror=alert(1)>', FIXTURE]).status).toBe(0);
    expect(runCli(['--db', db, '--quiet', join(LABELED, 'dev-brief.log')]).status).toBe(0);
    const r = runCli(['report', '--db', db, '--by', 'label:device', '-f', 'html']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const table = /<table id="breakdown" data-by="label:device">[\s\S]*?<\/table>/.exec(r.stdout)?.[0] ?? '';
    const n = (f: string) => Object.values(expectedCounts(f)).reduce((a, b) => a + b, 0);
    expect([...table.matchAll(/<tr><td class="text">([^<]*)<\/td><td class="num">(\d+)<\/td><\/tr>/g)].map((m) => [m[1], Number(m[2])])).toEqual([
      ['—', n('dev-brief.log')],
      ['&#60;img src=x onerror=alert(1)&#62;', 15],
    ]);
    expect(r.stdout).not.toContain('<img src=x');
  });

  it('refuses a bad --label in one line with exit 2, before any database is made; redacts and bounds values', () => {
    const dir = tempDir();
    const db = join(dir, 'x.db');
    for (const [label, line] of [
      ['Device=pixel7', '"Device" is not a label key; a key is a lower-case letter then letters, digits or _ (e.g. device, app_version)'],
      ['9app=1', '"9app" is not a label key; a key is a lower-case letter then letters, digits or _ (e.g. device, app_version)'],
      ['device', 'expected KEY=VALUE, e.g. --label device=pixel7'],
      ['device=  ', 'the value is empty; give KEY=VALUE'],
    ]) {
      const r = runCli(['--db', db, '--label', label!, FIXTURE]);
      expect(r.status, label).toBe(2);
      expect(r.stderr).toBe(`authing-triage: --label ${JSON.stringify(label)}: ${line}\n`);
    }
    expect(existsSync(db)).toBe(false);
    const long = 'x'.repeat(500);
    const r = runCli(['--db', db, '--quiet', '--label', 'owner=alice@example.com', '--label', `note=${long}`, '--label', 'token=access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc', FIXTURE]);
    expect(r.status).toBe(0);
    expect(Object.values(labelsBySource(db))).toEqual([{ note: 'x'.repeat(120), owner: '[email]', token: '[redacted]' }]);
  });

  it("takes the config file's labels, as an object or a list; a flag of the same key wins", () => {
    const dir = tempDir();
    const db = join(dir, 'c.db');
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ labels: { host: 'ci-7', app: '1.4.2' } }));
    expect(runCli(['--db', db, '--quiet', '--label', 'app=1.4.3', FIXTURE], { cwd: dir }).status).toBe(0);
    expect(Object.values(labelsBySource(db))).toEqual([{ app: '1.4.3', host: 'ci-7' }]);
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ labels: ['host=ci-8'] }));
    expect(runCli(['--db', db, '--quiet', FIXTURE], { cwd: dir }).status).toBe(0);
    expect(Object.values(labelsBySource(db))).toEqual([{ app: '1.4.3', host: 'ci-8' }]);
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ labels: { 'Host Name': 'x' } }));
    const bad = runCli(['--db', db, FIXTURE], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`authing-triage: ${join(dir, '.authing-triage.json')}: key "labels" "Host Name=x": "Host Name" is not a label key; a key is a lower-case letter then letters, digits or _ (e.g. device, app_version)\n`);
  });

  it("labels watch's stream with the device's model and Android version from adb, and the app's versionName with --package", { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const db = join(dir, 'w.db');
    const fixture = join(dir, 'session.bin');
    writeFileSync(fixture, Buffer.concat([
      entry('2026-03-17T16:00:01.000Z', 4000, 4000, 'E', 'SocialLoginButton', 'loginDone: errCode = 2333 errMessage = x'),
      entry('2026-03-17T16:00:02.000Z', 4000, 4000, 'E', 'SocialLoginButton', 'loginDone: errCode = 10001 errMessage = Network error'),
    ]));
    const env = {
      PATH: `${join(ROOT, 'test', 'fake-adb')}:${process.env.PATH}`, FAKE_ADB_FIXTURE: fixture, FAKE_ADB_HOLD: '1', FAKE_ADB_PIDS: 'com.example.shop=4000',
      FAKE_ADB_PROPS: 'ro.product.model=Pixel 7;ro.build.version.release=14', FAKE_ADB_VERSIONS: 'com.example.shop=1.4.3',
    };
    const c = startCli(['watch', '--db', db, '--json', '--package', 'com.example.shop', '--label', 'android=14-beta'], env);
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    // six starts of (fake) adb before the last event: pidof, get-serialno, getprop twice, dumpsys, logcat
    await waitFor(() => out.includes('"code":10001'), 45_000, 'the last event on stdout');
    c.kill('SIGINT');
    expect(await exitOf(c)).toBe(130);
    expect(labelsBySource(db)).toEqual({ 'adb logcat -B': { android: '14-beta', app: '1.4.3', device: 'Pixel 7', serial: 'emulator-5554' } });
    expect(report(db, '--by', 'label:device', 'code').map((r) => [r['label:device'], r.code, r.count])).toEqual([['Pixel 7', 2333, 1], ['Pixel 7', 10001, 1]]);
  });
});

describe('migration to labels', () => {
  it('migrates a schema-4 store with no labels; reports by label and new labelled ingests work beside the old rows', () => {
    const db = join(tempDir(), 'v4.db');
    // Migrations 2 to 4 as released: the store a build of schema 4 left.
    const conn = oldStore(db, 4, (c) => {
      c.exec(CONTRACT_MIGRATION_SQLITE);
      c.exec(outcomeMigrationSqlite());
      c.exec('ALTER TABLE sources ADD COLUMN prefix_hash TEXT;');
    });
    conn.prepare("INSERT INTO events (source_id, line, time, hour, code, method, tag, excerpt, outcome) VALUES (1, 1, '2026-03-01T10:00:00.000Z', '2026-03-01T10', 2333, 'key-value', 'SocialLoginButton', 'x', 'failed')").run();
    conn.prepare("INSERT INTO counts_hourly (hour, code, tag, source_id, outcome, count) VALUES ('2026-03-01T10', 2333, 'SocialLoginButton', 1, 'failed', 1)").run();
    conn.close();

    // A report migrates it first (as any run of this build does): the old source has no label.
    expect(report(db, '--by', 'label:device')).toEqual([{ 'label:device': null, count: 1 }]);
    expect(query(db, 'PRAGMA user_version')).toEqual([{ user_version: SCHEMA_VERSION }]);
    // New labelled sources beside the old one without labels.
    expect(runCli(['--db', db, '--quiet', '--label', 'device=pixel7', FIXTURE]).status).toBe(0);
    // 5 is the labels migration; 6, each event's context and cause, 7, v_events made again for an older sqlite3, 8,
    // sources.path, and 9, sources.lead_hash, follow it
    expect(SCHEMA_VERSION).toBe(9);
    expect(query(db, "SELECT labels FROM v_events WHERE source = 'old.log'")).toEqual([{ labels: '{}' }]);
    const rows = report(db, '--by', 'label:device', 'code').filter((r) => r.code === 2333).map((r) => [r['label:device'], r.count]);
    expect(rows).toEqual([[null, 1], ['pixel7', 1]]);
  });
});
