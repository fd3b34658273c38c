/** The inputs of `watch`: `adb logcat -B` runs, restarted across reconnects, with an app's pids followed. */
import { PackageTracker } from '../extract/package.js';
import { adbRun, deviceLabels, noDevice, pidsOf, startLogcat } from '../sources/adb.js';
import type { LogRecord } from '../types.js';
import type { IngestArgs } from './commands/ingest.js';
import type { InputPlan, RunInput } from './run-ingest.js';

export interface WatchArgs extends IngestArgs {
  serial?: string;
  package?: string[];
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export function watchPlan(argv: WatchArgs, signal: AbortSignal): InputPlan {
  const packages = argv.package ?? [];
  const say = (s: string) => {
    if (!argv.quiet && !argv.json) process.stderr.write(`authing-triage: ${s}\n`);
  };
  async function* inputs(): AsyncGenerator<RunInput> {
    let lastTime: number | undefined;
    let waitedForDevice = false;
    while (!signal.aborted) {
      const tracker = packages.length ? new PackageTracker(packages, (await Promise.all(packages.map((p) => pidsOf(p, argv.serial)))).flat()) : null;
      // Asked again after each reconnect: another device may be the one plugged in now.
      const labels = await deviceLabels(argv.serial, packages, signal);
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
        labels,
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

