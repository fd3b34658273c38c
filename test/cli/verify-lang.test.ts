/**
 * The notes a run prints beside its output follow the run's language (issue 22, adversarial pass):
 * a zh_CN user saw English for an empty report window, events without a time stamp, events a
 * run's display filters hid, and what prune deleted. Spawns the real bin on the labeled captures.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED, runCli, tempDir } from '../helpers.js';

const LABELED = join(SHARED, 'corpus', 'labeled');
const CJK = /[\u2e80-\u9fff\uff00-\uffef]/;
/** Three or more ASCII letters in a row, outside flag names (--since), file names and ISO times: an English word. */
const englishWords = (line: string): string[] =>
  line
    .replace(/^authing-triage: /, '')
    .replace(/--[a-z-]+/g, '')
    .replace(/\S+\.db\b/g, '')
    .replace(/\bVACUUM\b|\breport\b/g, '')
    .match(/[A-Za-z]{3,}/g) ?? [];
const locale = (lang: string) => ({ LC_ALL: '', LC_MESSAGES: '', LANG: lang });

describe('notes beside the output are in the run language', () => {
  let db: string;
  beforeAll(() => {
    db = join(tempDir(), 't.db');
    // Dated events (time layout) and undated ones (brief layout).
    for (const f of ['dev-time.log', 'dev-brief.log']) expect(runCli(['--db', db, '--quiet', join(LABELED, f)]).status).toBe(0);
  });

  it('says in Chinese what an empty window and a window without the undated events leave out', () => {
    const empty = runCli(['report', '--db', db, '--since', '2026-03-17T16:14:00Z', '--until', '2026-03-17T16:14:01Z', '--format', 'table'], { env: locale('zh_CN.UTF-8') });
    expect(empty.status).toBe(0);
    const emptyNote = empty.stderr.trim();
    expect(emptyNote).toBe(
      'authing-triage: 2026-03-17T16:14:00Z 至 2026-03-17T16:14:01Z 之间没有事件；数据库中有 89 个事件，时间从 2026-03-17 到 2026-03-17：试试 --since 2026-03-17；60 个事件没有时间戳，任何 --since 或 --until 时间范围都不包含它们（不加时间范围即可看到）',
    );
    const partial = runCli(['report', '--db', db, '--since', '2026-03-17', '--format', 'md'], { env: locale('zh_CN.UTF-8') });
    expect(partial.status).toBe(0);
    expect(partial.stderr.trim()).toBe('authing-triage: 60 个事件没有时间戳，不在任何 --since 或 --until 时间范围内，所以不在此报告中；去掉时间范围即可统计它们');
    for (const line of [emptyNote, partial.stderr.trim()]) expect(englishWords(line)).toEqual([]);
  });

  it('says in Chinese how many stored events the display filters hid, and what prune deleted', () => {
    const db2 = join(tempDir(), 'f.db');
    const run = runCli(['--db', db2, '--since', '2026-03-17T16:15:00Z', join(LABELED, 'dev-time.log')], { env: locale('zh_CN.UTF-8') });
    expect(run.status).toBe(0);
    const note = run.stderr.split('\n').find((l) => l.includes('--only-tag'))!;
    expect(note).toMatch(/^authing-triage: 本次存入的 89 个事件中有 \d+ 个在本次的筛选条件（--since\/--until\/--level\/--category\/--code\/--only-tag）之外；report 可以显示它们$/);
    expect(englishWords(note)).toEqual([]);
    const copy = join(tempDir(), 'p.db');
    copyFileSync(db2, copy);
    const pruned = runCli(['prune', '--db', copy, '--older-than', '1d'], { env: locale('zh_CN.UTF-8') });
    expect(pruned.status).toBe(0);
    expect(pruned.stderr).toMatch(/^已清理 \S+p\.db：删除 \S+ 之前的 89 个事件；小时计数保留；已回收空间（VACUUM）\n$/);
  });

  it('keeps the same notes in English, free of Chinese', { timeout: 180_000 }, () => {
    const en = runCli(['report', '--db', db, '--since', '2026-03-17T16:14:00Z', '--until', '2026-03-17T16:14:01Z', '--format', 'table', '--lang', 'en'], { env: locale('zh_CN.UTF-8') });
    expect(en.stderr.trim()).toBe(
      'authing-triage: no events from 2026-03-17T16:14:00Z to 2026-03-17T16:14:01Z; the store holds 89 events from 2026-03-17 to 2026-03-17: try --since 2026-03-17; 60 events without a time stamp, which no --since or --until window includes (see them with no window)',
    );
    expect(CJK.test(en.stderr)).toBe(false);
    const one = join(tempDir(), 'one.db');
    expect(runCli(['--db', one, '--quiet', join(LABELED, 'dev-time.log')]).status).toBe(0);
    const pruned = runCli(['prune', '--db', one, '--older-than', '1d', '--lang', 'en']);
    expect(pruned.stderr).toMatch(/^pruned \S+one\.db: 89 events before \S+; hourly counts kept; space given back \(VACUUM\)\n$/);
  });
});

describe('the compare page in the run language', () => {
  it('names the new and spiking codes with the registry text of the run language', () => {
    const db = join(tempDir(), 'c.db');
    expect(runCli(['--db', db, '--quiet', join(LABELED, 'dev-time.log')]).status).toBe(0);
    const page = (lang: string) => {
      const out = join(tempDir(), `${lang}.html`);
      const r = runCli(['report', '--db', db, '--format', 'html', '--by', 'code', '--since', '2026-03-01', '--compare', '-o', out, '--lang', lang]);
      expect(r.status).toBe(0);
      return readFileSync(out, 'utf8');
    };
    const item = (html: string, code: number) => new RegExp(`<li data-code="${code}">(.*?)</li>`).exec(html)?.[1]?.replace(/<[^>]+>/g, '');
    const zh = page('zh');
    expect(item(zh, 2333)).toBe('2333 密码 0 → 3 · 用户名或密码错误');
    expect(item(zh, 500)).toBe('500 服务端 0 → 2 · 通用服务端异常');
    const en = page('en');
    expect(item(en, 2333)).toBe('2333 password 0 → 3 · Account not exists or password is incorrect.');
  });
});
