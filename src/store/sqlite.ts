/** The SQLite store: sources, events, hourly counts and the registry, via better-sqlite3. */
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { distFile } from '../assets.js';
import { UserError } from '../errors.js';
import { terminalText } from '../sinks/terminal-text.js';
import { entryJson, isBundledRegistry, type CodeEntry, type Registry } from '../registry/index.js';
import type { AuthingEvent, Level, Method, Outcome } from '../types.js';
import { CONTRACT_MIGRATION_SQLITE } from './contract-migration.js';
import { outcomeMigrationSqlite } from './outcome-migration.js';
import { LABEL_MIGRATION_SQLITE, vEventsView } from './label-migration.js';
import type { Labels } from '../labels/labels.js';
import { CONTEXT_MIGRATION_SQLITE, contextJson } from './context-migration.js';
import { createFromTemplate, STORE_TEMPLATE } from './template.js';
import { contractAfterReread, hourOf, HourCounts, LEAD_MATCHES, MEMORY_DB, newerSchemaError, SourceTakenError, SQLITE_MAGIC, StoreError, type BatchProgress, type HourCount, type OpenOptions, type QueryResult, type QueryRows, type SourceRow, type Store } from './store.js';

type DB = Database.Database;

/** Schema migrations: entry i takes user_version i to i + 1. */
const MIGRATIONS: readonly (() => string)[] = [
  () => readFileSync(distFile('store/schema.sql'), 'utf8'),
  () => CONTRACT_MIGRATION_SQLITE,
  outcomeMigrationSqlite,
  // 4: the hash of each source's counted prefix (issue 20: a source is the same only if those bytes are)
  () => 'ALTER TABLE sources ADD COLUMN prefix_hash TEXT;',
  // 5: labels on sources (issue 26, label-migration.ts)
  () => LABEL_MIGRATION_SQLITE,
  // 6 (issue 26): each event's context lines (a JSON array) and its cause
  () => CONTEXT_MIGRATION_SQLITE,
  // 7: v_events made again without an ORDER BY inside group_concat(), which sqlite3 before 3.44 cannot parse
  // (it then reads nothing of the database: label-migration.ts)
  () => vEventsView('sqlite', 'e.cause'),
  // 8: the absolute path of the plain file a source was last read from (its earlier copies are compared with it),
  // and the settings that shaped its stored events (--context, redaction, --tz: ingest.ts eventShape)
  () => 'ALTER TABLE sources ADD COLUMN path TEXT; ALTER TABLE sources ADD COLUMN shape TEXT;',
  // 9: the hash of each source's first 512 bytes (fingerprint.ts LEAD), by which a copy shorter than the source's
  // head is found: a head key is looked up only at lengths the input has (sourcesWithLead)
  () => 'ALTER TABLE sources ADD COLUMN lead_hash TEXT; CREATE INDEX sources_lead ON sources (lead_hash);',
];

/** The columns of an events row, in the order writeBatch binds them. */
const EVENT_COLUMNS = ['source_id', 'line', 'time', 'hour', 'code', 'method', 'detail', 'pid', 'tid', 'level', 'tag', 'excerpt', 'outcome', 'context', 'cause'] as const;

/**
 * Events per multi-row INSERT. Per row, a one-row statement's execution (its cursors, the parent table's for
 * the foreign key, better-sqlite3's result object) cost about as much as the binding: with 32 rows a statement
 * and foreign keys off for the batch, better-sqlite3's calls ran 26% fewer instructions on 71,250 events
 * (callgrind; docs/performance.md, "Round six: the writes"); 16 and 128 rows were within the noise of 32.
 */
const EVENT_ROWS = 32;
/**
 * The secondary indexes of events (schema.sql's definitions), which a bulk run drops while it writes and
 * makes again after it: one sort of the table instead of an insert into the middle of two more B-trees
 * per event (docs/performance.md, "Round eight: the store's writes"). Nothing depends on them but the
 * speed of reports (`events_time`: time windows, prune; `events_code`: latest excerpts, explain's last-seen).
 */
const DEFERRED_INDEXES: readonly { name: string; sql: string }[] = [
  { name: 'events_time', sql: 'CREATE INDEX IF NOT EXISTS events_time ON events (time)' },
  { name: 'events_code', sql: 'CREATE INDEX IF NOT EXISTS events_code ON events (code)' },
];
/**
 * The page cache of a bulk run (KiB; SQLite's own default, where better-sqlite3 builds with 16 MB), from the batch
 * that drops the indexes until they are made again. The run appends: a page once written is not read again, so a
 * larger cache only adds memory to fault in, and the sort that makes the indexes again spills to a temporary file
 * past it instead of growing 16 MB in memory for each index. On the 30 MB every-line capture: the main thread
 * -0.1 s, peak RSS -20 MB, `CREATE INDEX` of both -60 to -80 ms of CPU (docs/performance.md, round twelve).
 */
const BULK_CACHE_KIB = 2000;
/** A batch of at least this many events may drop the indexes (bulkIndexes). */
const BULK_BATCH_EVENTS = 2048;
/**
 * This many smaller batches in a row, while the indexes are dropped, make them again: the input has slowed to
 * a trickle (a live stream caught up). One is not enough: a commit the once-a-second timer makes, or a file's
 * last, is small in the middle of a bulk run too.
 */
const TRICKLE_BATCHES = 3;
/** What takeBack returns when a batch takes nothing back. */
const NONE_TAKEN_BACK: ReadonlySet<string> = new Set();

/**
 * Text columns of a few values, each bound as its value's index in this list: a number binds as it is, where a
 * string is measured, copied out as UTF-8, and copied and freed again by SQLite (per event, ~9% of a dense run's
 * main thread was such binding: callgrind, docs/performance.md "Round nine"). The insert's CASE turns the index
 * back into the same text; a value not listed (or NULL) is bound as it is and stored as it is.
 */
const CODED_COLUMNS: { readonly [column in (typeof EVENT_COLUMNS)[number]]?: readonly string[] } = {
  method: ['signature', 'json', 'key-value'] satisfies Method[],
  level: ['V', 'D', 'I', 'W', 'E', 'F', 'S', '?'] satisfies Level[],
  outcome: ['failed', 'canceled', 'error', 'success'] satisfies Outcome[],
  // most events of a dense capture have no context lines
  context: ['[]'],
};
/** A coded column's value -> its index in CODED_COLUMNS, by column. */
const CODE_OF = {
  method: new Map(CODED_COLUMNS.method!.map((v, i) => [v, i])),
  level: new Map(CODED_COLUMNS.level!.map((v, i) => [v, i])),
  outcome: new Map(CODED_COLUMNS.outcome!.map((v, i) => [v, i])),
  context: new Map(CODED_COLUMNS.context!.map((v, i) => [v, i])),
};
/** No coded value is longer: a longer text (a context's JSON) is not hashed for a lookup that cannot match. */
const CODED_CHARS = Math.max(...Object.values(CODED_COLUMNS).flatMap((l) => l.map((v) => v.length)));
/** What binds for `v` in a coded column: its index, or itself. */
function coded(codes: ReadonlyMap<string, number>, v: string | null): string | number | null {
  return v === null || v.length > CODED_CHARS ? v : (codes.get(v) ?? v);
}
/** The bound values of an events row: every column but `hour`, which the insert cuts from `time` (as hourOf does). */
const BOUND_COLUMNS = EVENT_COLUMNS.filter((c) => c !== 'hour');

/**
 * `INSERT INTO events ... SELECT ... FROM (VALUES (...) x rows)`, positional parameters only: the SELECT makes
 * `hour` from `time` and the coded columns' text from their indexes, so neither is bound as a string.
 */
function insertEventsSql(rows: number): string {
  const row = `(${BOUND_COLUMNS.map(() => '?').join(', ')})`;
  const value = (c: (typeof EVENT_COLUMNS)[number]): string => {
    // VALUES names its columns column1, column2, ... in BOUND_COLUMNS order
    const v = `column${BOUND_COLUMNS.indexOf(c as (typeof BOUND_COLUMNS)[number]) + 1}`;
    if (c === 'hour') return `coalesce(substr(${value('time')}, 1, 13), '')`;
    const list = CODED_COLUMNS[c];
    // A bound parameter has no affinity: a text never equals a number here, so a value not listed stays itself.
    return list ? `CASE ${v} ${list.map((t, i) => `WHEN ${i} THEN '${t}'`).join(' ')} ELSE ${v} END` : v;
  };
  // OR IGNORE, not ON CONFLICT DO NOTHING: the same for the (source_id, line) key, and no other constraint can
  // abort the statement halfway (NOT NULL would be ignored too, and fail the batch: insertRows), so SQLite keeps
  // no statement journal for it (with foreign keys off, writeBatch). The rows go in in the VALUES' order.
  return `INSERT OR IGNORE INTO events (${EVENT_COLUMNS.join(', ')}) SELECT ${EVENT_COLUMNS.map(value).join(', ')} FROM (VALUES ${Array(rows).fill(row).join(', ')})`;
}

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A database path must be a regular file: a folder, a device or `/proc/self/mem` is refused in one line. */
function checkIsFile(path: string): void {
  const st = statSync(path);
  if (st.isDirectory()) throw new UserError('database', `${path}: is a folder; give --db a file path inside it, e.g. ${path.replace(/\/+$/, '')}/authing-triage.db`);
  if (!st.isFile()) throw new UserError('database', `${path}: not a regular file (a device, FIFO or socket); give --db a file path`);
}

function checkIsSqlite(path: string): void {
  checkIsFile(path);
  let fd: number;
  let n: number;
  const head = Buffer.alloc(16);
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UserError('database', `${path}: cannot open the database (${(e as NodeJS.ErrnoException).code}); check its permissions or give another --db`);
  }
  try {
    try {
      n = readSync(fd, head, 0, 16, 0);
    } catch (e) {
      throw new UserError('database', `${path}: cannot read the database (${(e as NodeJS.ErrnoException).code}); give --db an SQLite file`);
    }
    if (n === 0) return; // an empty file becomes a new database
    if (n < 16 || head.toString('latin1') !== SQLITE_MAGIC) {
      throw new UserError('database', `${path}: not an SQLite database; it was left untouched. Give another --db path`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens (creating with mode 600 when missing) and migrates the database at `path`. A missing database
 * starts as a copy of the store template (template.ts) unless `template` is null; the migrations then
 * find it at the current version.
 */
export function openSqlite(path: string, opts: OpenOptions & { template?: string | URL | null } = {}): SqliteStore {
  if (path === MEMORY_DB) return openMemory(opts);
  let made: ReturnType<typeof createFromTemplate> = false;
  if (opts.readonly) {
    if (!existsSync(path)) throw new UserError('database', `${path}: no such database; run an ingest first or give --db`);
    checkIsSqlite(path);
  } else if (existsSync(path)) {
    checkIsSqlite(path);
  } else if (opts.template === null || !(made = createFromTemplate(path, opts.template))) {
    try {
      closeSync(openSync(path, 'wx', 0o600));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UserError('database', `${path}: cannot create the database (${code}); check the folder exists and is writable`);
    }
  }
  let db: DB;
  try {
    db = new Database(path, { readonly: !!opts.readonly, fileMustExist: true, timeout: opts.busyTimeout ?? 10_000 });
  } catch (e) {
    throw new UserError('database', `${path}: cannot open the database (${(e as Error).message})`);
  }
  try {
    // Read before any write: a corrupt file fails here and is left as it was.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    // another program's database is refused before anything here writes to it (journal_mode = WAL would)
    notAnotherProgramsDb(db, path);
    if (!opts.readonly) {
      // A store this run has just copied from a template holds no one's data yet: checking its every page
      // cost ~2% of a small run's instructions, and most of the tests' runs make a store.
      if (made !== 'copied') quickCheck(db, path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db, path);
      // A run killed while its indexes were dropped (or while they were being made) left them missing.
      makeIndexesIfFree(db);
    } else {
      const v = db.pragma('user_version', { simple: true }) as number;
      if (v === 0) throw new UserError('database', `${path}: empty database; run an ingest first`);
      if (v > SCHEMA_VERSION) throw newerSchemaError(path, v);
    }
  } catch (e) {
    db.close();
    if (e instanceof UserError) throw e;
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_READONLY')) throw new UserError('database', readOnlyMessage(path));
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new UserError('database', `${path}: locked by another process past the ${opts.busyTimeout ?? 10_000} ms timeout; try again later or raise --busy-timeout`);
    throw new UserError('database', `${path}: ${(e as Error).message}; the file was left untouched: restore it or give another --db`);
  }
  const store = new SqliteStore(db, path);
  // The build's template holds the built-in registry (scripts/store-template.mjs); another template may not.
  store.holdsBundledRegistry = made === 'copied' && opts.template === undefined;
  return store;
}

/**
 * `--db :memory:`: a store in this process's memory, for an ingest that prints its summary and report and keeps
 * nothing (it was a file named ":memory:" in the current folder). It starts as the template's bytes (template.ts),
 * deserialized, or from the schema; no file, so no mode 600, no WAL, no quick_check, and no other run to share it
 * with (so no lock to wait for, and no resume points: each run reads its inputs whole). A command that reads a
 * store refuses it before it gets here (common.ts refuseMemoryDb).
 */
function openMemory(opts: OpenOptions & { template?: string | URL | null }): SqliteStore {
  if (opts.readonly) throw new UserError('usage', `--db ${MEMORY_DB}: an in-memory database starts empty; give --db the database file an ingest wrote`);
  let db: DB | undefined;
  if (opts.template !== null) {
    try {
      const bytes = readFileSync(opts.template ?? distFile(STORE_TEMPLATE));
      // a file in WAL mode (bytes 18 and 19 are 2) cannot be read from memory: the rollback journal's 1, as a copy
      if (bytes.length >= 100) bytes[18] = bytes[19] = 1;
      db = new Database(bytes);
    } catch {
      db = undefined; // no template (vitest runs src/): the schema and migrations below, as for a file
    }
  }
  const made = db !== undefined;
  db ??= new Database(MEMORY_DB);
  migrate(db, MEMORY_DB);
  makeIndexes(db);
  const store = new SqliteStore(db, MEMORY_DB);
  store.holdsBundledRegistry = made && opts.template === undefined;
  return store;
}

/** The registry's entries in code order: the order the `codes` table is written and compared in. */
function byCode(reg: Registry): CodeEntry[] {
  return [...reg.codes.values()].sort((a, b) => a.code - b.code);
}

/**
 * Writes the store template (template.ts) at `file`: a store made by the schema and every migration,
 * holding `registry`, compacted. The build runs it (scripts/store-template.mjs) with the built-in registry.
 */
export async function writeStoreTemplate(file: string, registry: Registry): Promise<void> {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const store = openSqlite(file, { template: null });
  try {
    await store.syncRegistry(registry);
    // What the migrations dropped and rebuilt leaves free pages: each new store would copy them.
    store.db.exec('VACUUM');
  } finally {
    await store.close();
  }
}

/**
 * `PRAGMA quick_check` before a run writes: adding counts to a damaged file makes it worse and hides
 * the damage. It reads every page (not the index cross-checks of integrity_check); measured in
 * SECURITY.md. Read-only runs (report, sql) skip it.
 */
function quickCheck(db: DB, path: string): void {
  // It costs seconds on a GB database: once per process and file (watch reopens; a run opens once).
  const key = resolve(path);
  if (checked.has(key)) return;
  const rows = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  if (problems.length) {
    const first = problems[0]!.replace(/\s+/g, ' ');
    throw new UserError('database', `${path}: the database is corrupt (quick_check: ${first}${problems.length > 1 ? ` and ${problems.length - 1} more` : ''}); nothing was written: restore it from a backup or give another --db`);
  }
  checked.add(key);
}

/** Databases this process has checked already. */
const checked = new Set<string>();

/** What a write to a database the user may not write says, at open or at the first write. */
function readOnlyMessage(path: string): string {
  return `${path}: the database is read-only (file mode or folder permissions); make it writable (chmod 600) or give another --db`;
}

/** SQLite's own failures as the store's errors (exit 4, one line); the pipeline never sees an SQLITE_ code. */
export function sqliteError(e: unknown, where: string): unknown {
  if (e instanceof UserError || e instanceof SourceTakenError) return e;
  const err = e as { code?: string; message?: string };
  const code = typeof err.code === 'string' ? err.code : '';
  if (!code.startsWith('SQLITE_')) return e;
  // The same words as for any other store failure (main.ts), one line each.
  const why =
    code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' ? 'the database is locked by another process past the timeout; what was committed stays, try again later or raise --busy-timeout'
    : code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' ? `the database is corrupt (${err.message}); restore it or use another --db`
    : code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') ? `the disk is full (${err.message}); what was committed stays: free space and re-run, nothing is counted twice`
    // a file mode 444 in a writable folder opens (its WAL can be made) and fails at the first write: the same words as at open
    : code.startsWith('SQLITE_READONLY') ? readOnlyMessage(where)
    : `${where}: ${err.message}`;
  return new StoreError(why, code);
}

function migrate(db: DB, path: string): void {
  const v = db.pragma('user_version', { simple: true }) as number;
  if (v > SCHEMA_VERSION) throw newerSchemaError(path, v);
  if (v === SCHEMA_VERSION) return;
  // IMMEDIATE: two runs starting together migrate once; the second waits, then sees the new version.
  db.transaction(() => {
    const now = db.pragma('user_version', { simple: true }) as number;
    for (let i = now; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]!());
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/**
 * Refuses an SQLite file of another program: a store of ours has a user_version from its first run on, so one at 0 that
 * holds tables is someone else's (an app's database given as --db by mistake). An ingest added our tables among its
 * own without a word, or failed on a table of the same name; a report called it empty (the user-mistakes hunt).
 */
function notAnotherProgramsDb(db: DB, path: string): void {
  // One statement, so one snapshot: read apart, a first run of ours that made its schema in between (two runs starting
  // on one empty file) showed version 0 and then its tables, and our own store was refused (a review's find).
  const row = db
    .prepare("SELECT (SELECT user_version FROM pragma_user_version) AS v, (SELECT json_group_array(name) FROM (SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name LIMIT 4)) AS names")
    .get() as { v: number; names: string };
  const names = JSON.parse(row.names) as string[];
  if (row.v !== 0 || !names.length) return;
  const shown = names.slice(0, 3).map((n) => terminalText(n)).join(', ') + (names.length > 3 ? ', …' : '');
  throw new UserError('database', `${path}: an SQLite database of another program (its tables: ${shown}); it was left untouched: give --db a file of its own, or a new path`);
}

/** True when every index of DEFERRED_INDEXES is in the schema. */
function indexesPresent(db: DB): boolean {
  const names = DEFERRED_INDEXES.map((ix) => ix.name);
  const n = db.prepare(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events' AND name IN (${names.map(() => '?').join(', ')})`).pluck().get(...names) as number;
  return n === DEFERRED_INDEXES.length;
}

/** Makes the indexes of DEFERRED_INDEXES that are missing (a sort of the events table each), in one transaction. */
function makeIndexes(db: DB): void {
  if (indexesPresent(db)) return;
  db.transaction(() => {
    for (const ix of DEFERRED_INDEXES) db.exec(ix.sql);
  }).immediate();
}

/**
 * makeIndexes at open, unless another connection holds the write lock: that may be a bulk run that dropped them
 * and makes them when it ends; waiting for it here would make this open fail past the busy timeout for nothing.
 */
function makeIndexesIfFree(db: DB): void {
  if (indexesPresent(db)) return;
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    makeIndexes(db);
  } catch (e) {
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/** One open SQLite database. All SQL is parameterized. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly insertEvent;
  private readonly insertEvents;
  private readonly storedLines;
  /** One multi-row insert's values, reused from batch to batch. */
  private readonly rowValues: unknown[] = Array.from({ length: EVENT_ROWS * BOUND_COLUMNS.length }, () => null);
  private readonly upsertCount;
  private readonly advanceSource;
  private readonly advanceReread;
  private readonly swapContract;
  private readonly dropTail;
  private readonly uncount;

  /** True when this run made the store as a copy of the build's template, which holds the built-in registry. */
  holdsBundledRegistry = false;
  /** True once this connection dropped the DEFERRED_INDEXES for a bulk run; close() (or a trickle of small batches) makes them again. */
  private indexesDropped = false;
  /** The events table's rows (its largest id) when this connection last had its indexes; -1 before it looked. */
  private indexedRows = -1;
  /** Events this connection wrote since then. */
  private writtenSinceIndexed = 0;
  /** Batches of fewer than BULK_BATCH_EVENTS events in a row. */
  private smallBatches = 0;
  /** The page cache's size before a bulk run made it BULK_CACHE_KIB, while it is so. */
  private cacheSize: number | null = null;

  constructor(
    readonly db: DB,
    readonly location: string,
  ) {
    const ro = db.readonly;
    this.insertEvent = ro ? null : db.prepare(insertEventsSql(1));
    this.insertEvents = ro ? null : db.prepare(insertEventsSql(EVENT_ROWS));
    // The batch's lines already stored, read by the (source_id, line) key: what ON CONFLICT would skip.
    this.storedLines = ro ? null : db.prepare('SELECT line FROM events WHERE source_id = ? AND line BETWEEN ? AND ?').pluck();
    this.upsertCount = ro
      ? null
      : db.prepare(
          `INSERT INTO counts_hourly (hour, code, tag, source_id, outcome, count) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (hour, code, tag, source_id, outcome) DO UPDATE SET count = count + excluded.count`,
        );
    this.advanceSource = ro
      ? null
      : db.prepare(
          `UPDATE sources SET bytes_done = ?, lines_done = ?, complete = ?, last_seen = ?, format = COALESCE(?, format), prefix_hash = ?
           WHERE id = ? AND bytes_done = ?`,
        );
    // A re-read moves the offset forward only, whoever else reads the source.
    this.advanceReread = ro
      ? null
      : db.prepare(
          `UPDATE sources SET bytes_done = ?, lines_done = ?, complete = ?, last_seen = ?, format = COALESCE(?, format), prefix_hash = COALESCE(?, prefix_hash)
           WHERE id = ? AND bytes_done <= ?`,
        );
    this.swapContract = ro ? null : db.prepare('UPDATE sources SET contract = ? WHERE id = ?');
    this.dropTail = ro ? null : db.prepare('DELETE FROM events WHERE source_id = ? AND line > ? RETURNING line, hour, code, tag, outcome');
    this.uncount = ro ? null : db.prepare('UPDATE counts_hourly SET count = count - 1 WHERE hour = ? AND code = ? AND tag = ? AND source_id = ? AND outcome = ?');
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      // The run's own outcome (and its error, if any) is what the user needs; the next writable open tries again.
      if (this.indexesDropped) this.restoreIndexesAfter();
    } finally {
      this.db.close();
    }
  }

  /**
   * Drops the DEFERRED_INDEXES, inside a batch's transaction (so a kill leaves the batch and the drop
   * both or neither), when this batch is a bulk one and this connection's writes since the indexes were
   * last there, this batch's included, reach the rows the table held then: the sort that makes them again
   * then costs at most about twice the rows this run wrote, whatever the store's size.
   */
  private bulkIndexes(batch: number): void {
    if (this.indexesDropped || batch < BULK_BATCH_EVENTS) return;
    if (this.indexedRows < 0) this.indexedRows = (this.db.prepare('SELECT max(id) FROM events').pluck().get() as number | null) ?? 0;
    if (this.writtenSinceIndexed + batch < this.indexedRows) return;
    for (const ix of DEFERRED_INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${ix.name}`);
    this.indexesDropped = true;
    this.cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
  }

  /**
   * restoreIndexes after a batch has committed: a failure (the lock held past the timeout, the disk full) must
   * not fail a batch that is in; the next small batch, close() or the next open tries again.
   */
  private restoreIndexesAfter(): void {
    try {
      this.restoreIndexes();
    } catch {
      // left dropped: the store is valid without them
    }
  }

  /** Makes the dropped indexes again (a sort each), in their own transaction. */
  private restoreIndexes(): void {
    makeIndexes(this.db);
    if (this.cacheSize !== null) this.db.pragma(`cache_size = ${this.cacheSize}`);
    this.cacheSize = null;
    this.indexesDropped = false;
    this.indexedRows = -1;
    this.writtenSinceIndexed = 0;
  }

  /** Runs a store operation with SQLite's errors mapped (sqliteError). */
  private guard<T>(op: () => T): T {
    try {
      return op();
    } catch (e) {
      throw sqliteError(e, this.location);
    }
  }

  async syncRegistry(reg: Registry): Promise<void> {
    return this.guard(() => this.syncRegistrySync(reg));
  }

  private syncRegistrySync(reg: Registry): void {
    // A store this run copied from the build's template holds the built-in registry: comparing its 185
    // entries (340 KB) again was ~3% of a small run's instructions, and most runs of the tests make a store.
    if (this.holdsBundledRegistry && isBundledRegistry(reg)) return;
    const codes = byCode(reg);
    const entries = codes.map(entryJson);
    // Unchanged (the usual case): no write at all, so a report needs no write lock.
    if (this.entriesMatch(codes, entries, reg)) return;
    const insCode = this.db.prepare(
      `INSERT INTO codes (code, kind, category, message, message_zh, description, suggestion, docs, entry)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insCat = this.db.prepare('INSERT INTO categories (name, description) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db.exec('DELETE FROM codes; DELETE FROM categories;');
      let i = 0;
      for (const c of codes) {
        insCode.run(c.code, c.kind, c.category, c.message, c.messageZh ?? null, c.description ?? null, c.suggestion ?? null, c.docs ?? null, entries[i++]);
      }
      for (const [name, desc] of Object.entries(reg.categories)) insCat.run(name, desc);
    })();
  }

  /** True when the codes and categories tables hold this registry already. */
  registryMatches(reg: Registry): boolean {
    const codes = byCode(reg);
    return this.entriesMatch(codes, codes.map(entryJson), reg);
  }

  /** registryMatches with the entries already written as JSON (`entries[i]` is `codes[i]`'s). */
  private entriesMatch(codes: readonly CodeEntry[], entries: readonly string[], reg: Registry): boolean {
    // the count first: a new database (every first run) holds none, and reading them costs
    const n = this.db.prepare('SELECT COUNT(*) FROM codes').pluck().get() as number;
    if (n !== entries.length) return false;
    // Compared inside SQLite, an entry at a time by its key (code is the table's primary key, so n
    // matches are every row): the stored entries (340 KB of text) are not decoded into JavaScript
    // strings, nor joined into one on either side. Joining them (a 340 KB parameter and group_concat's
    // result) touched ~800 pages of fresh memory, ~5 ms of every report, show and used store's ingest
    // (docs/performance.md, round seven).
    const same = this.db.prepare('SELECT entry = ? FROM codes WHERE code = ?').pluck();
    for (let i = 0; i < codes.length; i++) if (same.get(entries[i], codes[i]!.code) !== 1) return false;
    const cats = this.db.prepare('SELECT name, description FROM categories ORDER BY rowid').raw().all() as [string, string][];
    return JSON.stringify(cats) === JSON.stringify(Object.entries(reg.categories));
  }

  async headLengths(max: number): Promise<number[]> {
    return this.guard(() => (this.db.prepare('SELECT DISTINCT head_len FROM sources WHERE head_len <= ? ORDER BY head_len DESC').all(max) as { head_len: number }[]).map((r) => r.head_len));
  }

  async findSource(headLen: number, headHash: string): Promise<SourceRow | undefined> {
    return this.guard(() => this.findSourceSync(headLen, headHash));
  }

  private findSourceSync(headLen: number, headHash: string): SourceRow | undefined {
    return this.db.prepare('SELECT * FROM sources WHERE head_len = ? AND head_hash = ?').get(headLen, headHash) as SourceRow | undefined;
  }

  async sourcesWithLead(leadHash: string, longerThan: number): Promise<SourceRow[]> {
    return this.guard(() => this.db.prepare('SELECT * FROM sources WHERE lead_hash = ? AND bytes_done > ? ORDER BY id DESC LIMIT ?').all(leadHash, longerThan, LEAD_MATCHES) as SourceRow[]);
  }

  async claimSource(headLen: number, headHash: string, name: string, leadHash: string | null = null): Promise<SourceRow> {
    return this.guard(() => {
      const now = new Date().toISOString();
      this.db
        .prepare(`INSERT INTO sources (head_len, head_hash, name, first_seen, last_seen, lead_hash) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (head_len, head_hash) DO NOTHING`)
        .run(headLen, headHash, name, now, now, leadHash);
      return this.findSourceSync(headLen, headHash)!;
    });
  }

  async notePath(id: number, path: string): Promise<void> {
    this.guard(() => this.db.prepare('UPDATE sources SET path = ? WHERE id = ? AND path IS NOT ?').run(path, id, path));
  }

  async noteLead(id: number, leadHash: string): Promise<void> {
    this.guard(() => this.db.prepare('UPDATE sources SET lead_hash = ? WHERE id = ? AND lead_hash IS NULL').run(leadHash, id));
  }

  async noteShape(id: number, shape: string): Promise<void> {
    this.guard(() => this.db.prepare('UPDATE sources SET shape = ? WHERE id = ?').run(shape, id));
  }

  async notePruned(id: number, before: string): Promise<void> {
    this.guard(() => this.db.prepare('UPDATE sources SET pruned_before = ? WHERE id = ? AND (pruned_before IS NULL OR pruned_before < ?)').run(before, id, before));
  }

  async raiseCounts(sourceId: number, rows: readonly HourCount[]): Promise<void> {
    if (!rows.length) return;
    const raise = this.db.prepare(
      `INSERT INTO counts_hourly (hour, code, tag, source_id, outcome, count) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (hour, code, tag, source_id, outcome) DO UPDATE SET count = max(count, excluded.count)`,
    );
    this.guard(() => this.db.transaction(() => {
      for (const [hour, code, tag, outcome, n] of rows) raise.run(hour, code, tag, sourceId, outcome, n);
    }).immediate());
  }

  async extendHead(id: number, headLen: number, headHash: string, name: string, leadHash: string | null = null): Promise<void> {
    this.guard(() => this.db.prepare('UPDATE OR IGNORE sources SET head_len = ?, head_hash = ?, name = ?, lead_hash = coalesce(lead_hash, ?) WHERE id = ? AND head_len < ?').run(headLen, headHash, name, leadHash, id, headLen));
  }

  async writeBatch(sourceId: number, events: readonly AuthingEvent[], progress: BatchProgress): Promise<AuthingEvent[]> {
    return this.guard(() => {
      // The batch's source row is checked once, in the transaction: the events.source_id foreign key would
      // look it up again for every event, and makes SQLite keep a statement journal for each multi-row insert
      // (a write to a temporary file for every page an insert touches: measured, docs/performance.md).
      // The pragma is a no-op inside a transaction, so it is set around it; every other write keeps the check.
      this.db.pragma('foreign_keys = OFF');
      let added: AuthingEvent[];
      try {
        added = this.writeBatchTx(sourceId, events, progress);
      } finally {
        this.db.pragma('foreign_keys = ON');
      }
      this.writtenSinceIndexed += added.length;
      this.smallBatches = events.length < BULK_BATCH_EVENTS ? this.smallBatches + 1 : 0;
      // A trickle after a bulk run (a live stream caught up): the indexes come back now, not at close.
      if (this.indexesDropped && this.smallBatches >= TRICKLE_BATCHES) this.restoreIndexesAfter();
      return added;
    });
  }

  /** writeBatch's transaction (foreign keys off: the source row is checked here instead). */
  private writeBatchTx(sourceId: number, events: readonly AuthingEvent[], progress: BatchProgress): AuthingEvent[] {
    return this.db.transaction(() => {
      const now = new Date().toISOString();
      const c = progress.contract;
      const prefixHash = progress.prefixHash ?? null;
      if (progress.reread) {
        const row = this.db.prepare('SELECT bytes_done, contract FROM sources WHERE id = ?').get(sourceId) as Pick<SourceRow, 'bytes_done' | 'contract'> | undefined;
        if (!row) throw new Error(`source ${sourceId} is not in the store`);
        this.advanceReread!.run(progress.bytes, progress.lines, progress.complete ? 1 : 0, now, progress.format, prefixHash, sourceId, progress.bytes);
        const next = c && contractAfterReread(row, progress.bytes, c);
        if (next) this.swapContract!.run(next, sourceId);
      } else {
        const moved = this.advanceSource!.run(progress.bytes, progress.lines, progress.complete ? 1 : 0, now, progress.format, prefixHash, sourceId, progress.fromBytes);
        if (moved.changes !== 1) throw new SourceTakenError(sourceId);
        // Bytes read under this run's contract alone: it is what now holds for the whole source.
        if (c && progress.bytes > progress.fromBytes) this.swapContract!.run(c.run, sourceId);
      }
      const before = progress.dropAfterLine === undefined ? NONE_TAKEN_BACK : this.takeBack(sourceId, progress.dropAfterLine);
      this.bulkIndexes(events.length);
      const inserted = this.insertNew(sourceId, events);
      return before.size ? inserted.filter((e) => !before.has(`${e.line}:${e.code}`)) : inserted;
    }).immediate();
  }

  /**
   * Takes back the events written past the last checkpoint (their hourly counts too); returns their
   * "line:code" keys, so that the same ones read again are not reported as new.
   */
  private takeBack(sourceId: number, afterLine: number): Set<string> {
    const before = new Set<string>();
    for (const d of this.dropTail!.all(sourceId, afterLine) as { line: number; hour: string; code: number; tag: string; outcome: string }[]) {
      this.uncount!.run(d.hour, d.code, d.tag, sourceId, d.outcome);
      before.add(`${d.line}:${d.code}`);
    }
    if (before.size) this.db.prepare('DELETE FROM counts_hourly WHERE source_id = ? AND count <= 0').run(sourceId);
    return before;
  }

  /**
   * Inserts the events of a batch that the store does not hold yet and counts them by hour; returns them.
   * Apart from the transaction's rarer work, and its per-event loop apart again (bindNew): V8 compiled the
   * whole transaction body 8-12 times a run on the 1 GB capture (on-stack replacement in the loop, then
   * deoptimized at code the loop's first batch had not reached: ~150 ms of the compiler's CPU, measured
   * with --trace-opt); small functions are compiled once or twice, and cheaply.
   */
  private insertNew(sourceId: number, events: readonly AuthingEvent[]): AuthingEvent[] {
    const inserted: AuthingEvent[] = [];
    // Counted as they go in: each event's hour is cut from its time once, for the row and its count.
    const counts = new HourCounts();
    const values = this.rowValues;
    const n = this.bindNew(sourceId, events, values, inserted, counts);
    const width = BOUND_COLUMNS.length;
    for (let i = 0; i < n; i += width) this.insertRows(this.insertEvent!, values.slice(i, i + width), 1);
    for (const [hour, code, tag, outcome, count] of counts.rows) this.upsertCount!.run(hour, code, tag, sourceId, outcome, count);
    return inserted;
  }

  /**
   * Binds each new event's row into `values`, inserting EVENT_ROWS rows a statement as `values` fills;
   * returns how many values of a last, partial statement are left bound.
   */
  private bindNew(sourceId: number, events: readonly AuthingEvent[], values: unknown[], inserted: AuthingEvent[], counts: HourCounts): number {
    // A line stored already (by an earlier run, or earlier in this batch) is skipped, as the key's
    // ON CONFLICT DO NOTHING would: never counted twice. Known before the insert, so that EVENT_ROWS
    // rows go in one statement (its set-up, cursors and result object once, not per row: measured).
    const stored = this.linesStored(sourceId, events);
    // The lines taken so far need no Set while each comes after the last (a batch's usual order): a line above
    // every one taken cannot be one of them. A Set of ~9,000 lines grown one by one was 15% of the writes'
    // CPU, its tables made again in large-object space at each doubling (docs/performance.md, round eleven).
    let top = -Infinity;
    let taken: Set<number> | null = null;
    let n = 0;
    // Events come in time order: the hour of the event before is the same string object, whose hash the
    // counts' map has already (a new slice per event was hashed again each time).
    let hour = '';
    // Indexed, as in linesStored: a loop run once a batch starts unoptimised, where for-of made an iterator result per event.
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (stored.has(e.line)) continue;
      if (e.line > top) top = e.line;
      else {
        // at or below a line taken: the same line again, or out of order; the Set of the lines taken, from here on
        taken ??= new Set(inserted.map((x) => x.line));
        if (taken.has(e.line)) continue;
      }
      taken?.add(e.line);
      if (e.time === null || hour.length !== 13 || !e.time.startsWith(hour)) hour = hourOf(e.time);
      // Positional parameters, in BOUND_COLUMNS order: binding by name cost a third of the insert (profiled).
      values[n++] = sourceId;
      values[n++] = e.line;
      values[n++] = e.time;
      values[n++] = e.code;
      values[n++] = coded(CODE_OF.method, e.method);
      values[n++] = e.detail;
      values[n++] = e.pid;
      values[n++] = e.tid;
      values[n++] = coded(CODE_OF.level, e.level);
      values[n++] = e.tag;
      values[n++] = e.excerpt;
      values[n++] = coded(CODE_OF.outcome, e.outcome);
      values[n++] = coded(CODE_OF.context, contextJson(e));
      values[n++] = e.cause ?? null;
      if (n === values.length) {
        this.insertRows(this.insertEvents!, values, EVENT_ROWS);
        n = 0;
      }
      inserted.push(e);
      counts.add(hour, e.code, e.tag, e.outcome);
    }
    return n;
  }

  /** The lines of `events`' range that the store holds for this source already. */
  private linesStored(sourceId: number, events: readonly AuthingEvent[]): Set<number> {
    if (!events.length) return new Set();
    let lo = events[0]!.line;
    let hi = lo;
    for (let i = 1; i < events.length; i++) {
      const line = events[i]!.line;
      if (line < lo) lo = line;
      else if (line > hi) hi = line;
    }
    return new Set(this.storedLines!.all(sourceId, lo, hi) as number[]);
  }

  /** Runs an insert of `rows` events known to be new; anything else would be counted wrong, so it fails the batch. */
  private insertRows(stmt: Database.Statement, values: unknown[], rows: number): void {
    const r = stmt.run(...values);
    if (r.changes !== rows) throw new Error(`events: ${rows - r.changes} of ${rows} new rows were ignored; the batch was not written`);
  }

  async setLabels(sourceId: number, labels: Labels): Promise<void> {
    const entries = Object.entries(labels);
    if (!entries.length) return;
    const upsert = this.db.prepare('INSERT INTO source_labels (source_id, key, value) VALUES (?, ?, ?) ON CONFLICT (source_id, key) DO UPDATE SET value = excluded.value');
    this.guard(() => this.db.transaction(() => {
      for (const [k, v] of entries) upsert.run(sourceId, k, v);
    }).immediate());
  }

  async labelsOf(sourceId: number): Promise<Labels> {
    return this.guard(() => Object.fromEntries(this.db.prepare('SELECT key, value FROM source_labels WHERE source_id = ? ORDER BY key').raw().all(sourceId) as [string, string][]));
  }

  async saveContract(hash: string, elements: string): Promise<void> {
    this.guard(() => this.db.prepare('INSERT INTO contracts (hash, elements) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING').run(hash, elements));
  }

  async contractElements(hash: string): Promise<string | undefined> {
    return this.guard(() => this.db.prepare('SELECT elements FROM contracts WHERE hash = ?').pluck().get(hash) as string | undefined);
  }

  async resetSource(id: number): Promise<SourceRow> {
    return this.guard(() => this.db.transaction(() => {
      this.db.prepare('DELETE FROM counts_hourly WHERE source_id = ?').run(id);
      this.db.prepare('DELETE FROM events WHERE source_id = ?').run(id);
      this.db.prepare('UPDATE sources SET bytes_done = 0, lines_done = 0, complete = 0, contract = NULL, pruned_before = NULL, prefix_hash = NULL, shape = NULL WHERE id = ?').run(id);
      return this.db.prepare('SELECT * FROM sources WHERE id = ?').get(id) as SourceRow;
    }).immediate());
  }

  async prune(before: string, opts: { counts: boolean }): Promise<{ events: number; counts: number }> {
    // guarded: a read-only or locked file was a stack trace and exit 1 (user-mistakes.test.ts)
    return this.guard(() => this.db.transaction(() => {
      // An event past its source's checkpoint (a last line the run ended inside) is not counted for good: the next
      // run takes it back, by its row, and reads the line again. Pruned, its count stayed with no row to take back
      // it by (an unregistered code 20 for a cut "errCode = 2005"; an exactly-once review's find). It stays.
      const events = this.db.prepare('DELETE FROM events WHERE time < ? AND line <= (SELECT s.lines_done FROM sources s WHERE s.id = events.source_id)').run(before).changes;
      const counts = opts.counts ? this.db.prepare("DELETE FROM counts_hourly WHERE hour <> '' AND hour < ?").run(before.slice(0, 13)).changes : 0;
      this.db.prepare('UPDATE sources SET pruned_before = ? WHERE pruned_before IS NULL OR pruned_before < ?').run(before, before);
      return { events, counts };
    }).immediate());
  }

  async vacuum(): Promise<void> {
    this.guard(() => this.db.exec('VACUUM'));
  }

  async all<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.guard(() => this.db.prepare(sql).all(...params) as T[]);
  }

  async readOnlyQuery(sql: string): Promise<QueryResult> {
    const stmt = this.readOnlyStatement(sql);
    try {
      const rows = stmt.all() as Record<string, unknown>[];
      for (const r of rows) exactIntegers(r);
      return { rows, columns: stmt.columns().map((c) => c.name) };
    } catch (e) {
      throw new UserError('usage', `SQL error: ${(e as Error).message}`);
    }
  }

  async readOnlyRows(sql: string): Promise<QueryRows> {
    const stmt = this.readOnlyStatement(sql);
    const it = stmt.iterate() as IterableIterator<Record<string, unknown>>;
    // An error met while stepping (a function's, a value out of range) is the query's, as from all()
    const rows: Iterator<Record<string, unknown>> = {
      next: () => {
        try {
          const r = it.next();
          if (!r.done) exactIntegers(r.value);
          return r;
        } catch (e) {
          throw new UserError('usage', `SQL error: ${(e as Error).message}`);
        }
      },
      return: (v?: unknown) => it.return?.(v) ?? { done: true, value: undefined },
    };
    return { rows, columns: stmt.columns().map((c) => c.name) };
  }

  /**
   * A user's statement, prepared on the read-only connection; refused unless it reads. Its integers are read as
   * bigints (exactIntegers): as numbers, those beyond 2^53 were printed rounded (9007199254740993 as ...992).
   */
  private readOnlyStatement(sql: string): Database.Statement {
    let stmt;
    try {
      stmt = this.db.prepare(sql);
    } catch (e) {
      throw new UserError('usage', `SQL error: ${(e as Error).message}`);
    }
    if (!stmt.reader || !this.db.readonly) throw new UserError('usage', 'sql runs read-only queries only (SELECT, WITH, PRAGMA reads); the database was not changed');
    return stmt.safeIntegers(true);
  }
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A row read with safe integers, made as it would be read without them, but exact: an integer within 2^53 a number
 * again, one beyond it kept a bigint, which render.ts writes out digit for digit in every format.
 */
function exactIntegers(row: Record<string, unknown>): void {
  for (const k in row) {
    const v = row[k];
    if (typeof v === 'bigint' && v >= MIN_SAFE && v <= MAX_SAFE) row[k] = Number(v);
  }
}
