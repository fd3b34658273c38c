/**
 * `rescan [paths..]`: re-derive the events of these sources under this run's settings, replacing
 * theirs exactly (their counts follow). For when a --tag or registry signature was dropped on
 * purpose: a plain re-run keeps what a wider contract stored; a rescan makes the source as if it
 * were read the first time now.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { describeElements } from '../../pipeline/contract.js';
import { terminalText } from '../../sinks/terminal-text.js';
import { ui } from '../../registry/text.js';
import type { Lang } from '../../registry/ui-strings.js';
import type { SourceResult } from '../../pipeline/ingest.js';
import { ingestOptions, type IngestArgs } from './ingest.js';

export const rescanCommand = {
  command: 'rescan [paths..]',
  describe: 'Read these inputs again under the current --tag and --registry settings, replacing what they contributed',
  builder: (y: Argv) =>
    ingestOptions(y.positional('paths', { describe: 'files, folders or quoted globs counted before', type: 'string', array: true, default: [] as string[] }))
      .example('$0 rescan --registry ours.json logs/  # re-derive logs/ under the new registry', ''),
  handler: async (argv: ArgumentsCamelCase<IngestArgs>) => {
    const { runIngest } = await import('../run-ingest.js');
    process.exitCode = await runIngest({ ...argv, rescan: true });
  },
};

/**
 * Says, once a run, how many stored events the display filters hid (`shown`: the events shown, when
 * filtered), which sources were re-read, and which keep events of settings this run lacks.
 */
export function reportContract(results: readonly SourceResult[], shown: number | undefined, out: NodeJS.WritableStream, lang: Lang = 'en', rerun = ''): void {
  const t = ui(lang).notes;
  const stored = results.reduce((a, r) => a + r.events, 0);
  if (shown !== undefined && stored > shown) out.write(`authing-triage: ${t.filteredOut(stored - shown, stored)}\n`);
  const reread = results.filter((r) => r.reread);
  if (reread.length) out.write(`authing-triage: ${t.reread(reread.length)}\n`);
  const narrower = results.filter((r) => r.contextRemoved?.length);
  if (!narrower.length) return;
  const removed = [...new Set(narrower.flatMap((r) => r.contextRemoved!))];
  const names = narrower.slice(0, 3).map((r) => terminalText(r.name)).join(', ') + (narrower.length > 3 ? `, and ${narrower.length - 3} more` : '');
  out.write(
    `authing-triage: ${names}: counted before with ${terminalText(describeElements(removed))}, which this run lacks; their stored events stay. ` +
      `To re-derive them under this run's settings: authing-triage rescan ${rerun ? `${rerun} ` : ''}PATHS\n`,
  );
}
