/**
 * Settings from flags, the environment, a config file and built-in defaults, each with where it
 * came from. The config file is `.authing-triage.json` or `authing-triage.config.json` in the working
 * directory, or the file given with --config.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { typedValue, UserError } from '../errors.js';
import { readBoundedText } from '../sources/bounded-file.js';
import { LANGS, localeLang } from '../registry/text.js';
import { configLabels } from '../labels/labels.js';
import { MAX_CONTEXT } from '../pipeline/context-limits.js';
import { terminalText } from '../sinks/terminal-text.js';
import { isPostgresUrl, MEMORY_DB, redactUrl } from '../store/store.js';
import { shellWord } from '../shell.js';
import { isValidTimeZone } from '../parse/time.js';
import { checkThresholdSyntax } from '../report/alerts.js';
import { parseRetention } from '../store/prune.js';

export const CONFIG_NAMES = ['.authing-triage.json', 'authing-triage.config.json'] as const;

/** A config file holds a few settings: anything larger is not one (`--config /dev/zero`). */
export const MAX_CONFIG_BYTES = 1 << 20;

/** The keys a config file may set. */
export interface FileConfig {
  db?: string;
  tags?: string[];
  registry?: string[];
  tz?: string;
  year?: number;
  redact?: boolean;
  format?: string;
  failOn?: string[];
  /** Prune events older than this (`90d`) at the end of each ingest (counts stay). */
  retention?: string;
  /** en or zh: the language of every printer (default: the locale). */
  lang?: string;
  /** Labels on every source of a run: `{ "device": "pixel7" }` or `["device=pixel7"]` (--label adds and overrides). */
  labels?: Record<string, string> | string[];
  /** Records of context kept with each event (--context), 0 to 50. */
  context?: number;
}

const KEYS: Record<keyof FileConfig, 'string' | 'string[]' | 'number' | 'boolean' | 'labels'> = {
  db: 'string', tags: 'string[]', registry: 'string[]', tz: 'string', year: 'number', redact: 'boolean', format: 'string', failOn: 'string[]', retention: 'string', lang: 'string',
  labels: 'labels', context: 'number',
};

/** A setting and where its value came from. */
export interface Setting<T> {
  value: T;
  from: string;
}

/** Finds the config file: --config, else the first known name in the working directory. */
export function findConfigFile(explicit: string | undefined, cwd = process.cwd()): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new UserError('usage', `--config ${explicit}: no such file`);
    return explicit;
  }
  for (const n of CONFIG_NAMES) {
    const p = resolve(cwd, n);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Reads and validates a config file; paths in it are relative to the file. */
export function readConfigFile(file: string): FileConfig {
  let data: unknown;
  try {
    // A byte order mark (Windows Notepad saves UTF-8 with one) is no JSON, but no mistake either: it was "Unexpected token '﻿'", invisible.
    data = JSON.parse(readBoundedText(file, MAX_CONFIG_BYTES).replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UserError('usage', `${file}: not a valid config file (${(e as Error).message}); fix it or pass --config another file`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UserError('usage', `${file}: expected a JSON object of settings`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (k === '$schema' || k === '$comment') continue;
    // Own keys only: `__proto__` or `toString` is not a setting.
    const type = Object.hasOwn(KEYS, k) ? KEYS[k as keyof FileConfig] : undefined;
    if (!type) throw new UserError('usage', `${file}: key "${k}": unknown; allowed keys: ${Object.keys(KEYS).join(', ')}`);
    // Labels are checked as --label is (keys, values), with the file named in the message.
    if (type === 'labels') {
      out[k] = Object.entries(configLabels(v, file)).map(([key, value]) => `${key}=${value}`);
      continue;
    }
    const ok =
      type === 'string[]' ? Array.isArray(v) && v.every((x) => typeof x === 'string') : typeof v === type;
    if (!ok) throw new UserError('usage', `${file}: key "${k}": expected ${type === 'string[]' ? 'an array of strings' : `a ${type}`}`);
    out[k] = v;
  }
  // Values checked here name the file and key: checked where they are used, they were called --tz, --fail-on or
  // "retention", which the user never typed (an adversarial hunt). --fail-on's categories depend on the registry: later.
  const where = (k: string) => `${file}: key "${k}":`;
  if (out.db === '') throw new UserError('usage', `${where('db')} empty; give a database file path or a postgres:// URL`);
  if (typeof out.tz === 'string' && !isValidTimeZone(out.tz)) throw new UserError('usage', `${where('tz')} ${JSON.stringify(out.tz)}: unknown time zone; use an IANA name like Asia/Shanghai or UTC`);
  if (typeof out.retention === 'string') parseRetention(out.retention, where('retention'));
  for (const t of (out.failOn as string[] | undefined) ?? []) checkThresholdSyntax(t, where('failOn'));
  const base = dirname(resolve(file));
  // (":memory:" is SQLite's in-memory database, not a file beside the config file)
  if (typeof out.db === 'string' && !/^[a-z]+:\/\//.test(out.db) && out.db !== MEMORY_DB) out.db = resolve(base, out.db);
  if (Array.isArray(out.registry)) out.registry = (out.registry as string[]).map((r) => resolve(base, r));
  return out as FileConfig;
}

/** Flags that take one value: given twice, yargs makes an array, which no setting accepts. */
const SINGLE_FLAGS = ['config', 'db', 'tz', 'year'] as const;

function singleValued(argv: Record<string, unknown>): void {
  for (const f of SINGLE_FLAGS) {
    const v = argv[f];
    if (Array.isArray(v)) throw new UserError('usage', `--${f} given ${v.length} times (${v.map(String).join(', ')}); give it once`);
  }
}

/**
 * The line that says which config file this run uses, or null: quiet runs say it only when the
 * file turns redaction off, so a file dropped where the job runs cannot do that silently. Only the
 * working directory's file or --config's applies; a config file inside a scanned log folder is
 * never read as settings.
 */
export function configNotice(settings: Record<string, Setting<unknown>>, quiet: boolean): string | null {
  const file = settings.configFile?.value;
  if (typeof file !== 'string') return null;
  const redactOff = settings.redact?.value === false && settings.redact.from.startsWith('config ');
  if (quiet && !redactOff) return null;
  return `settings from ${file}${redactOff ? ' (it turns redaction off)' : ''}`;
}

/** The flags that settings resolve; undefined means the flag was not given. */
export interface SettingArgs {
  config?: string;
  db?: string;
  tag?: string[];
  registry?: string[];
  tz?: string;
  year?: number;
  redact?: boolean;
  failOn?: string[];
  /** Set by resolveSettings: what each of failOn's entries is named by in an error (its config file's key, or the flag). */
  failOnOrigins?: string[];
  retention?: string;
  lang?: string;
  /** --label KEY=VALUE (ingest and watch). */
  label?: string[];
  /** --context N (ingest and watch). */
  context?: number;
  /** --max-events N (ingest and rescan): the events a source gives in a run. */
  maxEvents?: number;
  /** Set by resolveSettings: the flags as typed that a `rescan` hint repeats (rerunFlags). */
  rerun?: string;
}

export const DEFAULT_DB = './authing-triage.db';

/**
 * The flags of this command line that decide which events a source gives and their shape, as shell words, for a
 * `rescan` that a warning names: run without them, it would count into another store, or under other settings than
 * the warning says (a tag's events dropped, --context, redaction or --max-events other than "this run's"). Pasted in another
 * folder it must do the same: the store is always named (whatever chose it: a flag, AUTHING_TRIAGE_DB, a config
 * file, the default), the config file too when one was read (typed or found in this folder), and paths are made
 * absolute. The other settings are the flags as typed (a config file's come with --config). A PostgreSQL URL's
 * password is not printed (it shows as ***, to fill in). A value that starts with a dash is joined to its flag
 * (`--tz=-05:00`), where the parser cannot take it for a flag of its own.
 */
export function rerunFlags(argv: SettingArgs, cwd = process.cwd()): string {
  const w: string[] = [];
  const flag = (name: string, v: string | number | undefined): void => {
    if (v === undefined) return;
    const word = shellWord(String(v));
    w.push(...(String(v).startsWith('-') ? [`--${name}=${word}`] : [`--${name}`, word]));
  };
  const db = argv.db ?? DEFAULT_DB;
  flag('db', isPostgresUrl(db) ? redactUrl(db) : db === ':memory:' ? db : resolve(cwd, db));
  flag('config', argv.config === undefined ? undefined : resolve(cwd, argv.config));
  for (const t of argv.tag ?? []) flag('tag', t);
  for (const r of argv.registry ?? []) flag('registry', resolve(cwd, r));
  flag('context', argv.context);
  if (argv.redact === false) w.push('--no-redact');
  flag('tz', argv.tz);
  flag('year', argv.year);
  // a source's events past N are read, not counted: a rescan without it would count more than this run's settings give
  flag('max-events', argv.maxEvents);
  return w.join(' ');
}

/** The earliest year --year takes: the epoch, where a device's clock starts before it is set. */
const MIN_YEAR = 1970;

/**
 * Resolves the settings in place on argv (flag > environment > config file > default; lists
 * from the config file and the flags are combined) and returns them with their origins.
 */
export function resolveSettings(argv: SettingArgs, env: NodeJS.ProcessEnv = process.env): Record<string, Setting<unknown>> {
  singleValued(argv as Record<string, unknown>);
  // the flags as typed, before the environment and the config file are merged in (the store's path below)
  const typed: SettingArgs = { ...argv };
  const file = findConfigFile(argv.config);
  const cfg = file ? readConfigFile(file) : {};
  const fromFile = `config ${file}`;
  const s: Record<string, Setting<unknown>> = {};
  const pick = <T>(name: string, flag: T | undefined, fileValue: T | undefined, def: T, envValue?: T): T => {
    const st: Setting<T> =
      flag !== undefined ? { value: flag, from: 'flag' }
      : envValue !== undefined ? { value: envValue, from: 'environment' }
      : fileValue !== undefined ? { value: fileValue, from: fromFile }
      : { value: def, from: 'default' };
    s[name] = st;
    return st.value;
  };
  const list = (name: string, flag: string[] | undefined, fileValue: string[] | undefined): string[] => {
    const value = [...(fileValue ?? []), ...(flag ?? [])];
    const from = [fileValue?.length ? fromFile : '', flag?.length ? 'flag' : ''].filter(Boolean).join(' + ') || 'default';
    s[name] = { value, from };
    return value;
  };
  argv.db = pick('db', argv.db, cfg.db, DEFAULT_DB, env.AUTHING_TRIAGE_DB || undefined);
  // A rescan pasted into another shell (no AUTHING_TRIAGE_DB there) or folder (no config file there) would count into
  // another store, under other settings: the hint names the store whatever set it, and the config file read.
  argv.rerun = rerunFlags({ ...typed, db: argv.db, config: file });
  argv.tag = list('tags', argv.tag, cfg.tags);
  argv.registry = list('registry', argv.registry, cfg.registry);
  argv.tz = pick('tz', argv.tz, cfg.tz, undefined);
  argv.year = pick('year', argv.year, cfg.year, undefined);
  // A stamp's year is four digits (a device before its clock is set says 1970): a stored time of +099999 or 1900 helps no one.
  if (argv.year !== undefined && !(Number.isSafeInteger(argv.year) && argv.year >= MIN_YEAR && argv.year <= 9999)) {
    const where = s.year!.from === 'flag' ? '--year' : `${file}: key "year":`;
    throw new UserError('usage', `${where} ${terminalText(s.year!.from === 'flag' ? typedValue('--year', argv.year) : String(argv.year))}: expected a year from ${MIN_YEAR} to 9999 (of the stamps that have none)`);
  }
  const timeout = (argv as { busyTimeout?: unknown }).busyTimeout;
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isSafeInteger(timeout) && timeout >= 0)) {
    throw new UserError('usage', `--busy-timeout ${terminalText(typedValue('--busy-timeout', timeout))}: expected a whole number of milliseconds, 0 or more`);
  }
  argv.redact = pick('redact', argv.redact, cfg.redact, true);
  argv.failOnOrigins = [...(cfg.failOn ?? []).map(() => `${file}: key "failOn":`), ...(argv.failOn ?? []).map(() => '--fail-on')];
  argv.failOn = list('failOn', argv.failOn, cfg.failOn);
  // The file's labels first: a flag of the same key comes later and wins.
  argv.label = list('labels', argv.label, cfg.labels as string[] | undefined);
  argv.retention = pick('retention', undefined, cfg.retention, undefined);
  if (cfg.context !== undefined && !(Number.isSafeInteger(cfg.context) && cfg.context >= 0 && cfg.context <= MAX_CONTEXT)) throw new UserError('usage', `${file}: key "context": ${cfg.context} is not a whole number from 0 to ${MAX_CONTEXT} (records kept before each event)`);
  argv.context = pick('context', argv.context, cfg.context, undefined);
  if (cfg.lang !== undefined && !(LANGS as readonly string[]).includes(cfg.lang)) throw new UserError('usage', `${file}: key "lang": "${cfg.lang}" is not a language; use one of ${LANGS.join(', ')}`);
  // The locale (LC_ALL, LC_MESSAGES, LANG) is the default, below the config file: a team's config wins over a machine's locale.
  argv.lang = pick('lang', argv.lang, cfg.lang, localeLang(env));
  s.format = { value: cfg.format, from: cfg.format !== undefined ? fromFile : 'default' };
  s.configFile = { value: file ?? null, from: file ? (argv.config ? 'flag' : 'working directory') : 'none found' };
  return s;
}
