/**
 * The candidate test of the hot path. A record can only yield an event when its tag or message
 * holds "uth" in some case (in "authing" in any case, and in "Auth Failed"/"Auth Canceled") or one
 * of the SDK's or the user's tags, so lines without any are never decoded as UTF-8 nor parsed.
 * Keep in step with rules.ts: every way to Authing context must contain a needle.
 *
 * Measured on a 100 MB capture (npm run bench, docs/performance.md): 17 Buffer.indexOf passes took
 * 610 ms; one latin1 view (byte offsets stay char offsets) with two regular expressions takes 210 ms.
 */
import { SDK_TAGS } from './rules.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The compiled needles of a run. */
export interface Needles {
  /** Case-insensitive "uth". */
  uth: RegExp;
  /** The tags that give context and do not contain "uth", case-sensitive, as latin1 views of their UTF-8 bytes. */
  tags: RegExp | null;
}

/** The needles for a run: "uth" in any case, the SDK's tags and the user's tags. */
export function candidateNeedles(extraTags: readonly string[]): Needles {
  const tags = [...new Set([...SDK_TAGS, ...extraTags])].filter((t) => t.length > 0 && !/uth/i.test(t));
  // A tag that contains another is redundant: keep the shortest.
  const minimal = tags.filter((t) => !tags.some((o) => o !== t && t.includes(o))).sort();
  const asBytes = (t: string) => Buffer.from(t, 'utf8').toString('latin1');
  return {
    uth: /uth/gi,
    tags: minimal.length ? new RegExp(minimal.map((t) => escape(asBytes(t))).join('|'), 'g') : null,
  };
}

/**
 * Finds the start offsets of the lines in `buf[0, end)` that contain any needle, in ascending
 * order, without duplicates.
 */
export function candidateLineStarts(buf: Buffer, end: number, needles: Needles): number[] {
  const text = buf.toString('latin1', 0, end);
  const starts: number[] = [];
  const collect = (re: RegExp): void => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = text.lastIndexOf('\n', m.index) + 1;
      starts.push(start);
      // the rest of this line cannot add another start
      const nl = text.indexOf('\n', m.index);
      if (nl < 0) break;
      re.lastIndex = nl + 1;
    }
  };
  collect(needles.uth);
  if (needles.tags) {
    const before = starts.length;
    collect(needles.tags);
    if (before > 0 && starts.length > before) {
      starts.sort((a, b) => a - b);
      let w = 0;
      for (let r = 0; r < starts.length; r++) if (r === 0 || starts[r] !== starts[r - 1]) starts[w++] = starts[r]!;
      starts.length = w;
    }
  }
  return starts;
}
