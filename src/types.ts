/** Shared data types of the pipeline: sources -> lines -> records -> events -> sinks. */

/** Logcat priority letters; `A` (assert) is normalised to `F`. */
export type Level = 'V' | 'D' | 'I' | 'W' | 'E' | 'F' | 'S' | '?';

/** Every input shape the parser understands. */
export type FormatName =
  | 'threadtime'
  | 'time'
  | 'brief'
  | 'process'
  | 'tag'
  | 'thread'
  | 'long'
  | 'raw'
  | 'studio'
  | 'studio-v2'
  | 'binary'
  | 'studio-json'
  | 'ndjson';

/** One log entry, whatever format it came in. */
export interface LogRecord {
  /** UTC time in ISO 8601 with milliseconds, or null when the format has none. */
  time: string | null;
  pid: number | null;
  tid: number | null;
  level: Level | null;
  tag: string;
  message: string;
  format: FormatName;
  /** 1-based line where the record starts in its source. */
  line: number;
}

/** How the code of an event was found. */
export type Method = 'signature' | 'json' | 'key-value';

/** What became of the attempt an event reports (see extract/outcome.ts). */
export type Outcome = 'failed' | 'canceled' | 'error' | 'success';

/** One Authing code found in one record. */
export interface AuthingEvent {
  code: number;
  category: string;
  method: Method;
  /** Extra detail: a provider's own error code, the HTTP status, the JSON key. */
  detail: string | null;
  time: string | null;
  pid: number | null;
  tid: number | null;
  level: Level | null;
  tag: string;
  line: number;
  /** The message, redacted and cut to a short excerpt. */
  excerpt: string;
  /** Failed, canceled, error or success: from the SDK's words on the line and the code. */
  outcome: Outcome;
  /** The records just before it in the same pid, oldest first, capped and redacted (pipeline/context.ts); absent when none was kept. */
  context?: string[];
  /** The failure signature its context or message shows (extract/causes.ts: dns, timeout, tls, ...), or null. */
  cause?: string | null;
  /** The stored source it belongs to (with `line`, its key before it has an id). */
  sourceId?: number;
}
