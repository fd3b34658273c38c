/**
 * The extraction contract per source (src/pipeline/contract.ts), through the real pipeline and a
 * real SQLite file: whatever sequence of runs with different tags, however each is interrupted,
 * once every contract has run to the end the store holds exactly the events of one run under the
 * union of those contracts, each counted once; and the contract arithmetic on its own.
 */
import fc from 'fast-check';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Extractor, candidateNeedles } from '../../src/extract/index.js';
import { eventFilter } from '../../src/extract/filter.js';
import { CONTRACT_VERSION, contractOf, describeElements, runContract } from '../../src/pipeline/contract.js';
import { ingestSource } from '../../src/pipeline/ingest.js';
import { loadRegistry } from '../../src/registry/index.js';
import { listInputs } from '../../src/sources/index.js';
import { openSqlite, type SqliteStore } from '../../src/store/sqlite.js';
import { contractAfterReread } from '../../src/store/store.js';
import type { AuthingEvent } from '../../src/types.js';
import { SHARED, tempDir } from '../helpers.js';

const TAGGED = join(SHARED, 'corpus', 'labeled', 'dev-threadtime-tag.log');
const TAGS = ['MainActivity', 'ExoPlayerImplInternal', 'FirebaseAuth'] as const;
const reg = loadRegistry();

/** One ingest of `file` with these extra tags, interrupted once `abortAt` bytes were read. */
async function run(store: SqliteStore, file: string, tags: readonly string[], abortAt?: number) {
  const extractor = new Extractor(reg, { tags });
  const abort = new AbortController();
  const [input] = (await listInputs([file])).inputs;
  return ingestSource(store, input!, {
    extractor, needles: candidateNeedles(extractor.tags), contract: runContract(extractor, reg), year: 2026, tz: 'UTC', threads: 1,
    batchEvents: 7, batchMs: 0, signal: abort.signal,
    onProgress: (bytes) => abortAt !== undefined && bytes >= abortAt && abort.abort(),
  });
}
const stored = (store: SqliteStore) => store.db.prepare('SELECT line, code, tag FROM events ORDER BY line').all();
const counted = (store: SqliteStore) => store.db.prepare('SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT SUM(count) FROM counts_hourly) AS counted').get();

describe('runs under different contracts', () => {
  it('end with the events of one run under the union of their contracts, however they are interrupted', { timeout: 180_000 }, async () => {
    const text = readFileSync(TAGGED);
    const references = new Map<string, unknown>();
    const reference = async (tags: string[]) => {
      const key = tags.join(',');
      if (!references.has(key)) {
        const s = openSqlite(join(tempDir(), 'ref.db'));
        await run(s, TAGGED, tags);
        references.set(key, stored(s));
        await s.close();
      }
      return references.get(key);
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            tags: fc.subarray([...TAGS]),
            abortAt: fc.option(fc.integer({ min: 1, max: text.length }), { nil: undefined }),
            gzip: fc.boolean(),
            // The capture as the device had written it so far: whole lines, past the 64 KiB head.
            grownTo: fc.integer({ min: 70_000, max: text.length }).map((n) => text.indexOf(10, n) + 1 || text.length),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        async (steps) => {
          const dir = tempDir();
          const plain = join(dir, 'capture.log');
          const packed = join(dir, 'capture.log.gz');
          const store = openSqlite(join(dir, 't.db'));
          try {
            let size = 0;
            for (const s of steps) {
              // A log only grows.
              size = Math.max(size, s.grownTo);
              writeFileSync(plain, text.subarray(0, size));
              writeFileSync(packed, gzipSync(text.subarray(0, size)));
              await run(store, s.gzip ? packed : plain, s.tags, s.abortAt);
            }
            copyFileSync(TAGGED, plain);
            // Then each contract once to the end (the next night's runs).
            for (const s of steps) await run(store, plain, s.tags);
            const union = TAGS.filter((t) => steps.some((s) => s.tags.includes(t)));
            expect(stored(store)).toEqual(await reference(union));
            const { events } = counted(store) as { events: number };
            expect(counted(store)).toEqual({ events, counted: events });
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('a run under the stored contract reads nothing, and a wider one re-reads once', async () => {
    const store = openSqlite(join(tempDir(), 'o.db'));
    try {
      expect((await run(store, TAGGED, [])).status).toBe('read');
      expect((await run(store, TAGGED, [])).status).toBe('skipped');
      const wider = await run(store, TAGGED, ['MainActivity']);
      expect(wider).toMatchObject({ status: 'read', reread: true, events: 2 });
      const narrower = await run(store, TAGGED, []);
      expect(narrower).toMatchObject({ status: 'skipped', contextRemoved: ['tag:MainActivity'] });
      expect((await run(store, TAGGED, ['MainActivity'])).status).toBe('skipped');
    } finally {
      await store.close();
    }
  });
});

describe('contract arithmetic', () => {
  it('a contract is its sorted, deduplicated elements and their hash', () => {
    expect(contractOf(['tag:b', 'tag:a', 'tag:b'])).toEqual(contractOf(['tag:a', 'tag:b']));
    expect(contractOf(['tag:a']).hash).not.toBe(contractOf(['tag:b']).hash);
    const c = runContract(new Extractor(reg, { tags: ['MainActivity'] }), reg);
    expect(c.elements).toContain(`version:${CONTRACT_VERSION}`);
    expect(c.elements).toContain('tag:MainActivity');
    expect(c.elements.filter((e) => e.startsWith('signature:'))).toHaveLength(new Set(reg.signatures.map((s) => JSON.stringify(s))).size);
  });

  it('a re-read sets the union when it has caught up with the offset, its own contract past it, nothing behind it', () => {
    const c = { run: 'B', expect: 'A', union: 'AB' };
    expect(contractAfterReread({ bytes_done: 100, contract: 'A' }, 100, c)).toBe('AB');
    expect(contractAfterReread({ bytes_done: 100, contract: 'X' }, 100, c)).toBeUndefined();
    expect(contractAfterReread({ bytes_done: 100, contract: 'A' }, 150, c)).toBe('B');
    expect(contractAfterReread({ bytes_done: 100, contract: 'A' }, 50, c)).toBeUndefined();
  });

  it('describes what a run lacks in words', () => {
    expect(describeElements(['tag:MainActivity', 'signature:ab', 'signature:cd', 'version:1'])).toBe('tag MainActivity; 2 registry signatures; contract version 1');
    expect(describeElements(['tag:A', 'tag:B'])).toBe('tags A, B');
  });
});

describe('display filters', () => {
  const ev = (time: string | null, level: AuthingEvent['level'] = 'E'): AuthingEvent =>
    ({ code: 10001, category: 'network', method: 'signature', outcome: 'error', detail: null, time, pid: 1, tid: 1, level, tag: 'Guardian', line: 1, excerpt: '' });
  it('--since and --until keep [since, until) and drop events without a time', () => {
    const f = eventFilter({ since: Date.parse('2026-03-17T16:00:00Z'), until: Date.parse('2026-03-17T17:00:00Z') }, ['network'])!;
    expect([f(ev('2026-03-17T15:59:59.999Z')), f(ev('2026-03-17T16:00:00.000Z')), f(ev('2026-03-17T16:59:59.999Z')), f(ev('2026-03-17T17:00:00.000Z')), f(ev(null))]).toEqual([false, true, true, false, false]);
    expect(eventFilter({}, ['network'])).toBeUndefined();
  });
});
