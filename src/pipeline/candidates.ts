/** The candidate lines of a worker's scan, in the form they cross to the main thread. */
import type { LookBack } from './lookback.js';

/**
 * Candidate lines: their texts joined by "\n" (a line holds none), their 0-based line indexes and
 * the byte offsets where they start (from the job's start). One string crosses to the main thread
 * instead of an object a line: the main thread's garbage collector copied those objects again and
 * again while they waited their turn (measured).
 */
export interface Candidates {
  text: string;
  rel: number[];
  at: number[];
  /** The earlier lines of each candidate's pid, when a range job found them (lookback.ts). */
  before?: LookBack;
}

/** No candidates. */
export const NO_CANDIDATES: Candidates = { text: '', rel: [], at: [] };

/**
 * Characters of candidate text one job may carry (256 Ki): a job stops after the line that
 * reaches it and the rest of its bytes go out as another job, so a capture where every line is a
 * candidate never fills a worker's heap nor the main thread's queue (issue 18).
 */
export const CANDIDATE_CAP = 1 << 18;

const STRINGS: string[] = [''];

/**
 * A new empty array of V8's elements kind for any value (a slice keeps its source's kind). A new `[]`
 * holds small integers until the first string is pushed, which changes its map: the scan threads'
 * optimized code, made for one of the two, was thrown away and made again at a new job's first
 * candidate (three times per thread on the 1 GB capture, --trace-deopt).
 */
export function stringArray(): string[] {
  return STRINGS.slice(0, 0);
}

/** Collects candidate lines into Candidates, and says when they reach the cap. */
export class CandidateList {
  private readonly texts = stringArray();
  private readonly rel: number[] = [];
  private readonly at: number[] = [];
  private chars = 0;
  constructor(private readonly cap = CANDIDATE_CAP) {}
  /** Adds a line; false when the list is full (the scan stops after this line). */
  add(text: string, rel: number, at: number): boolean {
    this.texts.push(text);
    this.rel.push(rel);
    this.at.push(at);
    this.chars += text.length + 1;
    return this.chars < this.cap;
  }
  /** Counts `chars` more characters the job carries with its candidates; false when the list is full. */
  charge(chars: number): boolean {
    this.chars += chars;
    return this.chars < this.cap;
  }
  done(before?: LookBack): Candidates {
    return { text: this.texts.join('\n'), rel: this.rel, at: this.at, before };
  }
}

/** Calls `each` with every candidate line, its 0-based line index and its start offset, in order, while it returns true. */
export function forEachCandidate(c: Candidates, each: (text: string, rel: number, at: number) => boolean): void {
  let from = 0;
  for (let i = 0; i < c.rel.length; i++) {
    const nl = c.text.indexOf('\n', from);
    const end = nl < 0 ? c.text.length : nl;
    if (!each(c.text.slice(from, end), c.rel[i]!, c.at[i]!)) return;
    from = end + 1;
  }
}
