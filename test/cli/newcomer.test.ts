/**
 * A newcomer's first hour (issue 23): each reported surprise, reproduced through the real bin.
 * `npm run build` first: the bin runs dist/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, query, runCli, tempDir, waitFor } from '../helpers.js';

const CAPTURE = join(FIXTURES, 'guard-threadtime.log');
/** Each command's --help, from one run of the bin each, shared by the tests that only read it. */
const helps = new Map<string, { status: number | null; stdout: string }>();
const helpRun = (...cmd: string[]): { status: number | null; stdout: string } => {
  const key = cmd.join(' ');
  if (!helps.has(key)) {
    const r = runCli([...cmd, '--help']);
    helps.set(key, { status: r.status, stdout: r.stdout });
  }
  return helps.get(key)!;
};
const helpOf = (...cmd: string[]): string => helpRun(...cmd).stdout;

/** Runs `bin ARGS | head -1` in bash and returns the bin's own exit status and stderr. */
function intoHead(args: string, cwd: string, stdin = ''): { status: number; stderr: string; stdout: string } {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `"${process.execPath}" "${BIN}" ${args} 2>"${cwd}/err" | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
    cwd,
    input: stdin,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '' },
  });
  return { status: Number(r.stdout.trim()), stderr: readFileSync(join(cwd, 'err'), 'utf8'), stdout: r.stdout };
}

let withCapture: { dir: string; db: string } | undefined;
/**
 * A store with the bundled capture in it (events dated 2026-03-17), made once for this file: the tests
 * only read it (reports and sql leave it byte for byte as it was, as one test below checks).
 */
function storeWithCapture(): { dir: string; db: string } {
  if (withCapture) return withCapture;
  const dir = tempDir();
  const db = join(dir, 'tour.db');
  const r = runCli(['--db', db, '--tz', 'UTC', '--year', '2026', '--quiet', CAPTURE]);
  expect(r.status).toBe(0);
  withCapture = { dir, db };
  return withCapture;
}

describe('a closed pipe is a normal end (item 3)', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    ({ dir, db } = storeWithCapture());
    // Far more than a pipe buffer of events (40 copies: 600 events, 0.56 MB of --json lines; was 400), so the
    // reader closes before the writer is done: a build without the EPIPE handler fails at 40 copies 3 of 3 times.
    writeFileSync(join(dir, 'big.log'), readFileSync(CAPTURE, 'utf8').repeat(40));
  });
  it('ends codes | head -1 with exit 0 and nothing on stderr', () => {
    const r = intoHead('codes --format json', dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it('ends sql | head -1 with exit 0 and nothing on stderr', () => {
    // 30,000 rows: ~200 KB of CSV, three pipe buffers (cb1094d^, before the EPIPE fix, fails from 20,000 rows)
    const r = intoHead(`sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) SELECT i FROM n" --db "${db}" --format csv`, dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it('ends an ingest --json | head -1 with exit 0 and nothing on stderr', () => {
    const r = intoHead(`--json --quiet --db "${join(dir, 'big.db')}" "${join(dir, 'big.log')}"`, dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('read-only commands never create a database (item 10)', () => {
  it('says there is no database, exit 4, and leaves the folder empty: report and sql', () => {
    const dir = tempDir();
    for (const args of [['report'], ['report', '--by', 'code', '--format', 'table'], ['sql', 'SELECT 1']]) {
      const r = runCli(args, { cwd: dir });
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('authing-triage: no database at ./authing-triage.db: ingest something first (authing-triage FILE), or give --db\n');
      expect(r.status).toBe(4);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
  it('needs no database for explain and codes', () => {
    const dir = tempDir();
    expect(runCli(['explain', '1636'], { cwd: dir }).status).toBe(0);
    expect(runCli(['codes', '--format', 'json'], { cwd: dir }).status).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('takes a typo of a command for one, exit 2, without creating a database', () => {
    const dir = tempDir();
    const r = runCli(['reprot'], { cwd: dir });
    expect(r.stderr).toBe('authing-triage: reprot: no such file or directory; did you mean the command "authing-triage report"?\n');
    expect(r.status).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('creates no database when no input could be read at all (exit 3)', () => {
    const dir = tempDir();
    const r = runCli(['missing-capture.log'], { cwd: dir });
    expect(r.stderr).toBe('authing-triage: missing-capture.log: no such file or directory\n');
    expect(r.status).toBe(3);
    expect(existsSync(join(dir, 'authing-triage.db'))).toBe(false);
  });
  it('leaves the database file byte for byte as it was after a report', () => {
    const { db } = storeWithCapture();
    const before = readFileSync(db);
    const r = runCli(['report', '--db', db, '--by', 'code', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(14);
    expect(readFileSync(db).equals(before)).toBe(true);
  });
});

describe('--json stdout carries events only (item 12)', () => {
  it('prints 15 event lines and no summary on stdout; the summary goes to stderr', () => {
    const db = join(tempDir(), 'j.db');
    const r = runCli(['--db', db, '--json', CAPTURE]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { code: unknown });
    // Scan threads may hand events over out of file order: compare them as a multiset.
    expect(lines.map((l) => l.code as number).sort((a, b) => a - b)).toEqual([401, 413, 429, 1577, 1636, 2004, 2333, 10001, 10001, 10002, 10008, 10013, 10018, 10025, 77777]);
    expect(r.stderr).toMatch(/^15 events in 180 lines \(0\.0 MB\) from 1 read input in \d+\.\d\d s$/m);
  });
  it('puts the JSON summary on stderr with --json --json-summary', () => {
    const db = join(tempDir(), 'j.db');
    const r = runCli(['--db', db, '--json', '--json-summary', CAPTURE]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(15);
    const summary = JSON.parse(r.stderr) as { events: number; lines: number; files: Record<string, number> };
    expect([summary.events, summary.lines, summary.files.read]).toEqual([15, 180, 1]);
  });
});

describe('an empty window says where the events are (item 2)', () => {
  let db: string;
  beforeAll(() => ({ db } = storeWithCapture()));
  it('names the window, the events held and the --since to try, exit 0', () => {
    const r = runCli(['report', '--db', db, '--since', '2026-03-18', '--format', 'json']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('[]\n');
    expect(r.stderr).toBe('authing-triage: no events since 2026-03-18; the store holds 15 events from 2026-03-17 to 2026-03-17: try --since 2026-03-17\n');
  });
  it('says so for a bounded window, for --compare and for the HTML page', () => {
    const hint = 'authing-triage: no events from 2026-03-10 to 2026-03-12T06:30:00Z; the store holds 15 events from 2026-03-17 to 2026-03-17: try --since 2026-03-17\n';
    for (const extra of [['--format', 'json'], ['--format', 'table', '--compare'], ['--format', 'html', '--out', join(tempDir(), 'w.html')]]) {
      const r = runCli(['report', '--db', db, '--since', '2026-03-10', '--until', '2026-03-12T06:30', ...extra]);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe(hint);
    }
  });
  it('stays silent when the window holds events', () => {
    const r = runCli(['report', '--db', db, '--since', '2026-03-17', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { count: number }[]).reduce((a, x) => a + x.count, 0)).toBe(15);
  });
});

describe('help and error messages point the right way (item 11)', () => {
  const fail = (args: string[], cwd?: string) => {
    const r = runCli(args, { cwd });
    return { status: r.status, stderr: r.stderr, stdout: r.stdout };
  };
  it('says in one line, exit 2, that a flag was given without its value (it printed a stack trace: round eighteen)', () => {
    const dir = tempDir();
    for (const [args, flag] of [[['--db', join(dir, 't.db'), '--tag'], 'tag'], [['--tag', '-x', 'f.log'], 'tag'], [['f.log', '--registry'], 'registry']] as const) {
      expect(fail([...args], dir), args.join(' ')).toEqual({ status: 2, stdout: '', stderr: `authing-triage: Not enough arguments following: ${flag}; give the flag its value (see authing-triage --help)\n` });
    }
  });
  it('prints "Commands:" once and a --fail-on example that survives the shell', () => {
    const help = helpOf();
    expect(help.match(/^Commands:$/gm)).toHaveLength(1);
    expect(help).toContain(`--fail-on 'network>100'`);
    expect(help).not.toMatch(/--fail-on network>100/);
  });
  it('takes a typo of a command given with flags for a command', () => {
    expect(fail(['raport', '--by', 'code'])).toEqual({ status: 2, stdout: '', stderr: 'authing-triage: unknown command "raport": did you mean "authing-triage report"? (see authing-triage --help)\n' });
  });
  it('calls a stray word a word, not a flag, and points to the command\'s own help', () => {
    expect(fail(['report', 'foo'])).toEqual({ status: 2, stdout: '', stderr: 'authing-triage: unexpected argument "foo": report takes no such word (see authing-triage report --help)\n' });
  });
  it('says a flag belongs to another command', () => {
    expect(fail(['codes', '--by', 'code']).stderr).toBe('authing-triage: unknown flag --by is not a flag of "codes" (see authing-triage codes --help)\n');
  });
  it('prints the version for -V', () => {
    const pkg = JSON.parse(readFileSync(join(FIXTURES, '..', 'package.json'), 'utf8')) as { version: string };
    expect(fail(['-V'])).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
  it('explains a negative --since instead of calling it a flag', () => {
    expect(fail(['report', '--since', '-1d'])).toEqual({ status: 2, stdout: '', stderr: 'authing-triage: --since -1d: a duration counts back from now and is positive, like 1d; or give a time like 2026-03-17\n' });
  });
  it('names a --db URL of another database as unsupported', () => {
    const dir = tempDir();
    expect(fail(['report', '--db', 'mysql://u:secret@x/db'], dir)).toEqual({ status: 2, stdout: '', stderr: 'authing-triage: --db "mysql://***@x/db": not a store authing-triage knows; give an SQLite file path or a postgres:// URL\n' });
    // a raw @ or / in the password, or a password parameter, is hidden too
    expect(fail(['report', '--db', 'mysql://u:se@c/ret@x/db?password=w0rd'], dir).stderr).toBe('authing-triage: --db "mysql://***@x/db?password=***": not a store authing-triage knows; give an SQLite file path or a postgres:// URL\n');
    expect(readdirSync(dir)).toEqual([]);
  });
  it('names --from when the store to migrate from is missing, and creates nothing', () => {
    const dir = tempDir();
    expect(fail(['migrate', '--from', 'nope.db', '--to', 'new.db'], dir)).toEqual({ status: 4, stdout: '', stderr: 'authing-triage: no database at nope.db: ingest something first (authing-triage FILE), or give --from\n' });
    expect(readdirSync(dir)).toEqual([]);
  });
  it('refuses a PRAGMA that sets a value as a write, not a disk I/O error', () => {
    const { db } = storeWithCapture();
    expect(fail(['sql', 'PRAGMA journal_mode=DELETE', '--db', db])).toEqual({ status: 2, stdout: '', stderr: 'authing-triage: sql runs read-only queries only (SELECT, WITH, PRAGMA reads); a PRAGMA that sets a value is a write. The database was not changed\n' });
  });
  it('takes what follows -- as positionals, even when it starts with a dash', () => {
    expect(fail(['explain', '--', '-1'])).toEqual({ status: 1, stdout: '', stderr: 'authing-triage: -1 is not in the registry (counted as unregistered); add it with --registry FILE\n' });
    const dir = tempDir();
    writeFileSync(join(dir, '-dash.log'), readFileSync(CAPTURE));
    const r = runCli(['--db', 'd.db', '--quiet', '--json-summary', '--', '-dash.log'], { cwd: dir });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { events: number }).events).toBe(15);
  });
  it('shows help for completion --help, and completes no "$0"', () => {
    // the same run as the examples test's (helpOf): one run of completion --help for both
    const help = helpRun('completion');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^authing-triage completion\n\nPrint a bash\/zsh completion script\n/);
    expect(help.stdout).not.toMatch(/begin-authing-triage-completions/);
    // the script itself, exit 0 (package.test.ts asked this of its own run before)
    expect(fail(['completion'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/###-begin-authing-triage-completions-###/) });
    const words = fail(['--get-yargs-completions', '']).stdout.split('\n');
    expect(words).toContain('report');
    expect(words.filter((w) => w.includes('$0') || w.includes('__completion'))).toEqual([]);
  });
  // From test/cli/package.test.ts, which ran the same nine --help runs again.
  it('every command has --help with examples', { timeout: 180_000 }, () => {
    for (const cmd of [[], ['report'], ['explain'], ['codes'], ['sql'], ['parse'], ['config'], ['watch'], ['migrate']]) {
      const r = helpRun(...cmd);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Examples:/);
      // The top-level help (the first) lists the exit codes too.
      if (!cmd.length) expect(r.stdout).toMatch(/Exit codes:[\s\S]*130 {2}interrupted/);
    }
  });
  it('prints every example on one line, so that a pasted line is the whole command', () => {
    for (const cmd of [[], ['report'], ['explain'], ['codes'], ['parse'], ['sql'], ['config'], ['watch'], ['migrate'], ['completion']]) {
      const help = helpOf(...cmd);
      const examples = help.slice(help.indexOf('Examples:\n') + 10).split('\n\n')[0]!.split('\n').filter(Boolean);
      expect(examples.length, cmd.join(' ')).toBeGreaterThan(0);
      // A line that is not a command is a command cut in two (a description column does that).
      expect(examples.filter((l) => !/^ {2}(authing-triage|adb logcat)\b/.test(l) && !/^ {10,}\S/.test(l)), cmd.join(' ')).toEqual([]);
    }
  });
  it('lists only the flags a command uses', () => {
    const flags = (cmd: string) => [...helpOf(cmd).matchAll(/^ {2}(?:-\w, | {4})(--[\w-]+)/gm)].map((m) => m[1]);
    expect(flags('codes')).toEqual(['--config', '--lang', '--color', '--registry', '--category', '--format', '--version', '--help']);
    // explain --db says how often a store saw the code (issue 22)
    expect(flags('explain')).toEqual(['--config', '--lang', '--color', '--db', '--busy-timeout', '--registry', '--format', '--sources', '--version', '--help']);
    expect(flags('watch')).not.toContain('--threads');
    expect(flags('report')).not.toContain('--tag');
    expect(helpOf('explain')).not.toContain('[default: []]');
  });
});

describe('colour follows --color, NO_COLOR and TERM as other tools do (item 13)', () => {
  let db: string;
  beforeAll(() => ({ db } = storeWithCapture()));
  const table = (args: string[], env: Record<string, string>) => runCli(['report', '--db', db, '--format', 'table', ...args], { env: { NO_COLOR: '', FORCE_COLOR: '', TERM: 'xterm', ...env } });
  const ESC = '\x1b[';
  it('colours with --color=always and not with --color=never or --no-color', () => {
    expect(table(['--color=always'], {}).stdout).toContain(ESC);
    expect(table(['--color', 'always'], { NO_COLOR: '1' }).stdout).toContain(ESC);
    expect(table(['--color=never'], { FORCE_COLOR: '1' }).stdout).not.toContain(ESC);
    const r = table(['--no-color'], { FORCE_COLOR: '1' });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain(ESC);
  });
  it('treats an empty NO_COLOR as unset, and TERM=dumb as no colour', () => {
    expect(table([], { FORCE_COLOR: '1', NO_COLOR: '' }).stdout).toContain(ESC);
    expect(table([], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain(ESC);
    expect(table([], { FORCE_COLOR: '1', TERM: 'dumb' }).stdout).not.toContain(ESC);
  });
  it('rejects another --color value with the three choices', () => {
    const r = table(['--color=sometimes'], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^authing-triage: Invalid values: Argument: color, Given: "sometimes", Choices: "auto", "always", "never"/);
  });
});

/** A threadtime capture whose Authing lines log these codes this many times each, one second apart. */
function codesCapture(counts: [code: number, n: number][], day = '03-17'): string {
  const noise = readFileSync(CAPTURE, 'utf8').split('\n').filter((l) => !/authing|Guard|Social|Github|HuaWei| QQ |Uploader|DeviceManager|AuthRepository|LoginActivity/i.test(l));
  const lines: string[] = [];
  let s = 0;
  for (const [code, n] of counts) {
    for (let i = 0; i < n; i++, s++) {
      const t = `${day} ${String(10 + Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}.000`;
      lines.push(noise[s % noise.length]!, `${t}  4672  4672 E SocialLoginButton: loginDone: errCode = ${code} errMessage = x`);
    }
  }
  return lines.join('\n') + '\n';
}

describe('the end-of-run code table says what it leaves out (item 9)', () => {
  // 12 registered failure codes, 2 unregistered ones at the bottom, and a success code on top.
  const COUNTS: [number, number][] = [[200, 40], [400, 20], [401, 19], [402, 18], [403, 17], [404, 16], [409, 15], [413, 14], [422, 13], [429, 12], [499, 11], [500, 10], [501, 9], [88888, 2], [77777, 1]];
  it('says "top 10 of 14", lists every unregistered code, and ranks no success code', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'many.log'), codesCapture(COUNTS));
    const r = runCli(['--db', join(dir, 'm.db'), '--tz', 'UTC', join(dir, 'many.log')]);
    expect(r.status).toBe(0);
    const table = r.stderr.split('\n\n')[1]!.split('\n');
    expect(table[0]).toBe('top 10 of 14 failure codes, and 2 more unregistered codes (always listed):');
    expect(table.slice(2).filter(Boolean).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([400, 401, 402, 403, 404, 409, 413, 422, 429, 499, 88888, 77777]);
    // The category table still counts the successes.
    expect(r.stderr).toMatch(/^success +40$/m);
    const json = JSON.parse(runCli(['--db', join(dir, 'm2.db'), '--tz', 'UTC', '--json-summary', join(dir, 'many.log')]).stdout) as { failureCodes: number; topCodes: { code: number }[] };
    expect(json.failureCodes).toBe(14);
    expect(json.topCodes.map((c) => c.code)).toEqual([400, 401, 402, 403, 404, 409, 413, 422, 429, 499, 88888, 77777]);
  });
  it('says "all 3 failure codes" when nothing is left out', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'few.log'), codesCapture([[400, 2], [401, 1], [77777, 1]]));
    const r = runCli(['--db', join(dir, 'f.db'), join(dir, 'few.log')]);
    expect(r.stderr.split('\n\n')[1]!.split('\n')[0]).toBe('all 3 failure codes:');
  });
});

describe('conventions a CLI user expects (item 13)', () => {
  let db: string;
  beforeAll(() => ({ db } = storeWithCapture()));
  it('says "1 event in 2 lines" from "1 input"', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'one.log'), codesCapture([[401, 1]]));
    const r = runCli(['--db', join(dir, 'o.db'), join(dir, 'one.log')]);
    expect(r.stderr).toMatch(/^1 event in 2 lines \(0\.0 MB\) from 1 read input in \d+\.\d\d s$/m);
  });
  it('ends an empty stdin with exit 0 and "0 lines", but not an empty file', () => {
    const dir = tempDir();
    const r = runCli(['--db', join(dir, 'e.db')], { input: '' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^0 events in 0 lines \(0\.0 MB\) from 1 read input in \d+\.\d\d s$/m);
    writeFileSync(join(dir, 'empty.log'), '');
    expect(runCli(['--db', join(dir, 'e.db'), join(dir, 'empty.log')]).status).toBe(3);
  });
  it('points logcat\'s -v threadtime to --input-format', () => {
    const r = runCli(['-v', 'threadtime', CAPTURE]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("authing-triage: -v is logcat's layout flag; authing-triage detects the layout, or give --input-format threadtime (see authing-triage --help)\n");
  });
  it('takes the report format from the --out extension, and --format in any case', () => {
    const dir = tempDir();
    expect(runCli(['report', '--db', db, '-o', join(dir, 'week.md')]).status).toBe(0);
    expect(readFileSync(join(dir, 'week.md'), 'utf8').split('\n').slice(0, 3)).toEqual(['| CATEGORY | EVENTS |', '| --- | ---: |', '| social-login | 3 |']);
    expect(runCli(['report', '--db', db, '-o', join(dir, 'week.csv')]).status).toBe(0);
    expect(readFileSync(join(dir, 'week.csv'), 'utf8').split('\r\n')[0]).toBe('category,count');
    expect(runCli(['report', '--db', db, '--format', 'HTML', '-o', join(dir, 'week.out')]).status).toBe(0);
    expect(readFileSync(join(dir, 'week.out'), 'utf8')).toMatch(/^<!doctype html>/);
  });
  it('names an unknown --where category and lists the valid ones', () => {
    const r = runCli(['report', '--db', db, '--where', 'category=netwrk']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('authing-triage: --where "category=netwrk": "netwrk" is not a category; use one of success, mfa, password, account-binding, account, verification, network, config, session, permission, social-login, one-click, sms, profile, billing, rate-limit, client-request, server, unregistered\n');
  });
  it('never flags success codes as spikes', () => {
    const dir = tempDir();
    // 2026-03-16: 1 success and 1 of 401; 2026-03-17: 30 of each.
    writeFileSync(join(dir, 'a.log'), codesCapture([[200, 1], [401, 1]], '03-16') + codesCapture([[200, 30], [401, 30]], '03-17'));
    const d = join(dir, 's.db');
    expect(runCli(['--db', d, '--tz', 'UTC', '--year', '2026', '--quiet', join(dir, 'a.log')]).status).toBe(0);
    const rows = JSON.parse(runCli(['report', '--db', d, '--by', 'code', '--since', '2026-03-17', '--until', '2026-03-18', '--compare', '--format', 'json']).stdout) as { code: number; spike: boolean }[];
    expect(rows.map((r) => [r.code, r.spike])).toEqual([[200, false], [401, true]]);
  });
  it('pages a table longer than the terminal through $PAGER, and not a short one', () => {
    const inPty = (cmd: string) => spawnSync('script', ['-qec', `stty rows 10 cols 120; ${cmd}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, PAGER: 'sed s/^/PAGED:/', NO_COLOR: '1', AUTHING_TRIAGE_DB: '' } }).stdout;
    const long = inPty(`"${process.execPath}" "${BIN}" codes --format table`).split(/\r?\n/).filter(Boolean);
    expect(long.length).toBe(186);
    expect(long.every((l) => l.startsWith('PAGED:'))).toBe(true);
    const short = inPty(`"${process.execPath}" "${BIN}" report --db "${db}" --where category=network`).split(/\r?\n/).filter(Boolean);
    expect(short).toEqual(['CATEGORY  EVENTS', 'network        2']);
  });
});

/** The bundled capture as `adb logcat -v brief` prints it: no time stamps. */
function briefCapture(): string {
  return readFileSync(CAPTURE, 'utf8').replace(/^[\d-]+ [\d:.]+ +(\d+) +\d+ ([VDIWEF]) ([^:]*?) *: /gm, (_m, pid: string, level: string, tag: string) => `${level}/${tag}(${pid.padStart(5)}): `);
}

/** A store with the capture twice: once with time stamps, once as brief (none). */
function mixedStore(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'brief.log'), briefCapture());
  const db = join(dir, 'mixed.db');
  expect(runCli(['--db', db, '--tz', 'UTC', '--year', '2026', '--quiet', CAPTURE, join(dir, 'brief.log')]).status).toBe(0);
  return db;
}

describe('events without time stamps are a row of their own (item 7)', () => {
  let db: string;
  beforeAll(() => (db = mixedStore()));
  it('names the row "no time stamp" in table, Markdown, CSV and JSON alike', () => {
    const out = (format: string) => runCli(['report', '--db', db, '--by', 'day', '--format', format]).stdout;
    expect(out('table')).toBe('DAY            EVENTS\nno time stamp      15\n2026-03-17         15\n');
    expect(out('md')).toBe('| DAY | EVENTS |\n| --- | ---: |\n| no time stamp | 15 |\n| 2026-03-17 | 15 |\n');
    expect(out('csv')).toBe('day,count\r\nno time stamp,15\r\n2026-03-17,15\r\n');
    const [latest] = query<{ undated: number; dated: number }>(db, 'SELECT MAX(CASE WHEN time IS NULL THEN id END) AS undated, MAX(CASE WHEN time IS NOT NULL THEN id END) AS dated FROM events');
    expect(JSON.parse(out('json'))).toEqual([{ day: 'no time stamp', count: 15, latestEvent: latest!.undated }, { day: '2026-03-17', count: 15, latestEvent: latest!.dated }]);
  });
  it('says a window leaves them out instead of dropping them silently', () => {
    const r = runCli(['report', '--db', db, '--since', '2026-01-01', '--format', 'json']);
    expect((JSON.parse(r.stdout) as { count: number }[]).reduce((a, x) => a + x.count, 0)).toBe(15);
    expect(r.stderr).toBe('authing-triage: 15 events without a time stamp are in no --since or --until window, so not in this report; leave the window out to count them\n');
    expect(runCli(['report', '--db', db, '--format', 'json']).stderr).toBe('');
  });
});

describe('globs expand to each file once (item 4)', () => {
  it('reads every file under "srv/**/*" once on a new database', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'srv', 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'srv', 'top.log'), readFileSync(CAPTURE));
    writeFileSync(join(dir, 'srv', 'a', 'brief.log'), briefCapture());
    writeFileSync(join(dir, 'srv', 'a', 'b', 'codes.log'), codesCapture([[401, 3], [77777, 2]]));
    const r = runCli(['--db', 'g.db', '--quiet', '--json-summary', 'srv/**/*', 'srv/a'], { cwd: dir });
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as { files: Record<string, number>; events: number; sources: { name: string }[] };
    expect(s.files).toEqual({ read: 3, resumed: 0, skipped: 0, failed: 0, taken: 0, notLog: 0 });
    expect(r.stderr).toBe('');
    expect(s.events).toBe(35);
    expect(s.sources.map((x) => x.name)).toEqual(['srv/a/b/codes.log', 'srv/a/brief.log', 'srv/top.log']);
  });
});

/** Runs a shell command on a real terminal (util-linux `script`): what we type is its keyboard. */
function onTerminal(cmd: string) {
  // `exec`: the CLI takes the shell's place, so the exit code is its own whatever $SHELL is (a dash
  // wrapper dies of the Ctrl-C's SIGINT itself and never printed "rc="); `script -e` passes it on.
  const c = spawn('script', ['-qfec', `stty rows 40 cols 140; exec ${cmd}`, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '' } });
  let out = '';
  c.stdout.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': the terminal's last output (the summary) is read by then, and comes before rc=
  c.on('close', (code, signal) => (out += `\nrc=${code ?? signal}\n`));
  return { type: (s: string) => c.stdin.write(s), out: () => out, done: () => waitFor(() => /rc=\d+/.test(out), 45_000, 'the exit code on the terminal'), kill: () => c.kill() };
}

describe('stdin a terminal (item 1)', () => {
  it('prints one hint, and the first Ctrl-C ends with the summary and exit 130, keeping what was typed', { timeout: 180_000 }, async () => {
    const db = join(tempDir(), 't.db');
    const t = onTerminal(`"${process.execPath}" "${BIN}" --db "${db}" --tz UTC --year 2026`);
    try {
      await waitFor(() => t.out().includes('reading stdin'), 45_000, 'the hint on the terminal');
      const line = readFileSync(CAPTURE, 'utf8').split('\n').find((l) => l.includes('errCode = 2333'))!;
      t.type(line + '\n');
      await waitFor(() => /2333 \[password\]/.test(t.out()), 45_000, 'the live line of 2333 on the terminal');
      t.type('\x03');
      await t.done();
    } finally {
      t.kill();
    }
    const out = t.out().replace(/\r/g, '');
    expect(out.match(/reading stdin/g)).toHaveLength(1);
    expect(out).toContain("authing-triage: reading stdin; pipe adb logcat into me, give files, or run 'authing-triage watch' (Ctrl-C ends with the summary)\n");
    expect(out).toMatch(/^(\^C)?1 event in 1 line \(0\.0 MB\) from 1 read input in \d+\.\d\d s$/m);
    expect(out).toMatch(/rc=130$/m);
    expect(query(db, 'SELECT code FROM events')).toEqual([{ code: 2333 }]);
  });
  it('prints no hint when stdin is a pipe', () => {
    expect(runCli(['--db', join(tempDir(), 'p.db')], { input: '' }).stderr).not.toContain('reading stdin');
  });
});

const COPIES = 40;
describe('archive runs on a terminal (item 5)', () => {
  let gz: string;
  beforeAll(() => {
    // COPIES copies of the capture: 0.995 MB of text, 0.01 MB gzipped, so a bar in gzipped bytes shows
    // "0.0 MB of 0.0 MB". The bar's first frame is drawn as the run starts; with --live, whose run prints every
    // event on the terminal, a build that shows the bar with --live too draws it there (docs/performance.md,
    // rounds eight and nine).
    gz = join(tempDir(), 'archive.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(CAPTURE, 'utf8').repeat(COPIES)));
  });
  const run = async (extra: string, file = gz) => {
    const t = onTerminal(`"${process.execPath}" "${BIN}" --db "${join(tempDir(), 'a.db')}" --threads 1 ${extra} "${file}"`);
    try {
      await t.done();
    } finally {
      t.kill();
    }
    return t.out().replace(/\r/g, '\n');
  };
  it('shows the bar in uncompressed bytes, as the summary counts them, and no live lines', async () => {
    const out = await run('');
    const frames = [...out.matchAll(/(\d+)% \| ([\d.]+) MB of ([\d.]+) MB \| file (\d)\/1/g)];
    expect(frames.length).toBeGreaterThan(0);
    expect(new Set(frames.map((f) => f[3]))).toEqual(new Set(['1.0']));
    expect(out).toMatch(/^600 events in 7200 lines \(1\.0 MB\) from 1 read input in \d+\.\d\d s$/m);
    expect(out).not.toMatch(/ERROR: 2333 \[password\]/);
    expect(out).toMatch(/rc=0$/m);
  });
  it('prints live lines with --live, and then no bar', async () => {
    const out = await run('--live');
    expect(out.match(/ERROR: 2333 \[password\]/g)).toHaveLength(COPIES);
    expect(out).not.toMatch(/\d+% \| [\d.]+ MB of/);
  });
});
