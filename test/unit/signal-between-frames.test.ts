/**
 * A signal (SIGINT, SIGTERM) is seen between two frames even when every frame is ready the moment it is
 * asked for. The signal's handler is a callback of the event loop; frames that come as settled promises
 * (a reader thread or scan threads ahead of the main thread, every line an event) never let the loop turn,
 * and a run went on for thousands of events after Ctrl-C (seen as a 5 s exit bound missed on a busy machine).
 * Here the frames come from an in-memory stream, whose chunks arrive without the loop turning, and the
 * abort is raised from a loop callback once the first event is out, as the CLI's signal handler does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Extractor, candidateNeedles } from '../../src/extract/index.js';
import { ingestSource } from '../../src/pipeline/ingest.js';
import { loadRegistry } from '../../src/registry/index.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { SHARED, tempDir } from '../helpers.js';

const extractor = new Extractor(loadRegistry(), {});
const needles = candidateNeedles(extractor.tags);
const CAPTURE = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));

/** The capture 40 times over, in 64 KiB chunks: many frames, each with events. */
function input(): Buffer[] {
  const all = Buffer.concat(Array.from({ length: 40 }, () => CAPTURE));
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += 65536) chunks.push(all.subarray(i, i + 65536));
  return chunks;
}

async function run(db: string, chunks: Buffer[], abortAtFirstEvent: boolean) {
  const store = openSqlite(db);
  const controller = new AbortController();
  let asked = false;
  try {
    const r = await ingestSource(store, { name: '-', path: null }, {
      extractor, needles, year: 2026, tz: 'UTC', stdin: Readable.from(chunks), headWaitMs: 5000, signal: controller.signal,
      onEvent: () => {
        if (!abortAtFirstEvent || asked) return;
        asked = true;
        setImmediate(() => controller.abort());
      },
    });
    return { r, events: store.db.prepare('SELECT line, code, time, tag, pid, excerpt, outcome FROM events ORDER BY line').all(), source: store.db.prepare('SELECT bytes_done, lines_done, prefix_hash FROM sources').all() };
  } finally {
    await store.close();
  }
}

describe('a signal between frames that are ready at once', () => {
  it('ends the read within a frame of it, and a second run over the same bytes ends equal to one clean run', async () => {
    const chunks = input();
    const lines = chunks.reduce((n, c) => n + c.filter((b) => b === 10).length, 0);
    const clean = await run(join(tempDir(), 'clean.db'), chunks, false);
    expect(clean.r.status).toBe('read');
    expect(clean.r.lines).toBe(lines);

    const db = join(tempDir(), 'sig.db');
    const stopped = await run(db, chunks, true);
    expect(stopped.r.status).toBe('interrupted');
    // the first event came in the first frame or two; the read ends right after the frame it is in
    expect(stopped.r.lines).toBeLessThan(lines / 4);
    expect(stopped.events.length).toBeGreaterThan(0);
    expect(stopped.events.length).toBeLessThan(clean.events.length / 4);

    const again = await run(db, chunks, false);
    expect(again.r.status).toBe('resumed');
    expect(again.events).toEqual(clean.events);
    expect(again.source).toEqual(clean.source);
  });
});
