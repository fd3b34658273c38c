/**
 * The store's writer thread (src/store/writer-client.ts, writer-thread.ts; docs/performance.md, round ten):
 * a dense run's batches are written there while the main thread reads on. Its stored rows must be what the
 * main thread alone writes (`--threads 1`), and a kill at any point, a batch in the thread or not, must leave
 * a store whose next run equals one clean run: each batch and its checkpoint commit together, or neither.
 * Inputs are real Authing lines of a labeled capture, every line an event, damaged at random (CR LF, junk
 * lines, the capture's other lines between, a last line cut without its newline), at random sizes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { parseText } from '../../src/parse/records.js';
import { loadRegistry } from '../../src/registry/index.js';
import { SHARED, exitOf, prng, query, runCli, startCli, tempDir, trialsHere, watchStore } from '../helpers.js';

const COMMON = ['--quiet', '--year', '2026', '--tz', 'UTC'];
const TRACE = { AUTHING_TRIAGE_TRACE: 'writer' };
const WROTE = /the writer thread wrote (\d+) batches/;

const capture = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n');
const extractor = new Extractor(loadRegistry());
/** The capture's lines that yield an event, and its other lines. */
const eventful = capture.filter((l) => parseText(l, { year: 2026, tz: 'UTC' }).records.some((r) => extractor.extract(r) !== null));
const other = capture.filter((l) => l && !eventful.includes(l));

/**
 * A dense capture of about `bytes`: the real Authing lines with their pids varied (so context runs cross
 * pids), one line in `otherEvery` another line of the capture, some lines ending CR LF, a junk line now and
 * then, and a last line without its newline when `cutLast`.
 */
function denseDamaged(file: string, bytes: number, rand: () => number, cutLast: boolean): void {
  const crlfShare = rand() * 0.3;
  const otherEvery = 3 + Math.floor(rand() * 30);
  const out: string[] = [];
  let size = 0;
  while (size < bytes) {
    const r = rand();
    let line: string;
    if (r < 1 / otherEvery) line = other[Math.floor(rand() * other.length)]!;
    else if (r < 1 / otherEvery + 0.002) line = String.fromCharCode(...Array.from({ length: 1 + Math.floor(rand() * 60) }, () => Math.floor(rand() * 256)));
    else line = eventful[Math.floor(rand() * eventful.length)]!.replace(/^(\S+ \S+)\s+\d+/, (_m, stamp: string) => `${stamp} ${String(1000 + Math.floor(rand() * 40)).padStart(5)}`);
    if (rand() < crlfShare) line += '\r';
    out.push(line);
    size += line.length + 1;
  }
  const text = out.join('\n');
  writeFileSync(file, cutLast ? text.slice(0, text.length - Math.floor(rand() * 40)) : `${text}\n`, 'latin1');
}

/** Every stored events column but `id`, every hourly count, and how far the source is counted. */
function rows(db: string, withContext = true): unknown {
  const cols = query<{ name: string }>(db, 'PRAGMA table_info(events)').map((c) => c.name).filter((c) => c !== 'id' && (withContext || (c !== 'context' && c !== 'cause')));
  return {
    events: query(db, `SELECT ${cols.join(', ')} FROM events ORDER BY source_id, line, code`),
    counts: query(db, 'SELECT hour, code, tag, outcome, count FROM counts_hourly ORDER BY hour, code, tag, outcome'),
    sources: query(db, 'SELECT bytes_done, lines_done, complete, prefix_hash, format FROM sources ORDER BY id'),
  };
}

function ingest(db: string, args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string } {
  return runCli(['--db', db, ...COMMON, ...args], { env: { ...TRACE, ...env } });
}

describe('the store writer thread (every line an event)', () => {
  it('stores the events, hourly counts and checkpoint that the main thread alone stores, on damaged real captures at random sizes and batch sizes', () => {
    const rand = prng(2501);
    const trials = trialsHere('writer-thread equivalence', 3, 2);
    for (let trial = 0; trial < trials; trial++) {
      const dir = tempDir();
      const file = join(dir, 'dense.log');
      denseDamaged(file, 1.2e6 + rand() * 1.5e6, rand, trial % 2 === 1);
      const batch = String(2048 + Math.floor(rand() * 6000));
      const threaded = ingest(join(dir, 'two.db'), ['--threads', '2', '--batch-size', batch, file]);
      expect(threaded.status, threaded.stderr).toBe(0);
      // the writer thread took the run's batches (all but the first, which decides)
      expect(Number(WROTE.exec(threaded.stderr)?.[1] ?? 0), threaded.stderr).toBeGreaterThan(1);
      const single = ingest(join(dir, 'one.db'), ['--threads', '1', '--batch-size', batch, file]);
      expect(single.status, single.stderr).toBe(0);
      expect(single.stderr).not.toMatch(WROTE);
      expect(rows(join(dir, 'two.db'))).toEqual(rows(join(dir, 'one.db')));
    }
  }, 300_000);

  it('leaves a store that the next run completes to one clean run after a kill at a random point, batches in the writer thread', async () => {
    const rand = prng(2502);
    const dir = tempDir();
    const file = join(dir, 'dense.log');
    denseDamaged(file, 3e6, rand, false);
    const clean = ingest(join(dir, 'clean.db'), ['--threads', '1', file]);
    expect(clean.status, clean.stderr).toBe(0);
    const expected = rows(join(dir, 'clean.db'), false);
    const total = (expected as { events: unknown[] }).events.length;
    let killedMidway = 0;
    const trials = trialsHere('writer-thread kills', 6, 4);
    for (let trial = 0; trial < trials; trial++) {
      const db = join(dir, `killed-${trial}.db`);
      const batch = String(2048 + Math.floor(rand() * 3000));
      const child = startCli(['--db', db, ...COMMON, '--threads', '2', '--batch-size', batch, file], TRACE);
      // Killed once the store holds a random share of the events: the main thread is then reading on while the
      // writer thread commits the batch after (or has it queued); half the trials one more random wait later.
      const halfWritten = await watchStore(db, child, { events: Math.floor(total * (0.05 + rand() * 0.8)) });
      if (trial % 2) await new Promise((r) => setTimeout(r, rand() * 30));
      child.kill('SIGKILL');
      await exitOf(child);
      expect(halfWritten).toBe(0);
      if (child.signalCode === 'SIGKILL') killedMidway++;
      const again = ingest(db, ['--threads', '2', file]);
      expect(again.status, again.stderr).toBe(0);
      // Context aside: a resumed run reads nothing before its resume point (docs/performance.md, round eight).
      expect(rows(db, false)).toEqual(expected);
    }
    expect(killedMidway).toBeGreaterThan(0);
  }, 300_000);
});
