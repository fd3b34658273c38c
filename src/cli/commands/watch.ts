/** `watch`: runs `adb logcat -B` itself, follows a device across reconnects, and an app across restarts. */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { PackageTracker } from '../../extract/package.js';
import { adbRun, noDevice, pidsOf, startLogcat } from '../../sources/adb.js';
import type { LogRecord } from '../../types.js';
import { ingestOptions, runIngest, type IngestArgs, type InputPlan, type RunInput } from './ingest.js';

interface WatchArgs extends IngestArgs {
  serial?: string;
  package?: string[];
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

function watchPlan(argv: WatchArgs, signal: AbortSignal): InputPlan {
  const packages = argv.package ?? [];
  const say = (s: string) => {
    if (!argv.quiet && !argv.json) process.stderr.write(`authing-triage: ${s}\n`);
  };
  async function* inputs(): AsyncGenerator<RunInput> {
    let lastTime: number | undefined;
    let waitedForDevice = false;
    while (!signal.aborted) {
      const tracker = packages.length ? new PackageTracker(packages, (await Promise.all(packages.map((p) => pidsOf(p, argv.serial)))).flat()) : null;
      const child = await startLogcat(argv.serial, lastTime);
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const kill = () => child.kill('SIGTERM');
      signal.addEventListener('abort', kill, { once: true });
      const observe = (r: LogRecord) => {
        if (r.time) lastTime = Date.parse(r.time);
        tracker?.observe(r);
      };
      yield {
        input: { name: `adb${argv.serial ? ` -s ${argv.serial}` : ''} logcat -B`, path: null },
        stdin: child.stdout,
        format: 'binary',
        mayBeEmpty: true,
        observeRecord: observe,
        keepRecord: tracker ? (r) => tracker.keep(r) : undefined,
      };
      signal.removeEventListener('abort', kill);
      child.kill('SIGTERM');
      if (signal.aborted) return;
      if (noDevice(stderr)) {
        if (!waitedForDevice) say('no device attached; waiting for one (Ctrl-C to stop)');
        waitedForDevice = true;
      } else {
        say('logcat ended (device disconnected?); waiting for the device to come back');
      }
      await adbRun(['wait-for-device'], argv.serial, signal);
      await sleep(500, signal);
    }
  }
  return { inputs: inputs(), problems: [], totalBytes: 0, count: 0 };
}

export const watchCommand = {
  command: 'watch',
  describe: 'Run adb logcat -B yourself: live triage of a device, across reconnects and app restarts',
  builder: (y: Argv) =>
    ingestOptions(y)
      .option('serial', { alias: 's', describe: 'device serial (adb -s), when several are attached', type: 'string' })
      .option('package', { alias: 'p', describe: "keep only this app's processes, following their pids (repeatable)", type: 'string', array: true, nargs: 1 })
      .example('$0 watch', 'live triage of the attached device')
      .example('$0 watch --package com.example.app --json | jq .code', "one app's Authing events as NDJSON"),
  handler: async (argv: ArgumentsCamelCase<WatchArgs>) => {
    process.exitCode = await runIngest(argv, async (signal) => watchPlan(argv, signal));
  },
};
