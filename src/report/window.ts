/** What a report says when its time window holds nothing but the store does hold events. */
import type { Store } from '../store/store.js';
import { ui } from '../registry/text.js';
import type { Lang } from '../registry/ui-strings.js';
import { totals, type ReportFilter } from './query.js';
import { EARLIEST_MS } from '../parse/time.js';

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
  const dated = await totals(store, { ...f, since: EARLIEST_MS, until: 8.64e15 });
  return all.events - dated.events;
}

/**
 * One line for an empty window when the store has events outside it (else null): where the
 * events are, and the --since that shows them. Events without a time stamp are named apart,
 * because no --since/--until window includes them.
 */
export async function emptyWindowHint(store: Store, f: ReportFilter, lang: Lang = 'en'): Promise<string | null> {
  if (f.since === undefined && f.until === undefined) return null;
  const { since: _s, until: _u, ...rest } = f;
  const all = await totals(store, rest);
  if (!all.events) return null;
  const undated = await undatedEvents(store, rest);
  const t = ui(lang).notes;
  const parts = [t.noEvents(t.window(f.since === undefined ? undefined : when(f.since), f.until === undefined ? undefined : when(f.until)))];
  if (all.first && all.last) parts.push(t.storeHolds(all.events - undated, day(all.first), day(all.last)));
  if (undated) parts.push(t.undatedApart(undated));
  return parts.join(ui(lang).explain.fieldSep);
}

/**
 * One line when a window leaves out events without a time stamp though it holds others (else
 * null): `--since 365d` must not drop them silently.
 */
export async function undatedNote(store: Store, f: ReportFilter, lang: Lang = 'en'): Promise<string | null> {
  if (f.since === undefined && f.until === undefined) return null;
  const { since: _s, until: _u, ...rest } = f;
  const undated = await undatedEvents(store, rest);
  if (!undated) return null;
  return ui(lang).notes.undatedLeftOut(undated);
}
