/** `parse [paths..]`: the parsed records as NDJSON, one object per record. */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { FORMAT_NAMES } from '../../parse/formats.js';
import type { FormatName } from '../../types.js';
import { quietOnClosedPipe } from '../output.js';
import { terminalJson } from '../../sinks/terminal-text.js';

interface ParseArgs {
  paths: string[];
  inputFormat?: string;
  year?: number;
  tz?: string;
}

export const parseCommand = {
  command: 'parse [paths..]',
  describe: 'Print parsed log records as NDJSON (time, pid, tid, level, tag, message, format, source, line)',
  builder: (y: Argv) =>
    y
      .positional('paths', { type: 'string', array: true, default: [] as string[], defaultDescription: 'stdin', describe: 'files or folders; stdin when none' })
      .option('input-format', { choices: FORMAT_NAMES as string[], describe: 'force the input format' })
      .option('year', { type: 'number', describe: 'year of the last of the stamps that have none (a stream: of the first)' })
      .option('tz', { type: 'string', describe: 'IANA zone of local stamps' })
      .example('$0 parse capture.log | jq -r .tag | sort | uniq -c  # count records per tag', '')
      .example('adb logcat -d | $0 parse --input-format threadtime  # how a device\'s lines parse', ''),
  handler: async (argv: ArgumentsCamelCase<ParseArgs>) => {
    quietOnClosedPipe();
    const [{ parseRecords }, { listInputs }, { openInput }, { yearOptions }, { candidateNeedles, isCandidateLine }] = await Promise.all([
      import('../../pipeline/parse.js'), import('../../sources/index.js'), import('../../sources/open.js'), import('../../sources/last-stamp.js'), import('../../extract/prefilter.js'),
    ]);
    // Unparsed lines are counted as ingest counts them: those that could hold an event (see SourceResult.unparsed).
    const needles = candidateNeedles([]);
    const { inputs, problems } = await listInputs(argv.paths);
    let failed = problems.length > 0;
    for (const p of problems) process.stderr.write(`authing-triage: ${p.name}: ${p.reason}\n`);
    for (const input of inputs) {
      try {
        const opened = await openInput(input);
        const opts = { format: argv.inputFormat as FormatName | undefined, tz: argv.tz, ...(await yearOptions(argv.year, opened)) };
        const onHead = (h: { note: string | null }) => {
          if (h.note) process.stderr.write(`authing-triage: ${input.name}: ${h.note}\n`);
        };
        for await (const r of parseRecords(opened.stream, opts, onHead)) {
          if (!('unparsed' in r)) process.stdout.write(terminalJson({ ...r, source: input.name }) + '\n');
          else if (isCandidateLine(needles, r.text)) process.stderr.write(`authing-triage: ${input.name}:${r.unparsed}: unparsed line\n`);
        }
      } catch (e) {
        failed = true;
        process.stderr.write(`authing-triage: ${input.name}: ${(e as Error).message}\n`);
      }
    }
    if (failed) process.exitCode = EXIT.input;
  },
};
