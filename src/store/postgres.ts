/**
 * The PostgreSQL store, for many hosts counting into one database (`--db postgres://...`).
 * Same tables and views as SQLite (schema.pg.sql). Exactly-once across processes and hosts:
 * a source is claimed by its content fingerprint under a unique constraint, and each batch
 * moves the source's offset only from the value this run read (`WHERE bytes_done = $from`) in
 * the same transaction as its events and its upserted counts. Migrations run under an advisory
 * lock, so processes that start together migrate once.
 */
import { readFileSync } from 'node:fs';
import { distFile } from '../assets.js';
import pg from 'pg';
import { UserError } from '../errors.js';
import { entryJson, type Registry } from '../registry/index.js';
import type { AuthingEvent } from '../types.js';
import { CONTRACT_MIGRATION_PG } from './contract-migration.js';
import { outcomeMigrationPg } from './outcome-migration.js';
import { LABEL_MIGRATION_PG } from './label-migration.js';
import type { Labels } from '../labels/labels.js';
import { CONTEXT_MIGRATION_PG, contextJson } from './context-migration.js';
import {
  contractAfterReread, countByHour, hourOf, LEAD_MATCHES, newerSchemaError, redactUrl, SourceTakenError, StoreError,
  type BatchProgress, type HourCount, type OpenOptions, type QueryResult, type SourceRow, type Store,
} from './store.js';

/** Migration i takes schema_version i to i + 1. */
const MIGRATIONS: readonly (() => string)[] = [
  () => readFileSync(distFile('store/schema.pg.sql'), 'utf8'),
  () => CONTRACT_MIGRATION_PG,
  outcomeMigrationPg,
  // 4: the hash of each source's counted prefix (as SQLite's migration 4)
  () => 'ALTER TABLE sources ADD COLUMN prefix_hash TEXT COLLATE "C";',
  // 5: labels on sources (as SQLite's migration 5, label-migration.ts)
  () => LABEL_MIGRATION_PG,
  // 6 (issue 26): as SQLite's
  () => CONTEXT_MIGRATION_PG,
  // 7: as SQLite's migration 8 (SQLite's 7 remade a view PostgreSQL never had in that form)
  () => 'ALTER TABLE sources ADD COLUMN path TEXT COLLATE "C"; ALTER TABLE sources ADD COLUMN shape TEXT COLLATE "C";',
  // 8: as SQLite's migration 9 (sources.lead_hash)
  () => 'ALTER TABLE sources ADD COLUMN lead_hash TEXT COLLATE "C"; CREATE INDEX sources_lead ON sources (lead_hash);',
];
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** pg_advisory_xact_lock key of schema changes and registry rewrites ('authtria' as 8 bytes). */
const LOCK_KEY = '7022344802838798689';

/** Counts and ids come back as numbers (they are far below 2^53), not strings. */
export const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * An int8 or an integral numeric (`sum` of a bigint is one) as `sql` prints it: a number within 2^53, a bigint beyond,
 * which render.ts writes out digit for digit in every format, as SQLite's safe integers (sqlite.ts exactIntegers). A
 * numeric with a fraction stays a number, as SQLite's REAL is.
 */
function exactNumber(v: string): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(v) ? n : BigInt(v);
}

/** `sql`'s parsers: `types`' (9007199254740993::bigint was printed 9007199254740992), but exactNumber for int8 and numeric. */
const exactTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return exactNumber;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** `?` placeholders (outside quotes) to PostgreSQL's `$1, $2, ...`. */
export function toDollarParams(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '?') {
      out += `$${++n}`;
      continue;
    }
    out += ch;
  }
  return out;
}

/** PostgreSQL text holds no NUL: logs are hostile input, so a NUL becomes U+FFFD. */
const text = (s: string | null): string | null => (s === null || !s.includes('\0') ? s : s.replaceAll('\0', '\uFFFD'));

/** A driver error as the one-line reason the CLI prints. */
function storeError(e: unknown, where: string): Error {
  if (e instanceof UserError || e instanceof SourceTakenError) return e;
  const err = e as { code?: string; message?: string };
  const code = err.code ?? '';
  const why =
    code === '53100' ? 'the database server is out of disk space; what was committed stays: free space and re-run'
    : code === '55P03' ? 'locked by another process past the --busy-timeout; what was committed stays, try again later or raise --busy-timeout'
    : code === '57P01' || code === 'ECONNRESET' || code === 'EPIPE' || /terminat|Connection/i.test(err.message ?? '') ? `the connection to the server was lost (${err.message}); what was committed stays: re-run to go on`
    : `${err.message ?? String(e)}`;
  return new StoreError(`${where}: ${why}`, code);
}

/** Connects, and migrates unless read-only. */
export async function openPostgres(url: string, opts: OpenOptions = {}): Promise<PgStore> {
  const where = redactUrl(url);
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, types, application_name: 'authing-triage', connectionTimeoutMillis: opts.busyTimeout ?? 10_000 });
  } catch {
    // the driver's URL parser (a raw ? or # in a password ends the authority: `port "s3cr" is invalid`); the
    // message is not the driver's, which may quote the URL
    throw new UserError('usage', `${where}: not a URL the PostgreSQL driver can read; percent-encode the password's @ / ? # : as %40 %2F %3F %23 %3A`);
  }
  // A connection that dies between queries is reported by the next query; do not crash on it.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    await client.end().catch(() => {});
    throw new UserError('database', `${where}: cannot connect (${err.code ?? err.message}); check that the server runs, and the host, port, user, password and database in the URL`);
  }
  const store = new PgStore(client, where);
  try {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(opts.busyTimeout ?? 10_000))}`);
    if (opts.readonly) await store.checkSchema();
    else await store.migrate();
  } catch (e) {
    await store.close();
    throw storeError(e, where);
  }
  return store;
}

/** One connection to a PostgreSQL database. All SQL is parameterized. */
export class PgStore implements Store {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly client: pg.Client,
    readonly location: string,
  ) {}

  private async q<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
    try {
      return await this.client.query<T & pg.QueryResultRow>(sql, params as unknown[]);
    } catch (e) {
      throw storeError(e, this.location);
    }
  }

  /** Runs `fn` in one transaction; rolls back on any failure. */
  private async tx<T>(fn: () => Promise<T>): Promise<T> {
    await this.q('BEGIN');
    try {
      const r = await fn();
      await this.q('COMMIT');
      return r;
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }

  private async version(): Promise<number> {
    const t = await this.q<{ t: string | null }>("SELECT to_regclass('triage_meta')::text AS t");
    if (!t.rows[0]?.t) return 0;
    const v = await this.q<{ value: string }>("SELECT value FROM triage_meta WHERE key = 'schema_version'");
    return Number(v.rows[0]?.value ?? 0);
  }

  /** For read-only use: the schema must be there and not newer than this build. */
  async checkSchema(): Promise<void> {
    const v = await this.version();
    if (v === 0) throw new UserError('database', `${this.location}: no authing-triage tables here; run an ingest first`);
    if (v > PG_SCHEMA_VERSION) throw newerSchemaError(this.location, v);
  }

  /** Applies missing migrations once, whoever else starts at the same moment (advisory lock). */
  async migrate(): Promise<void> {
    if ((await this.version()) === PG_SCHEMA_VERSION) return;
    await this.tx(async () => {
      await this.q('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await this.q('CREATE TABLE IF NOT EXISTS triage_meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL)');
      const v = await this.version();
      if (v > PG_SCHEMA_VERSION) throw newerSchemaError(this.location, v);
      for (let i = v; i < MIGRATIONS.length; i++) await this.q(MIGRATIONS[i]!());
      await this.q(
        "INSERT INTO triage_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [String(PG_SCHEMA_VERSION)],
      );
    });
  }

  async syncRegistry(reg: Registry): Promise<void> {
    const codes = [...reg.codes.values()];
    const json = codes.map(entryJson);
    const fingerprint = JSON.stringify([json, reg.categories]);
    await this.tx(async () => {
      // Many hosts start together: one rewrites, the others find it done.
      await this.q('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      const had = await this.q<{ value: string }>("SELECT value FROM triage_meta WHERE key = 'registry'");
      if (had.rows[0]?.value === fingerprint) return;
      await this.q('DELETE FROM codes');
      await this.q('DELETE FROM categories');
      await this.q(
        `INSERT INTO codes (code, kind, category, message, message_zh, description, suggestion, docs, entry)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
        [
          codes.map((c) => c.code), codes.map((c) => c.kind), codes.map((c) => c.category), codes.map((c) => text(c.message)),
          codes.map((c) => text(c.messageZh ?? null)), codes.map((c) => text(c.description ?? null)), codes.map((c) => text(c.suggestion ?? null)),
          codes.map((c) => c.docs ?? null), json.map(text),
        ],
      );
      const cats = Object.entries(reg.categories);
      await this.q('INSERT INTO categories (name, description) SELECT * FROM unnest($1::text[], $2::text[])', [cats.map((c) => c[0]), cats.map((c) => c[1])]);
      await this.q("INSERT INTO triage_meta (key, value) VALUES ('registry', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [fingerprint]);
    });
  }

  async headLengths(max: number): Promise<number[]> {
    return (await this.q<{ head_len: number }>('SELECT DISTINCT head_len FROM sources WHERE head_len <= $1 ORDER BY head_len DESC', [max])).rows.map((r) => r.head_len);
  }

  async findSource(headLen: number, headHash: string): Promise<SourceRow | undefined> {
    return (await this.q<SourceRow>('SELECT * FROM sources WHERE head_len = $1 AND head_hash = $2', [headLen, headHash])).rows[0];
  }

  async sourcesWithLead(leadHash: string, longerThan: number): Promise<SourceRow[]> {
    return (await this.q<SourceRow>('SELECT * FROM sources WHERE lead_hash = $1 AND bytes_done > $2 ORDER BY id DESC LIMIT $3', [leadHash, longerThan, LEAD_MATCHES])).rows;
  }

  async claimSource(headLen: number, headHash: string, name: string, leadHash: string | null = null): Promise<SourceRow> {
    const now = new Date().toISOString();
    await this.q(
      'INSERT INTO sources (head_len, head_hash, name, first_seen, last_seen, lead_hash) VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (head_len, head_hash) DO NOTHING',
      [headLen, headHash, text(name), now, leadHash],
    );
    return (await this.findSource(headLen, headHash))!;
  }

  async notePath(id: number, path: string): Promise<void> {
    await this.q('UPDATE sources SET path = $1 WHERE id = $2 AND path IS DISTINCT FROM $1', [text(path), id]);
  }

  async noteLead(id: number, leadHash: string): Promise<void> {
    await this.q('UPDATE sources SET lead_hash = $1 WHERE id = $2 AND lead_hash IS NULL', [leadHash, id]);
  }

  async noteShape(id: number, shape: string): Promise<void> {
    await this.q('UPDATE sources SET shape = $1 WHERE id = $2', [shape, id]);
  }

  async notePruned(id: number, before: string): Promise<void> {
    await this.q('UPDATE sources SET pruned_before = $1 WHERE id = $2 AND (pruned_before IS NULL OR pruned_before < $1)', [before, id]);
  }

  async raiseCounts(sourceId: number, rows: readonly HourCount[]): Promise<void> {
    if (!rows.length) return;
    await this.q(
      `INSERT INTO counts_hourly (hour, code, tag, source_id, outcome, count)
       SELECT h, c, t, $4, o, n FROM unnest($1::text[], $2::bigint[], $3::text[], $5::text[], $6::bigint[]) AS u(h, c, t, o, n)
       ON CONFLICT (hour, code, tag, source_id, outcome) DO UPDATE SET count = GREATEST(counts_hourly.count, excluded.count)`,
      [rows.map((c) => c[0]), rows.map((c) => c[1]), rows.map((c) => text(c[2])), sourceId, rows.map((c) => c[3]), rows.map((c) => c[4])],
    );
  }

  async extendHead(id: number, headLen: number, headHash: string, name: string, leadHash: string | null = null): Promise<void> {
    try {
      await this.client.query(
        `UPDATE sources SET head_len = $1, head_hash = $2, name = $3, lead_hash = COALESCE(lead_hash, $5) WHERE id = $4 AND head_len < $1
           AND NOT EXISTS (SELECT 1 FROM sources WHERE head_len = $1 AND head_hash = $2)`,
        [headLen, headHash, text(name), id, leadHash],
      );
    } catch (e) {
      // Another host recorded the same longer head first: nothing to do (SQLite's UPDATE OR IGNORE).
      if ((e as { code?: string }).code !== '23505') throw storeError(e, this.location);
    }
  }

  async writeBatch(sourceId: number, events: readonly AuthingEvent[], progress: BatchProgress): Promise<AuthingEvent[]> {
    return this.tx(async () => {
      // The row lock taken here orders concurrent writers of one source; the loser sees 0 rows.
      const c = progress.contract;
      // A re-read moves the offset forward only (bytes_done <= bytes), whoever else reads the source.
      const row = progress.reread ? (await this.q<SourceRow>('SELECT bytes_done, contract FROM sources WHERE id = $1 FOR UPDATE', [sourceId])).rows[0] : undefined;
      const moved = await this.q(
        `UPDATE sources SET bytes_done = $1, lines_done = $2, complete = $3, last_seen = $4, format = COALESCE($5, format), prefix_hash = ${progress.reread ? 'COALESCE($7, prefix_hash)' : '$7'}
         WHERE id = $6 AND ${progress.reread ? 'bytes_done <= $1' : 'bytes_done = $8'}`,
        [progress.bytes, progress.lines, progress.complete ? 1 : 0, new Date().toISOString(), progress.format, sourceId, progress.prefixHash ?? null, ...(progress.reread ? [] : [progress.fromBytes])],
      );
      if (moved.rowCount !== 1 && !progress.reread) throw new SourceTakenError(sourceId);
      // Bytes read under this run's contract alone: it is what now holds for the whole source.
      const next = !c ? undefined : row ? contractAfterReread(row, progress.bytes, c) : progress.bytes > progress.fromBytes ? c.run : undefined;
      if (next) await this.q('UPDATE sources SET contract = $1 WHERE id = $2', [next, sourceId]);
      // Taken back: events written past the last checkpoint; the same ones read again are not new.
      const before = new Set<string>();
      if (progress.dropAfterLine !== undefined) {
        const dropped = await this.q<{ line: number; hour: string; code: number; tag: string; outcome: AuthingEvent['outcome'] }>(
          'DELETE FROM events WHERE source_id = $1 AND line > $2 RETURNING line, hour, code, tag, outcome',
          [sourceId, progress.dropAfterLine],
        );
        for (const [hour, code, tag, outcome, n] of countByHour(dropped.rows.map((d) => ({ time: d.hour ? `${d.hour}:00:00Z` : null, code: d.code, tag: d.tag, outcome: d.outcome }) as AuthingEvent))) {
          await this.q('UPDATE counts_hourly SET count = count - $6 WHERE hour = $1 AND code = $2 AND tag = $3 AND source_id = $4 AND outcome = $5', [hour, code, text(tag), sourceId, outcome, n]);
        }
        if (dropped.rows.length) await this.q('DELETE FROM counts_hourly WHERE source_id = $1 AND count <= 0', [sourceId]);
        for (const d of dropped.rows) before.add(`${d.line}:${d.code}`);
      }
      if (!events.length) return [];
      const rows = await this.q<{ line: number }>(
        `INSERT INTO events (source_id, line, time, hour, code, method, detail, pid, tid, level, tag, excerpt, outcome, context, cause)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
         ON CONFLICT (source_id, line) DO NOTHING RETURNING line`,
        [
          sourceId, events.map((e) => e.line), events.map((e) => e.time), events.map((e) => hourOf(e.time)), events.map((e) => e.code),
          events.map((e) => e.method), events.map((e) => text(e.detail)), events.map((e) => e.pid), events.map((e) => e.tid),
          events.map((e) => e.level), events.map((e) => text(e.tag)), events.map((e) => text(e.excerpt)), events.map((e) => e.outcome),
          events.map((e) => text(contextJson(e))), events.map((e) => e.cause ?? null),
        ],
      );
      // Only the events that were new are counted: a line stored before is never counted twice.
      const fresh = new Set(rows.rows.map((r) => r.line));
      const inserted = events.filter((e) => fresh.delete(e.line));
      const counts = countByHour(inserted);
      if (counts.length) {
        await this.q(
          `INSERT INTO counts_hourly (hour, code, tag, source_id, outcome, count)
           SELECT h, c, t, $4, o, n FROM unnest($1::text[], $2::bigint[], $3::text[], $5::text[], $6::bigint[]) AS u(h, c, t, o, n)
           ON CONFLICT (hour, code, tag, source_id, outcome) DO UPDATE SET count = counts_hourly.count + excluded.count`,
          [counts.map((c) => c[0]), counts.map((c) => c[1]), counts.map((c) => text(c[2])), sourceId, counts.map((c) => c[3]), counts.map((c) => c[4])],
        );
      }
      return before.size ? inserted.filter((e) => !before.has(`${e.line}:${e.code}`)) : inserted;
    });
  }

  async setLabels(sourceId: number, labels: Labels): Promise<void> {
    const entries = Object.entries(labels);
    if (!entries.length) return;
    await this.q(
      `INSERT INTO source_labels (source_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS u(k, v)
       ON CONFLICT (source_id, key) DO UPDATE SET value = excluded.value`,
      [sourceId, entries.map((e) => e[0]), entries.map((e) => text(e[1]))],
    );
  }

  async labelsOf(sourceId: number): Promise<Labels> {
    const rows = await this.q<{ key: string; value: string }>('SELECT key, value FROM source_labels WHERE source_id = $1 ORDER BY key', [sourceId]);
    return Object.fromEntries(rows.rows.map((r) => [r.key, r.value]));
  }

  async saveContract(hash: string, elements: string): Promise<void> {
    await this.q('INSERT INTO contracts (hash, elements) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING', [hash, text(elements)]);
  }

  async contractElements(hash: string): Promise<string | undefined> {
    return (await this.q<{ elements: string }>('SELECT elements FROM contracts WHERE hash = $1', [hash])).rows[0]?.elements;
  }

  async resetSource(id: number): Promise<SourceRow> {
    return this.tx(async () => {
      // The row lock first: a run writing this source waits, then finds its offset moved.
      await this.q('SELECT id FROM sources WHERE id = $1 FOR UPDATE', [id]);
      await this.q('DELETE FROM counts_hourly WHERE source_id = $1', [id]);
      await this.q('DELETE FROM events WHERE source_id = $1', [id]);
      return (await this.q<SourceRow>(
        'UPDATE sources SET bytes_done = 0, lines_done = 0, complete = 0, contract = NULL, pruned_before = NULL, prefix_hash = NULL, shape = NULL WHERE id = $1 RETURNING *',
        [id],
      )).rows[0]!;
    });
  }

  async prune(before: string, opts: { counts: boolean }): Promise<{ events: number; counts: number }> {
    return this.tx(async () => {
      // past its source's checkpoint an event is not counted for good (sqlite.ts prune)
      const events = (await this.q('DELETE FROM events e USING sources s WHERE e.time < $1 AND s.id = e.source_id AND e.line <= s.lines_done', [before])).rowCount ?? 0;
      const counts = opts.counts ? ((await this.q("DELETE FROM counts_hourly WHERE hour <> '' AND hour < $1", [before.slice(0, 13)])).rowCount ?? 0) : 0;
      await this.q('UPDATE sources SET pruned_before = $1 WHERE pruned_before IS NULL OR pruned_before < $1', [before]);
      return { events, counts };
    });
  }

  /** Nothing: autovacuum gives the space of deleted rows back to the table. */
  async vacuum(): Promise<void> {}

  async all<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.q<T>(toDollarParams(sql), params)).rows;
  }

  async readOnlyQuery(sql: string): Promise<QueryResult> {
    await this.q('BEGIN TRANSACTION READ ONLY');
    try {
      // The extended protocol runs exactly one statement: no "COMMIT; DROP ..." after it.
      const r = await this.client.query({ text: sql, queryMode: 'extended', types: exactTypes } as pg.QueryConfig);
      return { rows: r.rows, columns: r.fields.map((f) => f.name) };
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (code === '25006') throw new UserError('usage', 'sql runs read-only queries only (SELECT, WITH); the database was not changed');
      if (/^(42|22|0A|21)/.test(code) || /cannot insert multiple commands/.test((e as Error).message)) throw new UserError('usage', `SQL error: ${(e as Error).message}`);
      throw storeError(e, this.location);
    } finally {
      await this.client.query('ROLLBACK').catch(() => {});
    }
  }
}
