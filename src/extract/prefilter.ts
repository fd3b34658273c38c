/**
 * The candidate test of the hot path. A record can only yield an event when its tag or message
 * holds "uth" in some case (in "authing" in any case, and in "Auth Failed"/"Auth Canceled") or one
 * of the SDK's or the user's tags, so lines without any are never decoded as UTF-8 nor parsed.
 * Keep in step with rules.ts: every way to Authing context must contain a needle.
 *
 * Measured on a 100 MB capture (npm run bench, docs/performance.md): 17 Buffer.indexOf passes took
 * 610 ms; one latin1 view (byte offsets stay char offsets) with two regular expressions, "uth"/i and
 * the tags, 150 ms; one expression for both ("uth" spelled as [uU][tT][hH], the tags case-sensitive)
 * 100 ms: V8 scans an alternation in one pass about as fast as the tags alone.
 */
import { SDK_TAGS } from './rules.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One literal of the needles: its bytes (as latin1), compared as they are or folded to lower case. */
export interface Literal {
  bytes: string;
  /** Compare each byte as b | 0x20 (bytes is then lower case): "uth" in any case. */
  fold: boolean;
}

/**
 * The compiled needles of a run, in two equal forms: one global expression over the latin1 view of
 * the bytes (the JavaScript scan), and the literals it is made of (the SIMD scan, needle-scan.ts).
 * Both are plain data, so a job hands them to a worker as they are.
 */
export interface Needles {
  /** "uth" in any case, or a tag that gives context (case-sensitive, as a latin1 view of its UTF-8 bytes). */
  any: RegExp;
  literals: readonly Literal[];
}

/** The needles for a run: "uth" in any case, the SDK's tags and the user's tags. */
export function candidateNeedles(extraTags: readonly string[]): Needles {
  const tags = [...new Set([...SDK_TAGS, ...extraTags])].filter((t) => t.length > 0 && !/uth/i.test(t));
  // A tag that contains another is redundant: keep the shortest.
  const minimal = tags.filter((t) => !tags.some((o) => o !== t && t.includes(o))).sort();
  const asBytes = (t: string) => Buffer.from(t, 'utf8').toString('latin1');
  return {
    any: new RegExp(['[uU][tT][hH]', ...minimal.map((t) => escape(asBytes(t)))].join('|'), 'g'),
    literals: [{ bytes: 'uth', fold: true }, ...minimal.map((t) => ({ bytes: asBytes(t), fold: false }))],
  };
}

/**
 * The candidate test for one decoded line, as the scan makes it on the line's bytes. Used where a
 * line is already a string (an unparsed line, counted only when it could have held an event).
 */
export function isCandidateLine(needles: Needles, text: string): boolean {
  const re = new RegExp(needles.any.source);
  return re.test(Buffer.from(text, 'utf8').toString('latin1'));
}
