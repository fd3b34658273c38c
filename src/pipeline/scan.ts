/** The fast scan of one chunk of whole lines, shared by the ingest loop and the scan workers. */
import { candidateLineStarts, type Needles } from '../extract/prefilter.js';

/** What a scanned chunk held. */
export interface ChunkScan {
  lines: number;
  /** Lines longer than maxLine (cut to maxLine bytes). */
  overlong: number;
}

/**
 * Counts the lines of `buf[0, end)` and calls `onCandidate` with each candidate line, decoded and cut
 * to `maxLine` bytes, and its 0-based index in the chunk. Lines without a needle are never decoded.
 * The cut is made here, per line, so it does not depend on where chunks begin.
 */
export function scanChunk(buf: Buffer, end: number, needles: Needles, maxLine: number, onCandidate: (text: string, index: number) => void): ChunkScan {
  let lines = 0;
  let overlong = 0;
  let pos = 0;
  const nextLine = (): void => {
    const nl = buf.indexOf(10, pos);
    if (nl - pos > maxLine) overlong++;
    pos = nl + 1;
    lines++;
  };
  for (const s of candidateLineStarts(buf, end, needles)) {
    while (pos < s) nextLine();
    const nl = buf.indexOf(10, s);
    onCandidate(buf.toString('utf8', s, Math.min(nl, s + maxLine)), lines);
    nextLine();
  }
  while (pos < end) nextLine();
  return { lines, overlong };
}
