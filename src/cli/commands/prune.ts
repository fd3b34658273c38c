/** `prune --older-than 90d`: retention for a database that a nightly job feeds for years. */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { parseRetention, pruneStore, type PruneResult } from '../../store/prune.js';
import { openStore } from '../../store/store.js';
import { needStoreFile } from '../common.js';
import { ui } from '../../registry/text.js';
import type { Lang } from '../../registry/ui-strings.js';

interface PruneArgs {
  db: string;
  olderThan: string;
  all: boolean;
  keepCounts: boolean;
  busyTimeout?: number;
  json?: boolean;
  lang: Lang;
}

const describeResult = (r: PruneResult, where: string, lang: Lang): string => `${ui(lang).notes.pruned(where, r.events, r.before, r.counts, r.vacuumed)}\n`;

export const pruneCommand = {
  command: 'prune',
  describe: 'Delete events older than an age; hourly counts and source fingerprints stay (reports over old windows still answer)',
  builder: (y: Argv) =>
    y
      .option('db', { type: 'string', describe: 'SQLite database file, or postgres://user@host/db (env AUTHING_TRIAGE_DB)', defaultDescription: './authing-triage.db' })
      .option('older-than', { type: 'string', demandOption: true, describe: 'age of the events to delete: 90d, 12w, 36h, 1y (cut at the hour)' })
      .option('keep-counts', { type: 'boolean', default: true, describe: 'keep the hourly counts of the pruned events (the default; --no-keep-counts is --all)' })
      .option('all', { type: 'boolean', default: false, describe: 'drop the hourly counts before the cutoff too' })
      .option('busy-timeout', { describe: 'milliseconds to wait for another process that holds the database', type: 'number', default: 10_000 })
      .option('json', { type: 'boolean', describe: 'print what was pruned as JSON on stdout' })
      .example('$0 prune --older-than 90d  # keep 90 days of events, every hourly count', '')
      .example('$0 prune --older-than 1y --all  # drop everything older than a year', ''),
  handler: async (argv: ArgumentsCamelCase<PruneArgs>) => {
    const age = parseRetention(argv.olderThan, '--older-than');
    // A typo of --db made an empty store and said "pruned 0 events" (an adversarial hunt): as report and sql do, say there is none.
    if (argv.db !== ':memory:') needStoreFile(argv.db, 'nothing to prune; give --db the store an ingest made');
    const store = await openStore(argv.db, { busyTimeout: argv.busyTimeout });
    try {
      const r = await pruneStore(store, age, { all: argv.all || !argv.keepCounts });
      if (argv.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stderr.write(describeResult(r, store.location, argv.lang));
    } finally {
      await store.close();
    }
  },
};

/** The config key `retention`, applied at the end of an ingest run. */
export async function applyRetention(db: string, ageMs: number, opts: { busyTimeout?: number; quiet: boolean; lang?: Lang }): Promise<void> {
  const store = await openStore(db, { busyTimeout: opts.busyTimeout });
  try {
    const r = await pruneStore(store, ageMs);
    if (!opts.quiet && r.events) process.stderr.write(`authing-triage: retention: ${describeResult(r, store.location, opts.lang ?? 'en')}`);
  } finally {
    await store.close();
  }
}
