/** Flags shared by the commands, and the registry they load. */
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { UserError } from '../errors.js';
import { loadRegistry, type Registry } from '../registry/index.js';
import { isPostgresUrl, MEMORY_DB, openStore, type Store } from '../store/store.js';
import type { SqliteStore } from '../store/sqlite.js';
import type { Lang } from '../registry/text.js';

export interface CommonArgs {
  db: string;
  busyTimeout?: number;
  tag: string[];
  registry: string[];
  /** --lang (global, in main.ts), resolved by the config middleware: flag, config file, then the locale. */
  lang: Lang;
}

/**
 * Adds --db and --busy-timeout: commands that open the database. `memory`: the command takes `--db :memory:` (an
 * ingest that keeps nothing), said in its help; the others refuse it.
 */
export function dbOptions<T>(y: Argv<T>, memory = false) {
  const describe = memory
    ? 'SQLite database file, postgres://user@host/db, or :memory: to keep nothing (env AUTHING_TRIAGE_DB)'
    : 'SQLite database file, or postgres://user@host/db (env AUTHING_TRIAGE_DB)';
  return y
    .option('db', { describe, type: 'string', defaultDescription: './authing-triage.db' })
    .option('busy-timeout', { describe: 'milliseconds to wait for another process that holds the database', type: 'number', default: 10_000 });
}

/** Adds --registry: commands that look codes up. */
export function registryOption<T>(y: Argv<T>) {
  return y.option('registry', { describe: 'a JSON file of extra codes, overrides and signatures (repeatable)', type: 'string', array: true, nargs: 1 });
}

/** Adds --tag: commands that extract events from log lines. */
export function tagOption<T>(y: Argv<T>) {
  return y.option('tag', { describe: 'an app tag that logs Authing callbacks (repeatable)', type: 'string', array: true, nargs: 1 });
}

/** Adds --db, --busy-timeout, --tag and --registry (ingest, watch, config); `memory`: as dbOptions'. */
export function commonOptions<T>(y: Argv<T>, memory = false) {
  return tagOption(registryOption(dbOptions(y, memory)));
}

/** The registry with the user's override files applied. */
export function loadRegistryFromArgs(argv: Pick<CommonArgs, 'registry'>): Registry {
  return loadRegistry(argv.registry ?? []);
}

/**
 * Opens the store for a command that reads (`report`, `sql`): an SQLite file is opened read-only
 * and never created; a missing one is a one-line error. With `registry` (report), a file whose
 * stored registry differs (an override file) is reopened to store it, as the report's joins and
 * the views read it from there; PostgreSQL keeps it in shared tables the same way.
 */
export async function openForReading(db: string, busyTimeout?: number, registry?: Registry, flag = '--db'): Promise<Store> {
  if (isPostgresUrl(db)) {
    const store = await openStore(db, { readonly: !registry, busyTimeout });
    if (registry) await store.syncRegistry(registry);
    return store;
  }
  needStoreFile(db, `ingest something first (authing-triage FILE), or give ${flag}`);
  const store = (await openStore(db, { readonly: true, busyTimeout })) as SqliteStore;
  const { SCHEMA_VERSION } = await import('../store/sqlite.js');
  // A file written by an older build needs its migrations before a report can read the new columns.
  const current = (store.db.pragma('user_version', { simple: true }) as number) >= SCHEMA_VERSION;
  if (current && (!registry || store.registryMatches(registry))) return store;
  await store.close();
  const writable = await openStore(db, { busyTimeout });
  if (registry) await writable.syncRegistry(registry);
  await writable.close();
  // Read-only again once migrated: `sql` refuses a connection that could write (it said "read-only queries only" to
  // the first SELECT after an upgrade: the adversarial review's find).
  return openStore(db, { readonly: true, busyTimeout });
}

/** A command that works on a store an ingest made: a missing SQLite file is "no database at", exit 4, and none is made. */
export function needStoreFile(db: string, what: string): void {
  if (!isPostgresUrl(db) && !existsSync(db)) throw new UserError('database', `no database at ${db}: ${what}`);
}

/** A `--db` URL of another database (mysql://, sqlite://) is a usage error, not a missing file. */
export function checkDbTarget(argv: { db?: unknown }, where = '--db'): void {
  const db = argv.db;
  // `--db "$DB"` with DB unset: it was ": cannot create the database (ENOENT)", exit 4 (a config's "db": "" is refused in config.ts)
  if (db === '') throw new UserError('usage', `${where} "": empty; give a database file path or a postgres:// URL`);
  if (typeof db === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(db) && !isPostgresUrl(db)) {
    throw new UserError('usage', `${where} ${JSON.stringify(db.replace(/\/\/.*@/s, '//***@').replace(/([?&][^=&#]*password=)[^&#]*/gi, '$1***'))}: not a store authing-triage knows; give an SQLite file path or a postgres:// URL`);
  }
}

/**
 * `--db :memory:` (SQLite's in-memory database) is for an ingest, which prints its summary and report and keeps
 * nothing; a command that reads or resumes a store made before has nothing there, and says so (it opened a file named
 * ":memory:" in the current folder, or said "In-memory/temporary databases cannot be readonly"). `where` names what
 * set the store (the flag, a config file's key, AUTHING_TRIAGE_DB).
 */
export function refuseMemoryDb(command: string, argv: { db?: unknown; from?: unknown; to?: unknown }, where = '--db'): void {
  if (command === 'migrate') {
    if (argv.from === MEMORY_DB) throw new UserError('usage', `--from ${MEMORY_DB}: an in-memory database starts empty, so migrate has nothing to copy; give --from the database file an ingest wrote`);
    if (argv.to === MEMORY_DB) throw new UserError('usage', `--to ${MEMORY_DB}: an in-memory database is gone when the run ends, so the copy would be lost; give --to a database file or a postgres:// URL`);
    return;
  }
  if (argv.db !== MEMORY_DB) return;
  if (command === 'watch') throw new UserError('usage', `${where} ${MEMORY_DB}: an in-memory database is gone when the run ends, and watch goes on from what its database holds; give --db a database file, or for a run that keeps nothing: adb logcat | authing-triage --db ${MEMORY_DB}`);
  if (['report', 'sql', 'show', 'prune', 'rescan'].includes(command)) {
    throw new UserError('usage', `${where} ${MEMORY_DB}: an in-memory database starts empty and is gone when the run ends, so ${command} has nothing to read; give --db the database file an ingest wrote`);
  }
}
