/**
 * A short run starts no thread, so it does not load node:worker_threads (src/threads.ts): loading it cost
 * every run of the bin ~5 M instructions. A run that starts scan threads loads it, which shows the check
 * sees the module when it is there. Nor does it load node:perf_hooks (nine built-in modules): the `performance`
 * global loads it at first use, so the throttles of the stdin reader and the stream pool take their
 * monotonic milliseconds from process.uptime(). Nor node:tty or node:net (~4-8 ms before a file's
 * first byte).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, preloadEnv, query, runCli, tempDir } from '../helpers.js';

/** Runs the bin with a preload that writes, at exit, whether the built-in module `name` was loaded. */
function loadsModule(name: string, args: string[], env: Record<string, string> = {}, input?: string): boolean {
  const dir = tempDir();
  const out = join(dir, 'loaded.txt');
  const r = runCli(['--db', join(dir, 't.db'), '--quiet', ...args], { env: { ...preloadEnv('module-loaded', out, name), ...env }, input });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(out, 'utf8') === 'true';
}

describe('node:worker_threads', () => {
  it('is not loaded by a run of a small file, which starts no thread', () => {
    expect(loadsModule('worker_threads', [join(FIXTURES, 'guard-threadtime.log')])).toBe(false);
  });

  it('is loaded by a run that reads a file in ranges on scan threads', () => {
    expect(loadsModule('worker_threads', ['--threads', '2', join(FIXTURES, 'guard-threadtime.log')], { AUTHING_TRIAGE_RANGE_BYTES: '4096', AUTHING_TRIAGE_DENSE_BYTES: '0' })).toBe(true);
  });
});

describe('node:perf_hooks', () => {
  it('is not loaded by a run of a small file, nor by one that reads it from stdin', () => {
    expect(loadsModule('perf_hooks', [join(FIXTURES, 'guard-threadtime.log')])).toBe(false);
    expect(loadsModule('perf_hooks', [], {}, readFileSync(join(FIXTURES, 'guard-threadtime.log'), 'utf8'))).toBe(false);
  });
});

describe('node:tty and node:net', () => {
  // run-ingest.ts asks isatty(0) only when stdin is to be read, stdout and stderr are made at their first
  // use (cli/output.ts): a file's run loaded node:tty and node:net before its first byte, for a hint it
  // does not print and for stdout and stderr (here pipes) that a --quiet run never writes to.
  it('are not loaded by a --quiet run of a small file whose stdout and stderr are pipes', () => {
    const file = [join(FIXTURES, 'guard-threadtime.log')];
    expect(loadsModule('tty', file)).toBe(false);
    expect(loadsModule('net', file)).toBe(false);
  });

  it('node:tty is loaded by a run that reads stdin without --quiet, to see whether to print its hint', () => {
    const dir = tempDir();
    const out = join(dir, 'loaded.txt');
    const r = runCli(['--db', join(dir, 't.db')], { env: preloadEnv('module-loaded', out, 'tty'), input: readFileSync(join(FIXTURES, 'guard-threadtime.log'), 'utf8') });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('true');
  });
});

describe('before the first byte', () => {
  // node:crypto (twenty built-in modules, ~25 M instructions) was loaded as the pipeline's modules were evaluated,
  // for hashes that are taken once the head is read (the contract's hash is taken when first read); node:module was
  // loaded by launch.ts and binary.ts (createRequire) and brings Node's ES module loader with it (~4 M).
  it('a --quiet run of a small file has loaded neither node:crypto nor node:module, and loads node:crypto for the head after it', () => {
    const dir = tempDir();
    const out = join(dir, 'loaded.json');
    const r = runCli(['--db', join(dir, 't.db'), '--quiet', join(FIXTURES, 'guard-threadtime.log')], { env: { ...preloadEnv('modules-loaded', out), AUTHING_TRIAGE_TRACE: 'first-byte' } });
    expect(r.status, r.stderr).toBe(0);
    const { firstByte, exit } = JSON.parse(readFileSync(out, 'utf8')) as { firstByte: string[] | null; exit: string[] };
    expect(firstByte).not.toBeNull();
    expect(firstByte!.filter((m) => ['crypto', 'module'].includes(m))).toEqual([]);
    expect(exit).toContain('crypto');
    expect(query<{ n: number }>(join(dir, 't.db'), 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 15 }]);
  });
});

describe('safe-regex2', () => {
  // Its parser (ret) built its tables when the registry's module was evaluated, ~3 ms of every run, for the check of a
  // user registry's patterns (test/unit/verify-registry.test.ts has the check itself through the bin).
  it('is required only to check a user registry\'s patterns, not by a plain run', () => {
    const dir = tempDir();
    const out = join(dir, 'loaded.json');
    const requiresSafeRegex = (args: string[]): boolean => {
      const r = runCli(['--db', join(dir, 't.db'), '--quiet', ...args, join(FIXTURES, 'guard-threadtime.log')], { env: preloadEnv('modules-loaded', out) });
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(readFileSync(out, 'utf8')) as { required: string[] }).required.some((f) => f.includes('/node_modules/safe-regex2/'));
    };
    expect(requiresSafeRegex([])).toBe(false);
    const registry = join(dir, 'r.json');
    writeFileSync(registry, JSON.stringify({ signatures: [{ tags: ['MyAuth'], message: '^login failed code=(\\d+)', code: 9001, source: 'test' }] }));
    expect(requiresSafeRegex(['--registry', registry])).toBe(true);
  });
});

describe("yargs' singleton", () => {
  // yargs' index.cjs builds an instance on process.argv at load for `require('yargs').argv`; the CLI
  // builds its own, so that one was ~7 M instructions of every run for nothing (scripts/bundle.mjs).
  it('is not built when the bundle loads, and the command line still parses', () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'authing-triage.cjs'), 'latin1');
    expect(bundle).not.toContain('hideBin(process.argv))');
    const r = runCli(['--version']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});

describe("a named command's help text", () => {
  // yargs rendered it (every flag through cliui and string-width) once the handler of report, explain,
  // sql... had started, for a showHelp() this CLI never calls: ~40 M instructions of each such run.
  it('is not rendered by a run of report; --help still prints it, and a failing run prints one line, not the help', () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'authing-triage.cjs'), 'latin1');
    expect(bundle).not.toContain('cacheHelpMessage()');
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', join(FIXTURES, 'guard-threadtime.log')]).status).toBe(0);
    const report = runCli(['report', '--db', db]);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stderr).toBe('');
    const help = runCli(['report', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('authing-triage report');
    expect(help.stdout).toContain('--db');
    // -h inside a group of short flags is help too: every command listed, wrapped as --help is
    const top = runCli(['--help']);
    expect(top.status).toBe(0);
    expect(runCli(['-qh']).stdout).toBe(top.stdout);
    const missing = runCli(['report', '--db', join(dir, 'none.db')]);
    expect(missing.status).toBe(4);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim().split('\n')).toEqual([`authing-triage: no database at ${join(dir, 'none.db')}: ingest something first (authing-triage FILE), or give --db`]);
  });
});
