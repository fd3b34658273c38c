/**
 * Inputs a user gives by mistake or that only look like something else (round twenty's adversarial reviews): a log
 * whose first bytes are a file type's magic was skipped whole as that file type although it read as a log; a folder
 * on stdin (`< folder`) was an empty pipe, 0 events and exit 0; `watch --serial` without its value ran on any device;
 * a zip of plain captures said only that it had no bugreport; `FILE -` read FILE alone (yargs drops a lone `-`). Each now reads or fails in one line with what to do.
 * Every case fails on the code before.
 */
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, SHARED, query, runCli, tempDir, writeZip } from '../helpers.js';

const CAPTURE = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));

describe('inputs that are not what they look like', () => {
  it('a log behind a GIF or PNG magic is read, as the same capture without it', () => {
    const dir = tempDir();
    const plain = join(dir, 'plain.log');
    writeFileSync(plain, CAPTURE);
    const pdb = join(dir, 'p.db');
    expect(runCli(['--db', pdb, '--quiet', '--year', '2026', plain]).status).toBe(0);
    for (const magic of ['GIF89a', '\x89PNG']) {
      const f = join(dir, `magic-${magic.length}.log`);
      writeFileSync(f, Buffer.concat([Buffer.from(`${magic}\n`, 'latin1'), CAPTURE]));
      const db = join(dir, `m${magic.length}.db`);
      const r = runCli(['--db', db, '--quiet', '--year', '2026', f]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/not a log/);
      const events = (d: string) => query(d, 'SELECT line, code, tag FROM events ORDER BY line');
      expect(events(db)).toEqual(events(pdb).map((e) => ({ ...e, line: (e as { line: number }).line + 1 })));
    }
  });

  it('a folder on stdin: one line naming what to give instead, exit 3', () => {
    const fd = openSync(tempDir(), 'r');
    try {
      const r = spawnSync(process.execPath, [BIN, '--db', join(tempDir(), 't.db')], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '' } });
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^authing-triage: -: stdin is a folder \(< FOLDER\); give the folder as a path: authing-triage FOLDER; skipped$/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      closeSync(fd);
    }
  });

  it('a path and `-`: both read, in either order (stdin was dropped, unread and unsaid)', () => {
    const dir = tempDir();
    const f = join(dir, 'a.log');
    writeFileSync(f, '03-17 16:13:46.187  4672  4672 E SocialLoginButton: loginDone: errCode = 2005 errMessage = x\n');
    const piped = '03-17 16:13:47.187  4672  4672 E SocialLoginButton: loginDone: errCode = 2333 errMessage = y\n';
    for (const [i, args] of [[f, '-'], ['-', f]].entries()) {
      const db = join(dir, `d${i}.db`);
      const r = runCli(['--db', db, '--quiet', '--year', '2026', ...args], { input: piped });
      expect(r.status, r.stderr).toBe(0);
      expect(query(db, 'SELECT code FROM events ORDER BY code')).toEqual([{ code: 2005 }, { code: 2333 }]);
    }
  });

  it('watch --serial without its value: a usage error, exit 2, no adb run', () => {
    const r = runCli(['watch', '--serial', '--db', join(tempDir(), 'w.db')], { env: { PATH: '/nonexistent' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/serial/);
    expect(r.stderr).not.toMatch(/adb: not found/);
  });

  it('a zip of plain captures says to unzip it', async () => {
    const dir = tempDir();
    const z = join(dir, 'captures.zip');
    await writeZip(z, { 'dev.log': CAPTURE });
    const r = runCli(['--db', join(dir, 'z.db'), z]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/captures\.zip: a zip without a bugreport\*\.txt inside; nothing to read \(a zip of captures: unzip it and give its files\)/);
  });
});
