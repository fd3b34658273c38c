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
import { redactUrl } from '../../src/store/store.js';
import { terminalText } from '../../src/sinks/terminal-text.js';

const ALL = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
const CUT = ALL.lastIndexOf(10, Math.floor(ALL.length / 2)) + 1;

function run(db: string, file: string, ...flags: string[]): string {
  const r = runCli(['--db', db, '--quiet', ...flags, file]);
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}

/** Runs `command` as a user pastes it: bash, with an `authing-triage` on PATH that is the bin under test, in `cwd`. */
function paste(command: string, cwd: string, env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const bin = tempDir();
  const shim = join(bin, 'authing-triage');
  writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(shim, 0o755);
  return spawnSync('bash', ['--norc', '--noprofile', '-c', command], { cwd, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', AUTHING_TRIAGE_DB: '', ...env } });
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

  it('carries the run\'s --max-events: the pasted rescan keeps as many events of the source as one clean run of it', () => {
    // --max-events keeps the first N events of each source in a run and reads the rest uncounted: a rescan without
    // it counted every event of the file, not what "this run's settings" give (a review of the hint's flags).
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    writeFileSync(f, ALL.subarray(0, CUT));
    const db = join(dir, 'r.db');
    const same = ['--tz', 'UTC', '--year', '2026', '--max-events', '7'];
    // (the cap's own warning, which names no command)
    expect(run(db, f, ...same, '--context', '1')).not.toContain('authing-triage rescan');
    appendFileSync(f, ALL.subarray(CUT));
    const later = [...same, '--context', '4'];
    const said = run(db, f, ...later);
    const hint = /`(authing-triage rescan [^`]*)`/.exec(said)?.[1];
    expect(hint, said).toContain(' --max-events 7 ');
    const r = paste(`${hint} --quiet`, tempDir());
    expect(r.status, r.stderr).toBe(0);
    const clean = join(dir, 'clean.db');
    run(clean, f, ...later);
    const rows = storedRows(db);
    expect(rows.slice(0, 2)).toEqual(storedRows(clean).slice(0, 2));
    expect((rows[0] as unknown[]).length).toBe(7);
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

  it('run with relative paths and a config file found in its folder, pasted in another folder it does the same', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cap.log'), ALL.subarray(0, CUT));
    // the folder's config file sets the tag and the year; the store and the capture are named relative to it
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ tags: ['MainActivity'], year: 2026 }));
    const here = (...flags: string[]): string => {
      const r = runCli(['--db', 'r.db', '--quiet', '--tz', 'UTC', ...flags, 'cap.log'], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      return r.stderr;
    };
    expect(here('--context', '1')).toBe('');
    appendFileSync(join(dir, 'cap.log'), ALL.subarray(CUT));
    const said = here('--context', '4');
    const hint = /`(authing-triage rescan [^`]*)`/.exec(said)?.[1];
    expect(hint, said).toBeDefined();
    const elsewhere = tempDir();
    const r = paste(`${hint} --quiet`, elsewhere);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(elsewhere, 'r.db'))).toBe(false);
    const clean = join(dir, 'clean.db');
    run(clean, join(dir, 'cap.log'), '--config', join(dir, '.authing-triage.json'), '--tz', 'UTC', '--context', '4');
    expect(storedRows(join(dir, 'r.db')).slice(0, 2)).toEqual(storedRows(clean).slice(0, 2));
    // and the run it was for, once more, finds its settings stored: nothing to say
    expect(here('--context', '4')).toBe('');
  });

  it('a tag with a bidi override is given back as typed: the pasted rescan stores the run\'s settings', () => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    writeFileSync(f, ALL.subarray(0, CUT));
    const db = join(dir, 'r.db');
    const flags = ['--tag', 'MainActivity', '--tag', 'Main\u202eX', '--year', '2026', '--tz', 'UTC'];
    expect(run(db, f, ...flags, '--context', '1')).toBe('');
    appendFileSync(f, ALL.subarray(CUT));
    const said = run(db, f, ...flags, '--context', '4');
    expect(said).not.toContain('\u202e');
    const hint = /`(authing-triage rescan [^`]*)`/.exec(said)?.[1];
    expect(hint, said).toBeDefined();
    // pasted where no locale is set (cron, `env -i`): bash's `$'\u202e'` stayed six characters there, another tag
    const r = paste(`${hint} --quiet`, tempDir(), { LANG: 'C', LC_ALL: 'C' });
    expect(r.status, r.stderr).toBe(0);
    // the same run again: its tags and context are what the rescan stored, so it has nothing to say
    expect(runCli(['--db', db, ...flags, '--context', '4', f]).stderr).not.toMatch(/rescan|narrower|wider/);
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
  it('quotes each value for the shell, makes paths absolute, and leaves a PostgreSQL password out', () => {
    const cwd = '/srv/ci';
    // the store is always named, the default's too: pasted in another folder, ./authing-triage.db is another file
    expect(rerunFlags({}, cwd)).toBe('--db /srv/ci/authing-triage.db');
    expect(rerunFlags({ db: 'postgres://ops:s3cret@db.internal/triage', tag: ['Pay Auth', "it's", '-Auth'], registry: ['ours.json'], context: 0, redact: false, tz: 'Asia/Shanghai', year: 2025, config: 'ci.json' }, cwd)).toBe(
      "--db 'postgres://ops:***@db.internal/triage' --config /srv/ci/ci.json --tag 'Pay Auth' --tag 'it'\\''s' --tag=-Auth --registry /srv/ci/ours.json --context 0 --no-redact --tz Asia/Shanghai --year 2025",
    );
    expect(rerunFlags({ db: 'x.db', tz: 'UTC', maxEvents: 50 }, cwd)).toBe('--db /srv/ci/x.db --tz UTC --max-events 50');
    // redaction on, as by default, is not a flag to repeat
    expect(rerunFlags({ redact: true, db: 'x.db' }, cwd)).toBe('--db /srv/ci/x.db');
  });

  it.each(['C.UTF-8', 'C'])('gives each value back exactly when bash reads it, in the %s locale: newlines, quotes, C1 and bidi characters', (locale) => {
    for (const tag of ['Pay Auth', "it's", 'a\nb', 'Main\u202eX', 'tab\there', 'c1\u009bx', 'back\\slash', 'sep\u2028x', '-dash', '中文\u202e标签']) {
      const hint = rerunFlags({ tag: [tag] }, '/x');
      // terminalText leaves it alone: nothing in it for the terminal to act on
      expect(terminalText(hint)).toBe(hint);
      const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `printf '%s\\0' ${hint}`], { encoding: 'utf8', env: { ...process.env, LANG: locale, LC_ALL: locale } });
      expect(r.status, r.stderr).toBe(0);
      const words = r.stdout.split('\0').slice(0, -1);
      expect(words.slice(2)).toEqual(tag.startsWith('-') ? [`--tag=${tag}`] : ['--tag', tag]);
    }
  });
});

describe('redactUrl', () => {
  it('hides the password whatever it holds, and a password given as a parameter', () => {
    const cases: [string, string][] = [
      ['postgres://ops:s3cret@db.internal:5432/triage', 'postgres://ops:***@db.internal:5432/triage'],
      // a raw @ in a password: the URL parser pg uses takes the last @ of the authority
      ['postgres://u:p@ss@h/db', 'postgres://u:***@h/db'],
      // a raw / ends the authority early: still hidden
      ['postgresql://u:p/ss@h/db', 'postgresql://u:***@h/db'],
      // libpq's parameters
      ['postgres:///triage?host=/tmp&password=s3cret', 'postgres:///triage?host=/tmp&password=***'],
      ['POSTGRES://u:pw@h/d?sslmode=require&SSLPassword=k3y#x', 'POSTGRES://u:***@h/d?sslmode=require&SSLPassword=***#x'],
      ['postgres://u@h/db', 'postgres://u@h/db'],
      ['postgres://h:5432/db', 'postgres://h:5432/db'],
      ['x.db', 'x.db'],
    ];
    for (const [url, shown] of cases) expect(redactUrl(url), url).toBe(shown);
  });

  it('no password reaches the output of `config` or of a failed connection', () => {
    const r = runCli(['config', '--db', 'postgres://u:p@ss@127.0.0.1:1/db?password=w0rd']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('postgres://u:***@127.0.0.1:1/db?password=***');
    const failed = runCli(['report', '--db', 'postgres://u:s3@cret@127.0.0.1:1/db']);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('u:***@127.0.0.1:1/db');
    expect(failed.stderr + r.stdout).not.toMatch(/cret|w0rd|ss@/);
  });
});
