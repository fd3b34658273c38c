/**
 * The committer: the Sink that writes events to the store in batches, each batch in one transaction
 * with the source's new checkpoint and the hash of the prefix it covers. Commits run one after
 * another (the loop and the quiet-input timer both commit), on this thread or, for a dense run, on
 * the store's writer thread while this one reads on; a failed commit poisons the rest, so no later
 * offset skips its events.
 */
import { UserError } from '../errors.js';
import type { BatchProgress, BatchWriter, SourceRow, Store } from '../store/store.js';
import type { AuthingEvent, FormatName } from '../types.js';
import type { PrefixHasher } from './fingerprint.js';
import type { Checkpoint, Sink } from './stages.js';

/** Settings of a StoreSink. */
export interface StoreSinkOptions {
  /** Commit when this many events are pending ... */
  batchEvents: number;
  /** ... or this many milliseconds have passed since the last commit. */
  batchMs: number;
  /** Prefix hashes of the checkpoints. */
  hasher: PrefixHasher;
  /** The layout in force, stored with the source. */
  format: () => FormatName | null;
  /** What every commit of this source adds to its progress (the extraction contract, a re-read). */
  progress?: Pick<BatchProgress, 'reread' | 'contract'>;
  /** False for an event not to be stored (older than what prune deleted, on a re-read). */
  storable?: (e: AuthingEvent) => boolean;
  /** Checked before each commit: throws when the input changed under the run (a file rewritten). */
  verify?: (cp: Checkpoint) => void;
  /** Each event once it is stored (run summary). */
  onStored?: (e: AuthingEvent) => void;
  /** True: dense batches may go to the store's writer thread (Store.offThread). */
  offThread?: boolean;
}

/**
 * A batch of at least this many events, one at least every DENSE_BYTES of input, goes to the store's writer
 * thread (Store.offThread) when the sink may use it: from then on every batch of this sink does, so they
 * stay in order. A sparse run's main thread waits on its scan threads, not on its writes, and a thread of
 * its own only costs it (docs/performance.md, round ten).
 */
const OFF_THREAD_FROM = 2048;
const DENSE_BYTES = 2048;
/** Batches posted to the writer thread and not yet committed, at most: memory stays flat while both threads work. */
const IN_FLIGHT = 2;

/** Writes a source's events and checkpoints to the store. */
export class StoreSink implements Sink {
  private pending: AuthingEvent[] = [];
  /** Batches posted and not yet committed, oldest first. */
  private readonly inFlight: Promise<void>[] = [];
  private failure: unknown = null;
  private committed: Checkpoint;
  private committedHash: string | null;
  /** Where the last batch posted takes the source (committed once it is in): the next batch goes on from there. */
  private posted: Checkpoint;
  private postedHash: string | null;
  private lastCommit = Date.now();
  private last: Checkpoint | null = null;
  private first = true;
  private readonly timer: NodeJS.Timeout;
  /** The writer thread once this sink's batches go there, and this sink's number in it. */
  private writer: BatchWriter | null = null;
  private sinkNo = 0;
  /** Events stored (new) by this run. */
  stored = 0;

  constructor(
    private readonly store: Store,
    private readonly src: SourceRow,
    /** Where this run starts (the stored checkpoint, or the start for a re-read). */
    start: Checkpoint,
    private readonly o: StoreSinkOptions,
  ) {
    this.committed = this.posted = start;
    this.committedHash = this.postedHash = start.offset === src.bytes_done ? src.prefix_hash : null;
    // A live stream may go quiet: commit what was found at least every batchMs anyway.
    this.timer = setInterval(() => {
      if (this.pending.length && this.last && this.last.offset > this.posted.offset) {
        // A failure is kept and reported by the next commit in the loop.
        this.commit(this.last, false).catch(() => {});
      }
    }, Math.max(50, o.batchMs / 2));
    this.timer.unref();
  }

  /** Events found and not yet committed. */
  get waiting(): number {
    return this.pending.length;
  }

  /** How far the store has this source. */
  get done(): Checkpoint {
    return this.committed;
  }

  event(e: AuthingEvent): void {
    this.pending.push(e);
  }

  async checkpoint(cp: Checkpoint): Promise<void> {
    this.last = cp;
    if (this.pending.length >= this.o.batchEvents || Date.now() - this.lastCommit >= this.o.batchMs) await this.commit(cp, false);
  }

  async finish(cp: Checkpoint | null, complete: boolean): Promise<void> {
    clearInterval(this.timer);
    const at = cp ?? this.last ?? this.posted;
    if (complete || this.pending.length || at.offset > this.posted.offset) await this.commit(at, complete);
    await this.drain();
  }

  /** Stops the timer without writing (the input failed) and waits for the batches posted to be in or to fail. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    while (this.inFlight.length) await this.inFlight[0]!.catch(() => {});
  }

  /** Waits for every batch posted; throws the first failure. */
  private async drain(): Promise<void> {
    while (this.inFlight.length) await this.inFlight[0];
    if (this.failure) throw this.failure;
  }

  /**
   * Posts the pending events with the checkpoint `cp` as one batch (one transaction). On this thread the
   * write is done when this returns; to the writer thread it returns once at most IN_FLIGHT - 1 batches are
   * still being written, so the caller reads on while the thread commits.
   */
  private async commit(cp: Checkpoint, complete: boolean): Promise<void> {
    if (this.failure) throw this.failure;
    const batch = this.o.storable ? this.pending.splice(0).filter(this.o.storable) : this.pending.splice(0);
    const format = this.o.format();
    const from = this.posted;
    let progress: BatchProgress;
    let to: Checkpoint;
    let prefixHash: string | null;
    try {
      // A checkpoint whose bytes are no longer at hand to hash (an entry open for megabytes) does not
      // move: the events go in past it, and the next run takes them back and reads them again.
      to = cp.offset > from.offset ? cp : from;
      prefixHash = to === from ? this.postedHash : this.o.hasher.hashAt(to.offset);
      if (prefixHash === null && to !== from) [to, prefixHash] = [from, this.postedHash];
      this.o.verify?.(to);
      // Once, before the first batch: the previous run's events past its checkpoint. Not on a re-read
      // under a wider contract: another run may be writing the source meanwhile (no offset guard then).
      const dropAfterLine = this.first && !this.o.progress?.reread ? this.src.lines_done : undefined;
      progress = { fromBytes: from.offset, bytes: to.offset, lines: to.lines, complete, format, prefixHash, dropAfterLine, ...this.o.progress };
    } catch (e) {
      this.failure = e;
      throw e;
    }
    this.first = false;
    this.posted = to;
    this.postedHash = prefixHash;
    this.lastCommit = Date.now();
    if (!this.writer && this.o.offThread && batch.length >= OFF_THREAD_FROM && to.offset - from.offset <= batch.length * DENSE_BYTES) {
      this.writer = this.store.offThread?.() ?? null;
      if (this.writer) this.sinkNo = this.writer.sinkId();
    }
    const write = this.writer ? this.writer.writeBatch(this.sinkNo, this.src.id, batch, progress) : this.store.writeBatch(this.src.id, batch, progress);
    const done = write.then(
      (added) => {
        this.inFlight.shift();
        this.stored += added.length;
        if (this.o.onStored) for (const e of added) this.o.onStored(e);
        this.committed = to;
        this.committedHash = prefixHash;
      },
      (e: unknown) => {
        this.inFlight.shift();
        this.failure ??= e;
        throw this.failure;
      },
    );
    // A failure no one awaits yet is kept (this.failure) and thrown by the next commit, finish or drain.
    done.catch(() => {});
    this.inFlight.push(done);
    // On this thread (no writer) the batch is in before the run reads on, as it always was.
    if (!this.writer) return done;
    while (this.inFlight.length >= IN_FLIGHT) await this.inFlight[0];
    if (this.failure) throw this.failure;
  }
}

/** A file that changed under the run (rewritten, replaced, truncated): the source fails, exit 3. */
export class InputChangedError extends UserError {
  constructor(message: string) {
    super('input', message);
  }
}
