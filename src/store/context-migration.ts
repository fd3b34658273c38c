/**
 * Schema migration 6 of both stores (issue 26; 5 is its labels): each event's context (the
 * records just before it in its pid, a JSON array of lines, pipeline/context.ts) and its cause
 * (extract/causes.ts). Stored rows get neither: their lines are not re-read (context NULL, cause NULL).
 */
import { vEventsView } from './label-migration.js';

/** SQLite: two columns on events; `v_events` shows the cause after the labels. */
export const CONTEXT_MIGRATION_SQLITE = `
ALTER TABLE events ADD COLUMN context TEXT;  -- JSON array of context lines, oldest first; NULL: none kept
ALTER TABLE events ADD COLUMN cause TEXT;    -- dns | timeout | tls | refused | ... (registry/causes.json); NULL: none found
${vEventsView('sqlite', 'e.cause')}
`;

/** PostgreSQL: the same columns, compared byte by byte like the others. */
export const CONTEXT_MIGRATION_PG = `
ALTER TABLE events ADD COLUMN context TEXT COLLATE "C", ADD COLUMN cause TEXT COLLATE "C";
${vEventsView('pg', 'e.cause')}
`;

/** The stored form of an event's context: a JSON array, or NULL when none was kept (--context 0). */
export function contextJson(e: { context?: readonly string[] }): string | null {
  // Most events of a dense capture have none: the same text without a JSON.stringify call each.
  return e.context ? (e.context.length === 0 ? '[]' : JSON.stringify(e.context)) : null;
}

/** An event's context as stored back into lines (NULL: none kept). */
export function parseContext(json: string | null): string[] | undefined {
  if (json === null) return undefined;
  const v = JSON.parse(json) as unknown;
  return Array.isArray(v) ? v.map(String) : undefined;
}
