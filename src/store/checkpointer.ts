/**
 * WAL checkpoints on a thread of their own (checkpoint-worker.ts), for a store written in bulk: each
 * committed batch's pages are written twice, to the WAL at the commit and into the database at a
 * checkpoint, and the checkpoints (a read and a write of every page, two fsyncs) were 6-7% of the main
 * thread's CPU on the 30 MB every-line capture (docs/performance.md, round twelve). The main
 * connection keeps its own automatic checkpoint at a higher mark, for a thread that falls behind or fails.
 */
import type { Worker } from 'node:worker_threads';
import { checkpointWorkerUrl } from '../assets.js';
import { workerThreads } from '../threads.js';

/** What the thread did, told when it closes. */
export interface CheckpointCounts {
  /** Checkpoints run. */
  runs: number;
  /** The most frames the WAL held at a checkpoint: the WAL is begun again once one has copied it all. */
  maxLog: number;
}

/** The checkpoint thread of one SQLite store. */
export class Checkpointer {
  private readonly worker: Worker;
  private failed = false;
  private closing: Promise<CheckpointCounts | null> | null = null;

  /** Starts the thread on the database at `path`; `onFail` is called once if it fails. */
  constructor(path: string, onFail: (e: Error) => void) {
    // A small heap: the thread holds no JavaScript data of its own.
    this.worker = new (workerThreads().Worker)(checkpointWorkerUrl(), { workerData: { path }, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 } });
    this.worker.on('error', (e) => {
      if (this.failed) return;
      this.failed = true;
      onFail(e);
    });
    // It never keeps a run alive: a run that ends without close() leaves the WAL to the next open, as a kill does.
    this.worker.unref();
  }

  /** Asks for a checkpoint of what is committed now. */
  request(): void {
    if (!this.failed) this.worker.postMessage('checkpoint');
  }

  /** Closes the thread's connection after the checkpoints asked for; its counts, or null if it failed. */
  close(): Promise<CheckpointCounts | null> {
    this.closing ??= this.failed
      ? Promise.resolve(null)
      : new Promise((resolve) => {
          // Held open until it answers: the run may have nothing else left to wait for.
          this.worker.ref();
          this.worker.once('message', (c: CheckpointCounts) => resolve(c));
          this.worker.once('error', () => resolve(null));
          this.worker.once('exit', () => resolve(null));
          this.worker.postMessage('close');
        }).then((c) => {
          void this.worker.terminate();
          return c as CheckpointCounts | null;
        });
    return this.closing;
  }
}
