/**
 * A run with the wrong `--input-format` counts the file's bytes as read, so no later run reads them again: 0 of 80
 * events, for good, and nothing pointed the way back (round eighteen's exactly-once review). The run now says so
 * and names `rescan`, which, without the flag, stores what one clean run does. Fails on the code before.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, runCli, storedRows, tempDir } from '../helpers.js';

const FILE = join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log');
const COMMON = ['--year', '2026', '--tz', 'UTC'];

describe('a run with the wrong --input-format', () => {
  it.each(['ndjson', 'brief'])('--input-format %s on a threadtime capture: said, with rescan, which restores one clean run', (format) => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    copyFileSync(FILE, f);
    const db = join(dir, 'r.db');
    const wrong = runCli(['--db', db, ...COMMON, '--input-format', format, f]);
    expect(wrong.status, wrong.stderr).toBe(0);
    expect(wrong.stderr).toMatch(new RegExp(`cap\\.log: read with --input-format ${format}, \\d+ line\\(s\\) that could hold an event fit no ${format} record.*\`authing-triage rescan [^\`]*cap\\.log\` without --input-format counts it again`));
    const rescan = runCli(['rescan', '--db', db, '--quiet', ...COMMON, f]);
    expect(rescan.status, rescan.stderr).toBe(0);
    const clean = join(dir, 'clean.db');
    expect(runCli(['--db', clean, '--quiet', ...COMMON, f]).status).toBe(0);
    expect(storedRows(db).slice(0, 2)).toEqual(storedRows(clean).slice(0, 2));
  });

  it('the right --input-format says nothing of it, also with a stray line that could hold an event', () => {
    const dir = tempDir();
    const stray = join(dir, 'stray.log');
    writeFileSync(stray, readFileSync(FILE, 'utf8') + 'java.lang.RuntimeException: Authing errCode = 2005 errMessage = x\n');
    for (const f of [FILE, stray]) {
      const r = runCli(['--db', join(dir, 'r.db'), ...COMMON, '--input-format', 'threadtime', f]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/read with --input-format/);
    }
  });

  it('names the command a shell takes for a path with spaces, and what to do for stdin', () => {
    const dir = tempDir();
    const f = join(dir, 'my capture.log');
    copyFileSync(FILE, f);
    const r = runCli(['--db', join(dir, 'r.db'), '--quiet', ...COMMON, '--input-format', 'ndjson', f]);
    // the run's flags that decide its events come along (rescan-hint.test.ts), --input-format not
    expect(r.stderr).toContain(`\`authing-triage rescan --db ${join(dir, 'r.db')} --tz UTC --year 2026 '${f}'\` without --input-format`);
    // a name that starts with a dash would be a flag: the path is absolute, as pasted elsewhere it must be; one with a
    // newline survives only in bash's $'…'
    copyFileSync(FILE, join(dir, '-dash.log'));
    const dash = runCli(['--db', join(dir, 'd.db'), '--quiet', ...COMMON, '--input-format', 'ndjson', '--', '-dash.log'], { cwd: dir });
    expect(dash.stderr).toContain(`\`authing-triage rescan --db ${join(dir, 'd.db')} --tz UTC --year 2026 ${join(dir, '-dash.log')}\` without --input-format`);
    copyFileSync(FILE, join(dir, 'new\nline.log'));
    const nl = runCli(['--db', join(dir, 'n.db'), '--quiet', ...COMMON, '--input-format', 'ndjson', 'new\nline.log'], { cwd: dir });
    expect(nl.stderr).toContain(`\`authing-triage rescan --db ${join(dir, 'n.db')} --tz UTC --year 2026 $'${dir}/new\\x0aline.log'\` without --input-format`);
    const s = runCli(['--db', join(dir, 's.db'), '--quiet', ...COMMON, '--input-format', 'ndjson'], { input: readFileSync(FILE) });
    expect(s.stderr).toContain(`saving the capture to a file and running \`authing-triage rescan --db ${join(dir, 's.db')} --tz UTC --year 2026 FILE\` on it without --input-format`);
  });
});
