/** The inputs of `watch`: `adb logcat -B` runs, restarted across reconnects, with an app's pids followed. */
import { PackageTracker } from '../extract/package.js';
import { adbRun, adbSerial, deviceLabels, noDevice, pidsOf, startLogcat } from '../sources/adb.js';
import type { Store } from '../store/store.js';
import { labelValue } from '../labels/labels.js';
import { sourceName } from '../pipeline/source-name.js';
import { terminalText } from '../sinks/terminal-text.js';
import type { AuthingEvent, LogRecord } from '../types.js';
import type { IngestArgs } from './commands/ingest.js';
import type { InputPlan, RunInput } from './run-ingest.js';

export interface WatchArgs extends IngestArgs {
  serial?: string;
  package?: string[];
}

/** Waits `ms`, or less when `signal` aborts; the abort listener goes with the wait (one a reconnect added up before). */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** The longest wait before adb is tried again after it failed (doubling from 1 s). */
const MAX_RETRY_MS = 30_000;

/** Records a restarted stream's first ones are compared with: `-T` sends again those at or after its time. */
const RESENT_RING = 1024;

/**
 * The records a `logcat -B -T <time of the last record>` sends again after a reconnect: logd sends every record at or
 * after that time (the last one seen, those of its millisecond, and, where the time falls between two, the one before),
 * and the restarted stream, with another head, is another source: they were counted twice (an adversarial review:
 * 21 events of 20). A restarted stream's first records that are, in order, the last ones seen are dropped before the
 * Parser's records reach the Extractor; the first one that is not ends the check.
 */
export class ResentRecords {
  private ring: string[] = [];
  /** While a restarted stream's first records are checked: the ring's index the next one must match, -1 for any. */
  private next: number | null = null;

  /** A stream starts (again: its first records may be the last ones seen; before any record, nothing to check). */
  restart(): void {
    this.next = this.ring.length ? -1 : null;
  }

  /** True for a record sent again (drop it); any other is remembered. */
  seen(r: LogRecord): boolean {
    const d = `${r.time}\u0000${r.pid}\u0000${r.tid}\u0000${r.level}\u0000${r.tag}\u0000${r.message}`;
    if (this.next !== null) {
      const at = this.next < 0 ? this.ring.indexOf(d) : this.ring[this.next] === d ? this.next : -1;
      if (at >= 0) {
        this.next = at + 1 < this.ring.length ? at + 1 : null;
        return true;
      }
      this.next = null;
    }
    this.ring.push(d);
    if (this.ring.length > 2 * RESENT_RING) this.ring.splice(0, this.ring.length - RESENT_RING);
    return false;
  }
}

/** An event as stored and as found (PostgreSQL gives BIGINT columns as text): its time, thread, tag, code and excerpt. */
function eventKey(e: { time: string | null; pid: unknown; tid: unknown; tag: string; code: unknown; excerpt: string }): string {
  const n = (v: unknown) => (v === null || v === undefined ? '' : String(Number(v)));
  return [e.time ?? '', n(e.pid), n(e.tid), e.tag, n(e.code), e.excerpt].join('\u0000');
}

/** The time of the last event a `watch` counted from this device (its input's name and serial), and the events then. */
async function lastCounted(store: Store, name: string, serial: string): Promise<{ time: number; events: Set<string> } | null> {
  const from = "FROM events e JOIN sources s ON s.id = e.source_id JOIN source_labels l ON l.source_id = s.id AND l.key = 'serial' WHERE s.name = ? AND l.value = ?";
  const [last] = await store.all<{ t: string | null }>(`SELECT max(e.time) AS t ${from}`, [name, serial]);
  const time = last?.t ? Date.parse(last.t) : NaN;
  if (!last?.t || Number.isNaN(time)) return null;
  const rows = await store.all<{ time: string; pid: unknown; tid: unknown; tag: string; code: unknown; excerpt: string }>(`SELECT e.time, e.pid, e.tid, e.tag, e.code, e.excerpt ${from} AND e.time = ?`, [name, serial, last.t]);
  return { time, events: new Set(rows.map(eventKey)) };
}

/**
 * `store`: the run's store, for where a device's counting stopped. A new `watch` read the device's whole buffer
 * again, and its first stream was the source an earlier run's first stream was: the records that run's restarted
 * (`-T`) streams had counted were counted again after it, and all of them once the buffer had rotated (an adversarial
 * review: 30 and 42 events of 25). Now a device known by its serial starts at its last counted event's time
 * (`-T`), and the events of that millisecond counted before are not counted again.
 */
export function watchPlan(argv: WatchArgs, signal: AbortSignal, store?: () => Promise<Store>): InputPlan {
  const packages = argv.package ?? [];
  const say = (s: string) => {
    if (!argv.quiet && !argv.json) process.stderr.write(`authing-triage: ${s}\n`);
  };
  async function* inputs(): AsyncGenerator<RunInput> {
    let lastTime: number | undefined;
    let waitedForDevice = false;
    const resent = new ResentRecords();
    // adb failures in a row with a device there, and the last one's words
    let failures = 0;
    let lastError = '';
    const name = `adb${argv.serial ? ` -s ${argv.serial}` : ''} logcat -B`;
    // the events counted before at the time this run starts from (none until the device is known)
    let countedThen: Set<string> | null = null;
    while (!signal.aborted) {
      resent.restart();
      const tracker = packages.length ? new PackageTracker(packages, (await Promise.all(packages.map((p) => pidsOf(p, argv.serial)))).flat()) : null;
      // Asked again after each reconnect: another device may be the one plugged in now.
      const serial = await adbSerial(argv.serial, signal);
      const labels = { ...(await deviceLabels(argv.serial, packages, signal)), ...(serial ? { serial } : {}) };
      // Before this run has read a record: where the counting of this device stopped, if a run counted it before.
      if (lastTime === undefined && serial && store) {
        // as stored: the source's name as sourceName makes it, the serial as a label value
        const last = await lastCounted(await store(), sourceName(name, !argv.redact), labelValue(serial, 'serial'));
        if (last) [lastTime, countedThen] = [last.time, last.events];
      }
      const skip = countedThen;
      const child = await startLogcat(argv.serial, lastTime);
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const kill = () => child.kill('SIGTERM');
      signal.addEventListener('abort', kill, { once: true });
      // observeRecord sees each record just before keepRecord does (ingest.ts's extractStage)
      let dropped: LogRecord | null = null;
      let records = 0;
      const observe = (r: LogRecord) => {
        records++;
        if (resent.seen(r)) {
          dropped = r;
          return;
        }
        if (r.time) lastTime = Date.parse(r.time);
        tracker?.observe(r);
      };
      yield {
        input: { name, path: null },
        ...(skip ? { skipEvent: (e: AuthingEvent) => skip.has(eventKey(e)) } : {}),
        stdin: child.stdout,
        format: 'binary',
        mayBeEmpty: true,
        labels,
        observeRecord: observe,
        keepRecord: (r) => r !== dropped && (tracker ? tracker.keep(r) : true),
      };
      signal.removeEventListener('abort', kill);
      child.kill('SIGTERM');
      if (signal.aborted) return;
      const error = stderr.trim().split('\n')[0]?.trim() ?? '';
      if (noDevice(stderr)) {
        if (!waitedForDevice) say('no device attached; waiting for one (Ctrl-C to stop)');
        waitedForDevice = true;
        failures = 0;
      } else if (records === 0 && error) {
        // adb failed with a device there (a protocol fault, a server of another version): its own words, once each,
        // and longer waits while it goes on failing (it was tried twice a second, unsaid, for as long as it ran)
        failures++;
        if (error !== lastError) say(`adb logcat failed: ${terminalText(error)}; trying again (Ctrl-C to stop)`);
        lastError = error;
      } else {
        say('logcat ended (device disconnected?); waiting for the device to come back');
        failures = 0;
        lastError = '';
      }
      await adbRun(['wait-for-device'], argv.serial, signal);
      await sleep(Math.min(MAX_RETRY_MS, 500 * 2 ** Math.min(failures, 10)), signal);
    }
  }
  return { inputs: inputs(), problems: [], totalBytes: 0, count: 0 };
}

