/**
 * A new SQLite store is a copy of the build's template (src/store/template.ts), which holds the built-in
 * registry; a run that made it that way and uses the built-in registry does not compare the 185 entries
 * again (src/store/sqlite.ts). A run with a registry override must still write its registry into the
 * store it made, and a store made without one must hold what the comparison would have written.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, query, runCli, tempDir } from '../helpers.js';

const LOG = join(FIXTURES, 'guard-threadtime.log');
const codes = (db: string) => query<{ code: number; category: string; message: string; entry: string }>(db, 'SELECT code, category, message, entry FROM codes ORDER BY code');

describe('a new store', () => {
  it('holds the override registry of the run that made it, and the built-in one, as a used store is brought back to, when made without one', () => {
    const dir = tempDir();
    const override = join(dir, 'ours.json');
    writeFileSync(override, JSON.stringify({ codes: [{ code: 2333, category: 'config', message: 'our tenant code' }] }));
    const withOverride = join(dir, 'override.db');
    const plain = join(dir, 'plain.db');
    for (const [db, extra] of [[withOverride, ['--registry', override]], [plain, []]] as const) {
      const r = runCli(['--db', db, '--quiet', ...extra, LOG]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const overridden = codes(withOverride);
    expect(overridden.find((c) => c.code === 2333)).toMatchObject({ category: 'config', message: 'our tenant code' });
    expect(codes(plain).find((c) => c.code === 2333)).toMatchObject({ category: 'password', message: '用户名或密码错误' });
    // The store made with the override, read again without it: the registry comparison writes the built-in one.
    const r = runCli(['--db', withOverride, '--quiet', LOG]);
    expect(r.status, r.stderr).toBe(0);
    expect(codes(withOverride)).toEqual(codes(plain));
    expect(codes(plain)).toHaveLength(overridden.length);
  });
});
