/**
 * One suite for the store interface, run against both back ends: SQLite (a file) and
 * PostgreSQL (a real server, test/pg-server.ts). Then the report queries on the same events
 * must answer the same on both.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/index.js';
import { breakdown, compare, latestEvents, rowKey, totals, type Dimension } from '../../src/report/query.js';
import { hourOf, openStore, SourceTakenError, type Store } from '../../src/store/store.js';
import type { SqliteStore } from '../../src/store/sqlite.js';
import { toDollarParams } from '../../src/store/postgres.js';
import type { AuthingEvent } from '../../src/types.js';
import { pgDatabase, tempDir } from '../helpers.js';

const registry = loadRegistry([]);

function event(line: number, code: number, time: string | null, tag = 'Guard', excerpt = `line ${line}`): AuthingEvent {
  return { code, category: '', method: 'signature', detail: null, time, pid: 100, tid: 101, level: 'E', tag, line, excerpt, outcome: 'failed' };
}

/** Events over three days, with codes known and unknown, and some without a time. */
function sampleEvents(): AuthingEvent[] {
  const codes = [1636, 10001, 10008, 2004, 2004, 10001, 424242, 500];
  const out: AuthingEvent[] = [];
  for (let i = 0; i < 240; i++) {
    const t = i % 17 === 0 ? null : new Date(Date.UTC(2026, 2, 15, 0, 0, 0) + i * 17 * 60_000).toISOString();
    out.push(event(i + 1, codes[i % codes.length]!, t, i % 3 ? 'Guard' : 'AuthClient'));
  }
  return out;
}

const backends: [string, () => Promise<string>][] = [
  ['sqlite', async () => join(tempDir(), 'store.db')],
  ['postgres', () => pgDatabase()],
];

describe.each(backends)('store contract: %s', (kind, target) => {
  async function open(): Promise<{ store: Store; where: string }> {
    const where = await target();
    const store = await openStore(where);
    await store.syncRegistry(registry);
    return { store, where };
  }

  it('claims a source once by its fingerprint, finds it, and records a longer head', async () => {
    const { store } = await open();
    try {
      expect(store.kind).toBe(kind);
      const a = await store.claimSource(100, 'h100', 'a.log');
      const b = await store.claimSource(100, 'h100', 'renamed.log');
      expect(b.id).toBe(a.id);
      expect(b.name).toBe('a.log');
      expect(await store.findSource(100, 'nope')).toBeUndefined();
      await store.extendHead(a.id, 200, 'h200', 'a.log');
      expect((await store.findSource(200, 'h200'))?.id).toBe(a.id);
      // A longer head already held by another source: left as it is, no error.
      const c = await store.claimSource(300, 'h300', 'c.log');
      await store.extendHead(a.id, 300, 'h300', 'a.log');
      expect((await store.findSource(300, 'h300'))?.id).toBe(c.id);
      expect(await store.headLengths(1000)).toEqual([300, 200]);
      expect(await store.headLengths(250)).toEqual([200]);
    } finally {
      await store.close();
    }
  });

  it('keeps a source\'s lead as its head grows, gives one to a source without, and finds sources by it past a length', async () => {
    const { store } = await open();
    try {
      const a = await store.claimSource(600, 'ha600', 'a.log', 'lead-a');
      await store.extendHead(a.id, 700, 'ha700', 'a.log', 'other');
      expect(await store.findSource(700, 'ha700')).toMatchObject({ id: a.id, lead_hash: 'lead-a' });
      // claimed under 512 bytes (no lead): it gets one when its head reaches them
      const b = await store.claimSource(300, 'hb300', 'b.log');
      expect(b.lead_hash).toBeNull();
      await store.extendHead(b.id, 600, 'hb600', 'b.log', 'lead-b');
      expect(await store.findSource(600, 'hb600')).toMatchObject({ id: b.id, lead_hash: 'lead-b' });
      // only sources that counted more than the given length, newest first, at most 16
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) {
        const s = await store.claimSource(800, `hc${i}`, 'c.log', 'lead-c');
        if (i % 2) await store.writeBatch(s.id, [], { fromBytes: 0, bytes: 1000 + i, lines: 1, complete: false, format: null });
        ids.push(s.id);
      }
      const found = await store.sourcesWithLead('lead-c', 1000);
      expect(found.map((r) => r.id)).toEqual(ids.filter((_, i) => i % 2).reverse().slice(0, 16));
      expect((await store.sourcesWithLead('lead-c', 1010)).map((r) => r.bytes_done)).toEqual([1019, 1017, 1015, 1013, 1011]);
      expect(await store.sourcesWithLead("lead-c' OR 1=1 --", 0)).toEqual([]);
      expect(await store.sourcesWithLead('lead-a', 0)).toEqual([]);
      // noteLead gives a source without a lead (an older build's) one, and never replaces one
      const bare = await store.claimSource(2000, 'no-lead', 'old.log');
      await store.writeBatch(bare.id, [], { fromBytes: 0, bytes: 5000, lines: 1, complete: false, format: null });
      await store.noteLead(bare.id, 'lead-n');
      await store.noteLead(bare.id, 'lead-other');
      expect((await store.sourcesWithLead('lead-n', 0)).map((r) => r.id)).toEqual([bare.id]);
      expect(await store.sourcesWithLead('lead-other', 0)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('writes events, counts and the offset together, and never counts a line twice', async () => {
    const { store } = await open();
    try {
      const src = await store.claimSource(10, 'x', 'x.log');
      const evs = sampleEvents();
      const first = await store.writeBatch(src.id, evs.slice(0, 100), { fromBytes: 0, bytes: 1000, lines: 100, complete: false, format: 'threadtime' });
      expect(first).toHaveLength(100);
      // Overlapping batch: lines 51..240, of which 51..100 are stored already.
      const second = await store.writeBatch(src.id, evs.slice(50), { fromBytes: 1000, bytes: 2400, lines: 240, complete: true, format: null });
      expect(second.map((e) => e.line)).toEqual(evs.slice(100).map((e) => e.line));
      const [n] = await store.all<{ events: number; counted: number }>('SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT SUM(count) FROM counts_hourly) AS counted');
      expect(n).toEqual({ events: 240, counted: 240 });
      const row = await store.findSource(10, 'x');
      expect(row).toMatchObject({ bytes_done: 2400, lines_done: 240, complete: 1 });
      const [fmt] = await store.all<{ format: string }>('SELECT format FROM sources WHERE id = ?', [src.id]);
      expect(fmt!.format).toBe('threadtime');
    } finally {
      await store.close();
    }
  });

  it('stores and counts each line once however batches repeat lines and overlap what is stored, at any batch size', { timeout: 180_000 }, async () => {
    const { store } = await open();
    let run = 0;
    try {
      // Lines from a narrow range, so that batches repeat lines, in themselves and across batches; sizes on both
      // sides of SQLite's 32-row insert (sqlite.ts EVENT_ROWS). The first event of a line is the one kept.
      const batch = fc.array(fc.record({ line: fc.integer({ min: 1, max: 150 }), code: fc.constantFrom(1636, 2004, 424242), minute: fc.option(fc.integer({ min: 0, max: 200 })), aux: fc.boolean() }), { maxLength: 100 });
      await fc.assert(
        fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 5 }), async (batches) => {
          const src = await store.claimSource(10, `p${run++}`, 'p.log');
          const kept = new Map<number, AuthingEvent>();
          for (const [i, b] of batches.entries()) {
            const evs = b.map((x, j) => event(x.line, x.code, x.minute === null ? null : new Date(Date.UTC(2026, 2, 15) + x.minute * 60_000).toISOString(), x.aux ? 'AuthClient' : 'Guard', `batch ${i} event ${j}`));
            const fresh = evs.filter((e) => !kept.has(e.line) && kept.set(e.line, e));
            expect(await store.writeBatch(src.id, evs, { fromBytes: i, bytes: i + 1, lines: 0, complete: false, format: null })).toEqual(fresh);
          }
          const rows = await store.all('SELECT line, code, time, hour, tag, excerpt FROM events WHERE source_id = ? ORDER BY line', [src.id]);
          const want = [...kept.values()].sort((a, b) => a.line - b.line);
          expect(rows).toEqual(want.map((e) => ({ line: e.line, code: e.code, time: e.time, hour: hourOf(e.time), tag: e.tag, excerpt: e.excerpt })));
          const counts = new Map<string, number>();
          for (const e of want) counts.set(`${hourOf(e.time)} ${e.code} ${e.tag}`, (counts.get(`${hourOf(e.time)} ${e.code} ${e.tag}`) ?? 0) + 1);
          const stored = await store.all<{ hour: string; code: number; tag: string; count: number }>('SELECT hour, code, tag, count FROM counts_hourly WHERE source_id = ?', [src.id]);
          expect(new Map(stored.map((r) => [`${r.hour} ${r.code} ${r.tag}`, Number(r.count)]))).toEqual(counts);
        }),
        { numRuns: 15 },
      );
    } finally {
      await store.close();
    }
  });

  it('refuses a batch whose starting offset another run has moved', async () => {
    const { store, where } = await open();
    const other = await openStore(where);
    try {
      const src = await store.claimSource(10, 'y', 'y.log');
      const evs = sampleEvents();
      // Two runs read the same source from offset 0 at once: exactly one wins.
      const results = await Promise.allSettled([
        store.writeBatch(src.id, evs.slice(0, 120), { fromBytes: 0, bytes: 500, lines: 120, complete: false, format: null }),
        other.writeBatch(src.id, evs.slice(0, 120), { fromBytes: 0, bytes: 500, lines: 120, complete: false, format: null }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(SourceTakenError);
      const [n] = await store.all<{ c: number }>('SELECT SUM(count) AS c FROM counts_hourly');
      expect(n!.c).toBe(120);
    } finally {
      await store.close();
      await other.close();
    }
  });

  it('stores hostile text as it came (quotes, NUL, SQL, non-Latin) and runs parameters as data', async () => {
    const { store } = await open();
    try {
      const src = await store.claimSource(10, 'z', "z'; DROP TABLE events; --.log");
      const nasty = `it's "quoted" \u0000 NUL; DROP TABLE events; -- 登录失败 ?`;
      await store.writeBatch(src.id, [event(1, 2004, null, "tag'?", nasty)], { fromBytes: 0, bytes: 10, lines: 1, complete: true, format: null });
      const rows = await store.all<{ excerpt: string; tag: string; q: string }>("SELECT excerpt, tag, '?' AS q FROM events WHERE tag = ?", ["tag'?"]);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.q).toBe('?');
      // PostgreSQL text cannot hold NUL: it is stored as U+FFFD; everything else is kept.
      expect(rows[0]!.excerpt.replace('\uFFFD', '\u0000')).toBe(nasty);
      expect((await store.all<{ name: string }>('SELECT name FROM sources'))[0]!.name).toBe("z'; DROP TABLE events; --.log");
    } finally {
      await store.close();
    }
  });

  it('lets the sql command read but never write', async () => {
    const { store, where } = await open();
    await store.close();
    const ro = await openStore(where, { readonly: true });
    try {
      const r = await ro.readOnlyQuery('SELECT * FROM v_counts_by_category');
      expect(r.columns).toEqual(['category', 'count']);
      for (const bad of ['DELETE FROM codes', 'DROP TABLE events', "SELECT 1; DELETE FROM codes"]) {
        await expect(ro.readOnlyQuery(bad)).rejects.toThrow(/read-only|SQL error/);
      }
      await expect(ro.readOnlyQuery('SELEC nothing')).rejects.toThrow(/SQL error/);
      const [n] = await ro.all<{ n: number }>('SELECT COUNT(*) AS n FROM codes');
      expect(n!.n).toBe(registry.codes.size);
    } finally {
      await ro.close();
    }
  });

  it('migrates once however many processes open it together, and re-syncs the registry idempotently', async () => {
    const where = await target();
    const stores = await Promise.all(Array.from({ length: 6 }, () => openStore(where)));
    try {
      await Promise.all(stores.map((s) => s.syncRegistry(registry)));
      const [n] = await stores[0]!.all<{ codes: number; cats: number }>('SELECT (SELECT COUNT(*) FROM codes) AS codes, (SELECT COUNT(*) FROM categories) AS cats');
      expect(n).toEqual({ codes: registry.codes.size, cats: Object.keys(registry.categories).length });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

/** The registry, and the sample events in two sources that overlap (lines 91-150 in both). */
async function fillTwoSources(s: Store): Promise<void> {
  await s.syncRegistry(registry);
  const a = await s.claimSource(10, 'a', 'a.log');
  const b = await s.claimSource(10, 'b', 'b.log');
  const evs = sampleEvents();
  await s.writeBatch(a.id, evs.slice(0, 150), { fromBytes: 0, bytes: 1, lines: 150, complete: true, format: null });
  await s.writeBatch(b.id, evs.slice(90), { fromBytes: 0, bytes: 1, lines: 240, complete: true, format: null });
}

describe('the report queries answer the same on SQLite and PostgreSQL', () => {
  it('for every dimension, window, filter and comparison', async () => {
    const stores = [await openStore(join(tempDir(), 'same.db')), await openStore(await pgDatabase())];
    try {
      for (const s of stores) {
        await fillTwoSources(s);
      }
      const since = Date.UTC(2026, 2, 15, 10, 30);
      const until = Date.UTC(2026, 2, 17, 5, 15);
      const cases: [Dimension[], object][] = [
        [['category'], {}], [['code'], {}], [['tag'], {}], [['source'], {}], [['day'], {}], [['hour'], {}],
        [['day', 'category'], {}], [['code', 'source'], { since, until }], [['hour', 'code'], { since }],
        [['category'], { code: [2004, 424242] }], [['code'], { category: ['unregistered', 'network'], until }],
      ];
      const answers = await Promise.all(stores.map(async (s) => {
        const out: unknown[] = [];
        for (const [by, f] of cases) out.push(await breakdown(s, by, f, undefined), await breakdown(s, by, f, 3));
        out.push(await totals(s), await totals(s, { since, until }), await compare(s, ['code'], { since: Date.UTC(2026, 2, 16), until: Date.UTC(2026, 2, 17) }));
        // The views order by count; rows of equal count may come in any order, so compare them sorted.
        const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();
        for (const v of ['v_counts_by_category', 'v_counts_by_code', 'v_daily']) out.push(sorted(await s.all(`SELECT * FROM ${v}`)));
        out.push(await s.all('SELECT * FROM v_hourly ORDER BY hour, code'), await s.all('SELECT id, time, code, category, tag, source, line, excerpt FROM v_events ORDER BY id'));
        return out;
      }));
      expect((answers[0]![0] as unknown[]).length).toBeGreaterThan(3);
      expect(answers[1]).toEqual(answers[0]);
    } finally {
      for (const s of stores) await s.close();
    }
  });
});

describe('the latest event of each row of a report', () => {
  it('is the last event of the row\'s last hour (an undated one when the row has no dated event), on both stores', { timeout: 180_000 }, async () => {
    const stores = [await openStore(join(tempDir(), 'latest.db')), await openStore(await pgDatabase())];
    try {
      const since = Date.UTC(2026, 2, 15, 10, 30);
      const until = Date.UTC(2026, 2, 17, 5, 15);
      const cases: [Dimension[], { since?: number; until?: number; code?: number[] }][] = [
        [['code'], {}], [['tag'], {}], [['source'], {}], [['day'], {}], [['hour', 'code'], {}],
        [['code', 'source'], { since, until }], [['tag'], { since }], [['code'], { code: [2004, 424242], until }],
      ];
      const answers: unknown[] = [];
      for (const s of stores) {
        await fillTwoSources(s);
        const stored = await s.all<{ id: number; time: string | null; code: number; tag: string; source: string }>(
          'SELECT e.id, e.time, e.code, e.tag, s.name AS source FROM events e JOIN sources s ON s.id = e.source_id',
        );
        const dimOf = (e: (typeof stored)[number], d: Dimension): unknown =>
          d === 'day' ? e.time?.slice(0, 10) ?? null : d === 'hour' ? (e.time ? `${e.time.slice(0, 13)}:00:00Z` : null) : e[d as 'code' | 'tag' | 'source'];
        const out: unknown[] = [];
        for (const [by, f] of cases) {
          const rows = await breakdown(s, by, f);
          const got = await latestEvents(s, by, f, rows);
          // The reference, from the stored events: the row's events in the window, then its last hour's largest id.
          const inWindow = stored.filter((e) => (f.since === undefined && f.until === undefined) || (e.time !== null && Date.parse(e.time) >= (f.since ?? 0) && Date.parse(e.time) < (f.until ?? Infinity)));
          const want = new Map<string, number>();
          for (const r of rows) {
            const mine = inWindow.filter((e) => (!f.code || f.code.includes(e.code)) && by.every((d) => String(dimOf(e, d)) === String(r[d])));
            const dated = mine.filter((e) => e.time !== null);
            const lastHour = dated.map((e) => e.time!.slice(0, 13)).sort().at(-1);
            const pool = lastHour === undefined ? mine : dated.filter((e) => e.time!.startsWith(lastHour));
            want.set(rowKey(by, r), Math.max(...pool.map((e) => Number(e.id))));
          }
          expect(rows.length).toBeGreaterThan(0);
          expect(got, `${s.kind} by ${by.join(",")} ${JSON.stringify(f)}`).toEqual(want);
          out.push([...got.values()].length);
        }
        // A window open at its end: the events from `since` on, also where they are counted from the events (cause).
        const causeRows = await breakdown(s, ['cause'], { since });
        expect(causeRows.reduce((n, r) => n + r.count, 0)).toBe(stored.filter((e) => e.time !== null && Date.parse(e.time) >= since).length);
        answers.push(out);
      }
      expect(answers[1]).toEqual(answers[0]);
    } finally {
      for (const s of stores) await s.close();
    }
  });
});

describe('toDollarParams', () => {
  it('numbers the placeholders outside quotes', () => {
    expect(toDollarParams(`SELECT '?' AS q, "a?" FROM t WHERE x = ? AND y IN (?, ?)`)).toBe(`SELECT '?' AS q, "a?" FROM t WHERE x = $1 AND y IN ($2, $3)`);
  });
});

describe('registry sync on SQLite', () => {
  it('writes nothing when the registry is unchanged, so a read-only report can sync', async () => {
    const path = join(tempDir(), 'ro.db');
    const rw = await openStore(path);
    await rw.syncRegistry(registry);
    await rw.close();
    const ro = await openStore(path, { readonly: true });
    try {
      await ro.syncRegistry(registry); // would fail with SQLITE_READONLY if it wrote
      const changed = loadRegistry([]);
      const [first] = changed.codes.values();
      changed.codes.set(first!.code, { ...first!, category: 'server' });
      await expect(ro.syncRegistry(changed)).rejects.toThrow(/read-only \(file mode or folder permissions\)/);
    } finally {
      await ro.close();
    }
  });
});

describe('writeBatch on SQLite', () => {
  it('checks foreign keys again once a batch is written or has failed (a batch checks its source row once)', async () => {
    const store = (await openStore(join(tempDir(), 'fk.db'))) as SqliteStore;
    try {
      const src = await store.claimSource(10, 'fk', 'fk.log');
      expect(await store.writeBatch(src.id, sampleEvents().slice(0, 40), { fromBytes: 0, bytes: 10, lines: 40, complete: false, format: null })).toHaveLength(40);
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      await expect(store.writeBatch(src.id, sampleEvents().slice(40, 80), { fromBytes: 0, bytes: 20, lines: 80, complete: false, format: null })).rejects.toBeInstanceOf(SourceTakenError);
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(() => store.db.prepare("INSERT INTO events (source_id, line, hour, code, method, tag, excerpt) VALUES (?, 1, '', 1, 'signature', 't', 'e')").run(src.id + 1)).toThrow(/FOREIGN KEY constraint failed/);
      const [n] = await store.all<{ c: number }>('SELECT COUNT(*) AS c FROM events');
      expect(n!.c).toBe(40);
    } finally {
      await store.close();
    }
  });
});
