/**
 * A one-time code said in words (`sms sent, code=482913`, `your verification code is 482913`) was stored as an event of
 * code 482913, and its digits stayed in the excerpt, in the context of the next event and in the NDJSON line (round
 * twenty's review). Six digits after `code` where SMS, OTP or verification is said are a secret now: no event, and
 * redacted in every stored and printed field; the error code beside it still counts. Fails on the code before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, runCli, tempDir } from '../helpers.js';

describe('a one-time code in words', () => {
  it('is no event, and no stored or printed field shows it', () => {
    const dir = tempDir();
    const f = join(dir, 'otp.log');
    writeFileSync(f, [
      '03-17 16:13:46.187  4672  4672 I Authing: sms sent, code=482913',
      '03-17 16:13:46.900  4672  4672 I AuthRepository: Authing verification code is 913482',
      '03-17 16:13:47.187  4672  4672 E Authing: login failed, code=2005 message=x',
    ].join('\n') + '\n');
    const db = join(dir, 't.db');
    const r = runCli(['--db', db, '--json', '--year', '2026', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(query(db, 'SELECT code FROM events')).toEqual([{ code: 2005 }]);
    const stored = JSON.stringify(query(db, 'SELECT * FROM events'));
    for (const otp of ['482913', '913482']) {
      expect(stored).not.toContain(otp);
      expect(r.stdout).not.toContain(otp);
    }
    expect(stored).toContain('code=[redacted]');
  });
});
