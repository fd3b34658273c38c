/**
 * The main thread's side of the store's writer thread (writer-thread.ts): a dense run's batches are written
 * there, on a second connection to the same SQLite file, while this thread parses, extracts and finds context
 * for the next batch (docs/performance.md, round ten). Each batch crosses packed (event-pack.ts); its reply says
 * which events were new, and an error comes back as the same error (SourceTakenError, StoreError, UserError).
 * Batches are written one at a time in the order posted; the caller bounds how many are in flight (StoreSink).
 */
import type { Worker } from 'node:worker_threads';
import { storeWriterUrl } from '../assets.js';
import { UserError, type ErrorKind } from '../errors.js';
import { workerThreads } from '../threads.js';
import { traceWriter } from '../trace.js';
import type { AuthingEvent } from '../types.js';
import { packEvents, packedBuffers, type PackedEvents } from './event-pack.js';
import { SourceTakenError, StoreError, type BatchProgress } from './store.js';

/** What the writer thread is started with. */
export interface WriterStart {
  path: string;
  busyTimeout: number;
}

/** A message to the writer thread: a batch of one sink's, or the close. */
export interface WriterRequest {
  id: number;
  sink: number;
  sourceId: number;
  progress: BatchProgress;
  batch: PackedEvents;
  close?: boolean;
}

/** The writer thread's answer to a batch (`all`: every event was new; `added`: the indexes of those that were) or to the close. */
export interface WriterReply {
  id: number;
  all?: boolean;
  added?: Int32Array;
  closed?: boolean;
  /** With `closed`: the thread's CPU time, for AUTHING_TRIAGE_TRACE=writer. */
  cpuMs?: number;
  error?: { type: 'taken' | 'user' | 'other'; message: string; sourceId?: number; kind?: string; code?: string };
}

/** The error a reply carries, as the main thread's store would have thrown it. */
function errorBack(e: NonNullable<WriterReply['error']>): Error {
  if (e.type === 'taken') return new SourceTakenError(e.sourceId!);
  if (e.type === 'user') return e.kind === 'database' ? new StoreError(e.message, e.code) : new UserError(e.kind as ErrorKind, e.message);
  return new Error(e.message);
}

/** A batch posted and not yet answered. */
interface Posted {
  events: readonly AuthingEvent[];
  resolve: (added: AuthingEvent[]) => void;
  reject: (e: unknown) => void;
}

/** The writer thread of one SQLite store; started by SqliteStore.offThread, closed by its close(). */
export class StoreWriter {
  private readonly worker: Worker;
  private readonly posted = new Map<number, Posted>();
  /** The thread's CPU time when it closed (-1: unknown). */
  private cpuMs = -1;
  private nextId = 0;
  private nextSink = 0;
  private closing: Promise<void> | null = null;
  private dead: Error | null = null;
  /** Batches the thread committed. */
  private written = 0;

  constructor(start: WriterStart) {
    this.worker = new (workerThreads().Worker)(storeWriterUrl(), { workerData: start });
    this.worker.on('message', (r: WriterReply) => this.reply(r));
    this.worker.on('error', (e) => this.stop(new StoreError(`the store's writer thread failed (${e.message}); what was committed stays, run again`)));
    this.worker.on('exit', () => this.stop(new StoreError("the store's writer thread ended; what was committed stays, run again")));
  }

  /** A number for one sink's batches: a failed batch stops that sink's later ones in the thread. */
  sinkId(): number {
    return this.nextSink++;
  }

  /** Writes a batch as SqliteStore.writeBatch does, in the thread; resolves with the events that were new. */
  writeBatch(sink: number, sourceId: number, events: readonly AuthingEvent[], progress: BatchProgress): Promise<AuthingEvent[]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const batch = packEvents(events);
    return new Promise((resolve, reject) => {
      this.posted.set(id, { events, resolve, reject });
      this.worker.postMessage({ id, sink, sourceId, progress, batch } satisfies WriterRequest, packedBuffers(batch));
    });
  }

  /** Waits for the batches posted, then closes the thread's connection (which makes the indexes it dropped again). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.dead) return resolve();
      this.posted.set(-1, { events: [], resolve: () => resolve(), reject: () => resolve() });
      this.worker.postMessage({ close: true } as WriterRequest);
    }).then(() => {
      traceWriter(this.written, this.cpuMs);
      return this.worker.terminate().then(() => {});
    });
    return this.closing;
  }

  private reply(r: WriterReply): void {
    const p = this.posted.get(r.id);
    if (!p) return;
    this.posted.delete(r.id);
    if (r.error) return p.reject(errorBack(r.error));
    if (r.closed) {
      this.cpuMs = r.cpuMs ?? -1;
      return p.resolve([]);
    }
    this.written++;
    p.resolve(r.all ? (p.events as AuthingEvent[]) : Array.from(r.added!, (i) => p.events[i]!));
  }

  /** The thread is gone: every batch not answered fails (not written, or written and its answer lost: the next run sees which). */
  private stop(e: Error): void {
    this.dead ??= e;
    for (const p of this.posted.values()) p.reject(this.dead);
    this.posted.clear();
  }
}
