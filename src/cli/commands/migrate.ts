/** `migrate --from triage.db --to postgres://...`: copy a store into another, exactly once. */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { UserError } from '../../errors.js';
import { copyStore } from '../../store/copy.js';
import { openStore, redactUrl } from '../../store/store.js';
import { checkDbTarget, loadRegistryFromArgs, openForReading, registryOption, type CommonArgs } from '../common.js';

interface MigrateArgs extends CommonArgs {
  from: string;
  to: string;
  json: boolean;
}

export const migrateCommand = {
  command: 'migrate',
  describe: 'Copy a store into another (SQLite file to PostgreSQL, or back); a re-run adds nothing',
  builder: (y: Argv) =>
    registryOption(y)
      .option('busy-timeout', { describe: 'milliseconds to wait for another process that holds either store', type: 'number', default: 10_000 })
      .option('from', { type: 'string', demandOption: true, describe: 'the store to copy: an SQLite file or postgres:// URL' })
      .option('to', { type: 'string', demandOption: true, describe: 'the store to copy into (created or migrated as needed)' })
      .option('json', { type: 'boolean', default: false, describe: 'print what was copied as JSON on stdout' })
      .example('$0 migrate --from triage.db --to postgres://triage@db.internal/triage', ''),
  handler: async (argv: ArgumentsCamelCase<MigrateArgs>) => {
    // `--to mysql://…` was "cannot create the database (ENOENT)", exit 4: a URL of another database, as for --db
    checkDbTarget({ db: argv.from }, '--from');
    checkDbTarget({ db: argv.to }, '--to');
    if (argv.from === argv.to) throw new UserError('usage', '--from and --to are the same store; give two different ones');
    const registry = loadRegistryFromArgs(argv);
    const from = await openForReading(argv.from, argv.busyTimeout, undefined, '--from');
    try {
      const to = await openStore(argv.to, { busyTimeout: argv.busyTimeout });
      try {
        await to.syncRegistry(registry);
        const started = Date.now();
        const copied = await copyStore(from, to);
        const events = copied.reduce((a, c) => a + c.events, 0);
        const added = copied.reduce((a, c) => a + c.added, 0);
        // More counted than stored is a prune's doing, and the counts came along; fewer is an origin that lost counts.
        const mismatched = copied.filter((c) => c.counted < c.events);
        for (const m of mismatched) process.stderr.write(`authing-triage: ${m.name}: ${m.events} events but ${m.counted} counted in ${from.location}; the copy counts the events\n`);
        const summary = { from: from.location, to: to.location, sources: copied.length, events, added, ms: Date.now() - started };
        if (argv.json) process.stdout.write(JSON.stringify({ ...summary, perSource: copied }, null, 2) + '\n');
        else process.stderr.write(`copied ${copied.length} sources and ${events} events from ${from.location} to ${redactUrl(to.location)}: ${added} new, ${events - added} there already (${summary.ms} ms)\n`);
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  },
};
