/**
 * `--year Y` names the year of the capture's last stamp (issue 19, item 7): a device that boots at a
 * pre-RTC `11-24` and is set to `03-28` is last year's November, then this year's March. A file's
 * tail gives the last stamp, in any encoding; a stream or a gzip cannot be read ahead, so there
 * `--year` stays the year of the first stamp (README).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SHARED, query, runCli, tempDir } from '../helpers.js';

const REAL = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n').filter((l) => l.length);
const EXPECTED = JSON.parse(readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.expected.json'), 'utf8')) as { total: number };

/** The real capture with its first `pre` lines stamped 11-24 (the clock before it is set) and the rest 03-28. */
function rolledOver(pre: number): string {
  return REAL.map((l, i) => l.replace(/^\d\d-\d\d/, i < pre ? '11-24' : '03-28')).join('\n') + '\n';
}

/** The first and last record's time of `parse` on `args`. */
function firstAndLast(args: string[], opts: { input?: Buffer; cwd?: string } = {}): [string, string] {
  const r = runCli(['parse', '--tz', 'UTC', '--year', '2026', ...args], opts);
  expect(r.status).toBe(0);
  const times = r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { time: string }).time);
  return [times[0]!.slice(0, 10), times.at(-1)!.slice(0, 10)];
}

describe('--year on a capture that rolls over', () => {
  const text = rolledOver(Math.floor(REAL.length / 3));

  it('dates a file so that its last stamp is in the year given, in UTF-8 and in UTF-16 with CR CR LF', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain.log'), text);
    writeFileSync(join(dir, 'u16.log'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\n/g, '\r\r\n'), 'utf16le')]));
    expect(firstAndLast([join(dir, 'plain.log')])).toEqual(['2025-11-24', '2026-03-28']);
    expect(firstAndLast([join(dir, 'u16.log')])).toEqual(['2025-11-24', '2026-03-28']);
  });

  it('keeps the year of the first stamp on stdin and in a gzip, which cannot be read ahead', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.log.gz'), gzipSync(text));
    expect(firstAndLast(['-'], { input: Buffer.from(text) })).toEqual(['2026-11-24', '2027-03-28']);
    expect(firstAndLast([join(dir, 'c.log.gz')])).toEqual(['2026-11-24', '2027-03-28']);
  });

  it('stores every event of the file once, none dated after the last stamp', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain.log'), text);
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', '--tz', 'UTC', '--year', '2026', join(dir, 'plain.log')]).status).toBe(0);
    const pre = Math.floor(REAL.length / 3);
    const rows = query<{ line: number; day: string }>(db, 'SELECT line, substr(time, 1, 10) AS day FROM events ORDER BY line');
    expect(rows.length).toBe(EXPECTED.total);
    expect(rows.filter((r) => r.day !== (r.line <= pre ? '2025-11-24' : '2026-03-28'))).toEqual([]);
  });
});
