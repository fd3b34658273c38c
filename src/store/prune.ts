/**
 * Retention: events older than a cutoff go, the hourly counts and the sources (with their content
 * fingerprints and contracts) stay, so old archives are still not counted again and reports over
 * old windows still answer from the hourly counts.
 */
import { UserError } from '../errors.js';
import { EARLIEST_MS } from '../parse/time.js';
import type { Store } from './store.js';

const HOUR_MS = 3_600_000;
const UNIT_MS: Record<string, number> = { h: HOUR_MS, d: 24 * HOUR_MS, w: 7 * 24 * HOUR_MS, y: 365 * 24 * HOUR_MS };

/** An age like `90d`, `12w`, `36h` or `1y` in milliseconds; `where` names the flag or key in the error. */
export function parseRetention(value: string, where: string): number {
  const m = /^\s*(\d+)\s*([hdwy])\s*$/.exec(value);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
  if (!(ms >= HOUR_MS)) throw new UserError('usage', `${where} ${JSON.stringify(value)}: expected an age of at least an hour, like 90d, 12w, 36h or 1y`);
  // past what a Date holds, the cut-off was a stack trace: no stored time is older than the year 0000
  if (!(Date.now() - ms >= EARLIEST_MS)) throw new UserError('usage', `${where} ${JSON.stringify(value)}: older than the year 0000, which no stored time is; nothing would be pruned`);
  return ms;
}

/** The cutoff of an age: `now - age`, down to the hour, so no hourly count is half kept. */
export function cutoffOf(ageMs: number, now = Date.now()): string {
  return new Date(Math.floor((now - ageMs) / HOUR_MS) * HOUR_MS).toISOString();
}

/** What a prune did. */
export interface PruneResult {
  /** Events before this time were deleted (ISO, an hour boundary). */
  before: string;
  events: number;
  /** Hourly count rows deleted (only with `all`). */
  counts: number;
  vacuumed: boolean;
}

/** Prunes `store` to `ageMs`: events always, hourly counts with `all`; then gives the space back. */
export async function pruneStore(store: Store, ageMs: number, opts: { all?: boolean; now?: number } = {}): Promise<PruneResult> {
  const before = cutoffOf(ageMs, opts.now);
  const { events, counts } = await store.prune(before, { counts: !!opts.all });
  // VACUUM rewrites the whole file: only worth it when something went.
  const vacuumed = events + counts > 0 && store.kind === 'sqlite';
  if (vacuumed) await store.vacuum();
  return { before, events, counts, vacuumed };
}
