/**
 * A dense bulk run checkpoints its WAL on a thread of its own (src/store/checkpointer.ts): the thread copies
 * each committed batch's pages into the database while the main thread reads on. The store it leaves is the one
 * a run without the thread leaves (`--threads 1`), with no WAL left beside it; and a SIGKILL at a random point
 * (the thread checkpointing or not) leaves a store that the next run completes to a clean run's rows.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { parseText } from '../../src/parse/records.js';
import { loadRegistry } from '../../src/registry/index.js';
import { BIN, SHARED, killMidway, prng, tempDir, watchStore } from '../helpers.js';

const ENV = { ...process.env, AUTHING_TRIAGE_DB: '', AUTHING_TRIAGE_TRACE: 'checkpoint' };
/** Bulk batches (over 2,048 events), a dozen of them in the capture below. */
const BATCH = ['--batch-size', '2500'];
const TRACED = /the thread ran (\d+) checkpoints; the WAL held at most (\d+) frames/;

/** Every line an Authing line: the labeled capture's eventful lines, in a random order, pids varied. */
function denseCapture(file: string, lines: number, seed: number): void {
  const ex = new Extractor(loadRegistry());
  const eventful = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8')
    .split('\n')
    .filter((l) => /^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\s+\d+\s+\d+ /.test(l) && parseText(l, { year: 2026, tz: 'UTC' }).records.some((r) => ex.extract(r) !== null));
  expect(eventful.length).toBeGreaterThan(20);
  const rand = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const l = eventful[Math.floor(rand() * eventful.length)]!;
    out.push(l.replace(/^(\S+ \S+)\s+\d+/, (_, stamp: string) => `${stamp} ${String(1000 + Math.floor(rand() * 300)).padStart(5)}`));
  }
  writeFileSync(file, out.join('\n') + '\n');
}

/** A digest of every stored row (events but their ids, or their context with `noContext`; counts_hourly; the source's progress). */
function contents(db: string, noContext = false): { events: number; digest: string } {
  const conn = new Database(db, { readonly: true });
  try {
    const cols = (conn.prepare('PRAGMA table_info(events)').all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'id' && !(noContext && c === 'context'));
    const events = conn.prepare(`SELECT ${cols.join(', ')} FROM events ORDER BY source_id, line`).raw().all();
    const counts = conn.prepare('SELECT * FROM counts_hourly ORDER BY hour, code, tag, source_id, outcome').raw().all();
    const sources = conn.prepare('SELECT bytes_done, lines_done, complete, prefix_hash FROM sources ORDER BY id').raw().all();
    return { events: events.length, digest: createHash('sha256').update(JSON.stringify([events, counts, sources])).digest('hex') };
  } finally {
    conn.close();
  }
}

/** Runs the bin to its end; its stderr (the trace). */
function ingest(db: string, file: string, threads: number): string {
  const r = spawnSync(process.execPath, [BIN, '--db', db, '--quiet', '--threads', String(threads), ...BATCH, file], { encoding: 'utf8', env: ENV });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr;
}

describe('the checkpoint thread of a dense bulk run', () => {
  it('checkpoints the WAL off the main thread and leaves the store a run without it leaves', () => {
    const dir = tempDir();
    const file = join(dir, 'dense.log');
    denseCapture(file, 30_000, 25);
    const withThread = join(dir, 'two.db');
    const traced = TRACED.exec(ingest(withThread, file, 2));
    // the last connection to close checkpointed what was left and removed the WAL, as without the thread
    expect(existsSync(`${withThread}-wal`)).toBe(false);
    expect(traced, 'a trace line of the checkpoint thread').not.toBeNull();
    expect(Number(traced![1])).toBeGreaterThan(0);
    expect(Number(traced![2])).toBeGreaterThan(0);
    // `--threads 1`: one thread, so no checkpoint thread either
    const without = join(dir, 'one.db');
    expect(ingest(without, file, 1)).toBe('');
    expect(contents(withThread)).toEqual(contents(without));
    expect(contents(withThread).events).toBe(30_000);
  }, 120_000);

  it('leaves, killed at a random point, a store that the next run completes to a clean run\'s rows', async () => {
    const dir = tempDir();
    const file = join(dir, 'dense.log');
    denseCapture(file, 30_000, 7);
    const cleanDb = join(dir, 'clean.db');
    ingest(cleanDb, file, 2);
    // Not the context: a resumed run starts each pid's context afresh at the checkpoint (docs/performance.md, round eight).
    const clean = contents(cleanDb, true);
    const rand = prng(12);
    let midway = 0;
    for (let trial = 0; trial < 4; trial++) {
      const db = join(dir, `killed-${trial}.db`);
      const child = spawn(process.execPath, [BIN, '--db', db, '--quiet', '--threads', '2', ...BATCH, file], { env: ENV, stdio: 'ignore' });
      // Past the first bulk batch (which starts the thread), up to just before the last.
      const halfWritten = await watchStore(db, child, { events: 2500 + Math.floor(rand() * (clean.events - 5000)) });
      expect(halfWritten).toBe(0);
      if (await killMidway(child)) midway++;
      ingest(db, file, 2);
      expect(contents(db, true)).toEqual(clean);
    }
    expect(midway).toBeGreaterThan(0);
  }, 240_000);
});
