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
