/** `config`: the effective settings and where each came from. */
import { redactUrl } from '../../store/store.js';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { renderRows } from '../../report/render.js';
import { commonOptions } from '../common.js';
import type { Setting } from '../config.js';
import { writeOutput } from '../output.js';

export const configCommand = {
  command: 'config',
  describe: 'Print the effective settings and where each came from (flag, environment, config file, default)',
  builder: (y: Argv) =>
    commonOptions(y)
      .option('format', { alias: 'f', choices: ['table', 'json'], default: 'table' })
      .option('tz', { type: 'string', describe: 'IANA zone of local stamps' })
      .option('year', { type: 'number', describe: 'year of the last of the stamps without one' })
      .example('$0 config  # show the settings in force here', '')
      .example('$0 config --config ci.json --format json  # check a config file', ''),
  handler: (argv: ArgumentsCamelCase<{ settings: Record<string, Setting<unknown>>; format: string }>) => {
    // A PostgreSQL URL may carry a password: never print it.
    const s = Object.fromEntries(Object.entries(argv.settings).map(([k, v]) => [k, typeof v.value === 'string' ? { ...v, value: redactUrl(v.value) } : v]));
    if (argv.format === 'json') {
      writeOutput(JSON.stringify(s, null, 2) + '\n');
      return;
    }
    const rows = Object.entries(s).map(([key, v]) => ({ key, value: v.value === undefined || v.value === null ? '' : JSON.stringify(v.value), from: v.from }));
    writeOutput(renderRows(rows, [{ key: 'key', title: 'SETTING' }, { key: 'value', title: 'VALUE', shrink: true }, { key: 'from', title: 'FROM' }], 'table', { maxWidth: process.stdout.columns }));
  },
};
