/** An ingest run: inputs -> pipeline -> store and sinks, then the summary and the exit code. */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createProgress } from './progress.js';
import { COMMANDS, nearest } from './suggest.js';
import { eventFilter } from '../extract/filter.js';
import { LivePrinter, NdjsonSink } from '../sinks/live.js';
import { EXIT, UserError } from '../errors.js';
import { Extractor, candidateNeedles } from '../extract/index.js';
import { ingestSource, type SourceResult } from '../pipeline/ingest.js';
import { ScanPool, rangeBytes } from '../pipeline/parallel.js';
import { DEFAULT_MAX_LINE } from '../sources/chunks.js';
import { isValidTimeZone } from '../parse/time.js';
import { RunTally, formatSummary, summarize } from '../report/summary.js';
import { crossed, parseThreshold } from '../report/alerts.js';
import { listInputs, type Input, type InputProblem } from '../sources/index.js';
import { openStore } from '../store/store.js';
import type { FormatName, LogRecord } from '../types.js';
import { loadRegistryFromArgs } from './common.js';
import type { IngestArgs } from './commands/ingest.js';
import { quietOnClosedPipe, useColor } from './output.js';
import { parseWhen } from './when.js';
import { runContract } from '../pipeline/contract.js';
import { applyRetention } from './commands/prune.js';
import { reportContract } from './commands/rescan.js';
import { parseRetention } from '../store/prune.js';

function writeWithBackpressure(out: NodeJS.WriteStream, chunk: Buffer): void | Promise<void> {
  if (out.write(chunk)) return;
  return new Promise((resolve) => out.once('drain', () => resolve()));
}

function fileSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

/** One input of a run, with what is special about it (watch: a live adb stream, a package filter). */
export interface RunInput {
  input: Input;
  stdin?: NodeJS.ReadableStream;
  format?: FormatName;
  observeRecord?: (r: LogRecord) => void;
  keepRecord?: (r: LogRecord) => boolean;
  /** A stream that may end empty (adb with no device): not an error. */
  mayBeEmpty?: boolean;
}

/** Where a run's inputs come from: paths by default; `watch` brings adb streams. */
export interface InputPlan {
  inputs: AsyncIterable<RunInput> | Iterable<RunInput>;
  problems: InputProblem[];
  /** Bytes on disk, for the progress bar (0: no bar). */
  totalBytes: number;
  sizes?: Map<Input, number>;
  count: number;
}

async function pathPlan(argv: IngestArgs): Promise<InputPlan> {
  const { inputs, problems } = await listInputs(argv.paths, [argv.db]);
  const sizes = new Map(inputs.map((i) => [i, i.path && !i.entry ? fileSize(i.path) : 0]));
  return { inputs: inputs.map((input) => ({ input })), problems, totalBytes: [...sizes.values()].reduce((a, b) => a + b, 0), sizes, count: inputs.length };
}

/** Runs an ingest and returns the exit code. */
export async function runIngest(argv: IngestArgs, plan: (signal: AbortSignal) => Promise<InputPlan> = () => pathPlan(argv)): Promise<number> {
  quietOnClosedPipe();
  const started = Date.now();
  if (argv.tz && !isValidTimeZone(argv.tz)) throw new UserError('usage', `--tz ${JSON.stringify(argv.tz)}: unknown time zone; use an IANA name like Asia/Shanghai or UTC`);
  const since = argv.since ? parseWhen(argv.since, '--since') : undefined;
  const retention = argv.retention ? parseRetention(argv.retention, 'retention') : undefined;
  const until = argv.until ? parseWhen(argv.until, '--until') : undefined;
  const registry = loadRegistryFromArgs(argv);
  const thresholds = (argv.failOn ?? []).map((t) => parseThreshold(t, [...Object.keys(registry.categories)]));
  const extractor = new Extractor(registry, { tags: argv.tag, noRedact: !argv.redact });
  // Display filters: what this run shows, alerts on and summarises; the store gets every event.
  const shown = eventFilter({ since, until, level: argv.level, category: argv.category, code: argv.code, onlyTag: argv.onlyTag, outcome: argv.outcome }, Object.keys(registry.categories));
  const contract = runContract(extractor, registry);
  const liveOn = argv.live ?? (!!process.stdout.isTTY && !argv.json && !argv.jsonSummary && !argv.tee);
  const sink = argv.json
    ? new NdjsonSink(process.stdout, registry, argv.lang)
    : liveOn
      ? argv.tee
        ? await LivePrinter.create(process.stderr, null, registry, useColor(process.stderr), argv.lang)
        : await LivePrinter.create(process.stdout, process.stderr, registry, useColor(process.stdout), argv.lang)
      : null;
  const tee = argv.tee ? (c: Buffer) => writeWithBackpressure(process.stdout, c) : undefined;
  const needles = candidateNeedles(extractor.tags);
  const threads = argv.threads ?? availableParallelism();
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > 64) throw new UserError('usage', `--threads ${argv.threads}: expected a whole number from 1 to 64`);
  const abort = new AbortController();
  const { inputs, problems, totalBytes, sizes, count } = await plan(abort.signal);
  // One set of scan threads for the whole run; for a large input they start now and boot while the
  // database opens (a thread takes tens of milliseconds to start), else on first use.
  const pool = threads > 1 ? new ScanPool(threads, needles, DEFAULT_MAX_LINE) : undefined;
  if (pool && totalBytes >= 4 * rangeBytes()) pool.start();
  const store = await openStore(argv.db, { busyTimeout: argv.busyTimeout }).catch(async (e: unknown) => {
    await pool?.close();
    throw e;
  });
  const tally = new RunTally();
  const results: SourceResult[] = [];
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let readStdin = false;
  let progress: Awaited<ReturnType<typeof createProgress>> | null = null;
  try {
    await store.syncRegistry(registry);
    for (const p of problems) {
      results.push({ name: p.name, status: 'failed', error: p.reason, format: null, compression: null, bytes: 0, lines: 0, events: 0, unparsed: 0, overlong: 0 });
      // `authing-triage reprot` is a missing file to the default command: say which command was meant.
      const command = /^[a-z]+$/.test(p.name) ? nearest(p.name, COMMANDS) : undefined;
      const hint = command ? `; did you mean the command "authing-triage ${command}"?` : '; skipped, the other inputs were read';
      process.stderr.write(`authing-triage: ${p.name}: ${p.reason}${hint}\n`);
    }
    progress = await createProgress(!!process.stderr.isTTY && !argv.quiet && !argv.json && !liveOn, totalBytes, count);
    const bar = progress;
    let eventsBefore = 0;
    for await (const ri of inputs) {
      if (abort.signal.aborted) break;
      if (ri.input.path === null && !ri.stdin) readStdin = true;
      bar.startFile();
      const read = () => ingestSource(store, ri.input, {
        extractor, needles, format: ri.format ?? (argv.inputFormat as FormatName | undefined), year: argv.year, tz: argv.tz, contract, rescan: argv.rescan,
        batchEvents: argv.batchSize, tee, threads, pool, stdin: ri.stdin, observeRecord: ri.observeRecord, keepRecord: ri.keepRecord,
        onEvent: sink ? (e, src) => (!shown || shown(e)) && sink.event(e, src) : undefined,
        signal: abort.signal, onStored: (e) => (!shown || shown(e)) && tally.add(e),
        onProgress: (bytes, events) => bar.update(bytes, eventsBefore + events),
      });
      let r = await read();
      // Another run with another contract got there first: once it has recorded its contract, this
      // run's re-read adds what that contract misses (a re-read is never "taken").
      if (r.status === 'taken' && ri.input.path !== null && !tee) r = await read();
      bar.endFile(sizes?.get(ri.input) ?? 0);
      eventsBefore += r.events;
      if (ri.mayBeEmpty && r.status === 'failed' && r.error === 'empty input') continue;
      results.push(r);
      if (r.note) process.stderr.write(`authing-triage: ${r.name}: ${r.note}\n`);
      if (r.status === 'failed') process.stderr.write(`authing-triage: ${r.name}: ${r.error}; ${r.bytes ? 'what was read before the fault is counted, a re-run goes on from there' : 'skipped'}\n`);
    }
  } finally {
    // Also when the database fails mid-run: the bar gives the terminal its cursor back.
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    sink?.end();
    await pool?.close();
    await store.close();
    // Stop reading a live stdin that is still open (Ctrl-C on `adb logcat | authing-triage`).
    if (readStdin) process.stdin.destroy();
  }
  if (!argv.quiet) reportContract(results, shown ? tally.total : undefined, process.stderr);
  if (retention && !abort.signal.aborted) await applyRetention(argv.db, retention, { busyTimeout: argv.busyTimeout, quiet: !!argv.quiet || !!argv.json || !!argv.jsonSummary });
  const summary = summarize(results, tally, registry, Date.now() - started, argv.lang);
  if (argv.json) process.stdout.write(JSON.stringify({ level: 30, time: Date.now(), msg: 'run summary', summary }) + '\n');
  else if (argv.jsonSummary) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else if (!argv.quiet) process.stderr.write(formatSummary(summary, { color: useColor(process.stderr), width: process.stderr.columns, lang: argv.lang }));
  if (abort.signal.aborted) return EXIT.interrupted;
  if (results.some((r) => r.status === 'failed')) return EXIT.input;
  const hits = crossed(thresholds, tally);
  for (const h of hits) process.stderr.write(`authing-triage: alert: ${h.threshold.text} (this run: ${h.count})\n`);
  return hits.length ? EXIT.alert : EXIT.ok;
}
