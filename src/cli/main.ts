/** The command line: wires the commands to yargs and maps errors to exit codes. */
import { readFileSync } from 'node:fs';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { distFile } from '../assets.js';
import { EXIT, UserError } from '../errors.js';
import { terminalText } from '../sinks/terminal-text.js';
import { configNotice, resolveSettings, type SettingArgs } from './config.js';
import { COMMANDS, nearest } from './suggest.js';
import { COLOR_MODES, quietOnClosedPipe, setColorMode, type ColorMode } from './output.js';
import { checkDbTarget, refuseMemoryDb } from './common.js';
import { LANGS } from '../registry/text.js';

const EXIT_TABLE = `Exit codes:
  0    success
  1    alert: a --fail-on threshold was crossed, explain met an unknown code, or show an unknown event id
  2    usage error: a bad flag, value, registry or config file
  3    input or I/O error: a file missing, unreadable or corrupt (the others are still read)
  4    database error: not an SQLite file, corrupt, or locked past the timeout
  130  interrupted (Ctrl-C, SIGTERM): what was read is committed; a re-run goes on`;

function version(): string {
  return (JSON.parse(readFileSync(distFile('../package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Each command's module, by the word that names it ('' is the default command, ingest). A run loads
 * only the modules its command line could run: each pulls in its own work (report pages, the pager,
 * PostgreSQL copy), which cost start-up time to every ingest when all were loaded (measured).
 */
const COMMAND_LOADERS: Record<string, () => Promise<unknown>> = {
  '': async () => (await import('./commands/ingest.js')).ingestCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  explain: async () => (await import('./commands/explain.js')).explainCommand,
  codes: async () => (await import('./commands/explain.js')).codesCommand,
  parse: async () => (await import('./commands/parse.js')).parseCommand,
  sql: async () => (await import('./commands/sql.js')).sqlCommand,
  config: async () => (await import('./commands/config.js')).configCommand,
  watch: async () => (await import('./commands/watch.js')).watchCommand,
  migrate: async () => (await import('./commands/migrate.js')).migrateCommand,
  rescan: async () => (await import('./commands/rescan.js')).rescanCommand,
  prune: async () => (await import('./commands/prune.js')).pruneCommand,
  show: async () => (await import('./commands/show.js')).showCommand,
};

/** Words after which yargs needs every command: help and completion list them all. */
const NEEDS_ALL = new Set(['--help', '-h', 'help', 'completion', '__completion', '--get-yargs-completions']);

/** True when a word asks for help or completion, `-h` inside a group of short flags (`-qh`) too: yargs reads `-qh` as `-q -h`. */
const asksForAll = (args: readonly string[]): boolean => args.some((a) => NEEDS_ALL.has(a) || /^-[A-Za-z]*h[A-Za-z]*$/.test(a));

/**
 * The command modules for this command line: the default command and every command named by a
 * word of it (a word that is a flag's value only loads one module too many), or all of them.
 */
async function commandModules(args: readonly string[] | null): Promise<CommandModule[]> {
  const names = args === null || asksForAll(args) ? Object.keys(COMMAND_LOADERS) : ['', ...Object.keys(COMMAND_LOADERS).filter((n) => n && args.includes(n))];
  return (await Promise.all(names.map((n) => COMMAND_LOADERS[n]!()))) as CommandModule[];
}

/** yargs' "Unknown argument(s)" list, turned into a message once every command's flags are loaded. */
class UnknownArguments extends Error {}

/** The flags of one command (or of every command), for "did you mean". */
function flagsOf(command: CommandModule | undefined, all: readonly CommandModule[]): string[] {
  const keys = new Set<string>(['config', 'help', 'version']);
  const mods = command ? [command] : all;
  for (const c of mods) {
    const y = (c.builder as unknown as (y: unknown) => { getOptions(): { key: Record<string, unknown> } })(yargs([]));
    for (const k of Object.keys(y.getOptions().key)) if (k.length > 1 && !/[A-Z]/.test(k)) keys.add(k);
  }
  return [...keys];
}

/** The command module a command line runs (the default command when none is named). */
function commandOf(argv: readonly string[], all: readonly CommandModule[]): { name: string; module: CommandModule } {
  const first = argv.find((a) => !a.startsWith('-'));
  const named = all.find((c) => String(c.command).split(' ')[0] === first);
  return named ? { name: first!, module: named } : { name: '', module: all[0]! };
}

/** Flags whose value is a time, which a negative duration (`--since -1d`) would be taken for flags. */
const TIME_FLAGS = new Set(['--since', '--until']);
/** Marks a word given after `--` so that yargs takes it as a positional even when it starts with "-". */
const LITERAL = '\u0001';

/**
 * What yargs would get wrong before it parses: `--` (everything after it is a positional, even
 * `-dash.log`) and a negative `--since -1d`.
 */
function preparse(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const flags = end < 0 ? [...argv] : argv.slice(0, end);
  flags.forEach((a, i) => {
    const v = flags[i + 1];
    if (TIME_FLAGS.has(a) && v !== undefined && /^-\d/.test(v)) {
      throw new UserError('usage', `${a} ${v}: a duration counts back from now and is positive, like ${v.slice(1)}; or give a time like 2026-03-17`);
    }
  });
  // A lone `-` (stdin) is dropped by yargs' parser, also beside paths: `FILE -` read FILE alone, stdin unread and
  // unsaid (an adversarial review). Marked, it is a word like any other (a flag's value `-` too, then unmarked).
  // So is a word of `--` and a blank (`sql "-- note\nSELECT …"`, a query that starts with an SQL comment), which no
  // flag is: yargs took it for one, and said "Not enough non-option arguments: got 0".
  const marked = flags.map((a) => (a === '-' || /^--\s/.test(a) ? LITERAL + a : a));
  return end < 0 ? marked : [...marked, ...argv.slice(end + 1).map((a) => LITERAL + a)];
}

/** Flags of every command that take a value (main's own: sql's builder does not hold them). */
const GLOBAL_VALUE_FLAGS = ['config', 'lang', 'color'];

/**
 * `sql "--hi"`, `sql "--note\nSELECT 1"`: a query that starts with `--` and no blank (preparse marks `-- note`), which
 * yargs took for a flag and said "Not enough non-option arguments: got 0". When the words after `sql` hold no query,
 * the first that starts with `-` and is no flag of sql's is the query, marked. A query beside it leaves it an unknown
 * flag (`sql --fromat csv "SELECT 1"` says so, with the flag it is near), and so does a word after it that yargs would
 * take for its value, when no query is left (`sql --fromat csv`, `sql --hi -- "SELECT 1"`): that flag's name is
 * returned, for the one line unknownArguments makes. No query at all (`sql`, `sql "--"`, which the shell passes as
 * `--`) is `missing` (yargs said "Not enough non-option arguments: got 0, need at least 1"). Words after `--` are
 * marked already.
 */
function dashQuery(args: readonly string[], sql: CommandModule): string[] | { unknown: string } | { missing: true } {
  const o = (sql.builder as unknown as (y: unknown) => { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]>; string: string[]; number: string[]; choices: Record<string, unknown> } })(yargs([])).getOptions();
  const withAliases = (keys: string[]): Set<string> => new Set(keys.flatMap((k) => [k, ...(o.alias[k] ?? [])]));
  const known = withAliases([...Object.keys(o.key), ...GLOBAL_VALUE_FLAGS, 'h', 'V']);
  const valued = withAliases([...o.string, ...o.number, ...Object.keys(o.choices), ...GLOBAL_VALUE_FLAGS]);
  // a word yargs reads as a positional (a negative number is one)
  const positional = (a: string | undefined): boolean => a !== undefined && (!a.startsWith('-') || /^-\d/.test(a));
  let command = false;
  let query = -1;
  let valueTaker: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (positional(a)) {
      // the command's word, then its query
      if (command || a !== 'sql') return [...args];
      command = true;
      continue;
    }
    const long = /^--(no-)?([^=]*)(=?)/.exec(a);
    const name = long ? long[2]! : a.slice(1, 2);
    if (known.has(name)) {
      // its value is the next word: `--db x.db`, `-f csv` (not `--db=x.db`, `-fcsv`, `--no-color`)
      if (valued.has(name) && (long ? !long[1] && !long[3] : a.length === 2)) i++;
    } else if (command && positional(args[i + 1]) && !(long && long[3])) {
      valueTaker ??= long ? long[2]! : a.slice(1);
      i++;
    } else if (command && query < 0) query = i;
  }
  if (!command || asksForAll(args) || args.some((a) => a === '--version' || a === '-V')) return [...args];
  if (query >= 0) return args.map((a, i) => (i === query ? LITERAL + a : a));
  return valueTaker !== null ? { unknown: valueTaker } : { missing: true };
}

/** Turns the words marked by `preparse` back into what was typed, in every positional. */
function unmark(argv: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(argv)) {
    if (typeof v === 'string' && v.startsWith(LITERAL)) argv[k] = v.slice(1);
    else if (Array.isArray(v)) argv[k] = v.map((x) => (typeof x === 'string' && x.startsWith(LITERAL) ? x.slice(1) : x));
  }
}

/** A one-line message for yargs' "Unknown argument(s)": a flag, a stray word, or a typo'd command. */
function unknownArguments(list: string, raw: readonly string[], all: readonly CommandModule[]): string {
  // yargs names a kebab-case flag twice (db-fle, dbFle): keep the form that was typed.
  const names = list.split(', ').filter((a) => !/[A-Z]/.test(a) || a.length === 1);
  const { name, module } = commandOf(raw, all);
  const first = raw.find((a) => !a.startsWith('-'));
  if (!name && first && /^[a-z]+$/.test(first)) {
    const command = nearest(first, COMMANDS);
    if (command) return `unknown command "${first}": did you mean "authing-triage ${command}"? (see authing-triage --help)`;
  }
  const help = `authing-triage${name ? ` ${name}` : ''} --help`;
  const typedAsFlag = (a: string) => raw.some((r) => r === `--${a}` || r.startsWith(`--${a}=`) || r === `--no-${a}` || (a.length === 1 && new RegExp(`^-[^-]*${a}`).test(r)));
  const words = names.filter((a) => !typedAsFlag(a));
  if (words.length) return `unexpected argument${words.length > 1 ? 's' : ''} ${words.map((w) => JSON.stringify(w)).join(', ')}: ${name || 'this command'} takes no such word (see ${help})`;
  // logcat's habit: `-v threadtime` chooses its output layout; here the layout is detected.
  if (names.includes('v')) return `-v is logcat's layout flag; authing-triage detects the layout, or give --input-format threadtime (see ${help})`;
  const own = flagsOf(module, all);
  const every = flagsOf(undefined, all);
  const hints = names.map((a) => {
    const flag = a.length === 1 ? `-${a}` : `--${a}`;
    if (a.length > 1 && every.includes(a)) return `${flag} is not a flag of ${name ? `"${name}"` : 'an ingest run'}`;
    const near = nearest(a, own);
    return near ? `${flag}: did you mean --${near}?` : flag;
  });
  return `unknown flag ${hints.join('; ')} (see ${help})`;
}

/** The command whose handler this run started ('ingest' for the default one), '' before any did. */
let startedCommand = '';
/** That command once its handler ended without an error: its code has run. */
let ranCommand = '';

/**
 * What this run did, for the code cache (src/launch.ts): the cache lists the commands whose code it
 * holds, and the first run of another command writes it again. '' for a run that completed no command
 * (`--version`, `--help`, a usage error before or in the handler): a run that stopped early must not
 * stand for its command, or the cache would keep lacking the command's code.
 */
export function codeCacheTag(): string {
  return ranCommand;
}

/** Runs the CLI with these arguments. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  // A closed pipe is a normal end for every command's output (`codes | head -1`).
  quietOnClosedPipe();
  let args: string[];
  try {
    args = preparse(argv);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    process.stderr.write(`authing-triage: ${e.message}\n`);
    process.exitCode = e.exitCode;
    return;
  }
  if (args.includes('sql')) {
    const sql = dashQuery(args, (await COMMAND_LOADERS.sql!()) as CommandModule);
    if (!Array.isArray(sql)) {
      const message = 'unknown' in sql ? unknownArguments(sql.unknown, args, await commandModules(null)) : `sql: no query given; give one, e.g. authing-triage sql "SELECT * FROM v_counts_by_category"`;
      process.stderr.write(`authing-triage: ${terminalText(message)}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    args = sql;
  }
  const cli: Argv = yargs(args)
    .scriptName('authing-triage')
    .usage('$0 [paths..]  read logcat, count Authing error codes in SQLite, report them')
    .command(await commandModules(args))
    .option('config', { type: 'string', global: true, describe: 'config file (default: .authing-triage.json or authing-triage.config.json here)' })
    .option('lang', { choices: LANGS as unknown as string[], global: true, describe: 'language of messages, tables and pages (default: config "lang", else LC_ALL/LC_MESSAGES/LANG: zh_* is Chinese)' })
    .option('color', {
      type: 'string', global: true, choices: COLOR_MODES, default: 'auto', describe: 'colour: auto (a terminal, unless NO_COLOR or TERM=dumb), always, never (same as --no-color)',
      // `--no-color` is the usual spelling of never; a bare `--color` is auto, as in grep.
      coerce: (v: unknown) => (v === false ? 'never' : v === true || v === '' ? 'auto' : v),
    })
    .middleware((argv) => {
      const word = argv._[0];
      startedCommand = typeof word === 'string' && (word in COMMAND_LOADERS || word === 'completion') ? word : 'ingest';
      unmark(argv as Record<string, unknown>);
      setColorMode((argv as { color?: ColorMode }).color ?? 'auto');
      const settings = resolveSettings(argv as SettingArgs);
      (argv as Record<string, unknown>).settings = settings;
      // named by what set it: a config file's db was called --db, a flag not given (an adversarial hunt)
      const dbFrom = settings.db?.from ?? 'flag';
      const dbWhere = dbFrom.startsWith('config ') ? `${dbFrom.slice(7)}: key "db":` : dbFrom === 'environment' ? 'AUTHING_TRIAGE_DB' : '--db';
      checkDbTarget(argv as { db?: unknown }, dbWhere);
      refuseMemoryDb(startedCommand, argv as { db?: unknown; from?: unknown; to?: unknown }, dbWhere);
      const notice = argv._[0] === 'config' ? null : configNotice(settings, !!argv.quiet || !!argv.json || !!argv.jsonSummary);
      if (notice) process.stderr.write(`authing-triage: ${terminalText(notice)}\n`);
    })
    // The script itself is printed by the `completion` command, which has its own --help.
    .completion('__completion', false, ((_current: string, _argv: unknown, completionFilter: (cb: (err: Error | null, names?: string[]) => void) => void, done: (names: string[]) => void) => {
      completionFilter((err, names) => done(err ? [] : (names ?? []).filter((n) => !n.startsWith('$0') && !n.startsWith('__completion'))));
    }) as never)
    .command({
      command: 'completion',
      describe: 'Print a bash/zsh completion script',
      builder: (y: Argv) => y.example('$0 completion >> ~/.bashrc  # complete commands and flags in new shells', ''),
      handler: (): void => void cli.showCompletionScript(),
    })
    .recommendCommands()
    .strict()
    .version(version())
    .alias('V', 'version')
    .help()
    .alias('h', 'help')
    .epilogue(EXIT_TABLE)
    .fail((msg, err) => {
      // yargs' own parse errors ("Not enough arguments following: tag", a flag given without its value) are a user's
      // mistake: one line, exit 2, not a stack trace (round eighteen's review); a command's own errors pass on.
      if (err && err.name === 'YError') throw new UserError('usage', `${err.message.replace(/\s*\n\s*/g, ' ')}; give the flag its value (see authing-triage --help)`);
      if (err) throw err;
      const unknown = /^Unknown arguments?: (.+)$/.exec(msg ?? '');
      if (unknown) throw new UnknownArguments(unknown[1]!);
      // yargs writes some messages on several lines ("Invalid values:\n  Argument: …"): one line here.
      throw new UserError('usage', `${(msg ?? '').replace(/\s*\n\s*/g, ' ')}; see authing-triage --help`);
    });
  // Only help is wrapped to the terminal: process.stdout.columns makes the stdout stream, which for a
  // terminal or a pipe loads node:tty and node:net (~5 ms before a file's first byte). Another run renders
  // nothing that yargs wraps (its failures are thrown as one line, above).
  if (asksForAll(args)) cli.wrap(Math.min(110, process.stdout.columns || 100));
  try {
    try {
      await cli.parseAsync();
      // Exit 0, or 1 for an alert (--fail-on, an unknown code): the command ran to its end.
      if (!process.exitCode || process.exitCode === EXIT.alert) ranCommand = startedCommand;
    } catch (e) {
      if (!(e instanceof UnknownArguments)) throw e;
      throw new UserError('usage', unknownArguments(e.message, args, await commandModules(null)));
    }
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`authing-triage: ${terminalText(e.message)}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    // The stores map their drivers' errors to UserErrors (store.ts); a full disk may still surface elsewhere.
    const err = e as { code?: string; message?: string };
    if (err.code === 'ENOSPC') {
      process.stderr.write(`authing-triage: the disk is full (${err.message}); what was committed stays: free space and re-run, nothing is counted twice\n`);
      process.exitCode = EXIT.database;
      return;
    }
    throw e;
  }
}
