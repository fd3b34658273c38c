/** `explain CODE...` and `codes`: what the registry says, in the run's language. */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { EXIT, UserError } from '../../errors.js';
import { outcomeKinds } from '../../extract/outcome.js';
import { UNREGISTERED, overriddenFields, type CodeEntry } from '../../registry/index.js';
import { bilingual, categoryName, codeMessage, codeText, ui, type Lang } from '../../registry/text.js';
import { displayRows, localColumns } from '../../report/localize.js';
import { displayWidth, renderRows, type Column, type TextFormat } from '../../report/render.js';
import { MEMORY_DB, openStore } from '../../store/store.js';
import { dbOptions, loadRegistryFromArgs, registryOption, type CommonArgs } from '../common.js';
import { useColor, writeOutput, writePaged } from '../output.js';
import { terminalText } from '../../sinks/terminal-text.js';

interface ExplainArgs extends CommonArgs {
  codes: string[];
  format: string;
  sources: boolean;
  settings?: Record<string, { from: string }>;
}

/** How often a store saw a code, by outcome, and when last. */
interface Seen {
  count: number;
  byOutcome: Record<string, number>;
  last: string | null;
}

/**
 * A source cut to what fits on one line: how the text was made ("translated from zh", "authored; based on")
 * and the names of the files it rests on. The full source, with its quotes, is in `--sources`.
 */
export function shortSource(s: string, lang: Lang = 'en'): string {
  if (s.startsWith('override ')) return s;
  const m = /^(?:translated from (\w+)|authored; based on)\b/.exec(s);
  // Parenthesised notes quote the source (often in Chinese): not part of the name.
  let rest = s.slice(m?.[0].length ?? 0);
  for (let prev = ''; prev !== rest; ) [prev, rest] = [rest, rest.replace(/\([^()]*\)/g, '')];
  const files = [...new Set([...rest.matchAll(/[\w.-]+\.(?:json|md|txt|java|kt|xml|html)\b/g)].map((m) => m[0]))];
  const names = files.length ? files.join(', ') : rest.trim().split(/[\s:;]/)[0] ?? '';
  const t = ui(lang).explain;
  const kind = m ? (m[1] ? t.translatedFrom(m[1]) : t.authored) : '';
  return kind ? `${kind}${lang === 'en' ? ' ' : ''}${names}` : names;
}

/** One line saying where each field came from, fields with the same source together. */
function fromLine(sources: Record<string, string | undefined>, lang: Lang): string | null {
  const l = ui(lang).explain;
  const names: Record<string, string> = { message: l.message, description: l.description, causes: l.causes, actions: l.whatToDo };
  const bySource = new Map<string, string[]>();
  for (const [field, src] of Object.entries(sources)) {
    if (!src) continue;
    const short = shortSource(src, lang);
    bySource.set(short, [...(bySource.get(short) ?? []), names[field] ?? field]);
  }
  return bySource.size ? [...bySource].map(([src, fields]) => `${ui(lang).list(fields)}: ${src}`).join(l.fieldSep) : null;
}

/** The JSON of an entry: its fields, both languages, outcome kinds; the sources' disagreements only with --sources. */
function publicEntry(entry: CodeEntry, withSources: boolean, seen?: Seen) {
  const { variants, disagreements, ...e } = entry;
  // The text of the entry itself, not of this copy: a field's source is looked up in its variants, and what an
  // override file set is known by the entry (registry overriddenFields).
  const en = codeText(entry, 'en');
  const zh = codeText(entry, 'zh');
  return {
    ...e,
    ...bilingual(entry),
    causes: { en: en.causes, zh: zh.causes },
    actions: { en: en.actions, zh: zh.actions },
    outcomes: outcomeKinds(entry, e.category),
    textSources: en.sources,
    sources: (variants ?? []).map((v) => v.source),
    ...(withSources ? { disagreements: disagreements ?? [], variants: variants ?? [] } : {}),
    ...(seen ? { seen } : {}),
  };
}

/** The text view of one entry in one language. */
function explainText(e: CodeEntry, lang: Lang, color: boolean, withSources: boolean, seen?: Seen): string {
  const t = ui(lang);
  const b = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const text = codeText(e, lang);
  const labels = t.explain;
  const width = Math.max(...[labels.category, labels.outcomes, labels.description, labels.causes, labels.whatToDo, labels.docs, labels.from, labels.seen, labels.overridden, labels.sources].map(displayWidth)) + 1;
  // Registry text may come from a user's --registry file (often shared in a repository): escaped like log text.
  const line = (label: string, value: string) => `  ${label}:${' '.repeat(Math.max(1, width - displayWidth(label)))}${terminalText(value)}`;
  const more = (values: string[]) => values.map((v) => `${' '.repeat(width + 3)}${terminalText(v)}`);
  const name = categoryName(e.category, lang);
  const lines = [`${b(String(e.code))}  ${terminalText(codeMessage(e, lang, e.code))}`, line(labels.category, name === e.category ? e.category : `${e.category} · ${name}`)];
  lines.push(line(labels.outcomes, t.list(outcomeKinds(e, e.category).map((o) => t.outcomes[o]))));
  if (text.description) lines.push(line(labels.description, text.description));
  if (text.causes.length) lines.push(line(labels.causes, `- ${text.causes[0]}`), ...more(text.causes.slice(1).map((c) => `- ${c}`)));
  if (text.actions.length > 1) lines.push(line(labels.whatToDo, `1. ${text.actions[0]}`), ...more(text.actions.slice(1).map((a, i) => `${i + 2}. ${a}`)));
  else lines.push(line(labels.whatToDo, text.actions[0] ?? labels.noAction));
  if (e.docs) lines.push(line(labels.docs, e.docs));
  const from = fromLine(text.sources, lang);
  if (from) lines.push(line(labels.from, from));
  if (seen) {
    const parts = Object.entries(seen.byOutcome).filter(([o]) => o !== 'failed' || Object.keys(seen.byOutcome).length > 1).map(([o, n]) => `${t.outcomes[o as keyof typeof t.outcomes] ?? o} ${n}`);
    lines.push(line(labels.seen, seen.count ? `${t.explain.seenTimes(seen.count, seen.last)}${parts.length ? t.aside(t.list(parts)) : ''}` : labels.never));
  }
  // every file that set a field of it (entry.override is the last one)
  if (e.override) lines.push(line(labels.overridden, [...new Set([...overriddenFields(e).values(), e.override])].join(', ')));
  if (withSources) {
    // Each field's full source, where the sources disagree, and every source's own fields: for checking the registry, not for triage.
    const full = Object.entries(text.sources).filter(([, src]) => src).map(([field, src]) => `${field}: ${src}`);
    const rows = [...full, ...(e.disagreements ?? []), ...(e.variants ?? []).map((v) => JSON.stringify(v))];
    if (rows.length) lines.push(line(labels.sources, rows[0]!), ...more(rows.slice(1)));
  }
  return lines.join('\n') + '\n';
}

/** How often and when last a store saw each code (the hourly counts, and the latest event's time). */
async function seenIn(db: string, busyTimeout: number | undefined, codes: number[]): Promise<Map<number, Seen>> {
  const store = await openStore(db, { readonly: true, busyTimeout });
  try {
    const out = new Map<number, Seen>();
    for (const code of codes) {
      const rows = await store.all<{ outcome: string; n: number }>('SELECT outcome, SUM(count) AS n FROM counts_hourly WHERE code = ? GROUP BY outcome ORDER BY outcome', [code]);
      const [last] = await store.all<{ last: string | null }>('SELECT MAX(time) AS last FROM events WHERE code = ?', [code]);
      const byOutcome = Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]));
      out.set(code, { count: rows.reduce((a, r) => a + Number(r.n), 0), byOutcome, last: last?.last ?? null });
    }
    return out;
  } finally {
    await store.close();
  }
}

export const explainCommand = {
  command: 'explain <codes..>',
  describe: 'Say what Authing codes mean: category, outcomes, description, causes, what to do, docs, sources',
  builder: (y: Argv) =>
    registryOption(dbOptions(y))
      .positional('codes', { describe: 'one or more codes', type: 'string', array: true, default: undefined })
      .option('format', { alias: 'f', choices: ['table', 'json'], default: 'table', describe: 'table (text) or json' })
      .option('sources', { describe: 'also show every source of the entry and where sources disagree', type: 'boolean', default: false })
      .example('$0 explain 1636  # what "go to MFA" means and what to do', '')
      .example('$0 explain 10013 --db app.db  # how often app.db saw it, and when last', '')
      .example('$0 explain 10001 2004 --format json  # two codes, for a script', ''),
  handler: async (argv: ArgumentsCamelCase<ExplainArgs>) => {
    const reg = loadRegistryFromArgs(argv);
    const found: CodeEntry[] = [];
    const unknown: string[] = [];
    for (const raw of argv.codes) {
      const code = Number(raw);
      if (!Number.isSafeInteger(code)) throw new UserError('usage', `${JSON.stringify(raw)} is not a code; codes are integers like 1636`);
      const e = reg.codes.get(code);
      if (e) found.push(e);
      else unknown.push(raw);
    }
    // A store only when one was named (flag, environment or config file), not the default path.
    // (an in-memory one, `--db :memory:` as AUTHING_TRIAGE_DB for ingests that keep nothing, has seen nothing)
    const dbGiven = argv.settings?.db?.from !== undefined && argv.settings.db.from !== 'default' && argv.db !== MEMORY_DB;
    const seen = dbGiven ? await seenIn(argv.db, argv.busyTimeout, found.map((e) => e.code)) : undefined;
    if (argv.format === 'json') {
      writeOutput(JSON.stringify([...found.map((e) => publicEntry(e, argv.sources, seen?.get(e.code))), ...unknown.map((c) => ({ code: Number(c), category: UNREGISTERED, known: false }))], null, 2) + '\n');
    } else {
      writeOutput(found.map((e) => explainText(e, argv.lang, useColor(process.stdout), argv.sources, seen?.get(e.code))).join('\n'));
      for (const c of unknown) process.stderr.write(`authing-triage: ${terminalText(ui(argv.lang).explain.unknown(c))}\n`);
    }
    if (unknown.length) process.exitCode = EXIT.alert;
  },
};

interface CodesArgs extends CommonArgs {
  category?: string;
  format?: string;
}

export const codesCommand = {
  command: 'codes',
  describe: 'List the registry: every known code with its category and message',
  builder: (y: Argv) =>
    registryOption(y)
      .option('category', { alias: 'c', describe: 'only this category', type: 'string' })
      .option('format', { alias: 'f', choices: ['table', 'json', 'csv', 'md'], describe: 'table (default on a terminal), json, csv, md' })
      .example('$0 codes --category mfa  # the MFA codes', '')
      .example('$0 codes --format csv > codes.csv  # the whole registry as CSV', ''),
  handler: (argv: ArgumentsCamelCase<CodesArgs>) => {
    const reg = loadRegistryFromArgs(argv);
    if (argv.category && !Object.hasOwn(reg.categories, argv.category)) {
      throw new UserError('usage', `--category ${argv.category}: not a category; use one of ${Object.keys(reg.categories).join(', ')}`);
    }
    const entries = [...reg.codes.values()].filter((e) => !argv.category || e.category === argv.category).sort((a, b) => a.code - b.code);
    const format = (argv.format ?? (process.stdout.isTTY ? 'table' : 'json')) as TextFormat;
    if (format === 'json') {
      writeOutput(JSON.stringify(entries.map((e) => publicEntry(e, false)), null, 2) + '\n');
      return;
    }
    const columns: Column[] = [
      { key: 'code', title: 'CODE', align: 'right' },
      { key: 'category', title: 'CATEGORY' },
      { key: 'kind', title: 'KIND' },
      { key: 'message', title: 'MESSAGE', shrink: true },
    ];
    const rows = entries.map((e) => ({ code: e.code, category: e.category, kind: e.kind, message: codeMessage(e, argv.lang, e.code) }));
    // CSV keeps the category ids (data); the table and Markdown show display names.
    const shown = format === 'csv' ? rows : displayRows(rows, reg, argv.lang);
    return writePaged(renderRows(shown, format === 'csv' ? columns : localColumns(columns, argv.lang), format, { color: useColor(process.stdout), maxWidth: process.stdout.columns }));
  },
};
