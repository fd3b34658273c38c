/**
 * One language per run, and the outcome of each event, through the real bin on the labeled
 * captures: an English run shows no Chinese outside the log text it quotes, a zh_CN locale gives
 * the registry's Chinese throughout, social logins are counted canceled apart from failed, and a
 * store of the schema before outcomes is migrated in place.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, SHARED, oldStore, pgDatabase, pgQuery, query, runCli, tempDir } from '../helpers.js';
import { codeOutcome } from '../../src/extract/outcome.js';
import { loadRegistry } from '../../src/registry/index.js';
import { PG_SCHEMA_VERSION } from '../../src/store/postgres.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite.js';

const LABELED = join(SHARED, 'corpus', 'labeled');
const CAPTURES = readdirSync(LABELED)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => JSON.parse(readFileSync(join(LABELED, f), 'utf8')) as { file: string; format: string; args: string[] });

/** CJK ideographs, kana, hangul, CJK punctuation and full-width forms. */
const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/;
/** The lines of a text that show CJK, for a readable failure. */
const cjkLines = (text: string): string[] => text.split('\n').filter((l) => CJK.test(l));

/** The locale of a run: nothing inherited from the machine running the tests. */
const locale = (lang: string) => ({ LC_ALL: '', LC_MESSAGES: '', LANG: lang });

interface RegistryEntry {
  code: number;
  category: string;
  message: string;
  messageEn?: string;
  messageZh?: string;
  text?: { message: { en: string; zh: string } };
}
const REGISTRY = JSON.parse(readFileSync(new URL('../../src/registry/codes.json', import.meta.url), 'utf8')) as { codes: RegistryEntry[] };
const ENTRY = new Map(REGISTRY.codes.map((e) => [e.code, e]));
const SOCIAL = new Set(REGISTRY.codes.filter((e) => e.category === 'social-login').map((e) => e.code));
/** Codes a user can cancel: social and one-click logins. */
const CANCELABLE = new Set(REGISTRY.codes.filter((e) => e.category === 'social-login' || e.category === 'one-click').map((e) => e.code));
/** What the text contract promises a zh run shows for a code: the registry's Chinese message (older entries: messageZh, or a Chinese message). */
const ZH_NONE = '（注册表中暂无中文说明，请查看文档链接）';
function registryZh(code: number): string {
  const e = ENTRY.get(code)!;
  return e.text?.message.zh ?? e.messageZh ?? (CJK.test(e.message) ? e.message : ZH_NONE);
}

/** The cells of a Markdown table, unescaped. */
function mdRows(md: string): string[][] {
  return md
    .trim()
    .split('\n')
    .map((l) => l.slice(2, -2).split(/(?<!\\) \| /).map((c) => c.replace(/\\(.)/g, '$1')));
}

let dir: string;
let enDb: string;
let zhDb: string;
let enLive = '';
let zhLive = '';

beforeAll(() => {
  dir = tempDir();
  enDb = join(dir, 'en.db');
  zhDb = join(dir, 'zh.db');
  // One run per language for the captures that take the same arguments (each file its own source).
  const byArgs = new Map<string, string[]>();
  for (const c of CAPTURES) byArgs.set(JSON.stringify(c.args), [...(byArgs.get(JSON.stringify(c.args)) ?? []), join(LABELED, c.file)]);
  for (const [args, files] of byArgs) {
    // --live: stdout is a pipe here, and the live lines are what a person at a terminal reads.
    const en = runCli(['--db', enDb, '--live', '--lang', 'en', ...files, ...(JSON.parse(args) as string[])], { env: locale('zh_CN.UTF-8') });
    expect(en.status).toBe(0);
    enLive += en.stdout + en.stderr;
    const zh = runCli(['--db', zhDb, '--live', ...files, ...(JSON.parse(args) as string[])], { env: locale('zh_CN.UTF-8') });
    expect(zh.status).toBe(0);
    zhLive += zh.stdout + zh.stderr;
  }
  expect(query(enDb, 'SELECT COUNT(*) AS n FROM sources')).toEqual([{ n: CAPTURES.length }]);
}, 180_000);

/** Text with the log lines it quotes taken out: excerpts are the user's own log, in whatever language it was. */
function withoutLogText(text: string, db: string): string {
  let out = text;
  const rows = query<{ tag: string; excerpt: string }>(db, 'SELECT DISTINCT tag, excerpt FROM events');
  for (const r of rows) {
    const short = r.excerpt.length > 100 ? r.excerpt.slice(0, 100) + '…' : r.excerpt;
    out = out.split(`${r.tag}: ${short}`).join('');
  }
  // The HTML page quotes the latest line of each unregistered code, and the lines before the latest event of each top code.
  return out.replace(/<code>[\s\S]*?<\/code>/g, '').replace(/<pre class="context">[\s\S]*?<\/pre>/g, '');
}

describe('--lang en', () => {
  it('shows no Chinese in live lines and the run summary, outside the quoted log text', () => {
    expect(enLive).toMatch(/ \[social-login\] /);
    expect(cjkLines(withoutLogText(enLive, enDb))).toEqual([]);
  });

  it('shows no Chinese in report tables, Markdown, CSV and the HTML page', { timeout: 180_000 }, () => {
    const runs = [
      ['report', '--by', 'code', '--format', 'table'],
      ['report', '--by', 'category', '--format', 'table'],
      ['report', '--by', 'code', 'outcome', '--format', 'md'],
      ['report', '--by', 'code', '--format', 'csv'],
      ['report', '--by', 'day', 'category', '--format', 'md'],
      ['report', '--format', 'html'],
    ];
    for (const args of runs) {
      const r = runCli([...args, '--db', enDb, '--lang', 'en'], { env: locale('zh_CN.UTF-8') });
      expect(r.status).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(40);
      expect({ args, cjk: cjkLines(withoutLogText(r.stdout + r.stderr, enDb)) }).toEqual({ args, cjk: [] });
    }
  });

  it('explains every code of the captures, and lists the registry, without Chinese', () => {
    const codes = query<{ code: number }>(enDb, 'SELECT DISTINCT code FROM events ORDER BY code').map((r) => String(r.code));
    expect(codes.length).toBeGreaterThan(40);
    const ex = runCli(['explain', ...codes, '--lang', 'en'], { env: locale('zh_CN.UTF-8') });
    // 504 and the like are not in the registry: exit 1, and a line saying so.
    expect(ex.stdout.match(/^\d+ {2}/gm)!.length + ex.stderr.trim().split('\n').filter(Boolean).length).toBe(codes.length);
    expect(cjkLines(ex.stdout + ex.stderr)).toEqual([]);
    for (const format of ['table', 'md', 'csv']) {
      const r = runCli(['codes', '--format', format, '--lang', 'en'], { env: locale('zh_CN.UTF-8') });
      expect(r.status).toBe(0);
      expect(cjkLines(r.stdout)).toEqual([]);
    }
  });

  it('never shows the sources\' disagreements unless asked with --sources', () => {
    const plain = runCli(['explain', '1636', '--lang', 'en']);
    expect(plain.stdout).not.toMatch(/disagree/);
    const sources = runCli(['explain', '1636', '--lang', 'en', '--sources']);
    // Each field's full source first, then the disagreements and every source's own fields.
    expect(sources.stdout).toMatch(/^ {2}sources: {5}message: /m);
    expect(sources.stdout).toMatch(/^ {15}sources disagree/m);
  });
});

describe('zh_CN locale', () => {
  it('gives the registry\'s Chinese message for every code in a report, under Chinese headers', () => {
    const r = runCli(['report', '--db', zhDb, '--by', 'code', '--format', 'md'], { env: locale('zh_CN.UTF-8') });
    expect(r.status).toBe(0);
    const [head, , ...rows] = mdRows(r.stdout);
    expect(head).toEqual(['代码', '类别', '事件数', '已取消', '说明']);
    expect(rows.length).toBe(query(zhDb, 'SELECT DISTINCT code FROM events').length);
    for (const [code, , , , message] of rows) {
      const expected = ENTRY.has(Number(code)) ? registryZh(Number(code)) : `未登记的代码 ${code}`;
      expect({ code, message }).toEqual({ code, message: expected });
      expect(CJK.test(message!)).toBe(true);
    }
  });

  it('gives Chinese live lines and explain, and LC_ALL wins over LANG', () => {
    const lines = zhLive.split('\n').filter((l) => /^\[[\d:.]+\] \w+: \d+ \[/.test(l));
    expect(lines.length).toBeGreaterThan(100);
    for (const l of lines) {
      const m = /^\[[\d:.]+\] \w+: (\d+) \[[^\]]+\](?: \([^)]+\))? (.*?) {2}/.exec(l)!;
      const code = Number(m[1]);
      expect(m[2]).toBe(ENTRY.has(code) ? registryZh(code) : `未登记的代码 ${code}`);
    }
    const ex = runCli(['explain', '2333'], { env: { LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' } });
    expect(ex.stdout.split('\n')[0]).toBe(`2333  ${registryZh(2333)}`);
    expect(ex.stdout).toMatch(/^ {2}类别: +/m);
    const en = runCli(['explain', '2333'], { env: { LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' } });
    expect(en.stdout).toMatch(/^ {2}category: +password\b/m);
  });

  it('gives a Chinese HTML page: headings, and the registry\'s Chinese message for every top code', () => {
    const out = join(dir, 'zh.html');
    expect(runCli(['report', '--db', zhDb, '--format', 'html', '--top', '100', '--out', out], { env: locale('zh_CN.UTF-8') }).status).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<html lang="zh-CN">');
    const failures = query(zhDb, "SELECT DISTINCT code FROM v_events WHERE category <> 'success'").length;
    expect([...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1])).toEqual(['每小时事件数（按类别）', '按类别', `失败代码（${failures} 个）`, '未登记的代码', '来源']);
    const rows = [...html.matchAll(/<tr data-code="(\d+)"[^>]*><td class="num">\d+<\/td><td class="cat">[^]*?<\/td><td class="num">[^]*?<\/td><td class="text">([^<]*)/g)];
    expect(rows.length).toBe(failures);
    const unescape = (t: string) => t.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    for (const [, code, message] of rows) expect({ code, message: unescape(message!) }).toEqual({ code, message: ENTRY.has(Number(code)) ? registryZh(Number(code)) : '（不在注册表中）' });
  });

  it('explains with --db how often a code was seen, canceled apart, in the run\'s language', () => {
    const n = query<{ outcome: string; n: number }>(zhDb, 'SELECT outcome, COUNT(*) AS n FROM events WHERE code = 10022 GROUP BY outcome ORDER BY outcome');
    const last = query<{ t: string }>(zhDb, 'SELECT MAX(time) AS t FROM events WHERE code = 10022')[0]!.t;
    const total = n.reduce((a, r) => a + r.n, 0);
    expect(n.map((r) => r.outcome)).toEqual(['canceled', 'failed']);
    const zh = runCli(['explain', '10022', '--db', zhDb], { env: locale('zh_CN.UTF-8') });
    expect(zh.stdout).toContain(`  出现:     ${total} 次，最近一次 ${last}（取消 ${n[0]!.n}，失败 ${n[1]!.n}）\n`);
    expect(zh.stdout).toContain('  结果类型: 失败，取消\n');
    const en = runCli(['explain', '10022', '--db', zhDb, '--lang', 'en']);
    expect(en.stdout).toContain(`  seen:        ${total} times, last ${last} (canceled ${n[0]!.n}, failed ${n[1]!.n})\n`);
    // Without --db, nothing is read: the default path is not a store the user named.
    expect(runCli(['explain', '10022', '--lang', 'en'], { cwd: dir }).stdout).not.toMatch(/seen:/);
  });

  it('follows the config key "lang" over the locale, and --lang over both', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.authing-triage.json'), JSON.stringify({ lang: 'zh' }));
    expect(runCli(['explain', '1636'], { cwd, env: locale('en_US.UTF-8') }).stdout).toMatch(/^ {2}类别: +mfa\b/m);
    expect(runCli(['explain', '1636', '--lang', 'en'], { cwd, env: locale('zh_CN.UTF-8') }).stdout).toMatch(/^ {2}category: +mfa\b/m);
    writeFileSync(join(cwd, '.authing-triage.json'), JSON.stringify({ lang: 'fr' }));
    const bad = runCli(['explain', '1636'], { cwd });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/key "lang": "fr" is not a language; use one of en, zh\n$/);
  });
});

describe('outcome', () => {
  it('is canceled on the social-login lines where the SDK says so, failed on the others', () => {
    let canceled = 0;
    let failed = 0;
    // The English store of beforeAll: each capture read with its own arguments, each its own source.
    for (const c of CAPTURES) {
      const lines = readFileSync(join(LABELED, c.file), 'utf8').split('\n');
      const events = query<{ line: number; code: number; outcome: string }>(enDb, 'SELECT e.line, e.code, e.outcome FROM events e JOIN sources s ON s.id = e.source_id WHERE s.name = ? ORDER BY e.line', join(LABELED, c.file));
      expect(events.length, c.file).toBeGreaterThan(0);
      for (const e of events.filter((x) => SOCIAL.has(x.code))) {
        // The record's own text: its line, and for `-v long` the next one too, as the message follows the header.
        const text = lines.slice(e.line - 1, c.format === 'long' ? e.line + 1 : e.line).join('\n');
        const words = /Auth Canceled|onCancel\b|\bcancell?ed\b/i.test(text);
        expect({ file: c.file, line: e.line, text, outcome: e.outcome }).toEqual({ file: c.file, line: e.line, text, outcome: words ? 'canceled' : 'failed' });
        if (words) canceled++;
        else failed++;
      }
      // The hourly counts, which reports read, agree with the events.
      const counted = query<{ code: number; outcome: string; n: number }>(enDb, 'SELECT c.code, c.outcome, SUM(c.count) AS n FROM counts_hourly c JOIN sources s ON s.id = c.source_id WHERE s.name = ? GROUP BY c.code, c.outcome ORDER BY c.code, c.outcome', join(LABELED, c.file));
      const fromEvents = query<{ code: number; outcome: string; n: number }>(enDb, 'SELECT e.code, e.outcome, COUNT(*) AS n FROM events e JOIN sources s ON s.id = e.source_id WHERE s.name = ? GROUP BY e.code, e.outcome ORDER BY e.code, e.outcome', join(LABELED, c.file));
      expect(counted).toEqual(fromEvents);
    }
    // The captures hold both kinds, including "Auth Failed, onCancel", where the SDK's prefix says failed.
    expect(canceled).toBeGreaterThan(10);
    expect(failed).toBeGreaterThan(10);
    expect(readFileSync(join(LABELED, 'dev-threadtime.log'), 'utf8')).toMatch(/E QQ +: Auth Failed, onCancel/);
  });

  it('is the same through every read path: CRLF line ends, gzip, stdin, one thread or two', { timeout: 180_000 }, () => {
    const src = readFileSync(join(LABELED, 'dev-threadtime.log'));
    const d = tempDir();
    const crlf = join(d, 'crlf.log');
    writeFileSync(crlf, src.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
    const gz = join(d, 'tt.log.gz');
    writeFileSync(gz, gzipSync(src));
    const outcomes = (args: string[], input?: Buffer) => {
      const db = join(tempDir(), 'p.db');
      const r = runCli(['--db', db, '--quiet', ...args], input ? { input } : {});
      expect(r.status).toBe(0);
      return query<{ line: number; code: number; outcome: string }>(db, 'SELECT line, code, outcome FROM events ORDER BY line');
    };
    const plain = outcomes(['--threads', '1', join(LABELED, 'dev-threadtime.log')]);
    expect(plain.filter((e) => e.outcome === 'canceled').length).toBeGreaterThan(3);
    expect(outcomes(['--threads', '2', crlf])).toEqual(plain);
    expect(outcomes([gz])).toEqual(plain);
    expect(outcomes(['-'], src)).toEqual(plain);
  });

  it('is success for 200 and error for network and server codes', () => {
    const rows = query<{ code: number; outcome: string }>(enDb, 'SELECT DISTINCT code, outcome FROM events WHERE code IN (200, 10001, 500, 502, 503) ORDER BY code');
    expect(rows).toEqual([
      { code: 200, outcome: 'success' },
      { code: 500, outcome: 'error' },
      { code: 502, outcome: 'error' },
      { code: 503, outcome: 'error' },
      { code: 10001, outcome: 'error' },
    ]);
  });

  it('splits report rows by outcome, filters by it, and counts canceled apart by code', () => {
    const byOutcome = JSON.parse(runCli(['report', '--db', enDb, '--by', 'code', 'outcome', '--where', 'category=social-login', '--format', 'json']).stdout) as { code: number; outcome: string; count: number }[];
    const fromEvents = query<{ code: number; outcome: string; count: number }>(
      enDb,
      'SELECT code, outcome, COUNT(*) AS count FROM events WHERE code IN (SELECT code FROM codes WHERE category = ?) GROUP BY code, outcome',
      'social-login',
    );
    const key = (r: { code: number; outcome: string }) => `${r.code}/${r.outcome}`;
    expect(Object.fromEntries(byOutcome.map((r) => [key(r), r.count]))).toEqual(Object.fromEntries(fromEvents.map((r) => [key(r), r.count])));
    expect(new Set(byOutcome.map((r) => r.outcome))).toEqual(new Set(['canceled', 'failed']));

    const canceled = JSON.parse(runCli(['report', '--db', enDb, '--by', 'code', '--outcome', 'canceled', '--format', 'json']).stdout) as { code: number; count: number; canceled: number }[];
    expect(canceled.filter((r) => r.count !== r.canceled || !CANCELABLE.has(r.code))).toEqual([]);
    expect(canceled.reduce((a, r) => a + r.count, 0)).toBe(query<{ n: number }>(enDb, "SELECT COUNT(*) AS n FROM events WHERE outcome = 'canceled'")[0]!.n);

    const table = runCli(['report', '--db', enDb, '--by', 'code', '--where', 'code=10022', '--format', 'table', '--lang', 'en']).stdout;
    const n = query<{ n: number }>(enDb, "SELECT COUNT(*) AS n FROM events WHERE code = 10022 AND outcome = 'canceled'")[0]!.n;
    expect(table.split('\n')[0]).toMatch(/^ CODE {2}CATEGORY +EVENTS {2}CANCELED {2}MESSAGE$/);
    expect(table.split('\n')[1]).toMatch(new RegExp(`^10022 {2}social-login +\\d+ +${n} {2}`));
  });

  it('keeps only the asked outcomes in ingest output, and shows the outcome in NDJSON', () => {
    const r = runCli(['--db', join(tempDir(), 'n.db'), '--json', '--outcome', 'canceled', join(LABELED, 'dev-brief.log')]);
    expect(r.status).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.code !== undefined);
    expect(events.length).toBeGreaterThan(3);
    for (const e of events) expect(e).toMatchObject({ outcome: 'canceled', message: expect.any(String) });
    expect(Object.keys(events[0]!)).toEqual(expect.arrayContaining(['msg', 'message', 'messageZh', 'suggestion', 'suggestionZh']));
    const bad = runCli(['--db', join(tempDir(), 'b.db'), '--outcome', 'nope', join(LABELED, 'dev-brief.log')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('authing-triage: --outcome nope: expected one of failed, canceled, error, success\n');
  });
});

/** Rows of a store made with the schema before outcomes: a 10013 cancel, a network error, a success, a wrong password. */
const OLD_EVENTS: [line: number, code: number, tag: string, excerpt: string][] = [
  [1, 10013, 'QQ', 'Auth Failed, onCancel'],
  [2, 10001, 'SocialLoginButton', 'loginDone: errCode = 10001 errMessage = Network error'],
  [3, 200, 'Uploader', 'uploadFile result. 200 message:{}'],
  [4, 2333, 'SocialLoginButton', 'loginDone: errCode = 2333 errMessage = x'],
  [5, 2333, 'SocialLoginButton', 'loginDone: errCode = 2333 errMessage = y'],
];
const OLD_CODES: [number, string][] = [[10013, 'social-login'], [10001, 'network'], [200, 'success'], [2333, 'password']];
// What each code implies in this build's registry; the line said 10013 was canceled, but a migration
// does not re-read lines, so it gets its code's outcome, as a new line that said nothing more would.
const REG = loadRegistry();
const EXPECTED_AFTER = [[200, 1], [2333, 2], [10001, 1], [10013, 1]].map(([code, n]) => ({ code: code!, outcome: codeOutcome(REG.codes.get(code!), REG.codes.get(code!)!.category), n: n! }));

describe('migration of a store made before outcomes', () => {
  it('SQLite: adds the outcome to events and to the key of the hourly counts, from each code', { timeout: 180_000 }, () => {
    const db = join(tempDir(), 'old.db');
    const conn = oldStore(db);
    for (const [code, category] of OLD_CODES) conn.prepare("INSERT INTO codes (code, kind, category, message, entry) VALUES (?, 'status', ?, 'm', '{}')").run(code, category);
    for (const [line, code, tag, excerpt] of OLD_EVENTS) {
      conn.prepare("INSERT INTO events (source_id, line, time, hour, code, method, tag, excerpt) VALUES (1, ?, '2026-03-01T10:00:00.000Z', '2026-03-01T10', ?, 'key-value', ?, ?)").run(line, code, tag, excerpt);
      conn.prepare("INSERT INTO counts_hourly (hour, code, tag, source_id, count) VALUES ('2026-03-01T10', ?, ?, 1, 1) ON CONFLICT DO UPDATE SET count = count + 1").run(code, tag);
    }
    conn.close();

    const r = runCli(['report', '--db', db, '--by', 'code', 'outcome', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = (JSON.parse(r.stdout) as { code: number; outcome: string; count: number }[]).map((x) => ({ code: x.code, outcome: x.outcome, n: x.count }));
    expect(rows.sort((a, b) => a.code - b.code)).toEqual(EXPECTED_AFTER);
    expect(query(db, 'PRAGMA user_version')).toEqual([{ user_version: SCHEMA_VERSION }]);
    expect(query(db, 'SELECT code, outcome, COUNT(*) AS n FROM events GROUP BY code, outcome ORDER BY code')).toEqual(EXPECTED_AFTER);
    expect(query(db, "SELECT name FROM pragma_table_info('counts_hourly') WHERE pk > 0 ORDER BY pk")).toEqual(
      ['hour', 'code', 'tag', 'source_id', 'outcome'].map((name) => ({ name })),
    );
    expect(query(db, 'SELECT code, outcome FROM v_events WHERE line = 1')).toEqual([{ code: 10013, outcome: 'failed' }]);
    // The views over the hourly counts still read the rebuilt table.
    expect(query(db, 'SELECT category, count FROM v_counts_by_category ORDER BY category')).toEqual([
      { category: 'network', count: 1 }, { category: 'password', count: 2 }, { category: 'social-login', count: 1 }, { category: 'success', count: 1 },
    ]);

    // New lines after the migration are counted under their own outcome, beside the old rows.
    const f = join(tempDir(), 'new.log');
    writeFileSync(f, '03-01 10:30:00.000  100  100 E QQ      : Auth Failed, onCancel\n03-01 10:31:00.000  100  100 E QQ      : Auth Failed, onError\n');
    expect(runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', f]).status).toBe(0);
    expect(query(db, 'SELECT outcome, SUM(count) AS n FROM counts_hourly WHERE code = 10013 GROUP BY outcome ORDER BY outcome')).toEqual([
      { outcome: 'canceled', n: 1 },
      { outcome: 'failed', n: 2 },
    ]);
  });

  it('PostgreSQL: the same migration, and the same answers', { timeout: 180_000 }, async () => {
    const url = await pgDatabase();
    await pgQuery(url, readFileSync(join(FIXTURES, 'schema-v1', 'schema.pg.sql'), 'utf8'));
    await pgQuery(url, "CREATE TABLE triage_meta (key TEXT COLLATE \"C\" PRIMARY KEY, value TEXT NOT NULL); INSERT INTO triage_meta VALUES ('schema_version', '1')");
    // No explicit id: the identity column gives 1 and stays in step for the sources added later.
    await pgQuery(url, "INSERT INTO sources (head_len, head_hash, name, bytes_done, lines_done, complete, first_seen, last_seen) VALUES (10, 'h', 'old.log', 500, 5, 1, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')");
    for (const [code, category] of OLD_CODES) await pgQuery(url, "INSERT INTO codes (code, kind, category, message, entry) VALUES ($1, 'status', $2, 'm', '{}')", [code, category]);
    for (const [line, code, tag, excerpt] of OLD_EVENTS) {
      await pgQuery(url, "INSERT INTO events (source_id, line, time, hour, code, method, tag, excerpt) VALUES (1, $1, '2026-03-01T10:00:00.000Z', '2026-03-01T10', $2, 'key-value', $3, $4)", [line, code, tag, excerpt]);
      await pgQuery(url, "INSERT INTO counts_hourly (hour, code, tag, source_id, count) VALUES ('2026-03-01T10', $1, $2, 1, 1) ON CONFLICT (hour, code, tag, source_id) DO UPDATE SET count = counts_hourly.count + 1", [code, tag]);
    }
    const r = runCli(['report', '--db', url, '--by', 'code', 'outcome', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = (JSON.parse(r.stdout) as { code: number; outcome: string; count: number }[]).map((x) => ({ code: x.code, outcome: x.outcome, n: x.count }));
    expect(rows.sort((a, b) => a.code - b.code)).toEqual(EXPECTED_AFTER);
    expect(await pgQuery(url, "SELECT value FROM triage_meta WHERE key = 'schema_version'")).toEqual([{ value: String(PG_SCHEMA_VERSION) }]);
    expect(await pgQuery(url, 'SELECT code, outcome, COUNT(*)::int AS n FROM events GROUP BY code, outcome ORDER BY code')).toEqual(EXPECTED_AFTER);
    expect(await pgQuery(url, 'SELECT code, outcome FROM v_events WHERE line = 1')).toEqual([{ code: 10013, outcome: 'failed' }]);
    const f = join(tempDir(), 'new.log');
    writeFileSync(f, '03-01 10:30:00.000  100  100 E QQ      : Auth Failed, onCancel\n');
    expect(runCli(['--db', url, '--quiet', '--year', '2026', '--tz', 'UTC', f]).status).toBe(0);
    expect(await pgQuery(url, 'SELECT outcome, SUM(count)::int AS n FROM counts_hourly WHERE code = 10013 GROUP BY outcome ORDER BY outcome')).toEqual([
      { outcome: 'canceled', n: 1 },
      { outcome: 'failed', n: 1 },
    ]);
  });
});
