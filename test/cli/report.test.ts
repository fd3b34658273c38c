/** report, explain, codes, sql and parse through the real bin, on a store with known counts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, FIXTURES, query, runCli, tempDir } from '../helpers.js';

// Known counts over three days (UTC): code -> [day, hour, tag, n]
const PLAN: [string, number, number, string, number][] = [
  ['2026-03-15', 9, 10001, 'SocialLoginButton', 3],
  ['2026-03-15', 10, 2333, 'SocialLoginButton', 2],
  ['2026-03-16', 9, 10001, 'SocialLoginButton', 1],
  ['2026-03-16', 11, 1636, 'SocialLoginButton', 4],
  ['2026-03-17', 9, 10001, 'SocialLoginButton', 10],
  ['2026-03-17', 12, 77777, 'SocialLoginButton', 2],
  ['2026-03-17', 13, 2004, 'AuthRepository', 5],
];

function capture(): string {
  const lines: string[] = [];
  for (const [day, hour, code, tag, n] of PLAN) {
    for (let i = 0; i < n; i++) {
      const t = `${day} ${String(hour).padStart(2, '0')}:${String(10 + i).padStart(2, '0')}:00.000`;
      lines.push(`${t}  100  101 I ActivityManager: Start proc 1234:com.example/u0a1 for activity`);
      lines.push(
        tag === 'AuthRepository'
          ? `${t}  100  101 W AuthRepository: cn.authing.guard callback code: ${code}, message: x`
          : `${t}  100  101 E SocialLoginButton: loginDone: errCode = ${code} errMessage = <script>alert(1)</script>`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

interface Entry { code: number; message: string; messageEn?: string; suggestion?: string; text?: { message: { en: string }; actions: { en: string[] } } }
const CODES = new Map((JSON.parse(readFileSync(new URL('../../src/registry/codes.json', import.meta.url), 'utf8')) as { codes: Entry[] }).codes.map((e) => [e.code, e]));
/** A code's English message and steps as the registry has them (its text, else the older English fields). */
function english(code: number): { message: string; suggestion: string | null } {
  const e = CODES.get(code)!;
  if (e.text) return { message: e.text.message.en, suggestion: e.text.actions.en.join(' ') || null };
  return { message: e.messageEn ?? e.message, suggestion: e.suggestion ?? null };
}

let db: string;
beforeAll(() => {
  const dir = tempDir();
  db = join(dir, 'r.db');
  const f = join(dir, 'days.log');
  writeFileSync(f, capture());
  const r = runCli(['--db', db, '--tz', 'UTC', '--quiet', f]);
  expect(r.status).toBe(0);
});

/** The JSON rows of a report, each with the id of its latest event. */
const rawReport = (...args: string[]) => {
  const r = runCli(['report', '--db', db, '--format', 'json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
};
/** The JSON rows of a report, without the id of each row's latest event (asserted in context.test.ts and below). */
const withoutIds = (rows: Record<string, unknown>[]) => rows.map(({ latestEvent: _id, ...row }) => row);
const report = (...args: string[]) => withoutIds(rawReport(...args));
/** `report --by category` as JSON: one run for the test of its counts and the test of its latest events. */
let byCategory: Record<string, unknown>[] | undefined;
const byCategoryRows = () => (byCategory ??= rawReport('--by', 'category'));

describe('report', () => {
  it('breaks down by category', () => {
    expect(withoutIds(byCategoryRows())).toEqual([
      { category: 'network', count: 14 },
      { category: 'account', count: 5 },
      { category: 'mfa', count: 4 },
      { category: 'password', count: 2 },
      { category: 'unregistered', count: 2 },
    ]);
  });
  it('breaks down by code with the registry message, in both languages, canceled counted apart', () => {
    const rows = report('--by', 'code', '--top', '2');
    // The Chinese text is the registry's, checked in test/cli/lang.test.ts; here, that JSON carries it.
    for (const r of rows) expect(Object.keys(r)).toEqual(expect.arrayContaining(['messageZh', 'suggestionZh']));
    expect(rows.map(({ messageZh: _m, suggestionZh: _s, ...r }) => r)).toEqual([
      { code: 10001, ...english(10001), docs: expect.any(String), category: 'network', count: 14, canceled: 0 },
      { code: 2004, ...english(2004), docs: expect.any(String), category: 'account', count: 5, canceled: 0 },
    ]);
    expect(rows[0]!.message).toMatch(/^Network/);
  });
  it('breaks down by day and category', () => {
    expect(report('--by', 'day', 'category')).toEqual([
      { day: '2026-03-15', category: 'network', count: 3 },
      { day: '2026-03-15', category: 'password', count: 2 },
      { day: '2026-03-16', category: 'mfa', count: 4 },
      { day: '2026-03-16', category: 'network', count: 1 },
      { day: '2026-03-17', category: 'network', count: 10 },
      { day: '2026-03-17', category: 'account', count: 5 },
      { day: '2026-03-17', category: 'unregistered', count: 2 },
    ]);
  });
  it('breaks down by tag and by hour', () => {
    expect(report('--by', 'tag')).toEqual([{ tag: 'SocialLoginButton', count: 22 }, { tag: 'AuthRepository', count: 5 }]);
    expect(report('--by', 'hour', '--where', 'code=10001')).toEqual([
      { hour: '2026-03-15T09:00:00Z', count: 3 },
      { hour: '2026-03-16T09:00:00Z', count: 1 },
      { hour: '2026-03-17T09:00:00Z', count: 10 },
    ]);
  });
  it('windows by absolute times, exactly, also inside an hour', () => {
    expect(report('--by', 'category', '--since', '2026-03-16', '--until', '2026-03-17')).toEqual([
      { category: 'mfa', count: 4 },
      { category: 'network', count: 1 },
    ]);
    // 09:10, 09:11, 09:12 on the 15th: [09:11, 09:12:30) holds two
    expect(report('--by', 'code', '--since', '2026-03-15T09:11:00Z', '--until', '2026-03-15T09:12:30Z').map((r) => [r.code, r.count])).toEqual([[10001, 2]]);
  });
  it('filters with --where on category, code, tag and source', () => {
    expect(report('--by', 'code', '--where', 'category=network,mfa').map((r) => r.code)).toEqual([10001, 1636]);
    expect(report('--by', 'code', '--where', 'tag=AuthRepository').map((r) => r.code)).toEqual([2004]);
    expect(report('--by', 'source', '--where', 'code=2333')).toEqual([{ source: expect.stringMatching(/days\.log$/), count: 2 }]);
  });
  it('compares with the previous period and flags new codes and spikes', () => {
    const rows = report('--by', 'code', '--since', '2026-03-17', '--until', '2026-03-18', '--compare');
    const byCode = Object.fromEntries(rows.map((r) => [r.code, r]));
    expect(byCode[10001]).toMatchObject({ count: 10, previous: 1, change: 9, changePct: 900, isNew: false, spike: true });
    expect(byCode[2004]).toMatchObject({ count: 5, previous: 0, change: 5, changePct: null, isNew: true, spike: true });
    expect(byCode[77777]).toMatchObject({ count: 2, previous: 0, isNew: true, spike: false });
  });
  it('writes CSV (RFC 4180) and Markdown', () => {
    const csv = runCli(['report', '--db', db, '--by', 'code', '--format', 'csv', '--top', '1']);
    expect(csv.stdout).toBe('code,category,count,message\r\n10001,network,14,Network error\r\n');
    const md = runCli(['report', '--db', db, '--by', 'category', '--format', 'md']);
    expect(md.stdout.split('\n').slice(0, 3)).toEqual(['| CATEGORY | EVENTS |', '| --- | ---: |', '| network | 14 |']);
  });
  it('writes an aligned table, and --out to a file of mode 600', () => {
    const out = join(tempDir(), 'r.txt');
    const r = runCli(['report', '--db', db, '--by', 'category', '--format', 'table', '--out', out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 2)).toEqual(['CATEGORY      EVENTS', 'network           14']);
  });
  it('rejects a bad --by in one line with exit 2', () => {
    const r = runCli(['report', '--db', db, '--by', 'colour']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^authing-triage: --by colour: expected one or two of category, code, tag, source, day, hour, outcome, cause, label:KEY\n$/);
  });
  it('gives each JSON row the id of its latest event', () => {
    const rows = byCategoryRows() as { category: string; latestEvent: number }[];
    const latest = query<{ category: string; id: number }>(db, 'SELECT category, MAX(id) AS id FROM v_events GROUP BY category');
    expect(rows.map((r) => [r.category, r.latestEvent]).sort()).toEqual(latest.map((r) => [r.category, r.id]).sort());
  });
  it('re-categorises stored counts when an override changes a category, without re-ingesting', () => {
    const f = join(tempDir(), 'o.json');
    writeFileSync(f, JSON.stringify({ codes: [{ code: 77777, category: 'config', message: 'our tenant code' }] }));
    const rows = report('--by', 'category', '--registry', f);
    expect(rows).toContainEqual({ category: 'config', count: 2 });
    expect(rows.find((r) => r.category === 'unregistered')).toBeUndefined();
    expect(query(db, "SELECT category FROM v_counts_by_code WHERE code = 77777")).toEqual([{ category: 'config' }]);
  });
});

describe('sql', () => {
  it('runs a read-only query on the documented views', () => {
    const r = runCli(['sql', '--db', db, 'SELECT category, count FROM v_counts_by_category', '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toEqual({ category: 'network', count: 14 });
  });
  it('refuses a query that writes, and changes nothing', () => {
    const before = query(db, 'SELECT COUNT(*) AS n FROM events');
    for (const q of ['DELETE FROM events', "UPDATE codes SET category = 'x'", 'DROP VIEW v_daily']) {
      const r = runCli(['sql', '--db', db, q]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^authing-triage: sql runs read-only queries only/);
    }
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual(before);
  });
});

describe('explain and codes', () => {
  it('explains a code: meaning, category, what to do, docs', () => {
    const r = runCli(['explain', '10001']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^10001 {2}Network error$/m);
    expect(r.stdout).toMatch(/^ {2}category: {4}network\b/m);
    expect(r.stdout).toMatch(/^ {2}what to do: {2}(1\. )?\S/m);
    expect(r.stdout).toMatch(/^ {2}docs: {8}https:\/\/docs\.authing\.cn\//m);
  });
  it('gives JSON for scripts, and exits 1 on an unknown code', () => {
    const r = runCli(['explain', '1636', '424242', '--format', 'json']);
    expect(r.status).toBe(1);
    const rows = JSON.parse(r.stdout);
    expect(rows[0]).toMatchObject({ code: 1636, category: 'mfa' });
    expect(rows[1]).toEqual({ code: 424242, category: 'unregistered', known: false });
  });
  it('lists the registry by category in every format', () => {
    const json = JSON.parse(runCli(['codes', '--category', 'sms', '--format', 'json']).stdout);
    expect(json.map((e: { code: number }) => e.code)).toEqual([10008]);
    const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    expect(runCli(['codes', '--category', 'one-click', '--format', 'csv', '--lang', 'en']).stdout).toBe(
      `code,category,kind,message\r\n10005,one-click,android-sdk,${csvCell(english(10005).message)}\r\n10006,one-click,android-sdk,${csvCell(english(10006).message)}\r\n`,
    );
    const bad = runCli(['codes', '--category', 'nope']);
    expect(bad.status).toBe(2);
  });
});

describe('parse', () => {
  it('prints one NDJSON record per line with format, source and line', () => {
    const r = runCli(['parse', join(FIXTURES, 'guard-threadtime.log'), '--tz', 'UTC', '--year', '2026']);
    expect(r.status).toBe(0);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(recs).toHaveLength(180);
    expect(recs[0]).toEqual({
      time: '2026-03-17T16:13:38.811Z', pid: 1702, tid: 2395, level: 'D', tag: 'WindowManager',
      message: 'printFreezingDisplayLogsopening app wtoken = AppWindowToken{9f4ef63 token=Token{a64f992 ActivityRecord{de9231d u0 com.tencent.qt.qtl/.activity.info.NewsDetailXmlActivity t761}}}, allDrawn= false, startingDisplayed =  false, startingMoved =  false, isRelaunching =  false',
      format: 'threadtime', line: 1, source: join(FIXTURES, 'guard-threadtime.log'),
    });
  });
  it('names a broken Android Studio export in one line, exit 3, as ingest does', () => {
    const f = join(tempDir(), 'broken.logcat');
    writeFileSync(f, '{"logcatMessages": [{"header": {"tag": "Authing"}, "message": "code: 2004"}, ');
    for (const args of [['parse', f], ['--db', join(tempDir(), 'b.db'), f]]) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`^authing-triage: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a valid Android Studio logcat export \\(.+\\)`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
  it('ends quietly when the reader closes the pipe (| head)', () => {
    // 20 copies: 3,600 records, ~1 MB of NDJSON, far more than a pipe holds (a build without the EPIPE
    // handler fails at 10 copies too: docs/performance.md, round nine)
    const big = join(tempDir(), 'big.log');
    writeFileSync(big, readFileSync(join(FIXTURES, 'guard-threadtime.log'), 'utf8').repeat(20));
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `set -o pipefail; "${process.execPath}" "${BIN}" parse "${big}" | head -1`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toHaveLength(2);
  });
});
