/**
 * The byte-level candidate test of the hot path. A record can only yield an event when its
 * tag or message holds one of these needles, so lines without any are never decoded.
 * Keep in step with rules.ts: every way to Authing context must contain a needle.
 */
import { SDK_TAGS } from './rules.js';

/** Every case variant of "uth" (in "authing" in any case, and "Auth Failed"/"Auth Canceled"). */
function caseVariants(word: string): string[] {
  let out = [''];
  for (const ch of word) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    out = out.flatMap((p) => (lo === up ? [p + ch] : [p + lo, p + up]));
  }
  return out;
}

/** The needles for a run: "uth" in all cases, the SDK's tags and the user's tags. */
export function candidateNeedles(extraTags: readonly string[]): Buffer[] {
  const words = new Set<string>([...caseVariants('uth'), 'onCancel']);
  for (const t of [...SDK_TAGS, ...extraTags]) if (t.length > 0 && !/uth/i.test(t)) words.add(t);
  // A needle that contains another is redundant: keep the shortest.
  const list = [...words].filter((w) => ![...words].some((o) => o !== w && w.includes(o)));
  return list.map((w) => Buffer.from(w, 'utf8'));
}

/**
 * Finds the start offsets of the lines in `buf[0, end)` that contain any needle,
 * in ascending order, without duplicates.
 */
export function candidateLineStarts(buf: Buffer, end: number, needles: readonly Buffer[]): number[] {
  const starts: number[] = [];
  for (const n of needles) {
    let from = 0;
    for (;;) {
      const hit = buf.indexOf(n, from);
      if (hit < 0 || hit >= end) break;
      const start = hit === 0 ? 0 : buf.lastIndexOf(10, hit - 1) + 1;
      starts.push(start);
      const nl = buf.indexOf(10, hit);
      if (nl < 0 || nl >= end) break;
      from = nl + 1;
    }
  }
  if (needles.length > 1) {
    starts.sort((a, b) => a - b);
    let w = 0;
    for (let r = 0; r < starts.length; r++) if (r === 0 || starts[r] !== starts[r - 1]) starts[w++] = starts[r]!;
    starts.length = w;
  }
  return starts;
}

/** True when `text` (already decoded) holds a needle; the slow path's twin of candidateLineStarts. */
export function hasNeedle(text: string, needles: readonly Buffer[]): boolean {
  for (const n of needles) if (text.includes(n.toString('utf8'))) return true;
  return false;
}
