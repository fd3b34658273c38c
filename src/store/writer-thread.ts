/**
 * The store's writer thread (writer-client.ts starts it): its own connection to the run's SQLite file, on which
 * it writes each batch the main thread packs (event-pack.ts) with SqliteStore.writeBatch, the same transaction
 * as on the main thread (events, hourly counts and the source's checkpoint together), one batch at a time in
 * the order they came. It answers each batch with which of its events were new, or with the error.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { SourceTakenError } from './store.js';
import { openSqlite } from './sqlite.js';
import { unpackEvents } from './event-pack.js';
import type { WriterReply, WriterRequest, WriterStart } from './writer-client.js';
import { UserError } from '../errors.js';

/** An error as it crosses back: enough to make the same error on the main thread (writer-client.ts `errorBack`). */
function errorOut(e: unknown): NonNullable<WriterReply['error']> {
  const err = e as { message?: string; code?: unknown; kind?: string };
  if (e instanceof SourceTakenError) return { type: 'taken', message: e.message, sourceId: e.sourceId };
  if (e instanceof UserError) return { type: 'user', message: e.message, kind: e.kind, code: typeof err.code === 'string' ? err.code : undefined };
  return { type: 'other', message: err.message ?? String(e) };
}

/** This thread's CPU time in ms (Linux: /proc/thread-self/stat, in clock ticks of 10 ms), for the trace; -1 elsewhere. */
function threadCpuMs(): number {
  try {
    const st = readFileSync('/proc/thread-self/stat', 'latin1');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return -1;
  }
}

function writerThread(start: WriterStart): void {
  const port = parentPort!;
  let store: ReturnType<typeof openSqlite> | null = null;
  let openError: unknown = null;
  try {
    // The main thread opened, checked and migrated this file already: no second quick_check of every page.
    store = openSqlite(start.path, { busyTimeout: start.busyTimeout, checked: true });
  } catch (e) {
    openError = e;
  }
  /** Sinks one of whose batches failed: their later batches must not go in past it. */
  const failed = new Set<number>();
  port.on('message', (m: WriterRequest) => {
    if (m.close) {
      let error;
      try {
        // Makes the indexes this connection dropped for a bulk run again (SqliteStore.close).
        store?.closeSync();
      } catch (e) {
        error = errorOut(e);
      }
      port.postMessage({ id: -1, closed: true, cpuMs: threadCpuMs(), ...(error ? { error } : {}) } satisfies WriterReply);
      return;
    }
    let reply: WriterReply;
    try {
      if (openError) throw openError;
      if (failed.has(m.sink)) throw new Error('an earlier batch of this source failed');
      const events = unpackEvents(m.batch);
      const added = store!.writeBatchSync(m.sourceId, events, m.progress);
      if (added.length === events.length) reply = { id: m.id, all: true };
      else reply = { id: m.id, added: Int32Array.from(added, (e) => (e as (typeof events)[number]).index) };
    } catch (e) {
      failed.add(m.sink);
      reply = { id: m.id, error: errorOut(e) };
    }
    port.postMessage(reply, reply.added ? [reply.added.buffer as ArrayBuffer] : []);
  });
}

writerThread(workerData as WriterStart);
