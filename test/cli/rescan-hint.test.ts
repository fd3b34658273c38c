/**
 * The `rescan` a warning names is the command to run next, and it named the path alone: pasted, it counted into
 * the default store of the folder it ran in, not the run's --db, and under the default settings, not "this run's"
 * as the warning says (a --tag's events dropped, another --context). Round eighteen's note left it. The command now
 * carries the run's flags that decide a source's events and their shape (config.ts rerunFlags). Here the printed
 * command is run as printed, by a shell with `authing-triage` on PATH, from another folder: the store must then be
 * one clean run of the later settings. Fails on the code before.
 */
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, SHARED, runCli, storedRows, tempDir } from '../helpers.js';
import { rerunFlags } from '../../src/cli/config.js';

const ALL = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
const CUT = ALL.lastIndexOf(10, Math.floor(ALL.length / 2)) + 1;

function run(db: string, file: string, ...flags: string[]): string {
  const r = runCli(['--db', db, '--quiet', ...flags, file]);
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}

/** Runs `command` as a user pastes it: bash, with an `authing-triage` on PATH that is the bin under test, in `cwd`. */
function paste(command: string, cwd: string): { status: number | null; stderr: string } {
  const bin = tempDir();
  const shim = join(bin, 'authing-triage');
  writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(shim, 0o755);
  return spawnSync('bash', ['--norc', '--noprofile', '-c', command], { cwd, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', AUTHING_TRIAGE_DB: '' } });
}

describe('the rescan a warning names', () => {
  it('carries the run\'s --db, --tag, --context, --tz and --year: run as printed from another folder, it gives one clean run of them', () => {
    const dir = tempDir();
    const f = join(dir, 'my cap.log');
    writeFileSync(f, ALL.subarray(0, CUT));
    const db = join(dir, 'r.db');
    const same = ['--tag', 'MainActivity', '--tz', 'UTC', '--year', '2026'];
    expect(run(db, f, ...same, '--context', '1')).toBe('');
    appendFileSync(f, ALL.subarray(CUT));
    const later = [...same, '--context', '4'];
    const said = run(db, f, ...later);
    const hint = /`(authing-triage rescan [^`]*)`/.exec(said)?.[1];
    expect(hint, said).toBeDefined();
    const elsewhere = tempDir();
    const r = paste(`${hint} --quiet`, elsewhere);
    expect(r.status, r.stderr).toBe(0);
    // nothing went to a store of the folder it ran in
    expect(existsSync(join(elsewhere, 'authing-triage.db'))).toBe(false);
    const clean = join(dir, 'clean.db');
    run(clean, f, ...later);
    expect(storedRows(db).slice(0, 2)).toEqual(storedRows(clean).slice(0, 2));
    // the tag mattered: without it the same file gives fewer events
    const untagged = join(dir, 'untagged.db');
    run(untagged, f, '--tz', 'UTC', '--year', '2026', '--context', '4');
    expect((storedRows(untagged)[0] as unknown[]).length).toBeLessThan((storedRows(clean)[0] as unknown[]).length);
  });

  it('names the store that AUTHING_TRIAGE_DB chose: pasted into a shell without it, it still counts there', () => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    writeFileSync(f, ALL.subarray(0, CUT));
    const db = join(dir, 'env.db');
    const env = { AUTHING_TRIAGE_DB: db };
    const first = runCli(['--quiet', '--year', '2026', '--tz', 'UTC', f], { env });
    expect(first.status, first.stderr).toBe(0);
    appendFileSync(f, ALL.subarray(CUT));
    const later = runCli(['--quiet', '--year', '2026', '--tz', 'Asia/Shanghai', f], { env });
    expect(later.status, later.stderr).toBe(0);
    const hint = /`(authing-triage rescan [^`]*)`/.exec(later.stderr)?.[1];
    expect(hint, later.stderr).toContain(`--db ${db}`);
    const r = paste(hint!, dir);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'authing-triage.db'))).toBe(false);
    const clean = join(dir, 'clean.db');
    run(clean, f, '--year', '2026', '--tz', 'Asia/Shanghai');
    expect(storedRows(db).slice(0, 2)).toEqual(storedRows(clean).slice(0, 2));
  });

  it('the narrower-settings note names the run\'s flags too', () => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    writeFileSync(f, ALL);
    const db = join(dir, 'r.db');
    run(db, f, '--tag', 'MainActivity', '--year', '2026');
    const r = runCli(['--db', db, '--year', '2026', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`To re-derive them under this run's settings: authing-triage rescan --db ${db} --year 2026 PATHS`);
  });
});

describe('rerunFlags', () => {
  it('quotes each value for the shell, and leaves a PostgreSQL password out', () => {
    expect(rerunFlags({})).toBe('');
    expect(rerunFlags({ db: 'postgres://ops:s3cret@db.internal/triage', tag: ['Pay Auth', "it's"], registry: ['ours.json'], context: 0, redact: false, tz: 'Asia/Shanghai', year: 2025, config: 'ci.json' })).toBe(
      "--db 'postgres://ops:***@db.internal/triage' --config ci.json --tag 'Pay Auth' --tag 'it'\\''s' --registry ours.json --context 0 --no-redact --tz Asia/Shanghai --year 2025",
    );
    // redaction on, as by default, is not a flag to repeat
    expect(rerunFlags({ redact: true, db: 'x.db' })).toBe('--db x.db');
  });
});
