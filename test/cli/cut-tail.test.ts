/**
 * A capture cut inside its last line's code (`errCode = 2005` cut to `errCode = 20`: a copy cut short, a file still
 * being written, `head -c` into stdin) counted code 20, unregistered, and raised `--fail-on 'unregistered>0'`, with
 * no word (round twenty's review of messy captures). The last line without its newline is still read (a capture
 * that ends so is whole, most of the time) and a plain file's next run reads that line again; now a warning names the
 * line and the code whose digits may be cut. A last line whose code is not its last word, or a whole last line, says
 * nothing. The first two cases fail on the code before.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, runCli, storedRows, tempDir } from '../helpers.js';

const TEXT = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
// line 94: `… E SocialLoginButton: loginDone: errCode = 2005 errMessage = Too many requests`
const AT = TEXT.indexOf('errCode = 2005') + 'errCode = 20'.length;
const LINE = TEXT.subarray(0, AT).toString('latin1').split('\n').length;

function run(db: string, f: string, input?: Buffer): { status: number | null; stderr: string } {
  const r = runCli(['--db', db, '--quiet', '--year', '2026', f], input ? { input } : {});
  return { status: r.status, stderr: r.stderr };
}

describe('a capture cut inside its last line’s code', () => {
  it('a file: counted as it shows, and a warning names the line and the code; grown, one clean run', () => {
    const dir = tempDir();
    const f = join(dir, 'cut.log');
    writeFileSync(f, TEXT.subarray(0, AT));
    const db = join(dir, 't.db');
    const r = run(db, f);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`cut.log: its last line (${LINE}) has no newline and ends in the code 20, whose digits may be cut (a capture cut short, or still being written): counted as it is; a later run reads that line again, once the file has grown`);
    appendFileSync(f, TEXT.subarray(AT));
    expect(run(db, f).status).toBe(0);
    const clean = join(dir, 'clean.log');
    writeFileSync(clean, TEXT);
    const cdb = join(dir, 'clean.db');
    expect(run(cdb, clean).status).toBe(0);
    expect(storedRows(db).slice(0, 2)).toEqual(storedRows(cdb).slice(0, 2));
  });

  it('stdin: the same warning, without the promise of a later run', () => {
    const db = join(tempDir(), 't.db');
    const r = run(db, '-', TEXT.subarray(0, AT));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`-: its last line \\(${LINE}\\) has no newline and ends in the code 20, whose digits may be cut \\(a capture cut short, or still being written\\): counted as it is\\n`));
  });

  it.each([
    // the excerpt is cut at 240 characters: the check is on the whole line (the review of this round's diff)
    ['a line of 650 characters', Buffer.from(`03-17 16:13:46.187  4672  4672 E SocialLoginButton: loginDone: ${'x'.repeat(560)} errCode = 20`), 1],
    // a record of several lines starts before its last line: the warning names the line cut, not the record's first
    ['a Studio record whose last line holds the code', Buffer.from('2026-03-17 16:13:46.187  4672-4672  SocialLoginButton       com.example.app                      E  loginDone: failed\n    errCode = 20'), 2],
    ['a `-v long` entry whose last line holds the code', Buffer.from('[ 03-17 16:13:46.187  4672: 4672 E/SocialLoginButton ]\nloginDone: failed\nerrCode = 20'), 3],
  ])('%s: the warning names the last line', (_name, bytes, line) => {
    const dir = tempDir();
    const f = join(dir, 'cut.log');
    writeFileSync(f, bytes);
    const r = run(join(dir, 't.db'), f);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`cut.log: its last line (${line}) has no newline and ends in the code 20, whose digits may be cut`);
  });

  it.each([
    ['a whole last line with its newline', TEXT.subarray(0, TEXT.indexOf(10, AT) + 1)],
    ['a last line cut after its code', TEXT.subarray(0, AT + ' errMessage = Too'.length + 2)],
    ['a last line cut inside another word', TEXT.subarray(0, TEXT.indexOf(10, AT) + 20)],
  ])('%s: nothing said', (_name, bytes) => {
    const dir = tempDir();
    const f = join(dir, 'cut.log');
    writeFileSync(f, bytes);
    const r = run(join(dir, 't.db'), f);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/whose digits may be cut/);
  });
});
