/** `report`: breakdowns of the stored counts in table, JSON, CSV or Markdown. */
import { basename } from 'node:path';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { UserError } from '../../errors.js';
import { DIMENSION_NAMES, breakdown, compare, compareLabel, latestEvents, parseDimension, rowKey, totals, type Dimension, type ReportFilter } from '../../report/query.js';
import { badLabelKey } from '../../labels/labels.js';
import { sourceName } from '../../pipeline/source-name.js';
import { renderRows, type Column, type TextFormat } from '../../report/render.js';
import { htmlReport } from '../../report/page.js';
import { emptyWindowHint, NO_TIME_STAMP, undatedNote } from '../../report/window.js';
import type { Store } from '../../store/store.js';
import { dbOptions, loadRegistryFromArgs, openForReading, registryOption, type CommonArgs } from '../common.js';
import { useColor, writeOutput, writePaged } from '../output.js';
import { checkWindow, parseWhen } from '../when.js';
import { displayRows, jsonRows, localColumns } from '../../report/localize.js';
import { OUTCOMES } from '../../extract/outcome.js';
import { ui } from '../../registry/text.js';
import type { Lang } from '../../registry/ui-strings.js';

interface ReportArgs extends CommonArgs {
  by: string[];
  format?: string;
  since?: string;
  until?: string;
  top?: number;
  where: string[];
  /** '' (the flag alone): against the previous period; `label:KEY=A,B`: between two label values. */
  compare?: string;
  out?: string;
  outcome?: string[];
}

/** The formats of `report`: the text formats and the HTML page. */
const FORMATS = ['table', 'json', 'csv', 'md', 'html'];

const COLUMNS: Record<string, Column[]> = {
  category: [{ key: 'category', title: 'CATEGORY' }],
  code: [{ key: 'code', title: 'CODE', align: 'right' }],
  tag: [{ key: 'tag', title: 'TAG' }],
  source: [{ key: 'source', title: 'SOURCE', shrink: true }],
  day: [{ key: 'day', title: 'DAY' }],
  hour: [{ key: 'hour', title: 'HOUR' }],
  outcome: [{ key: 'outcome', title: 'OUTCOME' }],
  cause: [{ key: 'cause', title: 'CAUSE' }],
};

/**
 * By cause, each row's share (%) of its group: the events of the same value of the other dimension
 * (`--by code cause`: of that code's), or of all. Computed before --top cuts rows.
 */
function withShares(rows: Record<string, unknown>[], by: readonly Dimension[], top: number | undefined): Record<string, unknown>[] {
  const other = by.filter((d) => d !== 'cause');
  const key = (r: Record<string, unknown>) => other.map((d) => String(r[d])).join('\u0000');
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(key(r), (totals.get(key(r)) ?? 0) + Number(r.count));
  const out = rows.map((r) => ({ ...r, share: Math.round((Number(r.count) * 1000) / totals.get(key(r))!) / 10 }));
  return top ? out.slice(0, top) : out;
}

/** The format a file name asks for: `-o week.md` is Markdown, as its reader expects. */
const FORMAT_OF_EXTENSION: Record<string, string> = { '.md': 'md', '.markdown': 'md', '.csv': 'csv', '.json': 'json', '.html': 'html', '.htm': 'html', '.txt': 'table' };

/** The extension of a file's name as written (`.md`), or undefined. */
function extensionOf(out: string | undefined): string | undefined {
  return out ? /\.[a-z0-9]+$/i.exec(basename(out))?.[0] : undefined;
}

/** The format of `--out FILE` from its extension, if it has a known one. */
export function formatOfFile(out: string | undefined): string | undefined {
  const ext = extensionOf(out);
  return ext ? FORMAT_OF_EXTENSION[ext.toLowerCase()] : undefined;
}

/** `label:KEY=v1,v2`: a label key and its values, for --where and --compare; a usage error naming `flag` otherwise. */
export function parseLabelCondition(text: string, flag: string): { key: string; values: string[] } | null {
  const m = /^label:([^=\s]*)\s*=\s*(.*)$/.exec(text);
  if (!m) return null;
  const why = badLabelKey(m[1]!);
  if (why) throw new UserError('usage', `${flag} ${JSON.stringify(text)}: ${JSON.stringify(m[1])} is not a label key; ${why}`);
  const values = m[2]!.split(',').map((v) => v.trim()).filter(Boolean);
  if (!values.length) throw new UserError('usage', `${flag} ${JSON.stringify(text)}: no value; e.g. label:android=14`);
  return { key: m[1]!, values };
}

/** Parses `--where category=network,config` style filters; `categories` are the known ones. */
export function parseWhere(list: readonly string[], categories?: readonly string[]): ReportFilter {
  const f: ReportFilter = {};
  for (const w of list) {
    const label = parseLabelCondition(w, '--where');
    if (label) {
      f.labels = [...(f.labels ?? []), label];
      continue;
    }
    const m = /^(category|code|tag|source)\s*=\s*(.+)$/.exec(w);
    if (!m) throw new UserError('usage', `--where ${JSON.stringify(w)}: expected category=..., code=..., tag=..., source=... or label:KEY=... (comma-separated values)`);
    const values = m[2]!.split(',').map((v) => v.trim()).filter(Boolean);
    if (m[1] === 'code') {
      const codes = values.map(Number);
      if (codes.some((c) => !Number.isSafeInteger(c))) throw new UserError('usage', `--where ${JSON.stringify(w)}: codes are integers`);
      f.code = [...(f.code ?? []), ...codes];
    } else {
      const k = m[1] as 'category' | 'tag' | 'source';
      const unknown = k === 'category' && categories ? values.filter((v) => !categories.includes(v)) : [];
      if (unknown.length) throw new UserError('usage', `--where ${JSON.stringify(w)}: ${unknown.map((u) => JSON.stringify(u)).join(', ')} is not a category; use one of ${categories!.join(', ')}`);
      // A source's name is stored redacted (pipeline/source-name.ts): the name as given finds it, as does the stored form.
      const named = k === 'source' ? [...new Set(values.flatMap((v) => [v, sourceName(v, false)]))] : values;
      f[k] = [...(f[k] ?? []), ...named];
    }
  }
  return f;
}

/**
 * What a window leaves out, on stderr (stdout stays data): for an empty window, where the events
 * are; else the events without a time stamp, which no window includes.
 */
async function windowNotes(store: Store, filter: ReportFilter, empty: boolean, lang: Lang): Promise<void> {
  const note = empty ? await emptyWindowHint(store, filter, lang) : await undatedNote(store, filter, lang);
  if (note) process.stderr.write(`authing-triage: ${note}\n`);
}

/** Events without a time stamp are a row of their own, named, in every format (in JSON and CSV by the data's own name). */
const labelUndated = (by: readonly Dimension[], label = NO_TIME_STAMP) => (r: Record<string, unknown>): Record<string, unknown> => {
  const out = { ...r };
  for (const d of by) if ((d === 'day' || d === 'hour') && out[d] === null) out[d] = label;
  return out;
};

export const reportCommand = {
  command: 'report',
  describe: 'Report stored counts by category, code, tag, source, day or hour',
  builder: (y: Argv) =>
    registryOption(dbOptions(y))
      .option('by', { describe: 'one or two of: category, code, tag, source, day, hour, outcome, cause (what the lines before each event show: dns, timeout, tls, ...), label:KEY (a source label: label:device)', type: 'string', array: true, default: ['category'] })
      .option('format', {
        alias: 'f', describe: 'table (default on a terminal), json (default otherwise), csv, md, html (a self-contained page); with --out, the file\'s extension decides', choices: FORMATS,
        coerce: (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v),
      })
      .option('since', { describe: 'from this time (24h, 7d, 2026-03-17, ISO)', type: 'string' })
      .option('until', { describe: 'up to this time (exclusive)', type: 'string' })
      .option('top', { describe: 'only the N largest rows', type: 'number' })
      .option('where', { describe: 'filter: category=..., code=..., tag=..., source=..., label:KEY=... (repeatable, all must hold)', type: 'string', array: true, nargs: 1, default: [] as string[] })
      .option('outcome', { describe: 'only events of these outcomes: failed, canceled, error, success (repeatable)', type: 'string', array: true, nargs: 1, choices: OUTCOMES as unknown as string[] })
      .option('compare', { describe: 'alone: compare with the previous period of the same length (needs --since); label:KEY=A,B: sources labelled A against those labelled B', type: 'string' })
      .option('out', { alias: 'o', describe: 'write to this file instead of stdout', type: 'string' })
      .example('$0 report --by code --top 10  # the ten most frequent codes, with messages', '')
      .example('$0 report --by day category --since 7d -f md  # a week, for a chat', '')
      .example('$0 report --by code outcome --where category=social-login  # canceled apart', '')
      .example('$0 report --by code cause  # the share of dns, tls, timeout per code', '')
      .example('$0 report --by code --since 24h --compare  # what changed against the day before', '')
      .example('$0 report --format html --since 7d --out week.html  # a self-contained page to share', '')
      .example('$0 report --by label:device code --where label:android=14  # devices on Android 14', '')
      .example('$0 report --by code --compare label:app=1.4.2,1.4.3  # new, spiking, gone in 1.4.3', ''),
  handler: async (argv: ArgumentsCamelCase<ReportArgs>) => {
    const by: Dimension[] = argv.by.flatMap((b) => b.split(',')).map((b) => parseDimension(b.trim()));
    if (by.length < 1 || by.length > 2) throw new UserError('usage', `--by takes one or two of ${DIMENSION_NAMES.join(', ')}`);
    if (Array.isArray(argv.compare)) throw new UserError('usage', `--compare given ${argv.compare.length} times; give it once`);
    const labelCompare = argv.compare ? parseLabelCondition(argv.compare, '--compare') : null;
    if (argv.compare && !labelCompare) throw new UserError('usage', `--compare ${JSON.stringify(argv.compare)}: expected --compare alone (against the previous period) or label:KEY=A,B`);
    if (labelCompare && labelCompare.values.length !== 2) throw new UserError('usage', `--compare ${JSON.stringify(argv.compare)}: give exactly two values to compare, e.g. label:app=1.4.2,1.4.3`);
    const periodCompare = argv.compare === '';
    const registry = loadRegistryFromArgs(argv);
    const filter: ReportFilter = parseWhere(argv.where, Object.keys(registry.categories));
    if (argv.outcome?.length) filter.outcome = argv.outcome;
    const now = Date.now();
    if (argv.since) filter.since = parseWhen(argv.since, '--since', now);
    if (argv.until) filter.until = parseWhen(argv.until, '--until', now);
    checkWindow(filter.since, filter.until, argv.since, argv.until);
    if (argv.top !== undefined && (!Number.isSafeInteger(argv.top) || argv.top < 1)) throw new UserError('usage', '--top takes a whole number of at least 1');
    const configured = (argv as unknown as { settings?: Record<string, { value: unknown }> }).settings?.format?.value as string | undefined;
    // `-o week.pdf` names a format this tool does not write: say so rather than write JSON under that name.
    const ext = extensionOf(argv.out);
    if (!argv.format && !configured && ext && !formatOfFile(argv.out)) {
      throw new UserError('usage', `-o ${argv.out}: no report is written as ${ext}; name the file .md, .csv, .json, .html or .txt, or give --format`);
    }
    const format = (argv.format ?? formatOfFile(argv.out) ?? configured ?? (process.stdout.isTTY && !argv.out ? 'table' : 'json')) as TextFormat;
    if (!FORMATS.includes(format)) throw new UserError('usage', `format "${format}" (from the config file): expected one of ${FORMATS.join(', ')}`);
    const store = await openForReading(argv.db, argv.busyTimeout, registry);
    try {
      if ((format as string) === 'html') {
        const t = await totals(store, filter);
        if (labelCompare) throw new UserError('usage', '--compare label:... is a table, json, csv or md report; the page compares periods (--compare with --since)');
        if (periodCompare && filter.since === undefined) throw new UserError('usage', '--compare needs --since (the period to compare with the one before it)');
        writeOutput(await htmlReport(store, filter, { top: argv.top, by, compare: periodCompare, registry, lang: argv.lang }), argv.out);
        await windowNotes(store, filter, t.events === 0, argv.lang);
        return;
      }
      const columns: Column[] = by.flatMap((d) => COLUMNS[d] ?? [{ key: d, title: d.toUpperCase() }]);
      if (by.includes('code')) {
        if (!by.includes('category')) columns.push({ key: 'category', title: 'CATEGORY' });
      }
      columns.push({ key: 'count', title: 'EVENTS', align: 'right' });
      let rows: Record<string, unknown>[];
      if (labelCompare) {
        const [a, b] = labelCompare.values as [string, string];
        rows = (await compareLabel(store, by, filter, labelCompare.key, [a, b], argv.top)) as unknown as Record<string, unknown>[];
        // Each side titled by its value (APP=1.4.2), so the table reads without the command line.
        columns.splice(columns.length - 1, 1,
          { key: 'countA', title: `${labelCompare.key}=${a}`.toUpperCase(), align: 'right' },
          { key: 'countB', title: `${labelCompare.key}=${b}`.toUpperCase(), align: 'right' },
          { key: 'ratio', title: 'RATIO', align: 'right' },
          { key: 'note', title: 'NOTE' },
        );
      } else if (periodCompare) {
        if (filter.since === undefined) throw new UserError('usage', '--compare needs --since (the period to compare with the one before it)');
        rows = (await compare(store, by, { ...filter, since: filter.since, until: filter.until ?? now }, argv.top)) as unknown as Record<string, unknown>[];
        columns.push(
          { key: 'previous', title: 'BEFORE', align: 'right' },
          { key: 'change', title: 'CHANGE', align: 'right' },
          { key: 'changePct', title: '%', align: 'right' },
          { key: 'flag', title: 'NOTE' },
        );
        rows = rows.map((r) => ({ ...r, flag: [r.isNew ? 'new' : '', r.spike ? 'spike' : ''].filter(Boolean).join(' ') }));
      } else if (by.includes('cause')) {
        rows = withShares((await breakdown(store, by, filter)) as unknown as Record<string, unknown>[], by, argv.top);
        columns.push({ key: 'share', title: 'SHARE %', align: 'right' });
      } else {
        rows = (await breakdown(store, by, filter, argv.top)) as unknown as Record<string, unknown>[];
      }
      if (format === 'json') {
        // The latest event of each row, for `authing-triage show ID`.
        const latest = await latestEvents(store, by, filter, rows as Partial<Record<Dimension, unknown>>[]);
        rows = rows.map((r) => ({ ...r, latestEvent: latest.get(rowKey(by, r)) ?? null }));
      }
      // Canceled attempts apart, where there were any (social and one-click logins).
      if (rows.some((r) => Number(r.canceled) > 0)) columns.push({ key: 'canceled', title: 'CANCELED', align: 'right' });
      if (by.includes('code')) columns.push({ key: 'message', title: 'MESSAGE', shrink: true });
      if (format === 'json') rows = jsonRows(rows.map(({ flag: _f, ...r }) => r), registry);
      else if (format !== 'csv') rows = displayRows(rows, registry, argv.lang);
      else rows = rows.map((r) => ({ ...r, message: displayRows([r], registry, argv.lang)[0]!.message }));
      rows = rows.map(labelUndated(by, format === 'json' || format === 'csv' ? NO_TIME_STAMP : ui(argv.lang).html.noTime));
      if (by.includes('cause') && format !== 'json' && format !== 'csv') rows = rows.map((r) => (r.cause === null ? { ...r, cause: ui(argv.lang).html.noCause } : r));
      await writePaged(renderRows(rows, format === 'csv' ? columns : localColumns(columns, argv.lang), format, { color: format === 'table' && !argv.out && useColor(process.stdout), maxWidth: process.stdout.columns }), argv.out);
      await windowNotes(store, filter, !rows.length, argv.lang);
    } finally {
      await store.close();
    }
  },
};
