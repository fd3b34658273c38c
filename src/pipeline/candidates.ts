/** The candidate lines of a worker's scan, in the form they cross to the main thread. */

/**
 * Candidate lines: their texts joined by "\n" (a line holds none) and their 0-based line indexes.
 * One string crosses to the main thread instead of an object a line: the main thread's garbage
 * collector copied those objects again and again while they waited their turn (measured).
 */
export interface Candidates {
  text: string;
  rel: number[];
}

/** No candidates. */
export const NO_CANDIDATES: Candidates = { text: '', rel: [] };

/** Collects candidate lines into Candidates. */
export class CandidateList {
  private readonly texts: string[] = [];
  private readonly rel: number[] = [];
  add(text: string, rel: number): void {
    this.texts.push(text);
    this.rel.push(rel);
  }
  done(): Candidates {
    return { text: this.texts.join('\n'), rel: this.rel };
  }
}

/** Calls `each` with every candidate line and its 0-based line index, in order. */
export function forEachCandidate(c: Candidates, each: (text: string, rel: number) => void): void {
  let at = 0;
  for (const rel of c.rel) {
    const nl = c.text.indexOf('\n', at);
    const end = nl < 0 ? c.text.length : nl;
    each(c.text.slice(at, end), rel);
    at = end + 1;
  }
}
