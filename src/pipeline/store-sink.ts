/**
 * The committer: the Sink that writes events to the store in batches, each batch in one transaction
 * with the source's new checkpoint and the hash of the prefix it covers. Commits run one after
 * another (the loop and the quiet-input timer both commit); a failed commit poisons the rest, so no
 * later offset skips its events.
 */
import { UserError } from '../errors.js';
import type { BatchProgress, SourceRow, Store } from '../store/store.js';
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
}

/** Writes a source's events and checkpoints to the store. */
export class StoreSink implements Sink {
  private pending: AuthingEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private committed: Checkpoint;
  private committedHash: string | null;
  private lastCommit = Date.now();
  private last: Checkpoint | null = null;
  private first = true;
  private readonly timer: NodeJS.Timeout;
  /** Events stored (new) by this run. */
  stored = 0;
  /** Events a re-read found and did not store (StoreSinkOptions.storable). */
  heldBack = 0;
  /**
   * Set by finish: the input's last line has no newline, and its event's code is the last thing on it, so its digits
   * may be cut (`errCode = 20` of a capture cut inside `2005`): the code, for a warning (ingest.ts, which names the line).
   */
  cutTailCode: number | null = null;
  private lastEvent: AuthingEvent | null = null;
  /** The whole message of the last event's record (its excerpt is cut at 240 characters). */
  private lastMessage = '';

  constructor(
    private readonly store: Store,
    private readonly src: SourceRow,
    /** Where this run starts (the stored checkpoint, or the start for a re-read). */
    start: Checkpoint,
    private readonly o: StoreSinkOptions,
  ) {
    this.committed = start;
    this.committedHash = start.offset === src.bytes_done ? src.prefix_hash : null;
    // A live stream may go quiet: commit what was found at least every batchMs anyway.
    this.timer = setInterval(() => {
      if (this.pending.length && this.last && this.last.offset > this.committed.offset) {
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

  /** `message`: the record's whole message (the excerpt's when not given). */
  event(e: AuthingEvent, message: string = e.excerpt): void {
    this.pending.push(e);
    this.lastEvent = e;
    this.lastMessage = message;
  }

  async checkpoint(cp: Checkpoint): Promise<void> {
    this.last = cp;
    if (this.pending.length >= this.o.batchEvents || Date.now() - this.lastCommit >= this.o.batchMs) await this.commit(cp, false);
  }

  async finish(cp: Checkpoint | null, complete: boolean): Promise<void> {
    clearInterval(this.timer);
    const at = cp ?? this.last ?? this.committed;
    // past the checkpoint: on the last line, which has no newline (the checkpoint stays before it)
    const e = this.lastEvent;
    if (complete && e && e.line > at.lines && endsInCode(this.lastMessage, e.code)) this.cutTailCode = e.code;
    if (complete || this.pending.length || at.offset > this.committed.offset) await this.commit(at, complete);
  }

  /** Stops the timer without writing (the input failed). */
  close(): void {
    clearInterval(this.timer);
  }

  private commit(cp: Checkpoint, complete: boolean): Promise<void> {
    const found = this.pending.length;
    const batch = this.o.storable ? this.pending.splice(0).filter(this.o.storable) : this.pending.splice(0);
    this.heldBack += found - batch.length;
    const format = this.o.format();
    this.chain = this.chain.then(async () => {
      if (this.failure) throw this.failure;
      try {
        // A checkpoint whose bytes are no longer at hand to hash (an entry open for megabytes) does not
        // move: the events go in past it, and the next run takes them back and reads them again.
        let to = cp.offset > this.committed.offset ? cp : this.committed;
        let prefixHash = to === this.committed ? this.committedHash : this.o.hasher.hashAt(to.offset);
        if (prefixHash === null && to !== this.committed) [to, prefixHash] = [this.committed, this.committedHash];
        this.o.verify?.(to);
        // Once, before the first batch: the previous run's events past its checkpoint. Not on a re-read
        // under a wider contract: another run may be writing the source meanwhile (no offset guard then).
        const dropAfterLine = this.first && !this.o.progress?.reread ? this.src.lines_done : undefined;
        const added = await this.store.writeBatch(this.src.id, batch, { fromBytes: this.committed.offset, bytes: to.offset, lines: to.lines, complete, format, prefixHash, dropAfterLine, ...this.o.progress });
        this.first = false;
        this.stored += added.length;
        // Indexed: this closure runs once a batch and is never optimised, and for-of there made an iterator result per event.
        if (this.o.onStored) for (let i = 0; i < added.length; i++) this.o.onStored(added[i]!);
        this.committed = to;
        this.committedHash = prefixHash;
        this.lastCommit = Date.now();
      } catch (e) {
        this.failure = e;
        throw e;
      }
    });
    return this.chain;
  }
}

/** Whether a message ends in this code's digits, with no digit before them (`errCode = 20`, not `x120` for 20). */
function endsInCode(text: string, code: number): boolean {
  const digits = String(Math.abs(code));
  return text.endsWith(digits) && !/\d/.test(text.charAt(text.length - digits.length - 1));
}

/** A file that changed under the run (rewritten, replaced, truncated): the source fails, exit 3. */
export class InputChangedError extends UserError {
  constructor(message: string) {
    super('input', message);
  }
}
