/** `explain CODE...` and `codes`: what the registry says. */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { EXIT, UserError } from '../../errors.js';
import { UNREGISTERED, type CodeEntry } from '../../registry/index.js';
import { renderRows, type Column, type TextFormat } from '../../report/render.js';
import { loadRegistryFromArgs, registryOption, type CommonArgs } from '../common.js';
import { useColor, writeOutput, writePaged } from '../output.js';

interface ExplainArgs extends CommonArgs {
  codes: string[];
  format: string;
}

const publicEntry = ({ variants, ...e }: CodeEntry) => ({ ...e, sources: (variants ?? []).map((v) => v.source) });

function explainText(e: CodeEntry, color: boolean): string {
  const b = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const lines = [`${b(String(e.code))}  ${e.message}`, `  category:    ${e.category}`, `  kind:        ${(e.kinds ?? [e.kind]).join(', ')}`];
  if (e.messageZh && e.messageZh !== e.message) lines.push(`  message zh:  ${e.messageZh}`);
  if (e.description) lines.push(`  description: ${e.description}`);
  lines.push(`  what to do:  ${e.suggestion ?? 'see the docs link'}`);
  if (e.docs) lines.push(`  docs:        ${e.docs}`);
  for (const d of e.disagreements ?? []) lines.push(`  note:        ${d}`);
  if (e.override) lines.push(`  overridden:  ${e.override}`);
  return lines.join('\n') + '\n';
}

export const explainCommand = {
  command: 'explain <codes..>',
  describe: 'Say what Authing codes mean, their category, what to do, and the docs link',
  builder: (y: Argv) =>
    registryOption(y)
      .positional('codes', { describe: 'one or more codes', type: 'string', array: true, default: undefined })
      .option('format', { alias: 'f', choices: ['table', 'json'], default: 'table', describe: 'table (text) or json' })
      .example('$0 explain 1636', 'what "go to MFA" means and what to do')
      .example('$0 explain 10001 2004 --format json', 'two codes, for a script'),
  handler: (argv: ArgumentsCamelCase<ExplainArgs>) => {
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
    if (argv.format === 'json') {
      writeOutput(JSON.stringify([...found.map(publicEntry), ...unknown.map((c) => ({ code: Number(c), category: UNREGISTERED, known: false }))], null, 2) + '\n');
    } else {
      writeOutput(found.map((e) => explainText(e, useColor(process.stdout))).join('\n'));
      for (const c of unknown) process.stderr.write(`authing-triage: ${c} is not in the registry (counted as ${UNREGISTERED}); add it with --registry FILE\n`);
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
      .example('$0 codes --category mfa', 'the MFA codes')
      .example('$0 codes --format csv > codes.csv', 'the whole registry as CSV'),
  handler: (argv: ArgumentsCamelCase<CodesArgs>) => {
    const reg = loadRegistryFromArgs(argv);
    if (argv.category && !Object.hasOwn(reg.categories, argv.category)) {
      throw new UserError('usage', `--category ${argv.category}: not a category; use one of ${Object.keys(reg.categories).join(', ')}`);
    }
    const entries = [...reg.codes.values()].filter((e) => !argv.category || e.category === argv.category).sort((a, b) => a.code - b.code);
    const format = (argv.format ?? (process.stdout.isTTY ? 'table' : 'json')) as TextFormat;
    if (format === 'json') {
      writeOutput(JSON.stringify(entries.map(publicEntry), null, 2) + '\n');
      return;
    }
    const columns: Column[] = [
      { key: 'code', title: 'CODE', align: 'right' },
      { key: 'category', title: 'CATEGORY' },
      { key: 'kind', title: 'KIND' },
      { key: 'message', title: 'MESSAGE', shrink: true },
    ];
    return writePaged(renderRows(entries as unknown as Record<string, unknown>[], columns, format, { color: useColor(process.stdout), maxWidth: process.stdout.columns }));
  },
};
