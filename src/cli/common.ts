/** Flags shared by the commands, and the registry they load. */
import type { Argv } from 'yargs';
import { loadRegistry, type Registry } from '../registry/index.js';
import type { Lang } from '../registry/text.js';

export interface CommonArgs {
  db: string;
  busyTimeout?: number;
  tag: string[];
  registry: string[];
  /** --lang (global, in main.ts), resolved by the config middleware: flag, config file, then the locale. */
  lang: Lang;
}

/** Adds --db, --tag and --registry. */
export function commonOptions<T>(y: Argv<T>) {
  return y
    .option('db', { describe: 'SQLite database file, or postgres://user@host/db (env AUTHING_TRIAGE_DB)', type: 'string', defaultDescription: './authing-triage.db' })
    .option('tag', { describe: 'an app tag that logs Authing callbacks (repeatable)', type: 'string', array: true, nargs: 1 })
    .option('registry', { describe: 'a JSON file of extra codes, overrides and signatures (repeatable)', type: 'string', array: true, nargs: 1 })
    .option('busy-timeout', { describe: 'milliseconds to wait for another process that holds the database', type: 'number', default: 10_000 });
}

/** The registry with the user's override files applied. */
export function loadRegistryFromArgs(argv: Pick<CommonArgs, 'registry'>): Registry {
  return loadRegistry(argv.registry ?? []);
}
