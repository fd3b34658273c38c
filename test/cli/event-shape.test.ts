/**
 * Settings that shape each stored event but not which events there are (`--context`, `--no-redact`, `--tz`): a
 * later run with others adds its events beside the stored ones, which keep the first run's. That was silent: after
 * a `--no-redact` run a redacted one left the secrets stored, and a `--tz` change left the first events hours off
 * (round eighteen's exactly-once review). Each source now keeps the settings it was counted under (schema 8,
 * `sources.shape`); a run under others says which, and that `rescan` makes every event this run's, which it does.
 * Fails on the code before.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, runCli, storedRows, tempDir } from '../helpers.js';

const ALL = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
const CUT = ALL.lastIndexOf(10, Math.floor(ALL.length / 2)) + 1;

function run(db: string, file: string, ...flags: string[]): string {
  const r = runCli(['--db', db, '--quiet', '--year', '2026', ...flags, file]);
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}

describe('a source counted under other --context, redaction or --tz', () => {
  it.each([
    [['--no-redact', '--context', '1'], [], /counted before with --context 1, --no-redact, this run with --context 5, redaction: the events stored before keep theirs \(their text and context lines are not redacted\); `authing-triage rescan [^`]*cap\.log`/],
    [['--tz', 'UTC'], ['--tz', 'Asia/Shanghai'], /counted before with --tz UTC, this run with --tz Asia\/Shanghai: the events stored before keep theirs; `authing-triage rescan/],
  ])('%j then %j: said when it grew; rescan gives one clean run of the later settings', (first, later, said) => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    writeFileSync(f, ALL.subarray(0, CUT));
    const db = join(dir, 'r.db');
    expect(run(db, f, ...first)).toBe('');
    appendFileSync(f, ALL.subarray(CUT));
    expect(run(db, f, ...later)).toMatch(said);
    // still so on the next run with the same settings: the stored events are as they were
    expect(run(db, f, ...later)).toMatch(said);
    const r = runCli(['rescan', '--db', db, '--quiet', '--year', '2026', ...later, f]);
    expect(r.status, r.stderr).toBe(0);
    expect(run(db, f, ...later)).toBe('');
    const clean = join(dir, 'clean.db');
    run(clean, f, ...later);
    expect(storedRows(db).slice(0, 2)).toEqual(storedRows(clean).slice(0, 2));
  });

  it('the same settings, given or by default, say nothing', () => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    writeFileSync(f, ALL.subarray(0, CUT));
    const db = join(dir, 'r.db');
    expect(run(db, f, '--context', '5')).toBe('');
    appendFileSync(f, ALL.subarray(CUT));
    expect(run(db, f)).toBe('');
  });
});
