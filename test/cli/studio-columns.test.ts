/**
 * Android Studio's Logcat view copies its columns as its formatting options set them (Studio's
 * `com.android.tools.idea.logcat.messages`: TimestampFormat DATETIME or TIME, ProcessThreadFormat BOTH `%5d-%-5d ` or
 * PID `%-5d `, TagFormat padded to 24 columns or blank under "hide repeated tags", AppNameFormat, each of them
 * optional). Only the Standard view's default was read: a time-only copy lost 54 of 80 events ("no logcat layout
 * fits"), and under "hide repeated tags" each line without its tag was taken as a continuation of the record before
 * (round twenty's review of messy captures). A real capture rendered under each option now stores, line for line, the
 * events one clean threadtime run does (the time only where the copy has a date); a run resumed after an append in
 * the middle of a run of hidden tags, the same. Every case but the Standard view fails on the code before.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, query, runCli, tempDir } from '../helpers.js';

const LINES = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n').filter((l) => l.length);
const TT = /^(\d\d)-(\d\d) (\d\d:\d\d:\d\d\.\d{3})\s+(\d+)\s+(\d+) ([VDIWEF]) (.*?)\s*: (.*)$/;

interface Options {
  date: boolean;
  pid: 'both' | 'pid' | null;
  tag: 'shown' | 'hide-repeated';
  app: boolean;
}

/** The capture as Studio's view copies it under these options (MessageFormatter's columns, in order). */
function studio(o: Options): string {
  let prevTag: string | null = null;
  return (
    LINES.map((l) => {
      const m = TT.exec(l);
      if (!m) return l;
      const [, mo, d, t, pid, tid, level, tag, msg] = m as unknown as string[];
      const stamp = o.date ? `2026-${mo}-${d} ${t} ` : `${t} `;
      const proc = o.pid === 'both' ? `${pid!.padStart(5)}-${tid!.padEnd(5)} ` : o.pid === 'pid' ? `${pid!.padEnd(5)} ` : '';
      const tagCol = o.tag === 'hide-repeated' && tag === prevTag ? ''.padEnd(24) : tag!.padEnd(24);
      prevTag = tag!;
      const app = o.app ? 'com.example.app'.padEnd(36) : '';
      return `${stamp}${proc}${tagCol}${app} ${level}  ${msg}`;
    }).join('\n') + '\n'
  );
}

type Row = { line: number; code: number; tag: string; level: string; pid: number | null; tid: number | null; time: string | null; excerpt: string };
function rows(db: string): Row[] {
  return query<Row>(db, 'SELECT line, code, tag, level, pid, tid, time, excerpt FROM events ORDER BY line, code');
}
function run(db: string, f: string): string {
  const r = runCli(['--db', db, '--quiet', '--year', '2026', f]);
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}

describe('Android Studio column copies under its formatting options', () => {
  const dir = tempDir();
  const clean = join(dir, 'clean.log');
  writeFileSync(clean, LINES.join('\n') + '\n');
  const cleanDb = join(dir, 'clean.db');
  run(cleanDb, clean);
  const expected = rows(cleanDb);

  it.each<[string, Options]>([
    ['the Standard view', { date: true, pid: 'both', tag: 'shown', app: true }],
    ['time only', { date: false, pid: 'both', tag: 'shown', app: true }],
    ['the pid alone', { date: true, pid: 'pid', tag: 'shown', app: true }],
    ['no package column', { date: true, pid: 'both', tag: 'shown', app: false }],
    ['repeated tags hidden', { date: true, pid: 'both', tag: 'hide-repeated', app: true }],
    ['time only, no pid or package, repeated tags hidden', { date: false, pid: null, tag: 'hide-repeated', app: false }],
  ])('%s: the events of one clean threadtime run, line for line, nothing said', (_name, o) => {
    expect(expected.length).toBeGreaterThan(40);
    const f = join(dir, `studio-${Object.values(o).join('-')}.txt`);
    writeFileSync(f, studio(o));
    const db = join(dir, `studio-${Object.values(o).join('-')}.db`);
    const stderr = run(db, f);
    expect(stderr).not.toMatch(/no logcat layout fits/);
    const got = rows(db);
    const want = expected.map((r) => ({ ...r, time: o.date ? r.time : null, pid: o.pid ? r.pid : null, tid: o.pid === 'both' ? r.tid : null }));
    expect(got).toEqual(want);
    expect(query(db, 'SELECT DISTINCT format FROM sources')).toEqual([{ format: 'studio-v2' }]);
  });

  it('a raw capture whose lines start with a time and end in a capital is not taken for Studio columns', () => {
    // `12:00:41.200 … for user A` fit the columns' pattern (time, columns, level A): the raw capture switched to them
    // and took every line after it as that record's continuation, 1 event of 6 (the review of this round's diff)
    const lines = [
      ...Array.from({ length: 40 }, (_, i) => `12:00:${String(i).padStart(2, '0')}.100 app started step ${i}`),
      '12:00:41.200 Authing login failed, code=10008 for user A',
      ...Array.from({ length: 5 }, (_, i) => `12:00:${42 + i}.300 Authing login failed, code=1000${i + 1} for alice`),
    ];
    const f = join(dir, 'raw-times.log');
    writeFileSync(f, lines.join('\n') + '\n');
    const db = join(dir, 'raw-times.db');
    run(db, f);
    expect(rows(db).map((r) => [r.line, r.code])).toEqual([[41, 10008], [42, 10001], [43, 10002], [44, 10003], [45, 10004], [46, 10005]]);
  });

  it('a tag that ends in a space and a capital (`Plan A`) is the tag, in every layout', () => {
    for (const o of [{ date: false, pid: 'both' }, { date: false, pid: 'pid' }, { date: false, pid: null }, { date: true, pid: 'both' }] as const) {
      const stamp = o.date ? '2026-03-17 16:13:10.000 ' : '16:13:10.000 ';
      const proc = o.pid === 'both' ? ' 4672-4672  ' : o.pid === 'pid' ? '4672  ' : '';
      const f = join(dir, `plan-a-${o.date}-${o.pid}.txt`);
      writeFileSync(f, `${stamp}${proc}${'Plan A'.padEnd(24)}${'com.example.app'.padEnd(36)} E  loginDone: errCode = 2005 errMessage = x\n`);
      const r = runCli(['parse', '--year', '2026', f]);
      expect(JSON.parse(r.stdout.trim())).toMatchObject({ tag: 'Plan A', level: 'E', message: 'loginDone: errCode = 2005 errMessage = x', format: 'studio-v2' });
    }
  });

  it('repeated tags hidden for longer than the look-back, resumed inside that run: one clean run', () => {
    // one shown tag, then 629 lines that hide it (a chatty tag): the resumed run's look-back (64 lines) held no line that
    // shows it, and 3 events of 63 lost their tag (the review of this round's diff)
    const at = (i: number) => `2026-03-17 16:00:${String(10 + Math.floor(i / 100)).padStart(2, '0')}.${String(i % 100).padStart(3, '0')}`;
    const lines = Array.from({ length: 630 }, (_, i) => `${at(i)}  4672-4672  ${(i ? '' : 'SocialLoginButton').padEnd(24)}${'com.example.app'.padEnd(36)} E  ${i % 10 ? `noise ${i}${' x'.repeat(40)}` : 'loginDone: errCode = 2005 errMessage = Too many requests'}`);
    const f = join(dir, 'chatty.txt');
    writeFileSync(f, lines.slice(0, 600).join('\n') + '\n');
    const db = join(dir, 'chatty.db');
    run(db, f);
    appendFileSync(f, lines.slice(600).join('\n') + '\n');
    run(db, f);
    const one = join(dir, 'chatty-one.db');
    run(one, f);
    expect(rows(db)).toEqual(rows(one));
    expect(rows(db)).toHaveLength(63);
    expect(new Set(rows(db).map((r) => r.tag))).toEqual(new Set(['SocialLoginButton']));
  });

  it('repeated tags hidden, resumed at a line inside a run of hidden tags: one clean run', () => {
    const text = studio({ date: true, pid: 'both', tag: 'hide-repeated', app: true });
    const lines = text.split('\n');
    // the first run ends with an Authing line whose tag is hidden (`AuthingLogin {"code":1703,`): the record still open
    // there keeps the checkpoint before it, so the resumed run starts at it, and the tag it repeats is before that
    const last = lines.findIndex((l) => /^\S+ \S+ +\d+-\d+ {26}/.test(l) && /"code":\d/.test(l));
    expect(last).toBeGreaterThan(0);
    const head = lines.slice(0, last + 1).join('\n') + '\n';
    const f = join(dir, 'grown.txt');
    writeFileSync(f, head);
    const db = join(dir, 'grown.db');
    run(db, f);
    appendFileSync(f, text.slice(head.length));
    run(db, f);
    const oneRun = join(dir, 'one.db');
    run(oneRun, f);
    expect(rows(db)).toEqual(rows(oneRun));
    expect(rows(db).map((r) => r.tag)).toEqual(expected.map((r) => r.tag));
  });
});
