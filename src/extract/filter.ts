/**
 * Display filters shared by live and batch runs: --since, --until, --level, --category, --code,
 * --only-tag, --outcome. They decide what a run prints, alerts on and summarises, never what it stores: the
 * store gets every event the contract finds, so a later run without them has nothing to add.
 */
import { UserError } from '../errors.js';
import { OUTCOMES } from './outcome.js';
import type { AuthingEvent, Level } from '../types.js';

const ORDER: Level[] = ['V', 'D', 'I', 'W', 'E', 'F'];

/** What to keep. */
export interface EventFilterOptions {
  /** Epoch milliseconds: events at or after `since` and before `until` (an event without a time is outside). */
  since?: number;
  until?: number;
  level?: string;
  category?: string[];
  code?: (number | string)[];
  onlyTag?: string[];
  outcome?: string[];
}

/** Builds the filter once; undefined when nothing is filtered (no per-event cost). */
export function eventFilter(o: EventFilterOptions, categories: readonly string[]): ((e: AuthingEvent) => boolean) | undefined {
  const tests: ((e: AuthingEvent) => boolean)[] = [];
  if (o.since !== undefined || o.until !== undefined) {
    const { since = -Infinity, until = Infinity } = o;
    tests.push((e) => {
      if (!e.time) return false;
      const t = Date.parse(e.time);
      return t >= since && t < until;
    });
  }
  if (o.level) {
    const min = ORDER.indexOf(o.level.toUpperCase() as Level);
    if (min < 0) throw new UserError('usage', `--level ${o.level}: expected one of V, D, I, W, E, F`);
    tests.push((e) => e.level !== null && ORDER.indexOf(e.level === 'S' ? 'F' : e.level) >= min);
  }
  if (o.category?.length) {
    for (const c of o.category) if (!categories.includes(c)) throw new UserError('usage', `--category ${c}: not a category; use one of ${categories.join(', ')}`);
    const set = new Set(o.category);
    tests.push((e) => set.has(e.category));
  }
  if (o.code?.length) {
    const codes = o.code.map(Number);
    if (codes.some((c) => !Number.isSafeInteger(c))) throw new UserError('usage', `--code takes integer codes`);
    const set = new Set(codes);
    tests.push((e) => set.has(e.code));
  }
  if (o.onlyTag?.length) {
    const set = new Set(o.onlyTag);
    tests.push((e) => set.has(e.tag));
  }
  if (o.outcome?.length) {
    for (const x of o.outcome) if (!(OUTCOMES as readonly string[]).includes(x)) throw new UserError('usage', `--outcome ${x}: expected one of ${OUTCOMES.join(', ')}`);
    const set = new Set<string>(o.outcome);
    tests.push((e) => set.has(e.outcome));
  }
  if (!tests.length) return undefined;
  return (e) => tests.every((t) => t(e));
}
