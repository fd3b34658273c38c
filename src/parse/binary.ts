/**
 * Binary logcat (`adb logcat -B`): exact record boundaries and full timestamps, parsed with
 * @devicefarmer/adbkit-logcat's own binary parser.
 */
import type { EventEmitter } from 'node:events';
import { requireAtFirstUse } from '../first-use.js';
import type { Level, LogRecord } from '../types.js';

// The library's parser class: parse(chunk) emits 'entry' per record, then 'drain' (nothing left over) or 'wait'.
type AdbParser = EventEmitter & { parse(chunk: Buffer): void };
/** Loaded with the first binary capture: the library costs every run ~10 ms of start-up (measured). */
const binaryParser = (): AdbParser => new (requireAtFirstUse<new () => AdbParser>('@devicefarmer/adbkit-logcat/lib/logcat/parser/binary'))();

interface AdbEntry {
  date: Date;
  pid: number;
  tid: number;
  priority: number;
  tag: string;
  message: string;
}

// android_LogPriority: 2 VERBOSE .. 7 FATAL (ASSERT), 8 SILENT
const LEVELS: Record<number, Level> = { 2: 'V', 3: 'D', 4: 'I', 5: 'W', 6: 'E', 7: 'F', 8: 'S' };
const MAX_PAYLOAD = 5 * 1024;

function entryAt(buf: Buffer, at: number): number | null {
  if (buf.length < at + 4) return null;
  const len = buf.readUInt16LE(at);
  let hdr = buf.readUInt16LE(at + 2);
  if (hdr === 0) hdr = 20; // v1 headers have padding there
  if (![20, 24, 28].includes(hdr) || len < 3 || len > MAX_PAYLOAD) return -1;
  if (buf.length < at + hdr + 1) return null;
  const prio = buf[at + hdr]!;
  if (prio < 1 || prio > 8) return -1;
  if (buf.length >= at + hdr + len && buf.indexOf(0, at + hdr + 1) > at + hdr + len) return -1; // no NUL after the tag
  return at + hdr + len;
}

/** True when the first bytes look like logger entries rather than text. */
export function looksLikeBinaryLogcat(head: Buffer): boolean {
  const next = entryAt(head, 0);
  if (next === null || next < 0) return false;
  const second = entryAt(head, next);
  return second === null || second > 0;
}

/** Turns binary chunks into records; `line` is the 1-based index of the entry. */
export class BinaryRecords {
  private readonly parser = binaryParser();
  private readonly out: LogRecord[] = [];
  private drained = true;

  constructor(private entryNo = 0) {
    this.parser.on('entry', (e: AdbEntry) => {
      this.out.push({
        time: Number.isNaN(e.date.getTime()) ? null : e.date.toISOString(),
        pid: e.pid,
        tid: e.tid,
        level: LEVELS[e.priority] ?? '?',
        tag: e.tag,
        message: e.message.replace(/\n+$/, ''),
        format: 'binary',
        line: ++this.entryNo,
      });
    });
    this.parser.on('drain', () => (this.drained = true));
    this.parser.on('wait', () => (this.drained = false));
    this.parser.on('error', () => {
      // An entry without a tag terminator: skipped, like a junk line.
    });
  }

  /** Parses a chunk; `drained` says whether every byte so far belongs to a whole entry. */
  push(chunk: Buffer): { records: LogRecord[]; drained: boolean } {
    this.parser.parse(chunk);
    return { records: this.out.splice(0), drained: this.drained };
  }

  get entries(): number {
    return this.entryNo;
  }
}
