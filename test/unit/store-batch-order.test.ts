/**
 * SqliteStore.writeBatch keeps the first event of each line whatever order a batch's lines come in: in
 * order (every line an event, the usual batch, taken without a Set insert per event since round nine),
 * a line of two codes, lines going back, and lines an earlier batch stored.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/index.js';
import { openSqlite } from '../../src/store/sqlite.js';
import type { AuthingEvent } from '../../src/types.js';
import { query, tempDir } from '../helpers.js';

const registry = loadRegistry([]);

function event(line: number, code: number, excerpt: string): AuthingEvent {
  return { code, category: '', method: 'signature', detail: null, time: '2026-03-17T08:00:00.000Z', pid: 100, tid: 101, level: 'E', tag: 'Guard', line, excerpt, outcome: 'failed' };
}

describe('which events of a batch the SQLite store takes', () => {
  it('takes the first event of a line once, in order, after a step back, and never one an earlier batch stored', async () => {
    const store = openSqlite(join(tempDir(), 'order.db'));
    await store.syncRegistry(registry);
    try {
      const src = await store.claimSource(10, 'o', 'o.log');
      const first = await store.writeBatch(src.id, [event(5, 1636, 'a'), event(6, 1636, 'b'), event(8, 1636, 'c')], { fromBytes: 0, bytes: 10, lines: 8, complete: false, format: null });
      expect(first.map((e) => e.excerpt)).toEqual(['a', 'b', 'c']);
      // 9, 9 again (a line of two codes), 10, back to 6 (stored) and 7 (new), 10 again, 8 (stored), 11
      const evs = [event(9, 1636, 'd'), event(9, 2004, 'e'), event(10, 1636, 'f'), event(6, 2004, 'g'), event(7, 1636, 'h'), event(10, 2004, 'i'), event(8, 2004, 'j'), event(11, 1636, 'k')];
      const second = await store.writeBatch(src.id, evs, { fromBytes: 10, bytes: 20, lines: 11, complete: false, format: null });
      expect(second.map((e) => e.excerpt)).toEqual(['d', 'f', 'h', 'k']);
      expect(query(store.location, 'SELECT line, code, excerpt FROM events ORDER BY line')).toEqual([
        { line: 5, code: 1636, excerpt: 'a' }, { line: 6, code: 1636, excerpt: 'b' }, { line: 7, code: 1636, excerpt: 'h' },
        { line: 8, code: 1636, excerpt: 'c' }, { line: 9, code: 1636, excerpt: 'd' }, { line: 10, code: 1636, excerpt: 'f' }, { line: 11, code: 1636, excerpt: 'k' },
      ]);
    } finally {
      await store.close();
    }
  });

  it('takes what a Set of every line taken takes, for batches mostly in order with repeats and steps back', async () => {
    const store = openSqlite(join(tempDir(), 'order-p.db'));
    await store.syncRegistry(registry);
    let run = 0;
    try {
      // a batch: lines rising by 0 (a second code), 1 or a few, now and then a step back
      const steps = fc.array(fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3 }), weight: 9 }, { arbitrary: fc.integer({ min: -40, max: -1 }), weight: 1 }), { minLength: 1, maxLength: 200 });
      await fc.assert(
        fc.asyncProperty(fc.array(steps, { minLength: 1, maxLength: 4 }), async (batches) => {
          const src = await store.claimSource(10, `p${run++}`, 'p.log');
          const kept = new Set<number>();
          let line = 50;
          for (const [i, b] of batches.entries()) {
            const evs = b.map((s, j) => event((line = Math.max(1, line + s)), 1636, `${i}.${j}`));
            const want = evs.filter((e) => !kept.has(e.line) && kept.add(e.line));
            const got = await store.writeBatch(src.id, evs, { fromBytes: i, bytes: i + 1, lines: 0, complete: false, format: null });
            expect(got.map((e) => e.excerpt)).toEqual(want.map((e) => e.excerpt));
          }
          const rows = query<{ n: number }>(store.location, 'SELECT count(*) AS n FROM events WHERE source_id = ?', src.id);
          expect(rows[0]!.n).toBe(kept.size);
        }),
        { numRuns: 40, seed: 25 },
      );
    } finally {
      await store.close();
    }
  });
});
