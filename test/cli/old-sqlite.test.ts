/**
 * A store must stay readable by the sqlite3 a user has: Debian 12's is 3.40, and an ORDER BY inside an
 * aggregate's parentheses (SQLite 3.44) in one view made it refuse the whole database ("malformed database
 * schema (v_events)"). No sqlite3 that old is at hand here (better-sqlite3 bundles a newer one), so every
 * stored SQL text is checked for that form, in a new store and in one migrated from schema 6.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/sqlite.js';
import { SHARED, query, runCli, tempDir } from '../helpers.js';

const FILE = join(SHARED, 'corpus', 'labeled', 'dev-time.log');
const AGGREGATES = /\b(group_concat|string_agg|json_group_array|json_group_object|total|sum|count|min|max|avg)\s*\(/gi;

/** The argument texts of every aggregate call in `sql` (balanced parentheses). */
function aggregateArguments(sql: string): string[] {
  const out: string[] = [];
  for (const m of sql.matchAll(AGGREGATES)) {
    let depth = 1;
    let i = m.index! + m[0].length;
    const from = i;
    for (; i < sql.length && depth > 0; i++) depth += sql[i] === '(' ? 1 : sql[i] === ')' ? -1 : 0;
    out.push(sql.slice(from, i - 1));
  }
  return out;
}

/** The stored SQL of every object whose text has an ORDER BY inside an aggregate's parentheses. */
function orderedAggregates(db: string): string[] {
  const rows = query<{ name: string; sql: string | null }>(db, 'SELECT name, sql FROM sqlite_master');
  return rows.filter((r) => r.sql && aggregateArguments(r.sql).some((a) => /\bORDER\s+BY\b/i.test(a))).map((r) => r.name);
}

/** v_events as schema 6 made it (migration 5's label JSON, migration 6's cause). */
const V6_EVENTS = `CREATE VIEW v_events AS
  SELECT e.id, e.time, e.code, COALESCE(c.category, 'unregistered') AS category,
         c.message, e.method, e.detail, e.level, e.tag, e.pid, e.tid,
         s.name AS source, e.line, e.excerpt, e.outcome,
         (SELECT COALESCE('{' || group_concat(json_quote(l.key) || ':' || json_quote(l.value), ',' ORDER BY l.key) || '}', '{}')
            FROM source_labels l WHERE l.source_id = e.source_id) AS labels, e.cause
  FROM events e LEFT JOIN codes c ON c.code = e.code JOIN sources s ON s.id = e.source_id;`;

/** sources.lead_hash and its index (schema 9) dropped, as a store of an older schema had neither. */
const NO_LEAD = 'DROP INDEX sources_lead; ALTER TABLE sources DROP COLUMN lead_hash;';

describe('a store an older sqlite3 can read', () => {
  it('holds no ORDER BY inside an aggregate, and v_events still gives the labels with their keys sorted', () => {
    const db = join(tempDir(), 't.db');
    const r = runCli(['--db', db, '--quiet', '--label', 'zeta=1', '--label', 'alpha=2', '--label', 'mid=3', FILE]);
    expect(r.status).toBe(0);
    expect(orderedAggregates(db)).toEqual([]);
    const labels = query<{ labels: string }>(db, 'SELECT DISTINCT labels FROM v_events').map((x) => x.labels);
    expect(labels).toEqual(['{"alpha":"2","mid":"3","zeta":"1"}']);
  });

  it('a store of schema 6 gets v_events made again by the next run, with the same rows', () => {
    const db = join(tempDir(), 't.db');
    expect(runCli(['--db', db, '--quiet', '--label', 'zeta=1', '--label', 'alpha=2', FILE]).status).toBe(0);
    const before = query(db, 'SELECT * FROM v_events ORDER BY id');
    const conn = new Database(db);
    // a store of schema 6 as it was: its v_events, and no sources.path or sources.shape (schema 8) or sources.lead_hash (9)
    conn.exec(`DROP VIEW v_events; ${V6_EVENTS}; ALTER TABLE sources DROP COLUMN path; ALTER TABLE sources DROP COLUMN shape; ${NO_LEAD}`);
    conn.pragma('user_version = 6');
    conn.close();
    expect(orderedAggregates(db)).toEqual(['v_events']);
    // the same file again: nothing new is counted, and the store is migrated
    expect(runCli(['--db', db, '--quiet', FILE]).status).toBe(0);
    expect(orderedAggregates(db)).toEqual([]);
    expect(query(db, 'PRAGMA user_version')[0]).toEqual({ user_version: SCHEMA_VERSION });
    expect(query(db, 'SELECT * FROM v_events ORDER BY id')).toEqual(before);
  });

  it('sql answers its first query on a store of schema 6, which it migrates', () => {
    const db = join(tempDir(), 't.db');
    expect(runCli(['--db', db, '--quiet', FILE]).status).toBe(0);
    const conn = new Database(db);
    // a store of schema 6 as it was: its v_events, and no sources.path or sources.shape (schema 8) or sources.lead_hash (9)
    conn.exec(`DROP VIEW v_events; ${V6_EVENTS}; ALTER TABLE sources DROP COLUMN path; ALTER TABLE sources DROP COLUMN shape; ${NO_LEAD}`);
    conn.pragma('user_version = 6');
    conn.close();
    // it said "sql runs read-only queries only" to the first SELECT after an upgrade (the second review's find)
    const r = runCli(['sql', '--db', db, 'SELECT COUNT(*) AS n FROM v_events', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ n: query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM events')[0]!.n }]);
    expect(query(db, 'PRAGMA user_version')[0]).toEqual({ user_version: SCHEMA_VERSION });
  });
});
