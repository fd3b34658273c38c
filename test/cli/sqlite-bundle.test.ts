/**
 * better-sqlite3 inside the CLI's bundle (scripts/better-sqlite3-entry.cjs): a run compiles its
 * JavaScript from the bundle (and V8's code cache) and loads only its addon from node_modules, by path;
 * loading it as a package cost every run that opens a store ~31 M instructions (docs/performance.md).
 * When the installed package is another version than the bundle's, its JavaScript and addon are loaded
 * together as Node would, since the two must match.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT, preloadEnv, query, tempDir } from '../helpers.js';

/** The files of better-sqlite3 and bindings a run loads, relative to the node_modules they came from, after a run of `bin`. */
function sqliteFilesLoaded(bin: string): { status: number | null; stderr: string; files: string[]; events: number } {
  const dir = tempDir();
  const out = join(dir, 'loaded.json');
  const db = join(dir, 't.db');
  const r = spawnSync(process.execPath, [bin, '--db', db, '--quiet', join(FIXTURES, 'guard-threadtime.log')], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '', ...preloadEnv('sqlite-files', out) },
  });
  return { status: r.status, stderr: r.stderr, files: JSON.parse(readFileSync(out, 'utf8')) as string[], events: r.status === 0 ? query<{ n: number }>(db, 'SELECT count(*) AS n FROM events')[0]!.n : -1 };
}

describe('better-sqlite3 in the bundle', () => {
  it('loads only its addon from node_modules, and the run stores every event', () => {
    const r = sqliteFilesLoaded(BIN);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.files).toEqual(['better-sqlite3/build/Release/better_sqlite3.node']);
    expect(r.events).toBe(15);
  });

  it('loads the installed package whole, JavaScript and addon, when it is another version than the bundle was built with', () => {
    // An installed copy of the build (bin/, dist/, package.json) beside a node_modules whose better-sqlite3 says another version.
    const pkg = join(tempDir(), 'authing-triage');
    for (const d of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, d), join(pkg, d), { recursive: true });
    const from = join(ROOT, 'node_modules');
    const to = join(pkg, 'node_modules');
    for (const f of ['better-sqlite3/lib', 'better-sqlite3/build/Release/better_sqlite3.node', 'bindings', 'file-uri-to-path', 'yargs/package.json', 'yargs/locales']) cpSync(join(from, f), join(to, f), { recursive: true });
    const meta = JSON.parse(readFileSync(join(from, 'better-sqlite3', 'package.json'), 'utf8')) as { version: string };
    mkdirSync(join(to, 'better-sqlite3'), { recursive: true });
    writeFileSync(join(to, 'better-sqlite3', 'package.json'), JSON.stringify({ ...meta, version: `${meta.version}-other` }));
    const r = sqliteFilesLoaded(join(pkg, 'bin', 'authing-triage.js'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.files).toContain('better-sqlite3/lib/database.js');
    expect(r.files).toContain('bindings/bindings.js');
    expect(r.files).toContain('better-sqlite3/build/Release/better_sqlite3.node');
    expect(r.events).toBe(15);
  });
});
