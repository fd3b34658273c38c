/** `show ID`: one stored event with its registry text, cause and the lines before it in its process. */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { eventByRef, parseEventRef, type StoredEvent } from '../../report/event.js';
import { bilingual, categoryLabel, codeAction, codeMessage, ui, type Lang } from '../../registry/text.js';
import type { Registry } from '../../registry/index.js';
import { terminalText } from '../../sinks/terminal-text.js';
import { dbOptions, loadRegistryFromArgs, openForReading, registryOption, type CommonArgs } from '../common.js';
import { writeOutput } from '../output.js';

interface ShowArgs extends CommonArgs {
  id: string;
  format: string;
}

/** The event as text; every log-derived field escaped for the terminal. */
export function showText(e: StoredEvent, reg: Registry, lang: Lang): string {
  const entry = reg.codes.get(e.code);
  const t = terminalText;
  const lines = [
    `event ${e.id} (${e.event})  ${e.time ?? '-'}  ${t(e.source)} line ${e.line}`,
    `${e.code} [${categoryLabel(e.category, lang)}] ${ui(lang).outcomes[e.outcome as keyof ReturnType<typeof ui>['outcomes']] ?? e.outcome}  ${t(codeMessage(entry, lang, e.code))}`,
    `${e.level ?? '?'} ${t(e.tag)}${e.pid !== null ? ` (pid ${e.pid}${e.tid !== null ? `, tid ${e.tid}` : ''})` : ''}: ${t(e.excerpt)}`,
    `${ui(lang).html.cause}: ${e.cause === null ? ui(lang).html.noCause : t(e.cause)}`,
  ];
  const action = codeAction(entry, lang);
  if (action) lines.push(`${ui(lang).live.whatToDo}: ${t(action)}`);
  if (e.context === null) lines.push('context: none kept (ingested with --context 0, or before context was kept)');
  else {
    lines.push(`${ui(lang).html.context(e.context.length)}:`);
    for (const c of e.context) lines.push(`  ${t(c)}`);
  }
  return lines.join('\n') + '\n';
}

export const showCommand = {
  command: 'show <id>',
  describe: 'Show one stored event: its code, registry text, cause and the lines before it in its process',
  builder: (y: Argv) =>
    registryOption(dbOptions(y))
      .positional('id', { describe: 'latestEvent of report --format json (17), or event of a --json line (3:245)', type: 'string' })
      .option('format', { alias: 'f', describe: 'text or json', choices: ['text', 'json'], default: 'text' })
      .example('$0 report --by code cause -f json | jq ".[0].latestEvent"  # an id to show', '')
      .example('$0 show 17  # the event, its cause and the lines before it', ''),
  handler: async (argv: ArgumentsCamelCase<ShowArgs>) => {
    const ref = parseEventRef(String(argv.id));
    const registry = loadRegistryFromArgs(argv);
    const store = await openForReading(argv.db, argv.busyTimeout, registry);
    try {
      const e = await eventByRef(store, ref);
      if (!e) {
        process.stderr.write(`authing-triage: no event ${terminalText(String(argv.id))} in ${terminalText(store.location)}; ids come from report --format json (latestEvent) or --json lines (event), and pruned events are gone\n`);
        process.exitCode = EXIT.alert;
        return;
      }
      if (argv.format === 'json') {
        const b = bilingual(registry.codes.get(e.code));
        writeOutput(JSON.stringify({ ...e, message: b.message, messageZh: b.messageZh, suggestion: b.suggestion, suggestionZh: b.suggestionZh }, null, 2) + '\n');
      } else writeOutput(showText(e, registry, argv.lang));
    } finally {
      await store.close();
    }
  },
};

