/** The default command: read inputs, store events, print the summary (the work is in ../run-ingest.ts). */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { FORMAT_NAMES } from '../../parse/formats.js';
import { commonOptions, type CommonArgs } from '../common.js';
import { DEFAULT_CONTEXT, MAX_CONTEXT } from '../../pipeline/context.js';

export interface IngestArgs extends CommonArgs {
  paths: string[];
  /** This command line's flags that a `rescan` hint repeats (config.ts rerunFlags; set by resolveSettings). */
  rerun?: string;
  inputFormat?: string;
  year?: number;
  tz?: string;
  since?: string;
  until?: string;
  redact: boolean;
  json?: boolean;
  jsonSummary?: boolean;
  live?: boolean;
  tee?: boolean;
  level?: string;
  category?: string[];
  code?: string[];
  onlyTag?: string[];
  outcome?: string[];
  quiet: boolean;
  failOn: string[];
  /** What each --fail-on entry is named by in an error: its config file's key, or the flag (set by resolveSettings). */
  failOnOrigins?: string[];
  batchSize?: number;
  threads?: number;
  /** `rescan`: forget what each input contributed and read it again under this run's contract. */
  rescan?: boolean;
  /** Config key `retention` (e.g. 90d): prune events older than this at the end of the run. */
  retention?: string;
  maxEvents?: number;
  /** --label KEY=VALUE, after the config's `labels` (resolveSettings). */
  label?: string[];
  labelFromPath?: string;
  /** Records of context kept with each event (--context N, 0 to 50). */
  context?: number;
}

export const ingestCommand = {
  command: '$0 [paths..]',
  describe: 'Read logcat from files, folders or stdin; count Authing codes into the database',
  builder: (y: Argv) =>
    threadsOption(ingestOptions(y.positional('paths', { describe: 'files, folders or quoted globs to read (plain, .gz, bugreport .zip); stdin when none or "-"', type: 'string', array: true, default: [] as string[], defaultDescription: 'stdin' }), true))
      .example('adb logcat | $0  # count codes live from a device', '')
      .example('$0 fixtures/guard-threadtime.log  # ingest a capture into ./authing-triage.db', '')
      .example(`$0 --db nightly.db "/var/log/devices/**/*.gz" --json-summary --fail-on 'network>100'`, ''),
  handler: async (argv: ArgumentsCamelCase<IngestArgs>) => {
    // Loaded when run: `report` and `--help` start without the ingest pipeline.
    const { runIngest } = await import('../run-ingest.js');
    process.exitCode = await runIngest(argv);
  },
};

/** The flags of every run that stores events (ingest, watch and rescan); `memory`: ingest's --db takes `:memory:`. */
export function ingestOptions<T>(y: Argv<T>, memory = false) {
  return commonOptions(y, memory)
      .option('input-format', { describe: 'force the input format instead of detecting it', choices: FORMAT_NAMES as string[] })
      .option('year', { describe: 'year of the last of the time stamps that have none (a stream: of the first; default: the file mtime, else now)', type: 'number' })
      .option('tz', { describe: 'IANA zone of local time stamps (default: this machine\'s)', type: 'string' })
      .option('since', { describe: 'show events at or after this time (24h, 7d, 2026-03-17); every event is stored', type: 'string' })
      .option('until', { describe: 'show events before this time; every event is stored', type: 'string' })
      .option('redact', { describe: 'redact tokens, passwords, phones and e-mails in stored excerpts (--no-redact to keep them)', type: 'boolean', defaultDescription: 'true' })
      .option('json', { describe: 'print each event as an NDJSON line (pino-compatible) on stdout, and nothing else there; the summary goes to stderr', type: 'boolean' })
      .option('json-summary', { describe: 'print the run summary as one JSON document: on stdout, or on stderr with --json (for cron)', type: 'boolean' })
      .option('live', { describe: 'print each event as it is found (default when stdout is a terminal)', type: 'boolean' })
      .option('tee', { describe: 'pass every input line to stdout unchanged; live events go to stderr', type: 'boolean' })
      .option('level', { describe: 'show events of this logcat level or above (V D I W E F); every event is stored', type: 'string' })
      .option('category', { describe: 'show only events of these categories (repeatable); every event is stored', type: 'string', array: true, nargs: 1 })
      .option('code', { describe: 'show only these codes (repeatable); every event is stored', type: 'string', array: true, nargs: 1 })
      .option('outcome', { describe: 'show only events of these outcomes: failed, canceled, error, success (repeatable); every event is stored', type: 'string', array: true, nargs: 1 })
      .option('only-tag', { describe: 'show only events logged under these tags (repeatable; --tag adds context instead); every event is stored', type: 'string', array: true, nargs: 1 })
      .conflicts('json', 'tee')
      .option('quiet', { alias: 'q', describe: 'print nothing but errors', type: 'boolean', default: false })
      .option('max-events', { describe: 'keep at most N events of each source in this run; the rest is read, not counted (default: no cap)', type: 'number' })
      .option('context', { describe: `records before each event in the same process kept with it, 0 to ${MAX_CONTEXT} (see: authing-triage show ID)`, type: 'number', defaultDescription: String(DEFAULT_CONTEXT) })
      .option('batch-size', { describe: 'events per database transaction (also committed at least once a second)', type: 'number', default: 5000 })
      .option('label', { describe: 'attach KEY=VALUE to every source of this run (repeatable): device=pixel7, app=1.4.3; over labels found automatically', type: 'string', array: true, nargs: 1 })
      .option('label-from-path', { describe: "labels from each input's path: 'device-logs/{device}/{date}/*' (a glob with named placeholders)", type: 'string' })
      .option('fail-on', { describe: 'exit 1 when this run crosses a threshold: network>100, unregistered>0, total>1000, 10001>=5 (repeatable)', type: 'string', array: true, nargs: 1 });
}


/** Adds --threads: only runs over files, which can be split between threads (not watch). */
export function threadsOption<T>(y: Argv<T>) {
  return y.option('threads', { describe: 'worker threads that scan a large plain file (default: the number of cores)', type: 'number', defaultDescription: 'cores' });
}
