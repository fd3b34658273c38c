/**
 * What a short run of the bin does not do (docs/performance.md, round seven: the system time of a run).
 * About 1,200 runs of the bin are most of the suite's CPU, and each file a run reads into memory, each
 * buffer it fills, is page faults: kernel time on every run. Each check runs the real bin with a preload
 * (NODE_OPTIONS=--require) that watches the real fs calls and writes what it saw at exit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

/** Runs the bin with a preload that counts the whole-file reads (fs.readFileSync) of files named `name`. */
function readsOf(name: string, args: string[]): { count: number; stdout: string } {
  const dir = tempDir();
  const preload = join(dir, 'preload.cjs');
  const out = join(dir, 'reads.txt');
  writeFileSync(
    preload,
    `const fs = require('node:fs'); const read = fs.readFileSync; let n = 0;
     fs.readFileSync = function (p, ...rest) { if (String(p).endsWith(${JSON.stringify(`/${name}`)})) n++; return read.call(this, p, ...rest); };
     process.on('exit', () => fs.writeFileSync(${JSON.stringify(out)}, String(n)));`,
  );
  const r = runCli(args, { env: { NODE_OPTIONS: `--require ${preload}` } });
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
