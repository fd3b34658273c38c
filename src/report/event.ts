/** One stored event by its id, with its context and cause (`authing-triage show ID`). */
import { UserError } from '../errors.js';
import { parseContext } from '../store/context-migration.js';
import type { Store } from '../store/store.js';

/** A stored event as `show` prints it. */
export interface StoredEvent {
  id: number;
  /** `<source id>:<line>`, the key `--json` event lines carry. */
  event: string;
  time: string | null;
  code: number;
  category: string;
  method: string;
  detail: string | null;
  outcome: string;
  cause: string | null;
  level: string | null;
  tag: string;
  pid: number | null;
  tid: number | null;
  source: string;
  line: number;
  excerpt: string;
  /** The lines before it in its pid, oldest first; null when none were kept (--context 0, or a store older than schema 6). */
  context: string[] | null;
}

/** Which event an ID names: the id of `report --format json` (`17`) or the `event` of a `--json` line (`3:245`). */
export function parseEventRef(ref: string): { id: number } | { source: number; line: number } {
  const m = /^\s*(\d+)(?::(\d+))?\s*$/.exec(ref);
  const n = (s: string) => (Number.isSafeInteger(Number(s)) ? Number(s) : NaN);
  if (m && m[2] === undefined && Number.isFinite(n(m[1]!))) return { id: n(m[1]!) };
  if (m && m[2] !== undefined && Number.isFinite(n(m[1]!)) && Number.isFinite(n(m[2]))) return { source: n(m[1]!), line: n(m[2]) };
  throw new UserError('usage', `show ${JSON.stringify(ref)}: expected an event id like 17 (latestEvent of report --format json) or SOURCE:LINE like 3:245 (event of a --json line)`);
}

/** The event `ref` names, or null when the store has none such. */
export async function eventByRef(store: Store, ref: ReturnType<typeof parseEventRef>): Promise<StoredEvent | null> {
  const where = 'id' in ref ? 'e.id = ?' : 'e.source_id = ? AND e.line = ?';
  const params = 'id' in ref ? [ref.id] : [ref.source, ref.line];
  const [r] = await store.all<Omit<StoredEvent, 'context' | 'event'> & { context: string | null; source_id: number }>(
    `SELECT e.id, e.source_id, e.time, e.code, COALESCE(c.category, 'unregistered') AS category, e.method, e.detail, e.outcome, e.cause,
            e.level, e.tag, e.pid, e.tid, s.name AS source, e.line, e.excerpt, e.context
     FROM events e LEFT JOIN codes c ON c.code = e.code JOIN sources s ON s.id = e.source_id
     WHERE ${where}`,
    params,
  );
  if (!r) return null;
  const { source_id, context, ...rest } = r;
  return { ...rest, id: Number(rest.id), code: Number(rest.code), line: Number(rest.line), event: `${source_id}:${rest.line}`, context: parseContext(context) ?? null };
}
