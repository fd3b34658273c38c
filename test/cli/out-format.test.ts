/**
 * `report -o FILE` takes its format from the file's extension (issue 23); an extension no report format
 * has (`week.pdf`) is a usage error in one line, not a JSON file under that name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

describe('report -o with an extension of no report format', () => {
  it('stops in one line with exit 2 and writes nothing; --format says what to write', () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--quiet', join(FIXTURES, 'guard-threadtime.log')]).status).toBe(0);
    const pdf = join(dir, 'week.pdf');
    const r = runCli(['report', '--db', db, '-o', pdf]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/week\.pdf: no report is written as \.pdf; .*--format/);
    expect(existsSync(pdf)).toBe(false);
    expect(runCli(['report', '--db', db, '-o', pdf, '--format', 'md']).status).toBe(0);
    expect(readFileSync(pdf, 'utf8')).toMatch(/^\|/m);
    // A known extension and a name without one keep working.
    expect(runCli(['report', '--db', db, '-o', join(dir, 'week.md')]).status).toBe(0);
    expect(readFileSync(join(dir, 'week.md'), 'utf8')).toMatch(/^\|/m);
    expect(runCli(['report', '--db', db, '-o', join(dir, 'week')]).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'week'), 'utf8'))).toBeInstanceOf(Array);
  });
});
