/** What a report says when its time window holds nothing but the store does hold events. */
import type { Store } from '../store/store.js';
import { totals, type ReportFilter } from './query.js';

const day = (iso: string): string => iso.slice(0, 10);
/** A window edge as a user would type it back: a day at midnight, else the time to the second. */
const when = (ms: number): string => {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? day(iso) : `${iso.slice(0, 19)}Z`;
};

/** The row label of events without a time stamp (brief, tag and raw layouts carry none). */
export const NO_TIME_STAMP = 'no time stamp';

/** Events of the store that no time window can include: those without a time stamp. */
export async function undatedEvents(store: Store, f: Omit<ReportFilter, 'since' | 'until'> = {}): Promise<number> {
  const all = await totals(store, { ...f, since: undefined, until: undefined });
  const dated = await totals(store, { ...f, since: 0, until: 8.64e15 });
  return all.events - dated.events;
}

/**
 * One line for an empty window when the store has events outside it (else null): where the
 * events are, and the --since that shows them. Events without a time stamp are named apart,
 * because no --since/--until window includes them.
 */
export async function emptyWindowHint(store: Store, f: ReportFilter): Promise<string | null> {
  if (f.since === undefined && f.until === undefined) return null;
  const { since: _s, until: _u, ...rest } = f;
  const all = await totals(store, rest);
  if (!all.events) return null;
  const undated = await undatedEvents(store, rest);
  const window = f.until === undefined ? `since ${when(f.since!)}` : f.since === undefined ? `before ${when(f.until)}` : `from ${when(f.since)} to ${when(f.until)}`;
  const noun = (n: number) => `${n} ${n === 1 ? 'event' : 'events'}`;
  const parts = [`no events ${window}`];
  if (all.first && all.last) parts.push(`the store holds ${noun(all.events - undated)} from ${day(all.first)} to ${day(all.last)}: try --since ${day(all.first)}`);
  if (undated) parts.push(`${noun(undated)} without a time stamp, which no --since or --until window includes (see them with no window)`);
  return parts.join('; ');
}

/**
 * One line when a window leaves out events without a time stamp though it holds others (else
 * null): `--since 365d` must not drop them silently.
 */
export async function undatedNote(store: Store, f: ReportFilter): Promise<string | null> {
  if (f.since === undefined && f.until === undefined) return null;
  const { since: _s, until: _u, ...rest } = f;
  const undated = await undatedEvents(store, rest);
  if (!undated) return null;
  return `${undated} ${undated === 1 ? 'event' : 'events'} without a time stamp ${undated === 1 ? 'is' : 'are'} in no --since or --until window, so not in this report; leave the window out to count ${undated === 1 ? 'it' : 'them'}`;
}
