/**
 * SqliteStore binds an events row's text columns of few values (method, level, outcome, an empty context) as
 * numbers and cuts `hour` from `time` in the insert (docs/performance.md, round nine): every stored value and
 * its type must be what the event holds, whatever the value, listed or not, NULL, or text that looks like an
 * index ('0', '1'). Its hourly counts reuse the hour of the event before while the time starts with it: they must
 * be countByHour's, times in order or not, NULL, empty or shorter than an hour.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/index.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { countByHour, hourOf } from '../../src/store/store.js';
import type { AuthingEvent } from '../../src/types.js';
import { query, tempDir } from '../helpers.js';

const registry = loadRegistry([]);
/** Text no list holds, and text a coded index would read as. */
const UNLISTED = ['0', '1', '2', '', 'Signature', 'E ', 'failed?', '[ ]', 'x'.repeat(40)];

/** An event whose every column is a random value: listed, unlisted or null where the column may be. */
const anEvent = fc.record({
  code: fc.integer({ min: 1, max: 99999 }),
  method: fc.constantFrom('signature', 'json', 'key-value', ...UNLISTED),
  detail: fc.option(fc.constantFrom('apiCode', '0', 'Network error')),
  time: fc.option(fc.oneof(fc.constant(''), fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()))),
  pid: fc.option(fc.integer({ min: 0, max: 99999 })),
  tid: fc.option(fc.integer({ min: 0, max: 99999 })),
  level: fc.option(fc.constantFrom('V', 'D', 'I', 'W', 'E', 'F', 'S', '?', ...UNLISTED)),
  tag: fc.constantFrom('Authing', '0', 'LoginActivity'),
  excerpt: fc.string({ maxLength: 60 }),
  outcome: fc.constantFrom('failed', 'canceled', 'error', 'success', ...UNLISTED),
  context: fc.option(fc.oneof(fc.constant([] as string[]), fc.array(fc.constantFrom('[]', '0', 'at com.example.Foo', '2026-03-17T08:00:00.000Z W/System.err: boom'), { minLength: 1, maxLength: 3 })), { nil: undefined }),
  cause: fc.option(fc.constantFrom('dns', 'timeout', '0')),
});

describe('the SQLite store binds coded columns and cuts the hour', () => {
  it('stores every column of every event as the event holds it, with its type, in batches on both sides of the 32-row insert', async () => {
    const store = openSqlite(join(tempDir(), 'coded.db'));
    await store.syncRegistry(registry);
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(anEvent, { minLength: 1, maxLength: 90 }), async (drawn) => {
          const src = await store.claimSource(10, `c${run++}`, 'c.log');
          const evs = drawn.map((d, i) => ({ ...d, category: '', line: i + 1 }) as unknown as AuthingEvent);
          await store.writeBatch(src.id, evs, { fromBytes: 0, bytes: 1, lines: evs.length, complete: false, format: null });
          const rows = query(store.location, 'SELECT line, time, typeof(time) AS tt, hour, code, method, detail, pid, tid, level, typeof(level) AS lt, tag, excerpt, outcome, context, typeof(context) AS ct, cause FROM events WHERE source_id = ? ORDER BY line', src.id);
          expect(rows).toEqual(
            evs.map((e) => ({
              line: e.line, time: e.time, tt: e.time === null ? 'null' : 'text', hour: hourOf(e.time), code: e.code, method: e.method, detail: e.detail,
              pid: e.pid, tid: e.tid, level: e.level, lt: e.level === null ? 'null' : 'text', tag: e.tag, excerpt: e.excerpt, outcome: e.outcome,
              context: e.context === undefined ? null : JSON.stringify(e.context), ct: e.context === undefined ? 'null' : 'text', cause: e.cause,
            })),
          );
        }),
        { numRuns: 30, seed: 25 },
      );
    } finally {
      await store.close();
    }
  });

  it('counts each event in the hour of its own time, times in order, going back, NULL, empty or short', async () => {
    const store = openSqlite(join(tempDir(), 'hours.db'));
    await store.syncRegistry(registry);
    let run = 0;
    const odd = ['', '2026', '2026-03-17T0', '2026-03-17T08', '2026-03-17T08:59:59.999Z'];
    const aTime = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 600 }).map((m) => new Date(Date.UTC(2026, 2, 17) + m * 60_000).toISOString()), weight: 8 },
      { arbitrary: fc.option(fc.constantFrom(...odd), { nil: null }), weight: 2 },
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(aTime, { minLength: 1, maxLength: 120 }), async (times) => {
          const src = await store.claimSource(10, `h${run++}`, 'h.log');
          const evs = times.map((time, i) => ({ code: 1636 + (i % 3), category: '', method: 'signature', detail: null, time, pid: 1, tid: 1, level: 'E', tag: 'Guard', line: i + 1, excerpt: 'x', outcome: 'failed' }) as AuthingEvent);
          await store.writeBatch(src.id, evs, { fromBytes: 0, bytes: 1, lines: evs.length, complete: false, format: null });
          const stored = query<{ hour: string; code: number; count: number }>(store.location, 'SELECT hour, code, count FROM counts_hourly WHERE source_id = ? ORDER BY hour, code', src.id);
          const want = countByHour(evs).map(([hour, code, , , count]) => ({ hour, code, count })).sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.code - b.code));
          expect(stored).toEqual(want);
        }),
        { numRuns: 40, seed: 25 },
      );
    } finally {
      await store.close();
    }
  });
});
