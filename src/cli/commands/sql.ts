/** `sql "SELECT ..."`: a query on a read-only connection, printed in any text format. */
import { setImmediate as loopTurn } from 'node:timers/promises';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { EXIT, UserError } from '../../errors.js';
import { renderRows, RowPages, type Column, type TextFormat } from '../../report/render.js';
import type { QueryRows } from '../../store/store.js';
import { openForReading } from '../common.js';
import { useColor, writePaged, writePieces } from '../output.js';

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
    // SQLite's words for it were "The supplied SQL string contains no statements", as an SQL error.
    if (noStatement(argv.query)) throw new UserError('usage', 'sql: the query holds no SQL statement (only comments, blanks or semicolons); give one, e.g. authing-triage sql "SELECT * FROM v_counts_by_category"');
    // A PRAGMA that sets something is a write SQLite only fails deep inside ("disk I/O error").
    if (/^\s*pragma\s+[\w.]+\s*=/i.test(argv.query)) throw new UserError('usage', 'sql runs read-only queries only (SELECT, WITH, PRAGMA reads); a PRAGMA that sets a value is a write. The database was not changed');
    const store = await openForReading(argv.db);
    try {
      const format = (argv.format ?? (process.stdout.isTTY && !argv.out ? 'table' : 'json')) as TextFormat;
      const toPager = process.stdout.isTTY && (!argv.out || argv.out === '-');
      // Read a page at a time where nothing needs every row first: not a table (its widths), not a pager's text.
      if (format !== 'table' && !toPager && store.readOnlyRows) return await streamRows(await store.readOnlyRows(argv.query), format, argv.out);
      const { rows, columns } = await store.readOnlyQuery(argv.query);
      await writePaged(renderRows(rows, columnsOf(rows[0], columns), format, { color: !argv.out && useColor(process.stdout), maxWidth: process.stdout.columns }), argv.out);
    } finally {
      await store.close();
    }
  },
};

/**
 * True when `sql` is nothing but blanks, semicolons and comments (`-- …` to its line's end, `/* … *\/`, or one left
 * open, which SQLite reads to the end): read from the start as SQLite's tokenizer does, so a quote or a word ends it.
 */
export function noStatement(sql: string): boolean {
  let i = 0;
  while (i < sql.length) {
    if (/[\s;]/.test(sql[i]!)) i++;
    else if (sql.startsWith('--', i)) i = sql.includes('\n', i) ? sql.indexOf('\n', i) + 1 : sql.length;
    else if (sql.startsWith('/*', i)) i = sql.includes('*/', i + 2) ? sql.indexOf('*/', i + 2) + 2 : sql.length;
    else return false;
  }
  return true;
}

/** The columns of a result: the keys of its first row (duplicate names are one key there), or its statement's names. */
function columnsOf(first: Record<string, unknown> | undefined, names: string[]): Column[] {
  return (first ? Object.keys(first) : names).map((k) => ({ key: k, title: k, shrink: true }));
}

/** Rows a page renders at a time; between pages a signal and a reader that stopped (`| head`) are seen. */
const PAGE_ROWS = 1000;

/**
 * Writes a query's rows as they are read, a page at a time, the text byte for byte what renderRows writes of all of
 * them: a result of millions of rows, or a query that never ends (`WITH RECURSIVE`), read to `| head -1` or a file,
 * held every row in memory first (1.6 GB after 30 s, an adversarial hunt) and ignored Ctrl-C inside SQLite's step.
 * Ctrl-C or SIGTERM ends it with exit 130; a cut --out file is removed.
 */
async function streamRows(q: QueryRows, format: 'json' | 'csv' | 'md', out?: string): Promise<void> {
  let first = q.rows.next();
  const pages = new RowPages(columnsOf(first.done ? undefined : first.value, q.columns), format);
  const sink = writePieces(out);
  let stopped = false;
  const stop = (): void => void (stopped = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    while (!first.done) {
      const page: Record<string, unknown>[] = [];
      for (; !first.done && page.length < PAGE_ROWS; first = q.rows.next()) page.push(first.value);
      await sink.write(pages.page(page));
      // the signal handlers run here, once a page
      await loopTurn();
      if (stopped) break;
    }
    if (stopped) {
      q.rows.return?.();
      sink.abandon();
      process.exitCode = EXIT.interrupted;
      return;
    }
    await sink.write(pages.end());
    sink.close();
  } catch (e) {
    sink.abandon();
    throw e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
