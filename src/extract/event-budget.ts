/**
 * A per-source budget of events for one run: `--max-events N` keeps the first N events of each
 * source and drops the rest (a flood of one repeated line is rarely worth 1 M rows); past 1 M
 * events found in one source a warning says so, capped or not.
 */

/** Events from one source past which a run warns, capped or not. */
export const FLOOD_EVENTS = 1_000_000;

/** Counts the events of one source; `take` says whether the next one is kept. */
export class EventBudget {
  private found = 0;
  private kept = 0;

  /** `warn` gets each warning line once, as it happens. */
  constructor(
    private readonly max: number | undefined,
    private readonly warn: (line: string) => void,
  ) {}

  /** True once the cap is reached: every later event is only counted. */
  get full(): boolean {
    return this.max !== undefined && this.kept >= this.max;
  }

  /** Counts an event found; true when it is kept, false once the cap is reached. */
  take(): boolean {
    if (++this.found === FLOOD_EVENTS + 1) this.warn(`over ${FLOOD_EVENTS.toLocaleString('en')} events from this one source; if that is a flood, cap it with --max-events N`);
    if (this.max === undefined || this.kept < this.max) {
      this.kept++;
      return true;
    }
    // for good: a later run goes on after what this one read (an exactly-once review found that unsaid)
    if (this.found === this.max + 1) this.warn(`more than ${this.max} events; the rest of this source is read but not counted (--max-events ${this.max}), and later runs go on after it: rescan it without --max-events to count them`);
    return false;
  }
}
