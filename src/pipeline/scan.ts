/** The fast scan of one chunk of whole lines, shared by the ingest loop and the scan workers. */
import type { Needles } from '../extract/prefilter.js';
import { blockHasher, type BlockHasher } from './fingerprint.js';
import { pidLineSpans } from './line-window.js';
import { SimdScanner } from './needle-scan.js';
import { cutLine } from '../sources/chunks.js';

/** What a scanned chunk held. */
export interface ChunkScan {
  lines: number;
  /** Lines longer than maxLine (cut to maxLine bytes). */
  overlong: number;
  /** Set when a candidate's callback said stop: the offset just after that line; lines and overlong count up to it. */
  stoppedAt?: number;
}

/**
 * What a candidate's callback answers (ripgrep's sink: "go on?"): false stops the scan after this
 * line (the parser switched to a multi-line layout, or a job holds all the candidates it may carry).
 */
export type OnCandidate = (text: string, index: number, start: number) => boolean | void;

/** Calls `each` with the 0-based index of each line of buf[from, to) longer than maxLine (cutLine), in order, while it returns true. */
function forEachOverlong(buf: Buffer, from: number, to: number, maxLine: number, each: (index: number) => boolean): void {
  for (let p = from, i = 0; p < to; i++) {
    const nl = buf.indexOf(10, p);
    const e = nl < 0 || nl >= to ? to : nl;
    if (cutLine(e - p, maxLine, buf[e - 1]!) && !each(i)) return;
    p = e + 1;
  }
}

/** Lines of buf[from, to) longer than maxLine: the cut lines of a scan that stopped early. */
export function overlongIn(buf: Buffer, from: number, to: number, maxLine: number): number {
  let n = 0;
  forEachOverlong(buf, from, to, maxLine, () => {
    n++;
    return true;
  });
  return n;
}

/** The 0-based index of the first line of buf[from, to) longer than maxLine, or -1: where a scan's first cut line is (rare: read only when the scan counted one). */
export function firstOverlongIn(buf: Buffer, from: number, to: number, maxLine: number): number {
  let first = -1;
  forEachOverlong(buf, from, to, maxLine, (i) => ((first = i), false));
  return first;
}

/** The newlines in buf[0, end). */
export function newlinesIn(buf: Buffer, end = buf.length): number {
  const bytes = buf.subarray(0, end);
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * The chunk is read a window of whole lines at a time, as a latin1 string (byte offsets stay
 * character offsets): the needle expression and the newline count both run on it, inside V8.
 * Small strings live and die in the young generation; Node makes a view over about 1 MB an
 * external string that only a full collection frees (with 2 MiB views each thread held 60 MB of
 * them: measured). 64 KiB was the fastest size on a 1 GB capture.
 */
const WINDOW = 1 << 16;

/**
 * Counts the lines of `buf[0, end)` and calls `onCandidate` with each candidate line, decoded and cut
 * to `maxLine` bytes, its 0-based index in the chunk and its start offset; false from it stops the scan after that line. Lines without a needle are never decoded
 * as UTF-8. The cut is made here, per line, so it does not depend on where chunks begin.
 */
export function scanChunk(buf: Buffer, end: number, needles: Needles, maxLine: number, onCandidate: OnCandidate): ChunkScan {
  let lines = 0;
  let overlong = 0;
  const re = needles.any;
  for (let a = 0; a < end; ) {
    let b = end;
    if (a + WINDOW < end) {
      b = buf.lastIndexOf(10, a + WINDOW - 1) + 1;
      if (b <= a) {
        // a line longer than the window: the window is that line
        const nl = buf.indexOf(10, a + WINDOW);
        b = nl < 0 || nl >= end ? end : nl + 1;
      }
    }
    const text = buf.toString('latin1', a, b);
    const eol = (from: number): number => {
      const nl = text.indexOf('\n', from);
      return nl < 0 ? text.length : nl;
    };
    let p = 0; // the first line of the window not counted yet
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const s = text.lastIndexOf('\n', m.index) + 1;
      while (p < s) {
        const nl = eol(p);
        if (cutLine(nl - p, maxLine, text.charCodeAt(nl - 1))) overlong++;
        p = nl + 1;
        lines++;
      }
      const nl = eol(s);
      const goOn = onCandidate(buf.toString('utf8', a + s, a + Math.min(nl, s + maxLine)), lines, a + s);
      if (cutLine(nl - s, maxLine, text.charCodeAt(nl - 1))) overlong++;
      p = nl + 1;
      lines++;
      if (goOn === false) return { lines, overlong, stoppedAt: Math.min(a + p, end) };
      // the rest of this line cannot add another candidate
      re.lastIndex = p;
    }
    while (p < text.length) {
      const nl = eol(p);
      if (cutLine(nl - p, maxLine, text.charCodeAt(nl - 1))) overlong++;
      p = nl + 1;
      lines++;
    }
    a = b;
  }
  return { lines, overlong };
}

/** A thread's scan of chunks for one set of needles. */
export interface ChunkScanner {
  /** Which scan runs: WebAssembly SIMD, or scanChunk where SIMD is not to be had. */
  readonly kind: 'simd' | 'js';
  /** scanChunk's contract, with the scanner's needles. */
  scan(buf: Buffer, end: number, maxLine: number, onCandidate: OnCandidate): ChunkScan;
  /** A reusable buffer of `size` bytes to read chunks into; valid until the next call of input(). */
  input(size: number): Buffer;
  /** line-window.ts's pidLineSpans over buf, whose look-back (lookback.ts) it is. */
  pidLines(buf: Buffer, lo: number, hi: number, needle: string, col: number, max: number, maxLines: number, out: number[]): void;
  /** The hasher of one 1 MiB block at a time (fingerprint.ts's digests) over bytes read into input(). */
  blockHasher(): BlockHasher;
}

/**
 * A `-v long` entry header ("[ 03-17 16:14:08.300  1702:17632 D/Tag ]") ends " ]": the Selector must
 * see every one, whatever its tag, because it switches the parser to a layout whose body lines hold no
 * needle. The literals take the byte after it too (newline, CR, or the reset of `-v color`): three bytes
 * keep the SIMD prefilter selective ("[ " alone cost 75% more scan time, measured).
 */
const LAYOUT_LITERALS = [' ]\n', ' ]\r', ' ]\x1b'];

/** The needles of the extractor plus the lines that switch the layout (the Selector's needles). */
export function withLayoutNeedles(n: Needles): Needles {
  if (n.literals.some((l) => l.bytes === LAYOUT_LITERALS[0])) return n;
  return { any: new RegExp(`${n.any.source}| \\][\\n\\r\\x1b]`, 'g'), literals: [...n.literals, ...LAYOUT_LITERALS.map((bytes) => ({ bytes, fold: false }))] };
}

let last: { source: string; scanner: ChunkScanner } | null = null;

/**
 * This thread's scanner for the needles: the SIMD one where it runs (AUTHING_TRIAGE_SCAN=js turns
 * it off), else scanChunk. Made once for the same needles, so its memory serves every chunk.
 */
export function chunkScanner(needles: Needles): ChunkScanner {
  if (last?.source !== needles.any.source) last = { source: needles.any.source, scanner: makeScanner(needles) };
  return last.scanner;
}

function makeScanner(given: Needles): ChunkScanner {
  const needles = withLayoutNeedles(given);
  const simd = SimdScanner.create(needles);
  if (simd) return simd;
  let reused = Buffer.alloc(0);
  return {
    kind: 'js',
    scan: (buf, end, maxLine, on) => scanChunk(buf, end, needles, maxLine, on),
    input: (size) => (reused.length >= size ? reused : (reused = Buffer.allocUnsafeSlow(size))).subarray(0, size),
    pidLines: (buf, lo, hi, needle, col, max, maxLines, out) => pidLineSpans(buf, lo, hi, needle, col, max, out, { lines: 0, max: maxLines }),
    blockHasher,
  };
}
