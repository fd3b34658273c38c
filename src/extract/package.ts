/**
 * Following an app's processes, like pidcat: the pids `adb shell pidof` gives at the start, then
 * ActivityManager's `Start proc` and `has died` lines as the app restarts.
 */
import type { LogRecord } from '../types.js';

// Start proc 13003:com.example.app:remote/u0a111 for activity ...   (Android 7+)
const START_NEW = /^Start proc (\d+):([^\s/]+)\/\S+ for /;
// Start proc com.example.app for activity com.example.app/.Main: pid=1234 uid=10060 ...   (older)
const START_OLD = /^Start proc ([^\s]+) for .*?: pid=(\d+)/;
// Process com.example.app (pid 1234) has died
const DIED = /^Process ([^\s]+) \(pid (\d+)\) has died/;
// Killing 1234:com.example.app/u0a1 (adj 900): ...
const KILLING = /^Killing (\d+):([^\s/]+)\//;

/** Keeps the records of the named packages' processes. */
export class PackageTracker {
  readonly pids = new Set<number>();

  constructor(
    private readonly packages: readonly string[],
    initialPids: Iterable<number> = [],
  ) {
    for (const p of initialPids) this.pids.add(p);
  }

  private ours(processName: string): boolean {
    return this.packages.some((p) => processName === p || processName.startsWith(`${p}:`));
  }

  /** Looks at every record for process starts and deaths. */
  observe(r: LogRecord): void {
    if (r.tag !== 'ActivityManager') return;
    let m = START_NEW.exec(r.message);
    if (m && this.ours(m[2]!)) {
      this.pids.add(Number(m[1]));
      return;
    }
    m = START_OLD.exec(r.message);
    if (m && this.ours(m[1]!)) {
      this.pids.add(Number(m[2]));
      return;
    }
    m = DIED.exec(r.message);
    if (m && this.ours(m[1]!)) {
      this.pids.delete(Number(m[2]));
      return;
    }
    m = KILLING.exec(r.message);
    if (m && this.ours(m[2]!)) this.pids.delete(Number(m[1]));
  }

  /** True for a record of one of the packages' processes. */
  keep(r: LogRecord): boolean {
    return r.pid !== null && this.pids.has(r.pid);
  }
}
