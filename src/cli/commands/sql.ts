/** `sql "SELECT ..."`: a query on a read-only connection, printed in any text format. */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { UserError } from '../../errors.js';
import { renderRows, type TextFormat } from '../../report/render.js';
import { openForReading } from '../common.js';
import { useColor, writePaged } from '../output.js';

interface SqlArgs {
  db: string;
  query: string;
  format?: string;
  out?: string;
}

export const sqlCommand = {
  command: 'sql <query>',
  describe: 'Run a read-only SQL query on the database (see docs/schema.md for tables and views)',
  builder: (y: Argv) =>
    y
      .positional('query', { type: 'string', describe: 'one SQL statement', demandOption: true })
      .option('db', { type: 'string', describe: 'SQLite database file, or postgres://user@host/db (env AUTHING_TRIAGE_DB)', defaultDescription: './authing-triage.db' })
      .option('format', { alias: 'f', choices: ['table', 'json', 'csv', 'md'], describe: 'table (default on a terminal), json, csv, md' })
      .option('out', { alias: 'o', type: 'string', describe: 'write to this file' })
      .example('$0 sql "SELECT * FROM v_counts_by_category"  # counts per category', '')
      .example('$0 sql "SELECT day, count FROM v_daily WHERE category = \'network\'" -f csv', ''),
  handler: async (argv: ArgumentsCamelCase<SqlArgs>) => {
    // A PRAGMA that sets something is a write SQLite only fails deep inside ("disk I/O error").
    if (/^\s*pragma\s+[\w.]+\s*=/i.test(argv.query)) throw new UserError('usage', 'sql runs read-only queries only (SELECT, WITH, PRAGMA reads); a PRAGMA that sets a value is a write. The database was not changed');
    const store = await openForReading(argv.db);
    try {
      const { rows, columns } = await store.readOnlyQuery(argv.query);
      const keys = rows.length ? Object.keys(rows[0]!) : columns;
      const format = (argv.format ?? (process.stdout.isTTY && !argv.out ? 'table' : 'json')) as TextFormat;
      await writePaged(renderRows(rows, keys.map((k) => ({ key: k, title: k, shrink: true })), format, { color: !argv.out && useColor(process.stdout), maxWidth: process.stdout.columns }), argv.out);
    } finally {
      await store.close();
    }
  },
};
