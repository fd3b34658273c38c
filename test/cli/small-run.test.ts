/**
 * What a short run of the bin does not do (docs/performance.md, round seven: the system time of a run).
 * About 1,200 runs of the bin are most of the suite's CPU, and each file a run reads into memory, each
 * buffer it fills, is page faults: kernel time on every run. Each check runs the real bin with a preload
 * (NODE_OPTIONS=--require, test/preload/) that watches the real fs calls and writes what it saw at exit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, preloadEnv, query, runCli, tempDir } from '../helpers.js';

/** Runs the bin with a preload that counts the whole-file reads (fs.readFileSync) of files named `name`. */
function readsOf(name: string, args: string[]): { count: number; stdout: string } {
  const out = join(tempDir(), 'reads.txt');
  const r = runCli(args, { env: preloadEnv('reads-of', out, name) });
  expect(r.status, r.stderr).toBe(0);
  return { count: Number(readFileSync(out, 'utf8')), stdout: r.stdout };
}

describe('the registry file (codes.json, 340 KB)', () => {
  it('is read once by explain, which names the category in Chinese from the same parse', () => {
    const zh = readsOf('codes.json', ['explain', '2001', '--lang', 'zh']);
    expect(zh.count).toBe(1);
    expect(zh.stdout).toMatch(/\n  类别: +verification · 验证码\n/);
    const en = readsOf('codes.json', ['explain', '2001']);
    expect(en.count).toBe(1);
    expect(en.stdout).toMatch(/\n  category: +verification · Verification code\n/);
  });

  it('is read once by an ingest of a small file into a new database', () => {
    const dir = tempDir();
    expect(readsOf('codes.json', ['--db', join(dir, 't.db'), '--quiet', join(FIXTURES, 'guard-threadtime.log')]).count).toBe(1);
  });
});

/**
 * Runs the bin with a preload that counts the RegExps built (new RegExp) whose source has the layouts'
 * time stamp with plain groups: the numbered patterns src/parse/formats.ts makes from the named ones.
 */
function numberedLayouts(args: string[]): number {
  const out = join(tempDir(), 'made.txt');
  const r = runCli(args, { env: preloadEnv('numbered-layouts', out) });
  expect(r.status, r.stderr).toBe(0);
  return Number(readFileSync(out, 'utf8'));
}

describe("the layouts' numbered patterns (src/parse/formats.ts)", () => {
  it('are not made by runs that parse no line (--version, explain, report); an ingest makes only the one of its layout', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    // every line of this capture has threadtime's plain shape, read by char codes (src/parse/threadtime.ts): no pattern is made
    const capture = join(FIXTURES, 'guard-threadtime.log');
    expect(numberedLayouts(['--db', db, '--quiet', capture])).toBe(0);
    expect(query<{ n: number }>(db, 'SELECT count(*) AS n FROM events')[0]!.n).toBe(15);
    // an Authing line the reader leaves to the pattern (a uid column) makes threadtime's numbered pattern and the count
    // of its groups (the check in numbered); the other three layouts with a time stamp (time, studio, studio-v2) are not made
    const withUid = join(dir, 'uid.log');
    writeFileSync(withUid, readFileSync(capture, 'utf8').replace(/^(\d\d-\d\d \S+) +(\d+)(?=.*Auth)/m, '$1 u0_a12 $2'));
    expect(numberedLayouts(['--db', join(dir, 'uid.db'), '--quiet', withUid])).toBe(2);
    expect(numberedLayouts(['--version'])).toBe(0);
    expect(numberedLayouts(['explain', '2001'])).toBe(0);
    expect(numberedLayouts(['report', '--db', db])).toBe(0);
  });
});
