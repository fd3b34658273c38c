/** An ingest run: inputs -> pipeline -> store and sinks, then the summary and the exit code. */
import { closeSync, constants as fsConstants, openSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createProgress, uncompressedSize } from './progress.js';
import { COMMANDS, nearest } from './suggest.js';
import { eventFilter } from '../extract/filter.js';
import { LivePrinter, NdjsonSink } from '../sinks/live.js';
import { terminalText } from '../sinks/terminal-text.js';
import { EXIT, UserError, typedValue } from '../errors.js';
import { Extractor, candidateNeedles } from '../extract/index.js';
import { ingestSource, type SourceResult } from '../pipeline/ingest.js';
import { DEFAULT_CONTEXT, MAX_CONTEXT } from '../pipeline/context.js';
import { ScanPool, denseFile, largeInput } from '../pipeline/parallel.js';
import { DEFAULT_MAX_LINE } from '../sources/chunks.js';
import { isValidTimeZone } from '../parse/time.js';
import { RunTally, formatSummary, summarize } from '../report/summary.js';
import { crossed, parseThreshold } from '../report/alerts.js';
import { listInputs, type Input, type InputProblem } from '../sources/index.js';
import { MEMORY_DB, openStore, type Store } from '../store/store.js';
import type { AuthingEvent, FormatName, LogRecord } from '../types.js';
import { loadRegistryFromArgs } from './common.js';
import { CONFIG_NAMES } from './config.js';
import type { IngestArgs } from './commands/ingest.js';
import { quietOnClosedPipe, stdoutFlushed, useColor } from './output.js';
import { checkWindow, parseWhen } from './when.js';
import { runContract } from '../pipeline/contract.js';
import { applyRetention } from './commands/prune.js';
import { reportContract } from './commands/rescan.js';
import { parseRetention } from '../store/prune.js';
import { parseLabelFlags, type Labels } from '../labels/labels.js';
import { compilePathLabels } from '../labels/path-labels.js';

function writeWithBackpressure(out: NodeJS.WriteStream, chunk: Buffer): void | Promise<void> {
  if (out.write(chunk)) return;
  return new Promise((resolve) => out.once('drain', () => resolve()));
}

/** One input of a run, with what is special about it (watch: a live adb stream, a package filter). */
export interface RunInput {
  input: Input;
  stdin?: NodeJS.ReadableStream;
  format?: FormatName;
  observeRecord?: (r: LogRecord) => void;
  keepRecord?: (r: LogRecord) => boolean;
  /** True for an event counted before in another source (IngestOptions.skipEvent). */
  skipEvent?: (e: AuthingEvent) => boolean;
  /** A stream that may end empty (adb with no device): not an error. */
  mayBeEmpty?: boolean;
  /** Labels found for this input (watch: the device's, from adb). */
  labels?: Labels;
}

/** Where a run's inputs come from: paths by default; `watch` brings adb streams. */
export interface InputPlan {
  inputs: AsyncIterable<RunInput> | Iterable<RunInput>;
  problems: InputProblem[];
  /** Bytes on disk (a large input starts the scan threads early). */
  totalBytes: number;
  /** Bytes after decompression, for the progress bar (0 or absent: no bar). */
  barBytes?: number;
  count: number;
}

function fileSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

async function pathPlan(argv: IngestArgs): Promise<InputPlan> {
  const { inputs, problems } = await listInputs(argv.paths, [argv.db], CONFIG_NAMES);
  // The bar counts what the summary counts: bytes after decompression.
  const sum = (f: (i: Input) => number) => inputs.reduce((a, i) => a + f(i), 0);
  return {
    inputs: inputs.map((input) => ({ input })),
    problems,
    totalBytes: sum((i) => (i.path && !i.entry ? fileSize(i.path) : 0)),
    barBytes: sum((i) => (i.path && !i.entry && !i.pipe ? uncompressedSize(i.path) : 0)),
    count: inputs.length,
  };
}

/** Runs an ingest and returns the exit code. */
export async function runIngest(argv: IngestArgs, plan: (signal: AbortSignal, store: () => Promise<Store>) => Promise<InputPlan> = () => pathPlan(argv)): Promise<number> {
  quietOnClosedPipe();
  const started = Date.now();
  if (argv.tz && !isValidTimeZone(argv.tz)) throw new UserError('usage', `--tz ${JSON.stringify(argv.tz)}: unknown time zone; use an IANA name like Asia/Shanghai or UTC`);
  const since = argv.since ? parseWhen(argv.since, '--since') : undefined;
  const retention = argv.retention ? parseRetention(argv.retention, 'retention') : undefined;
  const until = argv.until ? parseWhen(argv.until, '--until') : undefined;
  checkWindow(since, until, argv.since, argv.until);
  const registry = loadRegistryFromArgs(argv);
  // Labels are checked before anything is read or opened: a bad key is a usage error (exit 2).
  const explicitLabels = parseLabelFlags(argv.label ?? []);
  if (Array.isArray(argv.labelFromPath)) throw new UserError('usage', `--label-from-path given ${argv.labelFromPath.length} times; give one pattern`);
  const pathLabels = argv.labelFromPath !== undefined ? compilePathLabels(argv.labelFromPath) : undefined;
  const thresholds = (argv.failOn ?? []).map((t, i) => parseThreshold(t, [...Object.keys(registry.categories)], argv.failOnOrigins?.[i]));
  const extractor = new Extractor(registry, { tags: argv.tag, noRedact: !argv.redact });
  // Display filters: what this run shows, alerts on and summarises; the store gets every event.
  const shown = eventFilter({ since, until, level: argv.level, category: argv.category, code: argv.code, onlyTag: argv.onlyTag, outcome: argv.outcome }, Object.keys(registry.categories));
  const contract = runContract(extractor, registry);
  // Live lines by default only for a stream (stdin, watch): an archive run on a terminal shows the
  // progress bar and the summary; --live asks for the lines anyway.
  const streaming = argv.paths === undefined || argv.paths.length === 0 || argv.paths.includes('-');
  const liveOn = argv.live ?? (streaming && !!process.stdout.isTTY && !argv.json && !argv.jsonSummary && !argv.tee);
  const sink = argv.json
    ? new NdjsonSink(process.stdout, registry, argv.lang, argv.context !== undefined)
    : liveOn
      ? argv.tee
        ? await LivePrinter.create(process.stderr, null, registry, useColor(process.stderr), argv.lang)
        : await LivePrinter.create(process.stdout, process.stderr, registry, useColor(process.stdout), argv.lang)
      : null;
  const tee = argv.tee ? (c: Buffer) => writeWithBackpressure(process.stdout, c) : undefined;
  const needles = candidateNeedles(extractor.tags);
  const threads = argv.threads ?? availableParallelism();
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > 64) throw new UserError('usage', `--threads ${terminalText(typedValue('--threads', argv.threads))}: expected a whole number from 1 to 64`);
  if (argv.context !== undefined && (!Number.isSafeInteger(argv.context) || argv.context < 0 || argv.context > MAX_CONTEXT)) throw new UserError('usage', `--context ${terminalText(typedValue('--context', argv.context))}: expected a whole number from 0 to ${MAX_CONTEXT} (records kept before each event)`);
  if (argv.maxEvents !== undefined && (!Number.isSafeInteger(argv.maxEvents) || argv.maxEvents < 1)) throw new UserError('usage', `--max-events ${terminalText(typedValue('--max-events', argv.maxEvents))}: expected a whole number of 1 or more`);
  // 0, a negative or NaN (`--batch-size abc`) was taken silently: NaN never filled a batch, 0 committed each event alone
  if (argv.batchSize !== undefined && (!Number.isSafeInteger(argv.batchSize) || argv.batchSize < 1)) throw new UserError('usage', `--batch-size ${terminalText(typedValue('--batch-size', argv.batchSize))}: expected a whole number of 1 or more (events per database transaction)`);
  const abort = new AbortController();
  // Nothing piped in and no path: say what is expected instead of waiting silently.
  // (`watch` has no paths: it reads adb, not stdin.)
  // isatty, not process.stdin.isTTY: making process.stdin would make a piped stdin non-blocking, and
  // the stdin reader thread (sources/stdin-reader.ts) reads it with blocking reads. node:tty is loaded
  // here, only when stdin is to be read: it loads node:net, 2-8 ms before a file's first byte.
  if (!argv.quiet && argv.paths !== undefined && (argv.paths.length === 0 || argv.paths.includes('-')) && process.getBuiltinModule('node:tty').isatty(0)) {
    process.stderr.write("authing-triage: reading stdin; pipe adb logcat into me, give files, or run 'authing-triage watch' (Ctrl-C ends with the summary)\n");
  }
  // Made before the plan: watch's asks the store where the counting of its device stopped (watch-plan.ts).
  const db: { store?: Store; opening?: Promise<Store> } = {};
  const storeReady = (): Promise<Store> =>
    (db.opening ??= openStore(argv.db, { busyTimeout: argv.busyTimeout }).then(async (s) => {
      db.store = s;
      await s.syncRegistry(registry);
      return s;
    }));
  const { inputs, problems, totalBytes, barBytes, count } = await plan(abort.signal, storeReady);
  // `authing-triage reprot` is a missing file to the default command: a typo'd command, said
  // before any database is opened, so that none is created.
  const typo = problems.length === 1 && count === 0 && (argv.paths ?? []).length === 1 && /^[a-z]+$/.test(problems[0]!.name) ? nearest(problems[0]!.name, COMMANDS) : undefined;
  if (typo) throw new UserError('usage', `${problems[0]!.name}: ${problems[0]!.reason}; did you mean the command "authing-triage ${typo}"?`);
  if (count === 0 && problems.length && problems.length === (argv.paths ?? []).length) {
    // Nothing readable at all: say so without creating or opening a database.
    for (const p of problems) process.stderr.write(`authing-triage: ${p.name}: ${p.reason}\n`);
    return EXIT.input;
  }
  // One set of scan threads for the whole run; for a large input they start now and boot while the
  // database opens (a thread takes tens of milliseconds to start), else on first use. Files that are all
  // dense with candidate lines are read on this thread (parallel.ts denseInput): their threads would only idle.
  const pool = threads > 1 ? new ScanPool(threads, needles, DEFAULT_MAX_LINE, argv.context ?? DEFAULT_CONTEXT) : undefined;
  const allDense = () => Array.isArray(inputs) && (inputs as RunInput[]).every((ri) => ri.input.path !== null && !ri.input.pipe && !ri.input.entry && !ri.stdin && denseFile(ri.input.path, needles, DEFAULT_MAX_LINE));
  if (pool && largeInput(totalBytes) && !allDense()) pool.start();
  // The database (opening, schema, migrations, the registry's codes) is made ready when the first
  // input's head has been read: a run's first bytes do not wait for it (start-up to the first byte,
  // issue 25). Files only, and not with --tee: a read of stdin, a FIFO or adb may wait for its writer,
  // and a bad --db must not wait with it, nor let --tee pass on bytes of a run that then fails; nor may
  // a run skip its database (it is opened at the end if no input needed it).
  const filesOnly = !tee && Array.isArray(inputs) && (inputs as RunInput[]).every((ri) => ri.input.path !== null && !ri.input.pipe && !ri.stdin);
  if (!filesOnly) {
    await storeReady().catch(async (e: unknown) => {
      await db.store?.close();
      await pool?.close();
      throw e;
    });
  }
  const tally = new RunTally();
  const results: SourceResult[] = [];
  let readStdin = false;
  let fifo: string | null = null;
  const onSignal = () => {
    abort.abort();
    // A read of a terminal or an idle pipe does not return by itself: end it, what was read is kept.
    if (readStdin) process.stdin.destroy();
    // A FIFO given as a path with no writer yet: its open waits in a pool thread for one, and Ctrl-C and SIGTERM
    // were ignored for good (an adversarial hunt). Be that writer for a moment: the open returns, the read sees the abort.
    if (fifo) releaseFifo(fifo);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let progress: Awaited<ReturnType<typeof createProgress>> | null = null;
  try {
    for (const p of problems) {
      if (p.note) {
        // A warning (a symlink loop, a FIFO inside a folder): the run goes on and still exits 0.
        process.stderr.write(`authing-triage: ${terminalText(`${p.name}: ${p.reason}`)}\n`);
        continue;
      }
      results.push({ name: p.name, status: 'failed', error: p.reason, format: null, compression: null, bytes: 0, lines: 0, events: 0, unparsed: 0, overlong: 0 });
      // `authing-triage reprot` is a missing file to the default command: say which command was meant.
      const command = /^[a-z]+$/.test(p.name) ? nearest(p.name, COMMANDS) : undefined;
      const hint = command ? `; did you mean the command "authing-triage ${command}"?` : '; skipped, the other inputs were read';
      process.stderr.write(`authing-triage: ${terminalText(`${p.name}: ${p.reason}`)}${hint}\n`);
    }
    // process.stderr asked last: making it loads node:tty or node:net (output.ts whenMade), which --quiet skips.
    progress = await createProgress(!argv.quiet && !argv.json && !liveOn && !!process.stderr.isTTY, barBytes ?? 0, count);
    const bar = progress;
    let eventsBefore = 0;
    for await (const ri of inputs) {
      if (abort.signal.aborted) break;
      if (ri.input.path === null && !ri.stdin) readStdin = true;
      fifo = ri.input.pipe && ri.input.path !== null ? ri.input.path : null;
      bar.startFile();
      const read = () => ingestSource(storeReady, ri.input, {
        extractor, needles, format: ri.format ?? (argv.inputFormat as FormatName | undefined), year: argv.year, tz: argv.tz, contract, rescan: argv.rescan, rerunFlags: argv.rerun,
        batchEvents: argv.batchSize, tee, threads, pool, stdin: ri.stdin, observeRecord: ri.observeRecord, keepRecord: ri.keepRecord, skipEvent: ri.skipEvent,
        onEvent: sink ? (e, src) => (!shown || shown(e)) && sink.event(e, src) : undefined,
        signal: abort.signal, onStored: (e) => (!shown || shown(e)) && tally.add(e), maxEvents: argv.maxEvents, context: argv.context,
        onProgress: (_raw, events, bytes) => bar.update(eventsBefore + events, bytes),
        labels: { explicit: explicitLabels, found: { ...ri.labels, ...(ri.input.path !== null ? pathLabels?.(ri.input.path) : undefined) } },
      });
      let r = await read();
      // Another run with another contract got there first: once it has recorded its contract, this
      // run's re-read adds what that contract misses (a re-read is never "taken").
      if (r.status === 'taken' && ri.input.path !== null && !tee) r = await read();
      bar.endFile(r.bytes);
      eventsBefore += r.events;
      if (ri.mayBeEmpty && r.status === 'failed' && r.error === 'empty input') continue;
      // Empty stdin is a pipeline that filtered everything out (`grep … | authing-triage`), not an
      // I/O fault: 0 lines read. An empty file stays a fault: a capture that should hold lines.
      // Ctrl-C ended the read of stdin or of a FIFO (see onSignal): an interruption, not a fault of the input.
      if ((ri.input.path === null || ri.input.pipe) && !ri.stdin && r.status === 'failed' && abort.signal.aborted) {
        results.push({ ...r, status: 'interrupted', error: undefined });
        continue;
      }
      if (ri.input.path === null && !ri.stdin && r.status === 'failed' && r.error === 'empty input') {
        results.push({ ...r, status: 'read', error: undefined });
        continue;
      }
      results.push(r);
      if (r.note) process.stderr.write(`authing-triage: ${terminalText(`${r.name}: ${r.note}`)}\n`);
      for (const w of r.warnings ?? []) process.stderr.write(`authing-triage: ${terminalText(`${r.name}: ${w}`)}\n`);
      if (!r.warnings?.length) delete r.warnings;
      if (r.status === 'failed') process.stderr.write(`authing-triage: ${terminalText(`${r.name}: ${r.error}`)}; ${r.bytes ? `what was read before the fault is counted${argv.db === MEMORY_DB ? '' : ', a re-run goes on from there'}` : 'skipped'}\n`);
    }
    await storeReady();
  } finally {
    // Also when the database fails mid-run: the bar gives the terminal its cursor back.
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    sink?.end();
    await pool?.close();
    await db.store?.close();
    // Stop reading a live stdin that is still open (Ctrl-C on `adb logcat | authing-triage`).
    if (readStdin) process.stdin.destroy();
  }
  // What follows comes after the events printed (--json, --live) have been read, or not at all when their reader stops early.
  await stdoutFlushed();
  if (!argv.quiet) reportContract(results, shown ? tally.total : undefined, process.stderr, argv.lang, argv.rerun);
  // (an in-memory store is gone already: nothing in it outlives the run to prune)
  if (retention && !abort.signal.aborted && argv.db !== MEMORY_DB) await applyRetention(argv.db, retention, { busyTimeout: argv.busyTimeout, quiet: !!argv.quiet || !!argv.json || !!argv.jsonSummary, lang: argv.lang });
  const summary = summarize(results, tally, registry, Date.now() - started, argv.lang);
  // With --json, stdout carries events only (`--json | jq .code`): the summary goes to stderr.
  if (argv.jsonSummary) (argv.json ? process.stderr : process.stdout).write(JSON.stringify(summary, null, 2) + '\n');
  else if (!argv.quiet) process.stderr.write(formatSummary(summary, { color: useColor(process.stderr), width: process.stderr.columns, lang: argv.lang }));
  if (abort.signal.aborted) return EXIT.interrupted;
  if (results.some((r) => r.status === 'failed')) return EXIT.input;
  const hits = crossed(thresholds, tally);
  for (const h of hits) process.stderr.write(`authing-triage: alert: ${h.threshold.text} (this run: ${h.count})\n`);
  return hits.length ? EXIT.alert : EXIT.ok;
}

/** Opens the FIFO at `path` for writing without waiting and closes it: a reader blocked in open(2) for a writer returns. */
function releaseFifo(path: string): void {
  try {
    closeSync(openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
  } catch {
    // no reader waiting (ENXIO), or it is gone: nothing to release
  }
}
