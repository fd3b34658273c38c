/** The command line: wires the commands to yargs and maps errors to exit codes. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Argv, CommandModule } from 'yargs';
import { EXIT, UserError } from '../errors.js';
import { codesCommand, explainCommand } from './commands/explain.js';
import { ingestCommand } from './commands/ingest.js';
import { parseCommand } from './commands/parse.js';
import { reportCommand } from './commands/report.js';
import { sqlCommand } from './commands/sql.js';
import { migrateCommand } from './commands/migrate.js';
import { configCommand } from './commands/config.js';
import { watchCommand } from './commands/watch.js';
import { pruneCommand } from './commands/prune.js';
import { rescanCommand } from './commands/rescan.js';
import { resolveSettings, type SettingArgs } from './config.js';
import { nearest } from './suggest.js';
import { LANGS } from '../registry/text.js';

// yargs' CommonJS build is one file: it loads in half the time of its ES modules, at every start.
const yargs = createRequire(import.meta.url)('yargs') as (args?: readonly string[]) => Argv;

const EXIT_TABLE = `Exit codes:
  0    success
  1    alert: a --fail-on threshold was crossed, or explain met an unknown code
  2    usage error: a bad flag, value, registry or config file
  3    input or I/O error: a file missing, unreadable or corrupt (the others are still read)
  4    database error: not an SQLite file, corrupt, or locked past the timeout
  130  interrupted (Ctrl-C, SIGTERM): what was read is committed; a re-run goes on`;

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const COMMAND_MODULES = [ingestCommand, reportCommand, explainCommand, codesCommand, parseCommand, sqlCommand, configCommand, watchCommand, migrateCommand, rescanCommand, pruneCommand];

/** Every flag any command knows, for "did you mean" (only built when a flag was mistyped). */
function knownFlags(): string[] {
  const keys = new Set<string>(['config', 'help', 'version']);
  for (const c of COMMAND_MODULES) {
    const y = (c.builder as unknown as (y: unknown) => { getOptions(): { key: Record<string, unknown> } })(yargs([]));
    for (const k of Object.keys(y.getOptions().key)) if (k.length > 1 && !/[A-Z]/.test(k)) keys.add(k);
  }
  return [...keys];
}

/** Runs the CLI with these arguments. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const cli = yargs(argv)
    .scriptName('authing-triage')
    .usage('$0 [paths..]  read logcat, count Authing error codes in SQLite, report them\n\nCommands:')
    .command(COMMAND_MODULES as unknown as CommandModule[])
    .option('config', { type: 'string', global: true, describe: 'config file (default: .authing-triage.json or authing-triage.config.json here)' })
    .option('lang', { choices: LANGS as unknown as string[], global: true, describe: 'language of messages, tables and pages (default: config "lang", else LC_ALL/LC_MESSAGES/LANG: zh_* is Chinese)' })
    .middleware((argv) => {
      (argv as Record<string, unknown>).settings = resolveSettings(argv as SettingArgs);
    })
    .completion('completion', 'print a bash/zsh completion script')
    .recommendCommands()
    .strict()
    .version(version())
    .help()
    .alias('h', 'help')
    .epilogue(EXIT_TABLE)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      const unknown = /^Unknown arguments?: (.+)$/.exec(msg ?? '');
      if (unknown) {
        const known = knownFlags();
        // yargs names a kebab-case flag twice (db-fle, dbFle): keep the form that was typed.
        const hints = unknown[1]!.split(', ').filter((a) => !/[A-Z]/.test(a)).map((a) => {
          const near = nearest(a, known);
          return near ? `--${a}: did you mean --${near}?` : `--${a}`;
        });
        throw new UserError('usage', `unknown flag ${hints.join('; ')} (see authing-triage --help)`);
      }
      throw new UserError('usage', `${msg}; see authing-triage --help`);
    });
  try {
    await cli.parseAsync();
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`authing-triage: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    const err = e as { code?: string; message?: string };
    if (err.code === 'SQLITE_BUSY' || err.code === 'SQLITE_LOCKED') {
      process.stderr.write(`authing-triage: the database is locked by another process past the timeout; what was committed stays, try again later or raise --busy-timeout\n`);
      process.exitCode = EXIT.database;
      return;
    }
    if (typeof err.code === 'string' && (err.code.startsWith('SQLITE_CORRUPT') || err.code === 'SQLITE_NOTADB')) {
      process.stderr.write(`authing-triage: the database is corrupt (${err.message}); restore it or use another --db\n`);
      process.exitCode = EXIT.database;
      return;
    }
    if (err.code === 'SQLITE_FULL' || err.code === 'ENOSPC' || (typeof err.code === 'string' && err.code.startsWith('SQLITE_IOERR'))) {
      process.stderr.write(`authing-triage: the disk is full (${err.message}); what was committed stays: free space and re-run, nothing is counted twice\n`);
      process.exitCode = EXIT.database;
      return;
    }
    throw e;
  }
}
