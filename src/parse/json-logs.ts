/** JSON-shaped logs: NDJSON (pino, bunyan and similar) lines, and Android Studio's `.logcat` export. */
import type { Level, LogRecord } from '../types.js';
import { processId } from './formats.js';
import { isoTime } from './time.js';

const PINO_LEVELS: [number, Level][] = [[60, 'F'], [50, 'E'], [40, 'W'], [30, 'I'], [20, 'D'], [0, 'V']];
const NAMED: Record<string, Level> = {
  trace: 'V', verbose: 'V', debug: 'D', info: 'I', information: 'I', warn: 'W', warning: 'W', error: 'E', fatal: 'F', critical: 'F', assert: 'F',
  v: 'V', d: 'D', i: 'I', w: 'W', e: 'E', f: 'F', a: 'F',
};

/** A level from a number (pino/bunyan) or a name. */
export function jsonLevel(v: unknown): Level | null {
  if (typeof v === 'number') return PINO_LEVELS.find(([n]) => v >= n)?.[1] ?? null;
  if (typeof v === 'string') return NAMED[v.toLowerCase()] ?? null;
  return null;
}

function jsonTime(v: unknown): string | null {
  if (typeof v === 'number') return isoTime(v < 1e11 ? v * 1000 : v);
  if (typeof v === 'string') return isoTime(Date.parse(v));
  return null;
}

const NDJSON_OWN = new Set(['level', 'time', 'timestamp', '@timestamp', 'msg', 'message', 'pid', 'hostname', 'v', 'name', 'tag', 'logger', 'tid']);

/**
 * One NDJSON line as a record: level, time and msg are fields; the tag is `tag`, `name` or `logger`;
 * the other fields follow the message as JSON so the extraction contract sees them.
 */
export function parseNdjsonLine(line: string, lineNo: number): LogRecord | null {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  let o: unknown;
  try {
    o = JSON.parse(t);
  } catch {
    return null; // not JSON, or nested past the parser's depth
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const r = o as Record<string, unknown>;
  const msg = r.msg ?? r.message;
  if (msg === undefined && r.level === undefined) return null;
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!NDJSON_OWN.has(k)) rest[k] = v;
  const tag = r.tag ?? r.name ?? r.logger ?? '';
  const restText = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return {
    time: jsonTime(r.time ?? r.timestamp ?? r['@timestamp']),
    pid: processId(r.pid),
    tid: processId(r.tid),
    level: jsonLevel(r.level),
    tag: typeof tag === 'string' ? tag : JSON.stringify(tag),
    message: `${typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg)}${restText}`,
    format: 'ndjson',
    line: lineNo,
  };
}

/** True when the start of an input is Android Studio's JSON export. */
export function looksLikeStudioJson(head: Buffer): boolean {
  const text = head.toString('utf8', 0, Math.min(head.length, 8192)).trimStart();
  return text.startsWith('{') && text.includes('"logcatMessages"');
}

interface StudioMessage {
  header?: { logLevel?: string; pid?: number; tid?: number; tag?: string; timestamp?: { seconds?: number; nanos?: number } };
  message?: string;
}

/** A Studio message's time, or none when it is not a time (a damaged export's 1e20 s skipped the whole file). */
function studioTime(ts: { seconds?: unknown; nanos?: unknown } | undefined): string | null {
  if (typeof ts?.seconds !== 'number') return null;
  return isoTime(ts.seconds * 1000 + Math.floor((typeof ts.nanos === 'number' ? ts.nanos : 0) / 1e6));
}

/** Android Studio's `.logcat` export: `line` is the 1-based index of the message. */
export function parseStudioJson(text: string): LogRecord[] {
  const doc = JSON.parse(text) as { logcatMessages?: StudioMessage[] };
  if (!Array.isArray(doc.logcatMessages)) throw new Error('no "logcatMessages" array');
  return doc.logcatMessages.map((m, i) => {
    const h = m.header ?? {};
    const ts = h.timestamp;
    return {
      time: studioTime(ts),
      pid: processId(h.pid),
      tid: processId(h.tid),
      level: jsonLevel(h.logLevel),
      tag: h.tag ?? '',
      message: m.message ?? '',
      format: 'studio-json',
      line: i + 1,
    };
  });
}

/** The largest Studio export read (it is one JSON document, so it is held whole). */
export const MAX_STUDIO_JSON = 512 * 1024 * 1024;

/**
 * Reads a whole Studio export from a stream, bounded by MAX_STUDIO_JSON, and parses it. Errors carry
 * a code: ETOOBIG (too large) or EBADJSON (not an export); `size` is how many bytes were read.
 */
export async function readStudioJson(stream: AsyncIterable<Buffer>): Promise<{ records: LogRecord[]; size: number }> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    size += c.length;
    if (size > MAX_STUDIO_JSON) throw Object.assign(new Error(`an Android Studio export larger than ${MAX_STUDIO_JSON >> 20} MiB; export a shorter range`), { code: 'ETOOBIG' });
    parts.push(c);
  }
  try {
    return { records: parseStudioJson(Buffer.concat(parts).toString('utf8')), size };
  } catch (e) {
    throw Object.assign(new Error(`not a valid Android Studio logcat export (${(e as Error).message})`), { code: 'EBADJSON' });
  }
}
