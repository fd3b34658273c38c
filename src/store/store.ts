/**
 * The store: one interface, two back ends. SQLite (a file, the default) and PostgreSQL
 * (`--db postgres://...`, for a fleet). The pipeline, the reports and the CLI only see `Store`.
 */
import { UserError } from '../errors.js';
import type { Registry } from '../registry/index.js';
import type { AuthingEvent } from '../types.js';
import type { Labels } from '../labels/labels.js';

/** A stored source row. */
export interface SourceRow {
  id: number;
  head_len: number;
  head_hash: string;
  name: string;
  format: string | null;
  bytes_done: number;
  lines_done: number;
  complete: number;
  /** Hash of the first bytes_done bytes (src/pipeline/fingerprint.ts); null on rows of older builds. */
  prefix_hash: string | null;
  /** Hash of the contract (contracts table) its bytes_done were read under; null: unknown or new. */
  contract: string | null;
  /** Events before this time were pruned (counts kept). */
  pruned_before: string | null;
  /** The absolute path of the plain file it was last read from (schema 8; PostgreSQL 7), or null. */
  path?: string | null;
  /** The settings its stored events were made under (ingest.ts eventShape; schema 8), or null: unknown. */
  shape?: string | null;
  /** SHA-256 of its first 512 bytes (fingerprint.ts LEAD; schema 9, PostgreSQL 8), or null: a shorter head, or an older build's row. */
  lead_hash?: string | null;
}

/** At most this many sources come back from sourcesWithLead: each is a file read to compare, and a real lead is rarely shared. */
export const LEAD_MATCHES = 16;

/** How far a batch takes its source. */
export interface BatchProgress {
  /** The offset this run read from: the write fails when the stored one moved. */
  fromBytes: number;
  bytes: number;
  lines: number;
  complete: boolean;
  format: string | null;
  /** Hash of the input's first `bytes` bytes, checked before a later run resumes or skips. */
  prefixHash?: string | null;
  /**
   * Events of this source after this line were written past the last checkpoint (a last line without
   * its newline, an entry still open): they are taken back before this batch, which reads them again.
   */
  dropAfterLine?: number;
  /**
   * A re-read under a wider contract: the events are added (never twice) but the offset only moves
   * forward (to `bytes` when that is further), and another run holding the source is no error.
   */
  reread?: boolean;
  /**
   * The contract of the read, recorded in the same transaction (contract.ts): a batch that moves the
   * offset past bytes no other contract covers sets `run`; a re-read that has caught up with the
   * offset sets `union` if the stored contract is still `expect`.
   */
  contract?: { run: string; expect?: string | null; union?: string };
}

/** The rows of a read-only query and their column names. */
export interface QueryResult {
  rows: Record<string, unknown>[];
  columns: string[];
}

/** A user's query read a row at a time (readOnlyRows): memory stays flat whatever the result holds. */
export interface QueryRows {
  rows: Iterator<Record<string, unknown>>;
  columns: string[];
}

/** Thrown when another run advanced a source first; this run leaves that source to it. */
export class SourceTakenError extends Error {
  constructor(readonly sourceId: number) {
    super(`source ${sourceId} is being read by another run`);
  }
}

/** A failure of the database itself (gone, full, locked): it stops the run (exit 4), the input is not at fault. */
export class StoreError extends UserError {
  constructor(message: string, readonly code?: string) {
    super('database', message);
  }
}

/** The error for a database written by a newer build. */
export function newerSchemaError(where: string, version: number): UserError {
  return new UserError('database', `${where}: written by a newer authing-triage (schema ${version}); upgrade authing-triage`);
}

/** What both back ends do. All SQL is parameterized; `?` marks a parameter in either dialect. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** The file path, or the URL without its password. */
  readonly location: string;
  close(): Promise<void>;
  /** Rewrites the codes and categories tables from the registry. */
  syncRegistry(reg: Registry): Promise<void>;
  /** Head lengths stored, longest first, so a new input can hash its first bytes at each of them. */
  headLengths(max: number): Promise<number[]>;
  findSource(headLen: number, headHash: string): Promise<SourceRow | undefined>;
  /**
   * Sources whose first 512 bytes hash to `leadHash` and that counted more than `longerThan` bytes, newest first, at
   * most LEAD_MATCHES: those an input shorter than their heads may be an earlier copy of (source-match.ts).
   */
  sourcesWithLead(leadHash: string, longerThan: number): Promise<SourceRow[]>;
  /** Finds or creates the source row for this content (unique on head_len, head_hash); a new row gets `leadHash`. */
  claimSource(headLen: number, headHash: string, name: string, leadHash?: string | null): Promise<SourceRow>;
  /** Records the absolute path of the plain file a source is read from (SourceRow.path). */
  notePath(id: number, path: string): Promise<void>;
  /** Gives a source without a lead (an older build's row) the hash of its first 512 bytes (SourceRow.lead_hash). */
  noteLead(id: number, leadHash: string): Promise<void>;
  /** Records the settings a source's events are made under (SourceRow.shape). */
  noteShape(id: number, shape: string): Promise<void>;
  /** Marks a source pruned up to `before` (ISO), unless it is marked further already (migrate: the origin's mark). */
  notePruned(id: number, before: string): Promise<void>;
  /**
   * Raises a source's hourly counts to at least `rows` ([hour, code, tag, outcome, count], as countByHour gives);
   * never lowers one, so a copy run again adds nothing. migrate: an origin's counts come along whole, those of
   * events a prune deleted among them (they were lost: the copy counted the events alone).
   */
  raiseCounts(sourceId: number, rows: readonly HourCount[]): Promise<void>;
  /**
   * Records a longer head for a source that grew, so later runs find it by the longer head; `leadHash` is kept
   * for a source that had none (its head was shorter than the lead's 512 bytes, or an older build claimed it).
   */
  extendHead(id: number, headLen: number, headHash: string, name: string, leadHash?: string | null): Promise<void>;
  /**
   * Writes a batch: the events, their counts, and the source's new offset, in one transaction.
   * Returns the events that were new. Fails with SourceTakenError when the stored offset is not
   * `fromBytes` any more.
   */
  writeBatch(sourceId: number, events: readonly AuthingEvent[], progress: BatchProgress): Promise<AuthingEvent[]>;
  /** Sets labels of a source (source_labels); a key it had takes the new value, other keys stay. */
  setLabels(sourceId: number, labels: Labels): Promise<void>;
  /** The labels of a source. */
  labelsOf(sourceId: number): Promise<Labels>;
  /** Records a contract (hash -> its elements as JSON); a known hash is left as it is. */
  saveContract(hash: string, elements: string): Promise<void>;
  /** The elements (JSON) of a stored contract. */
  contractElements(hash: string): Promise<string | undefined>;
  /** Forgets what a source contributed (events, counts, offset, contract) in one transaction, for `rescan`. */
  resetSource(id: number): Promise<SourceRow>;
  /**
   * Deletes events before `before` (ISO, an hour boundary) and, with `counts`, the hourly counts
   * before it too; marks every source as pruned up to there. Sources and contracts stay.
   */
  prune(before: string, opts: { counts: boolean }): Promise<{ events: number; counts: number }>;
  /** Gives freed pages back to the file system (SQLite VACUUM; PostgreSQL's autovacuum does this itself). */
  vacuum(): Promise<void>;
  /** Rows of one of the project's own queries (reports), written in the common SQL of both. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** A user's query, run so that it cannot write. */
  readOnlyQuery(sql: string): Promise<QueryResult>;
  /**
   * The same, its rows read as they are taken (SQLite; PostgreSQL's are all read at once, readOnlyQuery): a result of
   * millions of rows, or a query that never ends, read to `| head`, does not have to fit in memory first.
   */
  readOnlyRows?(sql: string): Promise<QueryRows>;
}

/** Options for opening a store. */
export interface OpenOptions {
  readonly?: boolean;
  /** Milliseconds to wait for another writer (default 10 s). */
  busyTimeout?: number;
}

/** SQLite's name for a database in memory: an ingest that keeps nothing (opened so, never as a file of that name). */
export const MEMORY_DB = ':memory:';

/** True for a PostgreSQL connection URL. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** A URL as it may be printed: the password replaced. */
export function redactUrl(url: string): string {
  const m = /^(postgres(?:ql)?:\/\/)(.*)$/is.exec(url);
  if (!m) return url;
  const [, scheme, rest] = m as unknown as [string, string, string];
  // The user part ends at the last @ (the URL parser pg uses takes a raw @ in a password as the password's). A raw
  // /, ? or # in a password ends the authority early for a parser, not here: the last @ of the whole URL, wherever
  // it is. That hides too much of `postgres://h/db?application_name=a@b` (an @ after the host), never too little.
  const at = rest.lastIndexOf('@');
  const colon = rest.indexOf(':');
  const auth = at >= 0 && colon >= 0 && colon < at ? `${rest.slice(0, colon)}:***${rest.slice(at)}` : rest;
  // libpq takes the password (and the client key's) as a parameter too: postgres:///db?host=/tmp&password=…
  return scheme + auth.replace(/([?&](?:ssl)?password=)[^&#]*/gi, '$1***');
}

/** Opens the store at a path (SQLite) or a postgres:// URL; the driver is loaded only when used. */
export async function openStore(target: string, opts: OpenOptions = {}): Promise<Store> {
  if (isPostgresUrl(target)) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(target, opts);
  }
  const { openSqlite } = await import('./sqlite.js');
  return openSqlite(target, opts);
}

/** Hour bucket of an ISO time: 'YYYY-MM-DDTHH', or '' without a time. */
export function hourOf(time: string | null): string {
  return time ? time.slice(0, 13) : '';
}

/** One counts_hourly row of a batch: hour, code, tag, outcome and how many new events it adds. */
export type HourCount = [hour: string, code: number, tag: string, outcome: string, count: number];

/**
 * New events counted by (hour, code, tag, outcome), rows in order of first appearance. One map level
 * per key part: a joined string key was built, flattened and hashed per event, 2.5x slower (measured).
 */
export class HourCounts {
  readonly rows: HourCount[] = [];
  private readonly byHour = new Map<string, Map<number, Map<string, Map<string, HourCount>>>>();

  /** Counts one event of this hour (hourOf its time). */
  add(hour: string, code: number, tag: string, outcome: string): void {
    let byCode = this.byHour.get(hour);
    if (!byCode) this.byHour.set(hour, (byCode = new Map()));
    let byTag = byCode.get(code);
    if (!byTag) byCode.set(code, (byTag = new Map()));
    let byOutcome = byTag.get(tag);
    if (!byOutcome) byTag.set(tag, (byOutcome = new Map()));
    const c = byOutcome.get(outcome);
    if (c) c[4]++;
    else {
      const row: HourCount = [hour, code, tag, outcome, 1];
      byOutcome.set(outcome, row);
      this.rows.push(row);
    }
  }
}

/** Counts of new events by (hour, code, tag, outcome), for the counts_hourly upsert. */
export function countByHour(events: readonly AuthingEvent[]): HourCount[] {
  const counts = new HourCounts();
  for (const e of events) counts.add(hourOf(e.time), e.code, e.tag, e.outcome);
  return counts.rows;
}

/**
 * The contract a source holds after a re-read's batch reached `bytes`, or undefined to leave it:
 * past the stored offset, the new bytes were read under the run's contract alone; at it, every
 * byte was read under both, so the union (if no other run changed the contract meanwhile).
 */
export function contractAfterReread(row: Pick<SourceRow, 'bytes_done' | 'contract'>, bytes: number, c: NonNullable<BatchProgress['contract']>): string | undefined {
  if (bytes > row.bytes_done) return c.run;
  if (bytes === row.bytes_done && c.union && row.contract === c.expect) return c.union;
  return undefined;
}

/** The first 16 bytes of every SQLite database file. */
export const SQLITE_MAGIC = 'SQLite format 3\0';
