/**
 * Round twenty's review of secrets in every stored and printed field, the findings fixed (each fails on the code
 * before): a record of several lines (`-v long`, NDJSON, Studio) was joined with ` ⏎ ` before it was redacted, and the
 * marker was taken for the value of `password:`, the password on the next line stored; a context line whose tag names
 * the secret (`Log.d("refresh_token", token)`) kept its one-word message; a stored tag with terminal controls reached
 * stderr raw in the "counted before with tag …" warning.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, runCli, tempDir } from '../helpers.js';

function stored(db: string): string {
  return JSON.stringify(query(db, 'SELECT tag, detail, excerpt, context FROM events'));
}

describe('secrets the review found stored', () => {
  it.each([
    ['long.log', '[ 03-17 16:13:45.000  4672: 4672 D/LoginActivity ]\nrequest password:\nhunter2LONGCTX\n\n[ 03-17 16:13:46.187  4672: 4672 E/SocialLoginButton ]\nloginDone: errCode = 2005 Authorization:\ntokenLONGEVT12345\n\n', ['hunter2LONGCTX', 'tokenLONGEVT12345']],
    ['ndjson.log', '{"time":"2026-03-17T16:13:46.187Z","pid":1,"tid":1,"level":"E","tag":"Authing","message":"errCode = 2005 password:\\nNDJSONPW77"}\n', ['NDJSONPW77']],
  ])('%s: a value on the line after its key, in a record of several lines', (name, text, secrets) => {
    const dir = tempDir();
    const f = join(dir, name);
    writeFileSync(f, text);
    const db = join(dir, 't.db');
    const r = runCli(['--db', db, '--year', '2026', '--json', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(query(db, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 1 }]);
    for (const s of secrets) {
      expect(stored(db)).not.toContain(s);
      expect(r.stdout).not.toContain(s);
    }
  });

  it('a context line whose tag names the secret: its one-word message is the value', () => {
    const dir = tempDir();
    const f = join(dir, 'tag.log');
    writeFileSync(f, [
      '03-17 16:13:40.003  4672  4672 D refresh_token: r_OPAQUEREFRESH77',
      '03-17 16:13:40.004  4672  4672 D pwd     : hunter2TAGCTX',
      '03-17 16:13:40.005  4672  4672 D TokenAuthenticator: refreshing now',
      '03-17 16:13:46.187  4672  4672 E SocialLoginButton: loginDone: errCode = 2005 errMessage = x',
    ].join('\n') + '\n');
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--year', '2026', '--quiet', f]).status).toBe(0);
    const s = stored(db);
    expect(s).not.toContain('r_OPAQUEREFRESH77');
    expect(s).not.toContain('hunter2TAGCTX');
    // a tag that only holds such a word keeps its message
    expect(s).toContain('TokenAuthenticator: refreshing now');
  });

  it('a stored tag with terminal controls is escaped in the warning that names it', () => {
    const dir = tempDir();
    const f = join(dir, 'k.log');
    writeFileSync(f, '03-17 16:13:46.187  4672  4672 E SocialLoginButton: loginDone: errCode = 2005 errMessage = x\n');
    const db = join(dir, 't.db');
    expect(runCli(['--db', db, '--year', '2026', '--quiet', '--tag', 'T\x1b]0;X\x07', f]).status).toBe(0);
    const r = runCli(['--db', db, '--year', '2026', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/counted before with tag T/);
    expect(r.stderr).not.toMatch(/[\x1b\x07]/);
  });
});
