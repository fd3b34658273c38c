/** `watch`: runs `adb logcat -B` itself, follows a device across reconnects, and an app across restarts. */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { WatchArgs } from '../watch-plan.js';
import { ingestOptions } from './ingest.js';

export const watchCommand = {
  command: 'watch',
  describe: 'Run adb logcat -B yourself: live triage of a device, across reconnects and app restarts',
  builder: (y: Argv) =>
    ingestOptions(y)
      .option('serial', { alias: 's', describe: 'device serial (adb -s), when several are attached', type: 'string', requiresArg: true })
      .option('package', { alias: 'p', describe: "keep only this app's processes, following their pids (repeatable)", type: 'string', array: true, nargs: 1 })
      .example('$0 watch  # live triage of the attached device', '')
      .example('$0 watch --package com.example.app --json | jq .code  # one app\'s events as NDJSON', ''),
  handler: async (argv: ArgumentsCamelCase<WatchArgs>) => {
    const [{ runIngest }, { watchPlan }] = await Promise.all([import('../run-ingest.js'), import('../watch-plan.js')]);
    process.exitCode = await runIngest(argv, async (signal, store) => watchPlan(argv, signal, store));
  },
};
