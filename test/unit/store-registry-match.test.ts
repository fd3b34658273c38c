/**
 * How a SQLite store tells that it holds the run's registry already (SqliteStore.registryMatches, and
 * syncRegistry before it writes): every report, show and ingest into a used store asks. The entries are
 * compared inside SQLite one at a time by code; joining all 185 (340 KB) into one parameter and one
 * group_concat touched ~800 pages of fresh memory on each such run (docs/performance.md, round seven).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryJson, loadRegistry } from '../../src/registry/index.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';

const registry = loadRegistry([]);

/** A store holding the registry (written by syncRegistry, as a run does), closed; its path. */
async function storeWithRegistry(): Promise<string> {
  const path = join(tempDir(), 'r.db');
  const s = openSqlite(path, { template: null });
  await s.syncRegistry(registry);
  await s.close();
  return path;
}

/** Runs `change` on the store's file with a plain connection. */
function alter(path: string, change: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    change(db);
  } finally {
    db.close();
  }
}

/** registryMatches on a store opened for reading, with the length of every text the store's statements were given. */
function matches(path: string): { same: boolean; longestParameter: number } {
  const s = openSqlite(path, { readonly: true });
  let longestParameter = 0;
  const prepare = s.db.prepare.bind(s.db);
  // Watches the parameters handed to the real statements; the statements themselves run as they are.
  s.db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    for (const m of ['get', 'all', 'run', 'iterate'] as const) {
      const real = stmt[m].bind(stmt) as (...a: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
        for (const p of a) if (typeof p === 'string') longestParameter = Math.max(longestParameter, p.length);
        return real(...a);
      };
    }
    return stmt;
  }) as typeof s.db.prepare;
  try {
    return { same: s.registryMatches(registry), longestParameter };
  } finally {
    s.db.close();
  }
}

const longestEntry = Math.max(...[...registry.codes.values()].map((c) => entryJson(c).length));

describe("a SQLite store's registry check", () => {
  it('says a store holds the registry without handing SQLite more than one entry at a time', async () => {
    const got = matches(await storeWithRegistry());
    expect(got.same).toBe(true);
    expect(got.longestParameter).toBeGreaterThan(0);
    expect(got.longestParameter).toBeLessThanOrEqual(longestEntry);
  });

  it('tells a changed entry, a missing one, a code swapped for another and a changed category', async () => {
    const codes = [...registry.codes.keys()].sort((a, b) => a - b);
    const edited = await storeWithRegistry();
    alter(edited, (db) => db.prepare("UPDATE codes SET entry = replace(entry, '\"code\"', '\"code\" ') WHERE code = ?").run(codes[100]));
    expect(matches(edited).same).toBe(false);
    const swapped = await storeWithRegistry();
    alter(swapped, (db) => db.prepare('UPDATE codes SET code = ? WHERE code = ?').run(codes.at(-1)! + 1, codes[0]));
    expect(matches(swapped).same).toBe(false);
    const fewer = await storeWithRegistry();
    alter(fewer, (db) => db.prepare('DELETE FROM codes WHERE code = ?').run(codes[5]));
    expect(matches(fewer).same).toBe(false);
    const category = await storeWithRegistry();
    alter(category, (db) => db.prepare("UPDATE categories SET description = description || '.' WHERE rowid = 1").run());
    expect(matches(category).same).toBe(false);
  });
});
