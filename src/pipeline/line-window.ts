/**
 * The bytes before the line being fed, and the lines of one pid found in them (the look-back of an
 * event's context). Apart from context.ts, whose records, parser and redaction it does not need: the
 * scan threads load this module for their look-back, and each module a thread loads is start-up time.
 */
import type { FormatName } from '../types.js';
import { MAX_CONTEXT } from './context-limits.js';
import type { FoundBefore } from './lookback.js';

/** Lines looked back for the context of an event, whatever the pids between. */
export const LOOKBACK_LINES = 64;
/** Bytes looked back (and kept from the frame before): 64 lines of a busy capture are ~10 KB. */
export const LOOKBACK_BYTES = 1 << 14;
/** Lines of a pid read back at most: twice as many as records, a pid's digits may stand near the start of another process's line. */
export const LOOKBACK_MAX = MAX_CONTEXT * 2;

/**
 * The bytes just before the line the Selector is handing over: where that line starts in the buffer
 * it is in, and the tail of the bytes before that buffer. Set before each line is fed; read only when
 * the line yields an event.
 */
export class LineWindow {
  private buf: Buffer | null = null;
  private start = 0;
  /** 1-based number of the line at `start`. */
  line = 0;
  /** Whole lines that came before `buf` (the tail of the previous frame), or empty. */
  private carry: Buffer = Buffer.alloc(0);
  /** Reads the input's bytes before `start` when `buf` does not hold them (a file read in ranges). */
  private reader: ((at: number, max: number) => Buffer) | null = null;

  /** The text of the line being fed. */
  private text = '';
  /**
   * Set by linesOfPid when its lines came from a scan thread that left some out (lookback.ts): the newest
   * `keep` lines are all there, older ones only where `lineCheck` may find a cause. `whole` reads them all.
   */
  thinned: Thinning | null = null;

  /** Characters of the line being fed, as the Parser got it. */
  get fedChars(): number {
    return this.text.length;
  }
  /** What a scan thread found before the line (candidate `foundIndex` of its job), when it did. */
  private found: FoundBefore | null = null;
  private foundIndex = 0;

  /** The line numbered `line`, `text`, starts at buf[start]; `found` holds its look-back when a scan thread found it. */
  at(buf: Buffer, start: number, line: number, text: string, reader: ((at: number, max: number) => Buffer) | null = null, found: FoundBefore | null = null, foundIndex = 0): void {
    this.text = text;
    this.buf = buf;
    this.start = start;
    this.line = line;
    this.reader = reader;
    this.found = found;
    this.foundIndex = foundIndex;
  }

  /** A frame ended at buf[end]: its last whole lines are kept for the frame after it (a copy: buffers are reused). */
  keepTail(buf: Buffer, end: number): void {
    let from = Math.max(0, end - LOOKBACK_BYTES);
    if (from > 0) from = buf.indexOf(10, from - 1) + 1 || end;
    const tail = buf.subarray(from, end);
    // A frame longer than the window holds all of it (a line that long, or one cut at maxLine, leaves an
    // empty tail): the older tail is not before these bytes (the lines between were dropped), and kept
    // before them it was read as lines just before the next frame, one line nearer than they are (a line the
    // pid's last event saw was read again, twice in a context: the stdin review's find, stdin-review.test.ts).
    if (end > LOOKBACK_BYTES || !this.carry.length) this.carry = Buffer.from(tail);
    else {
      // What is kept of the older tail starts at a line start: a look-back reads the carry's first line as
      // whole, and a frame of one line (lineChunks' joined line) left it starting mid-line.
      let keep = Math.max(0, this.carry.length - (LOOKBACK_BYTES - tail.length));
      if (keep > 0 && this.carry[keep - 1] !== 10) keep = this.carry.indexOf(10, keep) + 1 || this.carry.length;
      this.carry = Buffer.concat([this.carry.subarray(keep), tail]);
    }
    this.buf = null;
  }

  /** The whole lines kept from the frames before (see keepTail), to be put back with `tail =` after a read-back. */
  get tail(): Buffer {
    return this.carry;
  }
  set tail(kept: Buffer) {
    this.carry = kept;
    this.buf = null;
  }

  /**
   * Makes the input's bytes just before the next line fed the tail its look-back reads (a frame read back
   * line by line from the file: Selector.scanned); `cut`: their first line may be cut, and is not kept.
   */
  tailOf(bytes: Buffer, cut: boolean): void {
    const from = cut ? bytes.indexOf(10) + 1 || bytes.length : 0;
    this.carry = Buffer.from(bytes.subarray(from));
    this.buf = null;
  }

  /**
   * The texts of the `n` lines just before the current one, oldest first, when the frame being fed holds
   * them all whole within the look-back's bytes (where a read-back would read them); else null (the tail
   * of the frame before, or a file range read back, are not looked at: the caller then does what it did).
   */
  linesBefore(n: number): string[] | null {
    const b = this.buf;
    if (!b || this.reader || n <= 0 || this.start === 0) return null;
    const lo = windowStart(b, this.start);
    const out: string[] = new Array<string>(n);
    let le = this.start; // just after the newline of the line being read
    for (let k = n - 1; k >= 0; k--) {
      if (le <= lo || b[le - 1] !== 10) return null;
      const end = le - 1; // b[end] is that line's newline
      const ls = end >= 1 ? b.lastIndexOf(10, end - 1) + 1 : 0;
      if (ls < lo) return null;
      out[k] = lineText(b, ls, end);
      le = ls;
    }
    return out;
  }

  /**
   * Up to `max` of the `maxLines` lines before the current one (within LOOKBACK_BYTES) that may be of
   * process `pid`, oldest first, each with how many lines back it is: found by looking for the pid's
   * digits near a line's start, so the lines of other processes are neither decoded nor parsed (the
   * caller parses these and checks).
   */
  linesOfPid(pid: number, max: number, maxLines: number, fixedColumn: boolean, whole = false): PidLine[] {
    const out: PidLine[] = [];
    this.thinned = null;
    if (!this.buf || max <= 0 || maxLines <= 0) return out;
    // The scan thread looked at the whole window, for the same pid and text: cut it to what is asked.
    if (fixedColumn && max === LOOKBACK_MAX && this.found?.pidOf(this.foundIndex) === pid && !(whole && this.reader)) {
      this.thinned = this.found.thinned(this.foundIndex);
      return this.found.linesOf(this.foundIndex, maxLines);
    }
    // The digits as a string, compared by char code: no Buffer (a C++ call and garbage) per event.
    const needle = String(pid);
    // Layouts that put the pid before the tag (threadtime, process, thread) put it at one column in every
    // line of that pid: the column of the event's own line. One look a line instead of a search.
    const col = fixedColumn ? pidColumn(this.text, needle) : -1;
    if (this.reader) {
      // One byte more than the window: a line that starts just at its bound is whole, and read as from a held frame.
      const bytes = this.reader(this.start, LOOKBACK_BYTES + 1);
      // a first line cut by the byte bound is not read
      const from = bytes.length === LOOKBACK_BYTES + 1 ? bytes.indexOf(10) + 1 : 0;
      pidLines(bytes, from, bytes.length, needle, col, max, out, { lines: 0, max: maxLines });
      return out.reverse();
    }
    const looked = { lines: 0, max: maxLines };
    pidLines(this.buf, windowStart(this.buf, this.start), this.start, needle, col, max, out, looked);
    // the rest of the look-back in the tail of the frame before (its first line may be cut: not read)
    const rest = LOOKBACK_BYTES - this.start;
    if (rest > 0 && out.length < max) pidLines(this.carry, Math.max(0, this.carry.length - rest), this.carry.length, needle, col, max, out, looked);
    return out.reverse();
  }
}

/** What a scan thread leaves out of a look-back: lines older than the newest `keep` in which `lineCheck` (a pattern) finds nothing. */
export interface Thinning {
  keep: number;
  lineCheck: string;
}

/** A line read back: its text and how many lines before the event's it is (1: the line just before). */
export interface PidLine {
  text: string;
  back: number;
}

/**
 * Where the pid stands in a line (a whole number in its first PID_WITHIN characters), or -1: the column to look
 * at in the other lines. -1 too for a line that opens with a colour (`-v color`): logcat's colour of a level is
 * 10 or 11 characters long (`ESC[38;5;40m` for I, `ESC[38;5;196m` for E), so each level put the pid at its own
 * column, and a look at the event's missed the lines of its process at other levels: they are searched for.
 */
export function pidColumn(text: string, pid: string): number {
  if (text.charCodeAt(0) === 27) return -1;
  // indexOf, not a RegExp made per event (compiling it was the read-back's largest cost, profiled)
  for (let i = text.indexOf(pid, 1); i > 0 && i < PID_WITHIN; i = text.indexOf(pid, i + 1)) {
    const before = text.charCodeAt(i - 1);
    const after = text.charCodeAt(i + pid.length);
    if ((before === 32 || before === 40) && (after === 32 || after === 41 || after === 58)) return i;
  }
  return -1;
}

// A pid stands after a blank (threadtime's padding) or `(` (brief, time, process, thread), and before
// a blank, `)` or `:` (thread's `( pid: tid)`).
/** Headers put the pid within the first bytes of a line. */
const PID_WITHIN = 64;

/**
 * Where a look-back of the line at b[at] (a line start) begins: the first whole line that starts within
 * LOOKBACK_BYTES before it. The scan threads' walk (lookback.ts) and the main thread's cut it alike.
 */
export function windowStart(b: Buffer, at: number): number {
  return at <= LOOKBACK_BYTES ? 0 : b.indexOf(10, at - LOOKBACK_BYTES - 1) + 1;
}

/** The text of the line b[start, end), without a CR before its newline. */
export function lineText(b: Buffer, start: number, end: number): string {
  return b.toString('utf8', start, end > start && b[end - 1] === 13 ? end - 1 : end);
}

/** Lines looked at so far, and how many may be. */
export interface Looked {
  lines: number;
  max: number;
}

/**
 * Pushes to `out`, nearest first, (start, end, back) of the whole lines of b[lo, hi) that hold `needle`
 * as a whole number in their first PID_WITHIN bytes (at column `col` when it is >= 0), until `max`
 * were found or `looked.max` lines were looked at. `hi` is a line start; lines are looked at while
 * they start at or after `lo`. Line by line with the newline search (memrchr), then a short byte
 * loop: Buffer.lastIndexOf of a multi-byte needle was 60% of a run's time (profiled). The reference
 * of needle-scan.wat's pidLines, which the scan threads run over the bytes in the scanner's memory.
 */
export function pidLineSpans(b: Buffer, lo: number, hi: number, needle: string, col: number, max: number, out: number[], looked: Looked): void {
  const first = needle.charCodeAt(0);
  const n = needle.length;
  let found = 0;
  let le = hi; // just after the newline of the line being looked at
  while (found < max && le > lo && looked.lines < looked.max) {
    // Back to the line's start (memrchr), then its first bytes forward.
    const end = b[le - 1] === 10 ? le - 1 : le;
    const ls = end >= 1 ? b.lastIndexOf(10, end - 1) + 1 : 0;
    // a line cut at the window's start is not read
    if (ls < lo) return;
    looked.lines++;
    const stop = Math.min(end, ls + PID_WITHIN) - n;
    for (let i = col >= 0 ? ls + col : ls + 1; i <= stop; i++) {
      if (col >= 0 && i > ls + col) break;
      if (b[i] !== first) continue;
      const before = b[i - 1];
      if (before !== 32 && before !== 40) continue;
      const after = b[i + n];
      if (after !== 32 && after !== 41 && after !== 58) continue;
      let k = 1;
      while (k < n && b[i + k] === needle.charCodeAt(k)) k++;
      if (k < n) continue;
      out.push(ls, end, looked.lines);
      found++;
      break;
    }
    le = ls;
  }
}

/** pidLineSpans's lines, decoded, pushed to `out` until it holds `max`. */
function pidLines(b: Buffer, lo: number, hi: number, needle: string, col: number, max: number, out: PidLine[], looked: Looked): void {
  const spans: number[] = [];
  pidLineSpans(b, lo, hi, needle, col, max - out.length, spans, looked);
  for (let j = 0; j < spans.length; j += 3) out.push({ text: lineText(b, spans[j]!, spans[j + 1]!), back: spans[j + 2]! });
}

/** Layouts whose pid comes before the tag, so at one column in all the lines of a pid. */
export const FIXED_PID_COLUMN: ReadonlySet<FormatName> = new Set(['threadtime', 'process', 'thread']);
