/**
 * The store template (src/store/template.ts): a new SQLite store copied from it is the store the schema
 * and every migration make, with the registry written, so that skipping them changes nothing but time.
 */
import Database from 'better-sqlite3';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/index.js';
import { openSqlite, writeStoreTemplate } from '../../src/store/sqlite.js';
import { createFromTemplate } from '../../src/store/template.js';
import { expectSameBytes, query, tempDir } from '../helpers.js';

const registry = loadRegistry([]);

/** What a store holds apart from events: its schema, version, journal mode, tables' rows. */
function shapeOf(db: string): Record<string, unknown> {
  const conn = new Database(db, { readonly: true });
  try {
    const tables = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return {
      schema: conn.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all(),
      version: conn.pragma('user_version', { simple: true }),
      journal: conn.pragma('journal_mode', { simple: true }),
      // every table's rows, in a fixed order: the registry's, and none in the others
      rows: Object.fromEntries(tables.map((t) => [t, conn.prepare(`SELECT * FROM "${t}" ORDER BY 1, 2`).all()])),
    };
  } finally {
    conn.close();
  }
}

describe('a new SQLite store from the template', () => {
  it('has the schema, version, journal mode and registry rows of one made by the migrations, and mode 600', async () => {
    const dir = tempDir();
    const template = join(dir, 'new.db');
    await writeStoreTemplate(template, registry);
    const copied = openSqlite(join(dir, 'copied.db'), { template });
    // The registry is there already: a run finds nothing to write.
    expect(copied.registryMatches(registry)).toBe(true);
    await copied.syncRegistry(registry);
    await copied.close();
    const migrated = openSqlite(join(dir, 'migrated.db'), { template: null });
    expect(migrated.registryMatches(registry)).toBe(false);
    await migrated.syncRegistry(registry);
    await migrated.close();
    const want = shapeOf(join(dir, 'migrated.db'));
    expect((want.rows as Record<string, unknown[]>).codes).toHaveLength(registry.codes.size);
    expect(shapeOf(join(dir, 'copied.db'))).toEqual(want);
    expect(statSync(join(dir, 'copied.db')).mode & 0o777).toBe(0o600);
  });

  it('is made once when two runs create it together: the second finds the first one\'s store and leaves it whole, and no temporary file is left', async () => {
    const dir = tempDir();
    const template = join(dir, 'new.db');
    await writeStoreTemplate(template, registry);
    const db = join(dir, 'store.db');
    expect(createFromTemplate(db, template)).toBe('copied');
    expectSameBytes(readFileSync(db), readFileSync(template), 'the new store');
    // The first run writes into its new store; a second run that also found no file copies the template too.
    const store = openSqlite(db, { template });
    const source = await store.claimSource(10, 'h', 'a.log');
    await store.close();
    expect(createFromTemplate(db, template)).toBe('found');
    expect(query(db, 'SELECT id, name FROM sources')).toEqual([{ id: source.id, name: 'a.log' }]);
    expect(readdirSync(dir).filter((f) => !/^(new|store)\.db(-wal|-shm)?$/.test(f))).toEqual([]);
  });

  it('falls back to the migrations when there is no template, or the folder refuses the copy', async () => {
    const dir = tempDir();
    expect(createFromTemplate(join(dir, 'a.db'), join(dir, 'missing.db'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    const template = join(dir, 'new.db');
    await writeStoreTemplate(template, registry);
    expect(createFromTemplate(join(dir, 'no-such-folder', 'a.db'), template)).toBe(false);
    // A store opened without a template is made and migrated as before.
    const store = openSqlite(join(dir, 'from-missing.db'), { template: join(dir, 'missing.db') });
    await store.syncRegistry(registry);
    await store.close();
    expect(shapeOf(join(dir, 'from-missing.db'))).toEqual(shapeOf(template));
  });
});
