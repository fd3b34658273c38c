/**
 * `prune` between runs, as a nightly job with `"retention"` does (round eighteen's exactly-once review):
 * - an event past its source's checkpoint (the last line a run ended inside) was pruned while its count stayed, so
 *   the next run, which takes such an event back by its row, could not: the cut `errCode = 2005` stayed counted as
 *   an unregistered code 20 beside the real 2005;
 * - a pruned source that grew and was read again under a wider `--tag` stored none of its new events older than the
 *   cut-off (53 of 59 lost): what a re-read holds back is only what lies before the stored offset, and it says so.
 * Both fail on the code before.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, pgDatabase, pgQuery, query, runCli, tempDir } from '../helpers.js';

const FILE = join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log');
const ALL = readFileSync(FILE);
const COMMON = ['--year', '2026', '--tz', 'UTC'];

function run(db: string, file: string, ...flags: string[]): string {
  const r = runCli(['--db', db, '--quiet', ...COMMON, ...flags, file]);
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}
function prune(db: string): void {
  // the capture's events are of 2026-03-17: a day's cut-off prunes them all
  const r = runCli(['prune', '--db', db, '--older-than', '1d']);
  expect(r.status, r.stderr).toBe(0);
}
const counts = (db: string) => query(db, 'SELECT hour, code, tag, outcome, count FROM counts_hourly ORDER BY hour, code, tag, outcome');
const total = (db: string) => query<{ n: number }>(db, 'SELECT coalesce(sum(count), 0) AS n FROM counts_hourly')[0]!.n;

describe('prune between runs', () => {
  /**
   * A run on the capture cut inside "errCode = 2005" (its code cut to 20) into `store`, prune, the rest appended and
   * a run again; returns the counts one clean run of the whole capture leaves after the same prune.
   */
  function cutPruneGrow(store: (dir: string) => string | Promise<string>) {
    return async () => {
      const dir = tempDir();
      const f = join(dir, 'cap.log');
      const cut = ALL.indexOf('errCode = 2005') + 'errCode = 20'.length;
      expect(cut).toBeGreaterThan(100);
      writeFileSync(f, ALL.subarray(0, cut));
      const db = await store(dir);
      run(db, f);
      prune(db);
      appendFileSync(f, ALL.subarray(cut));
      run(db, f);
      const clean = join(dir, 'clean.db');
      run(clean, FILE);
      prune(clean);
      return { db, want: counts(clean) };
    };
  }

  it('keeps an event past the checkpoint, so the next run takes it back: the counts of one clean run', async () => {
    const { db, want } = await cutPruneGrow((dir) => join(dir, 'r.db'))();
    expect(counts(db)).toEqual(want);
    expect(query(db, 'SELECT count(*) AS n FROM counts_hourly WHERE code = 20')).toEqual([{ n: 0 }]);
  });

  it('on PostgreSQL too: the event past the checkpoint is kept, and the counts are one clean run\'s', async () => {
    const { db: url, want } = await cutPruneGrow(() => pgDatabase())();
    expect(await pgQuery(url, 'SELECT hour, code, tag, outcome, count FROM counts_hourly ORDER BY hour COLLATE "C", code, tag COLLATE "C", outcome COLLATE "C"')).toEqual(want);
  });

  it('a grown source read again under a wider --tag stores its new bytes\' events; what it holds back is said', () => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    const cut = ALL.lastIndexOf(10, Math.floor(ALL.length / 3)) + 1;
    writeFileSync(f, ALL.subarray(0, cut));
    const db = join(dir, 'r.db');
    run(db, f);
    const linesDone = query<{ n: number }>(db, 'SELECT lines_done AS n FROM sources')[0]!.n;
    prune(db);
    appendFileSync(f, ALL.subarray(cut));
    const stderr = run(db, f, '--tag', 'MainActivity');
    // one clean run of each setting: the events the tag adds before the old offset are the ones held back
    const plain = join(dir, 'plain.db');
    const tagged = join(dir, 'tagged.db');
    run(plain, FILE);
    run(tagged, FILE, '--tag', 'MainActivity');
    const before = (d: string) => query<{ n: number }>(d, 'SELECT count(*) AS n FROM events WHERE line <= ?', linesDone)[0]!.n;
    const heldNew = before(tagged) - before(plain);
    expect(total(tagged)).toBeGreaterThan(total(plain));
    // every event past the old offset is counted; those the tag adds before it are not (their like were pruned)
    expect(total(db)).toBe(total(tagged) - heldNew);
    // and the events after the old offset are stored, as one clean run stores them
    const after = (d: string) => query(d, 'SELECT line, code, tag, excerpt FROM events WHERE line > ? ORDER BY line', linesDone);
    expect(after(db)).toEqual(after(tagged));
    expect(stderr).toMatch(/cap\.log: read again under wider settings, \d+ event\(s\) before the prune cut-off .* `authing-triage rescan [^`]*cap\.log`/);
  });

  it('rescan after it counts the file as one clean run under the new settings does', () => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    writeFileSync(f, ALL);
    const db = join(dir, 'r.db');
    run(db, f);
    prune(db);
    run(db, f, '--tag', 'MainActivity');
    const r = runCli(['rescan', '--db', db, '--quiet', ...COMMON, '--tag', 'MainActivity', f]);
    expect(r.status, r.stderr).toBe(0);
    const tagged = join(dir, 'tagged.db');
    run(tagged, FILE, '--tag', 'MainActivity');
    expect(counts(db)).toEqual(counts(tagged));
  });
});
