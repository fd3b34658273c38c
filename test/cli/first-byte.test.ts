/**
 * Start-up to the first byte (issue 25): a run of files reads its first input bytes before it opens,
 * migrates and fills its database, and says when under AUTHING_TRIAGE_TRACE=first-byte (the bench's
 * start-up rows read these marks); a run that reads stdin, or passes its input on (--tee), still opens
 * its database first, so a bad --db neither waits for a writer nor passes bytes on; and a run whose
 * inputs needed no database still makes it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, exitOf, query, runCli, startCli, tempDir } from '../helpers.js';

const FIXTURE = join(FIXTURES, 'guard-threadtime.log');
const TRACE = { AUTHING_TRIAGE_TRACE: 'first-byte' };
const MARK = /^authing-triage: trace: first byte (read|scanned) at (\d+\.\d) ms, (\d+\.\d) ms of CPU$/;
const codes = (db: string) => query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM codes')[0]!.n;

/** A file that is not an SQLite database, given as --db. */
function foreignDb(): string {
  const p = join(tempDir(), 'notes.txt');
  writeFileSync(p, 'not a database\n');
  return p;
}

describe('start-up to the first byte', () => {
  it('reads a file\'s first bytes before it opens the database: a foreign --db is found after the mark', () => {
    const db = foreignDb();
    const r = runCli(['--quiet', '--db', db, FIXTURE], { env: TRACE });
    expect(r.status).toBe(4);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(MARK);
    expect(MARK.exec(lines[0]!)![1]).toBe('read');
    expect(lines[1]).toBe(`authing-triage: ${db}: not an SQLite database; it was left untouched. Give another --db path`);
    expect(readFileSync(db, 'utf8')).toBe('not a database\n');
  });

  it('marks the first byte read, then the first range scanned, once each, and the run counts every event', () => {
    const db = join(tempDir(), 't.db');
    const r = runCli(['--quiet', '--db', db, FIXTURE], { env: TRACE });
    expect(r.status).toBe(0);
    const marks = r.stderr.trim().split('\n').map((l) => MARK.exec(l));
    expect(marks.map((m) => m?.[1])).toEqual(['read', 'scanned']);
    const [read, scanned] = marks.map((m) => ({ wall: Number(m![2]), cpu: Number(m![3]) }));
    expect(read!.wall).toBeLessThanOrEqual(scanned!.wall);
    expect(read!.cpu).toBeLessThanOrEqual(scanned!.cpu);
    expect(query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM events')[0]!.n).toBe(15);
    // without the variable nothing is marked
    expect(runCli(['--quiet', '--db', join(tempDir(), 'u.db'), FIXTURE]).stderr).toBe('');
  });

  it('opens the database before reading stdin: a foreign --db ends the run with exit 4 while the writer is still silent', async () => {
    const db = foreignDb();
    const child = startCli(['--quiet', '--db', db, '-'], TRACE);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      // stdin stays open and empty: a read that came first would wait for it
      expect(await exitOf(child)).toBe(4);
      expect(stderr.trim()).toBe(`authing-triage: ${db}: not an SQLite database; it was left untouched. Give another --db path`);
    } finally {
      child.kill();
    }
  });

  it('opens the database first with --tee: a foreign --db passes on no byte of the file (exit 4, stdout empty)', () => {
    const db = foreignDb();
    const r = runCli(['--quiet', '--tee', '--db', db, FIXTURE], { env: TRACE });
    expect(r.status).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(`authing-triage: ${db}: not an SQLite database; it was left untouched. Give another --db path`);
  });

  it('makes its database when no input needed it: an empty file is skipped (exit 3) and the registry is written', () => {
    const dir = tempDir();
    const empty = join(dir, 'empty.log');
    writeFileSync(empty, '');
    const r = runCli(['--quiet', '--db', join(dir, 'e.db'), empty]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toBe(`authing-triage: ${empty}: empty input; skipped`);
    const full = join(dir, 'f.db');
    expect(runCli(['--quiet', '--db', full, FIXTURE]).status).toBe(0);
    expect(codes(join(dir, 'e.db'))).toBe(codes(full));
    // every code of the bundled registry
    expect(codes(full)).toBe((JSON.parse(readFileSync(join(ROOT, 'src', 'registry', 'codes.json'), 'utf8')) as { codes: unknown[] }).codes.length);
  });
});
