/** The SQLite store: sources, events, hourly counts and the registry, via better-sqlite3. */
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { Registry } from '../registry/index.js';
import type { AuthingEvent } from '../types.js';

type DB = Database.Database;

/** Schema migrations: entry i takes user_version i to i + 1. */
const MIGRATIONS: readonly (() => string)[] = [() => readFileSync(new URL('./schema.sql', import.meta.url), 'utf8')];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A stored source row. */
export interface SourceRow {
  id: number;
  head_len: number;
  head_hash: string;
  name: string;
  bytes_done: number;
  lines_done: number;
  complete: number;
}

/** Thrown when another run advanced a source first; this run leaves that source to it. */
export class SourceTakenError extends Error {
  constructor(readonly sourceId: number) {
    super(`source ${sourceId} is being read by another run`);
  }
}

/** The first 16 bytes of every SQLite database file. */
export const SQLITE_MAGIC = 'SQLite format 3\0';

function checkIsSqlite(path: string): void {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n === 0) return; // an empty file becomes a new database
    if (n < 16 || head.toString('latin1') !== SQLITE_MAGIC) {
      throw new UserError('database', `${path}: not an SQLite database; it was left untouched. Give another --db path`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Options for opening a store. */
export interface OpenOptions {
  readonly?: boolean;
  /** Milliseconds to wait for another writer (default 10 s). */
  busyTimeout?: number;
}

/** Opens (creating with mode 600 when missing) and migrates the database at `path`. */
export function openStore(path: string, opts: OpenOptions = {}): Store {
  if (opts.readonly) {
    if (!existsSync(path)) throw new UserError('database', `${path}: no such database; run an ingest first or give --db`);
    checkIsSqlite(path);
  } else if (existsSync(path)) {
    checkIsSqlite(path);
  } else {
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
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db, path);
    } else {
      const v = db.pragma('user_version', { simple: true }) as number;
      if (v === 0) throw new UserError('database', `${path}: empty database; run an ingest first`);
      if (v > SCHEMA_VERSION) throw new UserError('database', `${path}: written by a newer authing-triage (schema ${v}); upgrade authing-triage`);
    }
  } catch (e) {
    db.close();
    if (e instanceof UserError) throw e;
    const code = (e as { code?: string }).code ?? '';
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new UserError('database', `${path}: locked by another process past the ${opts.busyTimeout ?? 10_000} ms timeout; try again later or raise --busy-timeout`);
    throw new UserError('database', `${path}: ${(e as Error).message}; the file was left untouched: restore it or give another --db`);
  }
  return new Store(db, path);
}

function migrate(db: DB, path: string): void {
  const v = db.pragma('user_version', { simple: true }) as number;
  if (v > SCHEMA_VERSION) throw new UserError('database', `${path}: written by a newer authing-triage (schema ${v}); upgrade authing-triage`);
  if (v === SCHEMA_VERSION) return;
  // IMMEDIATE: two runs starting together migrate once; the second waits, then sees the new version.
  db.transaction(() => {
    const now = db.pragma('user_version', { simple: true }) as number;
    for (let i = now; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]!());
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/** Hour bucket of an ISO time: 'YYYY-MM-DDTHH', or '' without a time. */
export function hourOf(time: string | null): string {
  return time ? time.slice(0, 13) : '';
}

/** One open database. All SQL is parameterized. */
export class Store {
  private readonly insertEvent;
  private readonly upsertCount;
  private readonly advanceSource;

  constructor(
    readonly db: DB,
    readonly path: string,
  ) {
    const ro = db.readonly;
    this.insertEvent = ro
      ? null
      : db.prepare(
          `INSERT INTO events (source_id, line, time, hour, code, method, detail, pid, tid, level, tag, excerpt)
           VALUES (@source_id, @line, @time, @hour, @code, @method, @detail, @pid, @tid, @level, @tag, @excerpt)
           ON CONFLICT (source_id, line) DO NOTHING`,
        );
    this.upsertCount = ro
      ? null
      : db.prepare(
          `INSERT INTO counts_hourly (hour, code, tag, source_id, count) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (hour, code, tag, source_id) DO UPDATE SET count = count + excluded.count`,
        );
    this.advanceSource = ro
      ? null
      : db.prepare(
          `UPDATE sources SET bytes_done = ?, lines_done = ?, complete = ?, last_seen = ?, format = COALESCE(?, format)
           WHERE id = ? AND bytes_done = ?`,
        );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Rewrites the codes and categories tables from the registry in one transaction. */
  syncRegistry(reg: Registry): void {
    const insCode = this.db.prepare(
      `INSERT INTO codes (code, kind, category, message, message_zh, description, suggestion, docs, entry)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insCat = this.db.prepare('INSERT INTO categories (name, description) VALUES (?, ?)');
    this.db.transaction(() => {
      this.db.exec('DELETE FROM codes; DELETE FROM categories;');
      for (const c of reg.codes.values()) {
        insCode.run(c.code, c.kind, c.category, c.message, c.messageZh ?? null, c.description ?? null, c.suggestion ?? null, c.docs ?? null, JSON.stringify(c));
      }
      for (const [name, desc] of Object.entries(reg.categories)) insCat.run(name, desc);
    })();
  }

  /** Head lengths stored, so a new input can hash its first bytes at each of them. */
  headLengths(max: number): number[] {
    return (this.db.prepare('SELECT DISTINCT head_len FROM sources WHERE head_len <= ? ORDER BY head_len DESC').all(max) as { head_len: number }[]).map((r) => r.head_len);
  }

  findSource(headLen: number, headHash: string): SourceRow | undefined {
    return this.db.prepare('SELECT * FROM sources WHERE head_len = ? AND head_hash = ?').get(headLen, headHash) as SourceRow | undefined;
  }

  /** Finds or creates the source row for this content. */
  claimSource(headLen: number, headHash: string, name: string): SourceRow {
    const now = new Date().toISOString();
    this.db
      .prepare(`INSERT INTO sources (head_len, head_hash, name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT (head_len, head_hash) DO NOTHING`)
      .run(headLen, headHash, name, now, now);
    return this.findSource(headLen, headHash)!;
  }

  /** Records a longer head for a source that grew, so later runs find it by the longer head. */
  extendHead(id: number, headLen: number, headHash: string, name: string): void {
    this.db.prepare('UPDATE OR IGNORE sources SET head_len = ?, head_hash = ?, name = ? WHERE id = ? AND head_len < ?').run(headLen, headHash, name, id, headLen);
  }

  /**
   * Writes a batch: the events, their counts, and the source's new offset, in one transaction.
   * Fails with SourceTakenError when the source's offset is not `fromBytes` any more.
   */
  writeBatch(
    sourceId: number,
    events: readonly AuthingEvent[],
    progress: { fromBytes: number; bytes: number; lines: number; complete: boolean; format: string | null },
  ): AuthingEvent[] {
    return this.db.transaction(() => {
      const moved = this.advanceSource!.run(progress.bytes, progress.lines, progress.complete ? 1 : 0, new Date().toISOString(), progress.format, sourceId, progress.fromBytes);
      if (moved.changes !== 1) throw new SourceTakenError(sourceId);
      const counts = new Map<string, [string, number, string, number]>();
      const added: AuthingEvent[] = [];
      for (const e of events) {
        const hour = hourOf(e.time);
        const r = this.insertEvent!.run({
          source_id: sourceId, line: e.line, time: e.time, hour, code: e.code, method: e.method,
          detail: e.detail, pid: e.pid, tid: e.tid, level: e.level, tag: e.tag, excerpt: e.excerpt,
        });
        if (r.changes === 0) continue; // already stored: never count twice
        added.push(e);
        const key = `${hour}\u0000${e.code}\u0000${e.tag}`;
        const c = counts.get(key);
        if (c) c[3]++;
        else counts.set(key, [hour, e.code, e.tag, 1]);
      }
      for (const [hour, code, tag, n] of counts.values()) this.upsertCount!.run(hour, code, tag, sourceId, n);
      return added;
    }).immediate();
  }
}
