/**
 * Times past what a Date holds (round twenty's review): a JSON log's `"time": 1e300` was a RangeError and a stack
 * trace (exit 1, nothing counted); a damaged epoch stamp of 17 digits, or a Studio export's `seconds: 1e20`, failed
 * its whole input ("Invalid time value; skipped", its good events lost); `report --since 999999999d` and `prune
 * --older-than 999999999d` printed a stack trace for a user's typo; the HTML report of a window of centuries (or of
 * a stamp of the year 0001 beside this year's) drew a bar a day and overflowed the stack. Each record keeps its
 * event with no time; each flag is a one-line usage error; the chart draws at most ten years. Fails on the code before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, runCli, tempDir } from '../helpers.js';

function events(file: string): { line: number; time: string | null; hour: string; pid: number | null; tid: number | null; code: number }[] {
  const db = join(tempDir(), 'h.db');
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', file]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return query(db, 'SELECT line, time, hour, pid, tid, code FROM events ORDER BY line');
}

describe('a time past what a Date holds', () => {
  it('in a JSON log is no time: the event is counted, with no stamp', () => {
    const f = join(tempDir(), 'app.ndjson');
    writeFileSync(f, [
      '{"time":1e300,"msg":"errCode = 2005","tag":"Authing","pid":1e30,"tid":-0.5}',
      '{"time":"+275760-09-13T00:00:00.000Z","msg":"errCode = 2006","tag":"Authing","pid":"9"}',
      '{"time":1773734400,"msg":"errCode = 2004","tag":"Authing","pid":42}',
      '',
    ].join('\n'));
    expect(events(f)).toEqual([
      { line: 1, time: null, hour: '', pid: null, tid: null, code: 2005 },
      { line: 2, time: null, hour: '', pid: null, tid: null, code: 2006 },
      { line: 3, time: '2026-03-17T08:00:00.000Z', hour: '2026-03-17T08', pid: 42, tid: null, code: 2004 },
    ]);
  });

  it('in an epoch stamp of a damaged line is no time: the input\'s other events are counted', () => {
    const f = join(tempDir(), 'epoch.log');
    writeFileSync(f, '99999999999999999.123  1234  1235 E Authing : errCode = 2005\n1700000000.123  1234  1235 E Authing : errCode = 2006\n');
    expect(events(f)).toEqual([
      { line: 1, time: null, hour: '', pid: 1234, tid: 1235, code: 2005 },
      { line: 2, time: '2023-11-14T22:13:20.123Z', hour: '2023-11-14T22', pid: 1234, tid: 1235, code: 2006 },
    ]);
  });

  it('in an Android Studio export is no time, and a pid that is no number no pid', () => {
    const f = join(tempDir(), 'cap.logcat');
    const message = (seconds: number, pid: unknown, code: number) => ({ header: { logLevel: 'ERROR', pid, tid: 7, tag: 'Authing', timestamp: { seconds, nanos: 0 } }, message: `errCode = ${code}` });
    writeFileSync(f, JSON.stringify({ logcatMessages: [message(1e20, '12', 2005), message(1773734400, 12, 2006)] }));
    expect(events(f)).toEqual([
      { line: 1, time: null, hour: '', pid: null, tid: 7, code: 2005 },
      { line: 2, time: '2026-03-17T08:00:00.000Z', hour: '2026-03-17T08', pid: 12, tid: 7, code: 2006 },
    ]);
  });

  it('as a --since or an age is a one-line usage error; a long one that fits still answers', () => {
    const dir = tempDir();
    const db = join(dir, 'r.db');
    const f = join(dir, 'epoch.log');
    writeFileSync(f, '1700000000.123  1234  1235 E Authing : errCode = 2006\n');
    expect(runCli(['--db', db, '--quiet', f]).status).toBe(0);
    expect(runCli(['report', '--db', db, '--since', '999999999d'])).toMatchObject({
      status: 2,
      stdout: '',
      stderr: 'authing-triage: --since "999999999d": reaches back before the year 0000, which no stored time does; leave --since out to take every event\n',
    });
    expect(runCli(['prune', '--db', db, '--older-than', '999999999d'])).toMatchObject({
      status: 2,
      stderr: 'authing-triage: --older-than "999999999d": older than the year 0000, which no stored time is; nothing would be pruned\n',
    });
    // 700,000 days is year ~110 (its window before it, of the same length, reaches past year 0: cut there)
    const r = runCli(['report', '--db', db, '--since', '700000d', '--compare', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([{ category: 'password', count: 1, previous: 0 }]);
    const page = runCli(['report', '--db', db, '--since', '700000d', '--compare', '--format', 'html']);
    expect(page.status, page.stderr).toBe(0);
    // one day drawn, that of the event: not a bar a day for 700,000 days (a stack overflow)
    expect(page.stdout.match(/data-bucket=/g)).toHaveLength(1);
  });

  it('far apart in one store, the HTML report draws the last ten years and says what came before', () => {
    const dir = tempDir();
    const db = join(dir, 'r.db');
    const f = join(dir, 'old.ndjson');
    writeFileSync(f, '{"time":"0001-01-01T00:00:00Z","msg":"errCode = 2005","tag":"Authing"}\n{"time":"2026-03-01T00:00:00Z","msg":"errCode = 2005","tag":"Authing"}\n');
    expect(runCli(['--db', db, '--quiet', f]).status).toBe(0);
    const page = runCli(['report', '--db', db, '--format', 'html']);
    expect(page.status, page.stderr).toBe(0);
    expect(page.stdout.match(/data-bucket=/g)).toHaveLength(3660);
    expect(page.stdout).toContain('<p class="muted">1 earlier event, before 2016-02-23, is counted in the tables and not drawn</p>');
  });
});
