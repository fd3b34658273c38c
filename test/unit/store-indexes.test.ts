/**
 * The events indexes a bulk run drops while it writes (issue 25: fewer B-trees hot during a bulk run):
 * dropped in a bulk batch's own transaction, made again when the batches become small or the store is
 * closed, and by the next writable open of a store a killed run left without them. Every stored row
 * is the same either way; only the speed of what reads by time or code differs meanwhile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSqlite, type SqliteStore } from '../../src/store/sqlite.js';
import type { AuthingEvent } from '../../src/types.js';
import { ROOT, tempDir } from '../helpers.js';

/** The two secondary indexes of events as schema.sql (schema version 1) defines them. */
const SCHEMA_INDEXES = [...readFileSync(join(ROOT, 'src', 'store', 'schema.sql'), 'utf8').matchAll(/^CREATE INDEX (events_\w+) ON events \((\w+)\);$/gm)].map((m) => `CREATE INDEX ${m[1]} ON events (${m[2]})`);

/** The indexes on events besides the unique key's, as sqlite_schema holds them. */
function eventIndexes(store: SqliteStore): string[] {
  return store.db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name DESC").pluck().all() as string[];
}

/** Events of lines from..to, their times going back an hour's worth every 60 lines (the capture of docs/performance.md's round eight). */
function events(from: number, to: number, codes: readonly number[]): AuthingEvent[] {
  const out: AuthingEvent[] = [];
  for (let line = from; line <= to; line++) {
    const time = line % 97 === 0 ? null : `2026-03-17T2${line % 4}:${String(line % 60).padStart(2, '0')}:00.${String(line % 1000).padStart(3, '0')}Z`;
    out.push({ code: codes[line % codes.length]!, category: '', method: 'signature', detail: null, time, pid: 1000 + (line % 50), tid: 2000 + (line % 7), level: 'E', tag: 'SocialLoginButton', line, excerpt: `loginDone ${line}`, outcome: 'failed' });
  }
  return out;
}

/** Every events row but its id, and every hourly count, in key order. */
function rows(store: SqliteStore): unknown[] {
  return [
    store.db.prepare('SELECT source_id, line, time, hour, code, method, detail, pid, tid, level, tag, excerpt, outcome, context, cause FROM events ORDER BY source_id, line').raw().all(),
    store.db.prepare('SELECT * FROM counts_hourly ORDER BY hour, code, tag, source_id, outcome').raw().all(),
  ];
}

/** A new store at `db` whose source a.log got one bulk batch, lines 1..n (its indexes dropped by it). */
async function bulkStore(db: string, n: number, codes: readonly number[]): Promise<SqliteStore> {
  const store = openSqlite(db);
  const src = await store.claimSource(10, 'h', 'a.log');
  await store.writeBatch(src.id, events(1, n, codes), { fromBytes: 0, bytes: 10, lines: n, complete: false, format: null });
  return store;
}

/** The events indexes a read-only open of `db` finds. */
async function indexesOnDisk(db: string): Promise<string[]> {
  const reader = openSqlite(db, { readonly: true });
  try {
    return eventIndexes(reader);
  } finally {
    await reader.close();
  }
}

describe('the events indexes during a bulk run', () => {
  it('expects schema.sql to define the two indexes the store defers', () => {
    expect(SCHEMA_INDEXES).toEqual(['CREATE INDEX events_time ON events (time)', 'CREATE INDEX events_code ON events (code)']);
  });

  it('are dropped by a bulk batch into a new store and made again after three small batches, the rows the same as batches that never drop them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2048, max: 6000 }), fc.integer({ min: 3, max: 6141 }), fc.subarray([1636, 2004, 10001, 424242, 500], { minLength: 1 }), async (bulk, tail, codes) => {
        const dir = tempDir();
        const bulky = openSqlite(join(dir, 'bulk.db'));
        const small = openSqlite(join(dir, 'small.db'));
        try {
          const all = events(1, bulk + tail, codes);
          const a = await bulky.claimSource(10, 'h', 'a.log');
          expect(await bulky.writeBatch(a.id, all.slice(0, bulk), { fromBytes: 0, bytes: 10, lines: bulk, complete: false, format: null })).toHaveLength(bulk);
          expect(eventIndexes(bulky)).toEqual([]);
          // While they are dropped, the reads by code or time still answer, from the table.
          expect(bulky.db.prepare('SELECT count(*) FROM events WHERE code = ?').pluck().get(codes[0])).toBe(all.slice(0, bulk).filter((e) => e.code === codes[0]).length);
          // A small batch in the middle of a bulk run (the timer's commit) keeps them dropped; a third in a row is a trickle.
          const thirds = [bulk, bulk + Math.ceil(tail / 3), bulk + Math.ceil((2 * tail) / 3), bulk + tail];
          for (let k = 0; k < 3; k++) {
            const batch = all.slice(thirds[k], thirds[k + 1]);
            expect(await bulky.writeBatch(a.id, batch, { fromBytes: 10 + k, bytes: 11 + k, lines: thirds[k + 1]!, complete: k === 2, format: null })).toHaveLength(batch.length);
            expect(eventIndexes(bulky)).toEqual(k === 2 ? SCHEMA_INDEXES : []);
          }
          // The same events in batches too small to drop anything.
          const b = await small.claimSource(10, 'h', 'a.log');
          for (let i = 0, off = 0; i < all.length; i += 2000, off += 10) {
            const batch = all.slice(i, i + 2000);
            await small.writeBatch(b.id, batch, { fromBytes: off, bytes: off + 10, lines: batch[batch.length - 1]!.line, complete: false, format: null });
            expect(eventIndexes(small)).toEqual(SCHEMA_INDEXES);
          }
          expect(rows(bulky)).toEqual(rows(small));
        } finally {
          await bulky.close();
          await small.close();
        }
      }),
      { numRuns: 4 },
    );
  }, 60_000);

  it('are made again, as a bulk run is written, with a 2 MB page cache; the connection has its own again after', async () => {
    const store = openSqlite(join(tempDir(), 'cache.db'));
    const cacheSize = (): number => store.db.pragma('cache_size', { simple: true }) as number;
    try {
      // better-sqlite3 builds with a 16 MB cache; a bulk run appends, and a page once written is not read again.
      const own = cacheSize();
      expect(own).toBe(-16000);
      const a = await store.claimSource(10, 'h', 'a.log');
      await store.writeBatch(a.id, events(1, 3000, [2004, 1636]), { fromBytes: 0, bytes: 10, lines: 3000, complete: false, format: null });
      expect(eventIndexes(store)).toEqual([]);
      expect(cacheSize()).toBe(-2000);
      // Three small batches in a row: a trickle, so the indexes are made again, and the cache is as it was.
      for (let k = 0; k < 3; k++) {
        const from = 3001 + k * 100;
        await store.writeBatch(a.id, events(from, from + 99, [2004]), { fromBytes: 10 + k, bytes: 11 + k, lines: from + 99, complete: false, format: null });
        expect(cacheSize()).toBe(k === 2 ? own : -2000);
      }
      expect(eventIndexes(store)).toEqual(SCHEMA_INDEXES);
    } finally {
      await store.close();
    }
  });

  it('are made again when the store is closed after a bulk batch', async () => {
    const db = join(tempDir(), 'close.db');
    const store = await bulkStore(db, 3000, [2004, 1636]);
    expect(eventIndexes(store)).toEqual([]);
    await store.close();
    expect(await indexesOnDisk(db)).toEqual(SCHEMA_INDEXES);
  });

  it('stay while a bulk batch goes into a store holding more rows than this connection wrote', async () => {
    const db = join(tempDir(), 'big.db');
    await (await bulkStore(db, 5000, [2004])).close();
    const second = openSqlite(db);
    const src = (await second.findSource(10, 'h'))!;
    try {
      // 2,500 new events against 5,000 stored: the sort that makes the indexes again would cost more than it saves.
      await second.writeBatch(src.id, events(5001, 7500, [2004]), { fromBytes: 10, bytes: 20, lines: 7500, complete: false, format: null });
      expect(eventIndexes(second)).toEqual(SCHEMA_INDEXES);
      // Once this connection's writes reach the rows stored before it, a bulk batch drops them.
      await second.writeBatch(src.id, events(7501, 10000, [2004]), { fromBytes: 20, bytes: 30, lines: 10000, complete: false, format: null });
      expect(eventIndexes(second)).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('left dropped by a killed run are made by the next writable open, and a read-only open answers without them', async () => {
    const db = join(tempDir(), 'killed.db');
    const store = await bulkStore(db, 3000, [2004, 1636, 500]);
    const expected = rows(store);
    const latest = 'SELECT max(time) FROM events WHERE code = 1636';
    const answer = store.db.prepare(latest).pluck().get();
    // What a SIGKILL between two batches leaves: the batch committed, its indexes dropped.
    store.db.close();
    const reader = openSqlite(db, { readonly: true });
    try {
      expect(eventIndexes(reader)).toEqual([]);
      expect(reader.db.prepare(latest).pluck().get()).toBe(answer);
    } finally {
      await reader.close();
    }
    const writer = openSqlite(db);
    try {
      expect(eventIndexes(writer)).toEqual(SCHEMA_INDEXES);
      expect(rows(writer)).toEqual(expected);
      expect((writer.db.prepare(`EXPLAIN QUERY PLAN ${latest}`).all() as { detail: string }[]).map((r) => r.detail).join('; ')).toMatch(/USING INDEX events_code/);
    } finally {
      await writer.close();
    }
  });

  it('missing while another connection holds the write lock do not make an open wait for it', async () => {
    const db = join(tempDir(), 'busy.db');
    const store = await bulkStore(db, 3000, [2004]);
    // The bulk run is still writing: it holds the write lock for its next batch.
    store.db.prepare('BEGIN IMMEDIATE').run();
    try {
      const other = openSqlite(db, { busyTimeout: 200 });
      expect(eventIndexes(other)).toEqual([]);
      await other.close();
    } finally {
      store.db.prepare('COMMIT').run();
    }
    await store.close();
    expect(await indexesOnDisk(db)).toEqual(SCHEMA_INDEXES);
  });
});
