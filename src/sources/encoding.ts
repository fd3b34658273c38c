/**
 * Text encodings and line endings of a capture, from its first bytes. UTF-16 (PowerShell's `>`
 * writes UTF-16LE with a BOM) becomes UTF-8 before the line scanner sees it, in whole lines, with
 * each checkpoint kept as an offset in the ORIGINAL file so a resumed read starts at the right byte.
 */
import { isUtf8 } from 'node:buffer';
import { lineChunks, type LineChunk } from './chunks.js';

/** The text encodings read. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** How the lines of a capture end; `cr-cr-lf` is `adb shell logcat > f` on Windows. */
export type LineEnding = 'lf' | 'cr-lf' | 'cr-cr-lf' | 'mixed' | 'none';

/** The encoding of a head, and the BOM length at its start. */
export interface HeadEncoding {
  encoding: TextEncoding;
  bom: number;
  /**
   * UTF-16 only: the bytes of a junk head before a BOM further in (a shell's line, a tool's banner, written before
   * PowerShell's output), read as UTF-8 lines of their own; 0 when the capture's first byte starts its text. Its
   * code units start at offsets of this number's parity.
   */
  junk: number;
  /**
   * UTF-8 at the head, UTF-16 of ASCII at a line start further in (PowerShell's `>>` after a UTF-8 tool's `>`): read
   * line by line, each in the encoding its start shows (MixedDecoder). Set only when so.
   */
  mixed?: true;
}

// Bytes looked at for the NUL pattern: the whole head, so a junk block at the start does not hide it.
const NUL_SAMPLE = 64 * 1024;

/**
 * The encoding of a capture from its first bytes: a BOM, or without one the NUL pattern of ASCII
 * text in UTF-16 (every second byte NUL, on the odd bytes for LE, the even ones for BE).
 */
export function detectEncoding(head: Buffer): HeadEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3, junk: 0 };
  const bom = bomAt(head, 0);
  if (bom) return { encoding: bom, bom: 2, junk: 0 };
  const n = Math.min(head.length, NUL_SAMPLE) & ~1;
  if (n < 4) return { encoding: 'utf-8', bom: 0, junk: 0 };
  // No NUL at all (every UTF-8 capture): nothing to count. One native search instead of a loop over
  // the head in the interpreter, which cost a small run ~1 ms (docs/performance.md, round six).
  const nul = head.indexOf(0);
  if (nul < 0 || nul >= n) return { encoding: 'utf-8', bom: 0, junk: 0 };
  const junked = junkBeforeBom(head.subarray(0, n), nul);
  if (junked) return junked;
  // UTF-8 lines, then a line of UTF-16 (its first NUL beside the first code units of a line after them)
  const s = head.lastIndexOf(10, nul) + 1;
  if (s > 0 && lineEncodingAt(head, s, 'utf-8', true) !== 'utf-8') return { encoding: 'utf-8', bom: 0, junk: 0, mixed: true };
  const side = sideBeforeBom(head, n) ?? nulSide(head, 0, n);
  return { encoding: side ?? 'utf-8', bom: 0, junk: 0 };
}

/**
 * The NUL side of a BOM-less UTF-16 head cut at the first BOM of the other byte order on a code unit boundary
 * within it (a capture of one order with one of the other appended, `copy /b a+b`): counted over the whole head, the
 * NULs of both halves were on both sides, the head read as UTF-8 and, half its bytes NULs, skipped as `not a log`
 * (every event lost; the same bytes with a BOM first read whole), or, the first part short, on the second part's
 * side, and the first part decoded in the other order (its events lost). Null when there is none or it shows no side.
 */
function sideBeforeBom(head: Buffer, n: number): 'utf-16le' | 'utf-16be' | null {
  for (let k = head.indexOf(0xfe, 1); k > 0 && k < n; k = head.indexOf(0xfe, k + 1)) {
    // FF FE at an even offset (its FE at an odd one), or FE FF at an even one
    const at = head[k - 1] === 0xff && (k & 1) === 1 ? k - 1 : head[k + 1] === 0xff && (k & 1) === 0 ? k : -1;
    if (at < 8) continue;
    const side = nulSide(head, 0, at);
    if (side === null) continue;
    // the BOM is of the other order, and what follows it is UTF-16 of that order
    const bomOrder = head[at] === 0xff ? 'utf-16le' : 'utf-16be';
    if (bomOrder !== side && nulSide(head, at + 2, n) === bomOrder) return side;
  }
  return null;
}

/** The byte order of a UTF-16 BOM at b[i] (FF FE, FE FF), or null. */
function bomAt(b: Buffer, i: number): 'utf-16le' | 'utf-16be' | null {
  if (b[i] === 0xff && b[i + 1] === 0xfe) return 'utf-16le';
  return b[i] === 0xfe && b[i + 1] === 0xff ? 'utf-16be' : null;
}

/**
 * Which side of the code units starting at `from` the NULs of head[from, to) are on: 'utf-16le' when on
 * the second byte, 'utf-16be' on the first, null when on neither (UTF-8 text, binary junk).
 */
function nulSide(head: Buffer, from: number, to: number): 'utf-16le' | 'utf-16be' | null {
  // whole code units only
  const units = (to - from) >> 1;
  let first = 0;
  let second = 0;
  for (let i = from, end = from + 2 * units; i < end; i += 2) {
    if (head[i] === 0) first++;
    if (head[i + 1] === 0) second++;
  }
  const least = Math.max(4, units * 0.05);
  // Logcat headers are ASCII: a UTF-16 capture has a NUL in most code units, all on one side; UTF-8
  // text has none, and binary junk has as many on both sides.
  if (second >= least && first * 4 <= second) return 'utf-16le';
  if (first >= least && second * 4 <= first) return 'utf-16be';
  return null;
}

/**
 * A junk head before a UTF-16 BOM: the BOM's offset k > 0, no NUL before it (UTF-16 text of ASCII has one in
 * every code unit, so a BOM-less UTF-16 capture's U+FEFF is no such head), and UTF-16 of the BOM's order after
 * it. Read by parity from byte 0, an odd k turned UTF-16LE into BE (each CJK character garbled) and an even
 * k merged the junk into the capture's first line (an exactly-once review's find). `nul`: the head's first NUL.
 */
function junkBeforeBom(head: Buffer, nul: number): HeadEncoding | null {
  for (let k = head.indexOf(0xfe, 1); k > 0 && k - 1 < nul; k = head.indexOf(0xfe, k + 1)) {
    // FF FE is UTF-16LE's BOM, FE FF BE's: the FE is its second byte or its first
    const le = head[k - 1] === 0xff;
    const at = le ? k - 1 : k;
    if (!le && head[k + 1] !== 0xff) continue;
    if (at === 0) continue;
    const enc = le ? 'utf-16le' : 'utf-16be';
    if (nulSide(head, at + 2, head.length) === enc) return { encoding: enc, bom: 2, junk: at };
  }
  return null;
}

/** The head as UTF-8 text bytes (for format detection), whatever its encoding (a mixed one's lines each in theirs). */
export function headAsUtf8(head: Buffer, enc: TextEncoding, junk = 0, mixed = false): Buffer {
  if (!decodedRead(enc, mixed)) return head;
  return decodeLines(head, enc, junk);
}

/** The line-ending style of a head (UTF-8 bytes): LF, CR LF, CR CR LF, or a mix. */
export function lineEndingOf(text: Buffer): LineEnding {
  let lf = 0;
  let crlf = 0;
  let crcrlf = 0;
  for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) {
    if (i >= 2 && text[i - 1] === 13 && text[i - 2] === 13) crcrlf++;
    else if (i >= 1 && text[i - 1] === 13) crlf++;
    else lf++;
  }
  const kinds = [lf && 'lf', crlf && 'cr-lf', crcrlf && 'cr-cr-lf'].filter(Boolean) as LineEnding[];
  return kinds.length === 0 ? 'none' : kinds.length === 1 ? kinds[0]! : 'mixed';
}

/**
 * What starts a logcat record, looked for after a lone CR: threadtime and time (`03-17 16:13:38`), `-v year`, epoch and
 * monotonic stamps with their pid and tid, brief and tag (`I/Tag`), process and thread (`I(  1702)`, `I(  1702: 2395)`),
 * a `-v long` header (`[ 03-17 …`), a colour escape, logcat's buffer divider.
 */
const RECORD_START = /^(?:\x1b\[[\d;]*m)?(?:\d\d-\d\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d|\s*\d+\.\d{3,9}\s+\d+\s+\d+\s+[VDIWEFAS] |[VDIWEFAS]\/|[VDIWEFAS]\(\s*\d+[:)]|\[ \d\d-\d\d |-{9} beginning of)/;

/** Lines of a head that end in a lone CR where a record starts (loneCrs): how many, where, and how they decide the read. */
export interface LoneCrs {
  /** The LF-ended lines that hold one (each counted once, however many it holds). */
  lines: number;
  /** The head has no LF at all: it would be read as one line. */
  noLf: boolean;
  /** The 1-based line (counted by LF, as the store numbers them) of the first such line. */
  firstLine: number;
  /** Enough of the head's lines hold one that its lines end so (loneCrRefusal): at least 8, and a quarter of the LFs. */
  many: boolean;
}

/**
 * The lines of a head (UTF-8 bytes) that end in a lone CR (classic Mac line ends, or a conversion that dropped the LF),
 * or null when none or one. Lines end at LF only, so such records run together and the events of all but the first
 * are lost (a CR-only capture gave 1 event of 80; an exactly-once review's find). Such a CR, or a run of them, follows
 * a line's text (not an LF: LF CR line ends read as they are), no LF follows it, and a logcat record does (a progress
 * bar's CRs start none, and CR CR CR LF ends its line with the LF). Each LF-ended line counts once, however many it
 * holds, and one line says nothing: one hostile message cannot get a capture refused or noted.
 */
export function loneCrs(text: Buffer): LoneCrs | null {
  // the lone CRs, and the LF-ended lines that hold one (without an LF the head is one such line: it is read as one)
  let runs = 0;
  let lines = 0;
  let lastLineEnd = -2;
  let firstAt = -2;
  for (let i = text.indexOf(13); i >= 0; ) {
    let end = i;
    while (text[end] === 13) end++;
    if (i > 0 && text[i - 1] !== 10 && end < text.length && text[end] !== 10 && RECORD_START.test(text.toString('latin1', end, Math.min(text.length, end + 40)))) {
      runs++;
      // once per LF-ended line: the LF before this CR names its line
      const lineStart = text.lastIndexOf(10, i);
      if (lineStart !== lastLineEnd) {
        lines++;
        lastLineEnd = lineStart;
        if (firstAt === -2) firstAt = lineStart;
      }
    }
    i = text.indexOf(13, end);
  }
  let lf = 0;
  let firstLine = 1;
  for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) {
    lf++;
    if (i <= firstAt) firstLine++;
  }
  if (lf === 0) return runs >= 2 ? { lines: runs, noLf: true, firstLine: 1, many: true } : null;
  if (lines < 2) return null;
  return { lines, noLf: false, firstLine, many: lines >= 8 && lines * 4 >= lf };
}

/** What to do with a capture whose lines end in a lone CR. */
const CONVERT_CR = `convert the line ends (tr '\\r' '\\n' < FILE > FILE.lf) and give the converted file`;

/** How many of a head's lines hold a lone CR before a record, and the first: what the refusal and both notes say. */
function heldBy(cr: LoneCrs): string {
  return `${cr.lines} of its first lines hold a lone CR where a logcat record starts (the first: line ${cr.firstLine})`;
}

/**
 * Why an ingest reads nothing of a head whose lines end in a lone CR (LoneCrs.many), or null: read, its records would
 * run together and their events be lost, and once counted so, the converted file would be another source, counted
 * again (an adversarial review: the note's own advice counted 58 + 80 events of an 80-event capture). A few such
 * lines among LF-ended ones are read, and a note says so (loneCrNote).
 */
export function loneCrRefusal(cr: LoneCrs | null): string | null {
  if (!cr?.many) return null;
  if (cr.noLf) return CR_ONLY_REASON;
  return `${heldBy(cr)}, and a lone CR ends no line here, so those records would be read as one with the line before and their events lost: nothing was read; ${CONVERT_CR}`;
}

/**
 * What many lone CRs (loneCrRefusal) say of a source read before, which is read on (refused now, the part counted would
 * be counted again from the converted copy: an adversarial review's find, a file that grew past the threshold).
 */
export function loneCrReadNote(cr: LoneCrs | null): string | null {
  if (!cr?.many || cr.noLf) return null;
  return `${heldBy(cr)}, which ends no line here: the record after each is read as part of its line, and an event in it is not counted; read on, as it was read before (a converted copy would count its events again)`;
}

/** What a head's few lone CRs before a record start say (not a refusal): which records ran together, and what it costs. */
export function loneCrNote(cr: LoneCrs | null): string | null {
  if (!cr || cr.many) return null;
  return `${heldBy(cr)}, which ends no line here: the record after it is read as part of that line, and an event in it is not counted`;
}

/** Why an ingest reads nothing of a head whose lines all end in a lone CR: read, it would be one record. */
export const CR_ONLY_REASON = `its lines end in a lone CR and none in an LF (classic Mac line ends), so it would be read as one record: nothing was read; ${CONVERT_CR}`;

/**
 * Maps UTF-8 offsets of the decoded text to offsets of the original stream: every line end (and the end of every piece
 * passed on) the decoder emitted, each with whether a read may resume there (a line end told for sure). Offsets do not
 * decrease; two entries share one where bytes decode to nothing (a BOM), and the first that may be resumed at is the
 * line end. Asked in increasing order; what is before the offset asked is dropped, once there is much of it.
 */
class OffsetMap {
  private utf8: number[] = [0];
  private orig: number[] = [0];
  private ok: boolean[];
  /** `startOk`: a read may resume at the stream's start (not when it starts inside a line: DecodeAs.inLine). */
  constructor(startOk = true) {
    this.ok = [startOk];
  }
  private at = 0;
  /** Entries held (a mark for truncate). */
  get size(): number {
    return this.utf8.length;
  }
  /** Drops the entries added since `size` was `n`. */
  truncate(n: number): void {
    this.utf8.length = this.orig.length = this.ok.length = n;
  }
  add(utf8End: number, origEnd: number, resumable: boolean): void {
    this.utf8.push(utf8End);
    this.orig.push(origEnd);
    this.ok.push(resumable);
  }
  /** Moves to the first entry at or after `utf8Offset`, dropping those before the one before it once there are many. */
  private seek(utf8Offset: number): void {
    while (this.at < this.utf8.length && this.utf8[this.at]! < utf8Offset) this.at++;
    // Entries before the one asked for are done with: keep the arrays short on a long stream.
    if (this.at > 1024) {
      const drop = this.at - 1;
      this.utf8.splice(0, drop);
      this.orig.splice(0, drop);
      this.ok.splice(0, drop);
      this.at = 1;
    }
  }
  /** The original offset of a UTF-8 offset at a line end a read may resume at; null when it is not one. */
  original(utf8Offset: number): number | null {
    this.seek(utf8Offset);
    for (let i = this.at; i < this.utf8.length && this.utf8[i] === utf8Offset; i++) if (this.ok[i]) return this.orig[i]!;
    return null;
  }
  /** The original offset of the last entry at or before `utf8Offset`: the bytes the stream had consumed there. */
  consumed(utf8Offset: number): number {
    this.seek(utf8Offset);
    let i = this.at;
    while (i < this.utf8.length && this.utf8[i] === utf8Offset) i++;
    return i > 0 ? this.orig[i - 1]! : 0;
  }
  /**
   * A lookup from the UTF-8 offsets in [from, to] to their original offsets, as `original` answers (null where a read
   * may not resume): what the lines of a decoded chunk start at. A copy of those entries; the map does not move.
   */
  between(from: number, to: number): (utf8Offset: number) => number | null {
    let i = this.at;
    while (i > 0 && this.utf8[i - 1]! >= from) i--;
    while (i < this.utf8.length && this.utf8[i]! < from) i++;
    let j = i;
    while (j < this.utf8.length && this.utf8[j]! <= to) j++;
    const u = this.utf8.slice(i, j);
    const o = this.orig.slice(i, j);
    const ok = this.ok.slice(i, j);
    let k = 0;
    // asked in increasing order within a chunk (a Selector's lines); from the start again when not
    return (x) => {
      if (k > 0 && u[k - 1]! >= x) k = 0;
      while (k < u.length && u[k]! < x) k++;
      for (let m = k; m < u.length && u[m] === x; m++) if (ok[m]) return o[m]!;
      return null;
    };
  }
}

// A run without a newline longer than this is passed on without waiting for its end (memory stays bounded).
const MAX_CARRY = 4 << 20;

/**
 * The encoding of the line that ends at some offset, from the two bytes before it (`b2`, `b1`): its line end's shape
 * (LF in UTF-8, 0A 00 in UTF-16LE, 00 0A in UTF-16BE); null where those bytes end no line.
 */
function endedIn(b2: number | undefined, b1: number | undefined): TextEncoding | null {
  if (b1 === 0 && b2 === 10) return 'utf-16le';
  if (b1 === 10) return b2 === 0 ? 'utf-16be' : 'utf-8';
  return null;
}

/** How far a line in UTF-16 is looked into for the LF that would end it in UTF-8 (lineEncodingAt). */
const SWITCH_LOOK = 64 * 1024;

/**
 * Whether the line at `p` starts as UTF-16 of ASCII text in the byte order `le`: a NUL on that side of each of its
 * first code units (up to 4, up to its LF), each printable, a tab, a CR or an ESC; null when the bytes end before that is known
 * and more may come.
 */
function asciiUnits(b: Buffer, p: number, le: boolean, eof: boolean): boolean | null {
  let units = 0;
  for (let i = p; units < 4; i += 2, units++) {
    if (i + 2 > b.length) return eof ? units > 0 : null;
    const lo = le ? b[i]! : b[i + 1]!;
    const hi = le ? b[i + 1]! : b[i]!;
    if (hi !== 0) return false;
    if (lo === 10) return true;
    // text: printable ASCII, a tab, a CR or an ESC (`-v color`'s codes start each line), as nonTextShare counts text
    // (16-bit numbers of junk, 05 00 0A 00 …, are no line of text)
    if ((lo < 0x20 && lo !== 9 && lo !== 13 && lo !== 27) || lo === 0x7f) return false;
  }
  return true;
}

/** `b[from, to)` is UTF-8 (a sequence cut by `to` allowed when `cut`). */
function utf8Text(b: Buffer, from: number, to: number, cut: boolean): boolean {
  if (isUtf8(b.subarray(from, to))) return true;
  if (!cut) return false;
  for (let k = 1; k <= 3 && to - k > from; k++) if (b[to - k]! >= 0xc0 && isUtf8(b.subarray(from, to - k))) return true;
  return false;
}

/**
 * The encoding of the line at `p` of a capture whose encoding may change at a line start (PowerShell's `>>` of UTF-16LE
 * after a UTF-8 tool's `>`, or the reverse), told from its bytes: `cur` is the encoding the line before it ended in.
 * A BOM says it (FF FE, FE FF). After UTF-8, UTF-16 of ASCII (a NUL beside each of its first code units: a logcat line
 * starts with its time or level) starts UTF-16; UTF-8 text has no NUL. After UTF-16, a line with no NUL before the byte
 * LF, that is UTF-8 and not a UTF-16 line ending there (0A 00 on a code unit), is UTF-8: a UTF-16 line of text holds a
 * NUL unless it is all non-ASCII (CJK without a space or a digit), which as bytes is rarely UTF-8. null: the bytes end
 * before that is known, and more may come (`eof`: none will). A function of the bytes only, so a run that resumes at a
 * line start tells the same as one clean run there.
 */
function lineEncodingAt(b: Buffer, p: number, cur: TextEncoding, eof: boolean): TextEncoding | null {
  const n = b.length - p;
  if (n < 2 && !eof) return null;
  const bom = bomAt(b, p);
  // After UTF-8, a BOM's bytes start UTF-16 only where a UTF-16 line ends (junk with FF FE in it read as UTF-16 made
  // every UTF-8 line after it one line of no events)
  if (bom) return cur === 'utf-8' ? utf16LineEnds(b, p, bom === 'utf-16le', eof) : bom;
  if (cur === 'utf-8') {
    if (n < 2) return cur;
    const le = asciiUnits(b, p, true, eof);
    if (le === null) return null;
    if (le) return utf16LineEnds(b, p, true, eof);
    const be = asciiUnits(b, p, false, eof);
    if (be === null) return null;
    return be ? utf16LineEnds(b, p, false, eof) : cur;
  }
  // a line of ASCII text: a NUL in its first code unit (the common case, one look)
  if (n >= 2 && (b[p] === 0 || b[p + 1] === 0)) return cur;
  // empty UTF-8 lines (LF, CR LF) before its first line of text
  let r = p;
  while (r < b.length && (b[r] === 10 || b[r] === 13)) r++;
  const i = b.indexOf(10, r);
  if (i < 0 || i > p + SWITCH_LOOK) {
    if (i < 0 && !eof && n < SWITCH_LOOK) return null;
    if (i >= 0 || n >= SWITCH_LOOK) return cur;
  }
  const end = i < 0 ? b.length : i;
  if (end <= r || b.subarray(p, end).indexOf(0) >= 0) return cur;
  // an LF on a code unit of UTF-16LE, 0A 00, ends a UTF-16 line; the byte after it says which
  if (i >= 0 && cur === 'utf-16le' && ((i - p) & 1) === 0) {
    if (i + 1 >= b.length) {
      if (!eof) return null;
    } else if (b[i + 1] === 0) return cur;
  }
  if (!utf8Text(b, p, end, i < 0)) return cur;
  return i < 0 ? 'utf-8' : utf8ReadOn(b, p, i, cur, eof);
}

/**
 * After UTF-16 (`cur`), the line at `p` read as UTF-8 up to its byte LF at `i`: whether the bytes after stay so. An LF
 * byte is also the low byte of a CJK character (上 U+4E0A is 0A 4E, 不 U+4E0D 0D 4E), and a line of CJK text often starts
 * with code units whose bytes are ASCII ('用户上线', '不上'): read as UTF-8, it was cut there and every line after read
 * a byte off. UTF-8 read on up to the first byte that UTF-8 text has not (NUL, FF, FE) must reach a line start in
 * UTF-16 (a BOM, or ASCII code units) there, and that byte must not be the NUL of the UTF-16 line's own LF (0A 00 on a
 * code unit from `p`). null: the bytes end before that is known, and more may come.
 */
function utf8ReadOn(b: Buffer, p: number, i: number, cur: TextEncoding, eof: boolean): TextEncoding | null {
  const lim = Math.min(b.length, p + SWITCH_LOOK);
  let x = b.subarray(0, lim).indexOf(0, i + 1);
  for (const v of [0xff, 0xfe]) {
    const k = b.subarray(0, x < 0 ? lim : x).indexOf(v, i + 1);
    if (k >= 0) x = k;
  }
  if (x < 0) return !eof && b.length - p < SWITCH_LOOK ? null : 'utf-8';
  if (b[x] === 0) {
    if (cur === 'utf-16le' && b[x - 1] === 10 && ((x - 1 - p) & 1) === 0) return cur;
    if (cur === 'utf-16be' && ((x - p) & 1) === 0) {
      if (x + 1 >= b.length && !eof) return null;
      if (b[x + 1] === 10) return cur;
    }
  }
  const s = b.lastIndexOf(10, x - 1) + 1;
  if (!isUtf8(b.subarray(p, s))) return cur;
  if (b.length - s < 2 && !eof) return null;
  if (bomAt(b, s)) return 'utf-8';
  if (x > s + 1) return cur;
  const le = asciiUnits(b, s, true, eof);
  const be = asciiUnits(b, s, false, eof);
  if (le === null || be === null) return le || be ? 'utf-8' : null;
  // UTF-16 of the order read, on the code units from p, right after that one LF: the UTF-16 line read on (BE 不上 ok:
  // 4E 0D 4E 0A 00 20 …)
  if (s === i + 1 && ((s - p) & 1) === 0 && (cur === 'utf-16le' ? le : be)) return cur;
  return le || be ? 'utf-8' : cur;
}

/**
 * After UTF-8, a line at `p` that starts as UTF-16 of ASCII in the byte order `le`: UTF-16 when it ends as UTF-16 (its
 * LF code unit within SWITCH_LOOK) or is a last line without any LF, else UTF-8. Binary junk of 16-bit numbers (05 00
 * 07 00 …: a crash's dump) starts so, and the UTF-8 lines after it have no LF code unit: read as UTF-16, every line to
 * the end of the file was one line of no events (4 of 80 lost where the plain read kept them).
 */
function utf16LineEnds(b: Buffer, p: number, le: boolean, eof: boolean): TextEncoding | null {
  const enc = le ? 'utf-16le' : 'utf-16be';
  if (nextNewline16(b.subarray(0, Math.min(b.length, p + SWITCH_LOOK)), p, le) >= 0) return enc;
  if (!eof && b.length - p < SWITCH_LOOK) return null;
  return eof && b.indexOf(10, p) < 0 ? enc : 'utf-8';
}

/** The first of the bytes UTF-8 text never has (NUL, FF, FE) in `b` from `from`, or -1. */
function firstNonUtf8(b: Buffer, from: number): number {
  let x = -1;
  for (const v of [0, 0xff, 0xfe]) {
    const k = b.indexOf(v, from);
    if (k >= 0 && (x < 0 || k < x)) x = k;
  }
  return x;
}

/**
 * Whether the byte LF before `s`, the UTF-8 line start of a line that starts with a NUL, is itself an empty UTF-8 line
 * (`lineStart`: s - 1 starts a line, as the byte before it, an LF, or the read's start says) that may be the LF code
 * unit of a UTF-16LE line, 0A 00: a UTF-16LE part without a BOM whose first line is empty (a `-v long` record's blank
 * line, a blank line) after a UTF-8 line. Its NUL's line starts a byte later, where the ASCII code units read as
 * UTF-16BE: the part was decoded a byte off (its CJK text garbled; a UTF-8 part after it 24 of 76 events), so the
 * empty line is asked first (lineEncodingAt: 0A 00 starts UTF-16LE).
 */
function emptyLineBefore(b: Buffer, s: number, lineStart: boolean): boolean {
  // The same bytes are UTF-16BE without a BOM from s after an empty UTF-8 line (0A | 00 5B 00 20 …), a byte off:
  // each high byte is where the other reading has it, and they differ only where the part ends. UTF-16LE is taken,
  // what Windows tools write without a BOM (and the order lineEncodingAt asks first).
  return s >= 1 && b[s] === 0 && b[s - 1] === 10 && lineStart;
}

/**
 * Where a UTF-16 part starts inside the UTF-8 line at `p` whose first byte UTF-8 text has not (NUL, FF, FE) is `x` (> p):
 * a capture cut inside a line (a writer killed mid-line) and continued by PowerShell's `>>` in UTF-16. The part starts at
 * its first code unit of ASCII before the NUL (UTF-16LE, `c 00`), else at the NUL or the BOM (UTF-16BE, `00 c`; FF FE,
 * FE FF), as lineEncodingAt tells a line start there; -1 when neither does, null when the bytes end before it is told.
 * Before, the line was passed on as UTF-8 up to the byte 0A of the part's first LF code unit, and the part read a byte
 * off, as UTF-16BE: its first line lost, its CJK text garbled, and each line of it with CJK text joined to the next.
 */
function utf16InLine(b: Buffer, p: number, x: number, eof: boolean, unsure?: { at: number }): number | null {
  let unknown = false;
  for (const s of inLineStarts(b, p, x)) {
    // (a code unit of text first: `00 0A` after a UTF-8 line's NUL is that line's end, not an empty line of UTF-16BE)
    if (s <= p || (b[s] === 0 && b[s + 1] === 10)) continue;
    // A line of text after the cut (a capture's line: its time, a level), asked first: binary junk has NULs and FF FE
    // (`00 55 00 0A` read as a UTF-16BE line `U`, or FF FE in the middle of a junk line, made every line after it UTF-16)
    const bom = bomAt(b, s);
    const le = bom ? bom === 'utf-16le' : s < x;
    const text = textUnits(b, bom ? s + 2 : s, le, eof);
    if (text === false) continue;
    const enc = text === null ? null : lineEncodingAt(b, s, 'utf-8', eof);
    if (enc === null) {
      unknown = true;
      // (its text read, its line end not yet: `unsure` learns the first such start)
      if (text && unsure && unsure.at < 0) unsure.at = s;
    } else if (enc !== 'utf-8') return s;
  }
  return unknown ? null : -1;
}

/** Code units of text a line cut by a change of encoding starts with before it is taken as UTF-16 (utf16InLine). */
const TEXT_UNITS = 6;

/** The TEXT_UNITS code units at `p` in the byte order `le` are printable ASCII or tabs; null when the bytes end first and more may come. */
function textUnits(b: Buffer, p: number, le: boolean, eof: boolean): boolean | null {
  for (let k = 0, i = p; k < TEXT_UNITS; k++, i += 2) {
    if (i + 2 > b.length) return eof ? false : null;
    const lo = le ? b[i]! : b[i + 1]!;
    const hi = le ? b[i + 1]! : b[i]!;
    if (hi !== 0 || ((lo < 0x20 || lo > 0x7e) && lo !== 9)) return false;
  }
  return true;
}

/**
 * utf16InLine's candidates, in the order asked: UTF-16LE's first code unit before the NUL, then UTF-16BE's at it; a BOM.
 * Where Utf16Watch passed on the bytes before x in a chunk before, a BOM may be among them: FF FE or FE FF just before
 * the first code unit, or its first byte just before x.
 */
function inLineStarts(b: Buffer, p: number, x: number): number[] {
  const bomAfter = (i: number): boolean => i > p && bomAt(b, i) !== null;
  return b[x] === 0 ? [x - 3, x - 2].filter(bomAfter).concat([x - 1, x]) : bomAfter(x - 1) ? [x - 1] : [x];
}

/**
 * A UTF-16 code unit of CJK text: an ideograph (U+4E00-9FFF), kana, Hangul, full-width forms (，！：（）), and the CJK
 * marks 、。 and brackets 《》「」『』【】; not U+3003-3007 nor U+3012-303F, whose bytes in UTF-16LE are a line's
 * start in ASCII (10-05: 31 30 → U+3031).
 */
function cjkUnit(u: number): boolean {
  return (
    (u >= 0x4e00 && u <= 0x9fff) ||
    (u >= 0x3040 && u <= 0x30ff) ||
    (u >= 0xac00 && u <= 0xd7a3) ||
    (u >= 0xff00 && u <= 0xffef) ||
    (u >= 0x3000 && u <= 0x3002) ||
    (u >= 0x3008 && u <= 0x3011)
  );
}

/** How many code units after the UTF-16 line's last NUL utf8InLine tries as the start of a UTF-8 part. */
const UTF8_IN_LINE_TRIES = 4;

/**
 * Where a UTF-8 part starts inside the line at `q` in UTF-16 (`cur`) whose byte 0A at `i` is no LF code unit of it: a
 * UTF-16 capture cut inside a line and continued by a UTF-8 tool. The part starts on a code unit from `q`, after the
 * line's last NUL (its last code unit of ASCII), where lineEncodingAt tells a line start in UTF-8 (a byte 0A of CJK text,
 * 上 = 0A 4E, does not: its bytes read on reach the line's own LF code unit); -1 when none, null when the bytes end
 * before it is told. Before, the UTF-8 part was decoded as UTF-16, one line of no events to the end of the input.
 */
function utf8InLine(b: Buffer, q: number, i: number, cur: TextEncoding, eof: boolean): number | null {
  // The usual case, CJK text: the first NUL after the byte is the line's own LF code unit's (0A 00 on a code unit from
  // q; 00 0A), found at once (a line of CJK text each, 上 in each: 0.8 -> 1.1 s of CPU before this look, 20 MB)
  const y = b.indexOf(0, i + 1);
  if (y >= 0 && (cur === 'utf-16le' ? b[y - 1] === 10 && ((y - 1 - q) & 1) === 0 : b[y + 1] === 10 && ((y - q) & 1) === 0)) return -1;
  const z = b.subarray(q, i).lastIndexOf(0);
  let from = z < 0 ? q + 2 : q + z + 1;
  if ((from - q) & 1) from++;
  // Code units of CJK text (cjkUnit) after the last NUL are the UTF-16 part's first: their bytes are often ASCII (用户未
  // is 28 75 37 62 2A 67 in UTF-16LE, `(u7b*g` read as UTF-8), which a capture's line does not start with (03-17 …
  // reads as U+3330, 10-05 as U+3031). Tried from the first code unit when nothing after them is UTF-8.
  const le = cur === 'utf-16le';
  let past = from;
  for (; past + 1 < i; past += 2) {
    const u = le ? b[past]! | (b[past + 1]! << 8) : (b[past]! << 8) | b[past + 1]!;
    if (!cjkUnit(u)) break;
  }
  for (const start of past > from ? [past, from] : [from]) {
    for (let k = 0, s = start; k < UTF8_IN_LINE_TRIES && s < i; k++, s += 2) {
      const enc = lineEncodingAt(b, s, cur, eof);
      if (enc === null) return null;
      if (enc === 'utf-8') return s;
    }
  }
  return -1;
}

/** A line end the decoder adds where the encoding changes inside a line (utf16InLine, utf8InLine): no byte of the input. */
const SPLIT = Buffer.from('\n');

/** Offset just after the first LF code unit at or after `q` (code units from `q`), or -1. */
function nextNewline16(b: Buffer, q: number, le: boolean): number {
  for (let i = b.indexOf(10, le ? q : q + 1); i >= 0; i = b.indexOf(10, i + 1)) {
    if (le ? ((i - q) & 1) === 0 && b[i + 1] === 0 : ((i - q) & 1) === 1 && b[i - 1] === 0) return i + 2 - (le ? 0 : 1);
  }
  return -1;
}

/**
 * Bytes of a capture -> UTF-8 text, line by line in the encoding each line's start shows (lineEncodingAt): UTF-8 is
 * passed on as it is, UTF-16 decoded; a BOM at a line start is dropped. `map` learns, for each piece that ends a line,
 * the offset in the original stream (counted from its first byte) where it ends.
 */
class MixedDecoder {
  private carry: Buffer = Buffer.alloc(0);
  /** The two bytes before carry[0] (undefined before the stream's start). */
  private b2: number | undefined;
  private b1: number | undefined;
  private dec: TextDecoder | null = null;
  /** carry[0] starts a line (false after a piece passed on without its end: MAX_CARRY). */
  private atStart = true;
  private orig = 0;
  private utf8 = 0;
  /** An encoding was told from where the bytes end (lineEncodingAt's eof): no line end from then on is mapped. */
  private provisional = false;

  /**
   * `cur`: the encoding of the capture's head (HeadEncoding); `before`: the bytes before the stream's start (the
   * encoding of the line they end says where to go on); `junk`: the bytes of a junk head left, passed on as UTF-8 lines,
   * after which the head's encoding starts (HeadEncoding.junk).
   */
  constructor(
    private cur: TextEncoding,
    private readonly map: OffsetMap | null,
    before: Buffer = Buffer.alloc(0),
    private junk = 0,
    private readonly seen?: EncodingsRead,
  ) {
    this.b2 = before[before.length - 2];
    this.b1 = before[before.length - 1];
    const ended = endedIn(this.b2, this.b1);
    if (junk > 0) this.atStart = false;
    else if (ended) this.cur = ended;
    if (this.cur !== 'utf-8' && junk === 0) this.dec = new TextDecoder(this.cur);
  }

  private emit(out: Buffer[], part: Buffer, atLineEnd: boolean, flush = false): void {
    let text: Buffer;
    if (this.dec) {
      const s = this.dec.decode(part, { stream: !flush });
      text = Buffer.from(s, 'utf8');
    } else text = Buffer.from(part);
    if (this.map) this.lineEnds(part, text);
    // (a junk head before a BOM, UTF-8 lines, is read as such: a capture of UTF-8 lines then UTF-16 is one)
    if (part.length) this.seen?.add(this.dec ? this.cur : 'utf-8');
    this.orig += part.length;
    this.utf8 += text.length;
    this.map?.add(this.utf8, this.orig, atLineEnd && !this.provisional);
    if (text.length) out.push(text);
  }

  /**
   * Notes the line ends inside a piece (`part` of the original stream, `text` its UTF-8) in the map: a resumed read may
   * start at any of them, as at a piece's end (the encoding there is told from the bytes alone: lineEncodingAt). In
   * UTF-16, the k-th LF of the text is the k-th LF code unit of the part (U+000A is no other code unit's, and always
   * decodes to LF); where the counts differ, none is noted.
   */
  private lineEnds(part: Buffer, text: Buffer): void {
    const map = this.map!;
    const ok = !this.provisional;
    if (!this.dec) {
      for (let i = part.indexOf(10); i >= 0; i = part.indexOf(10, i + 1)) map.add(this.utf8 + i + 1, this.orig + i + 1, ok);
      return;
    }
    const le = this.cur === 'utf-16le';
    const mark = map.size;
    let j = nextNewline16(part, 0, le);
    let i = text.indexOf(10);
    for (; i >= 0 && j >= 0; i = text.indexOf(10, i + 1), j = nextNewline16(part, j, le)) map.add(this.utf8 + i + 1, this.orig + j, ok);
    if (i >= 0 || j >= 0) map.truncate(mark);
  }

  private switchTo(enc: TextEncoding, out: Buffer[]): void {
    if (this.dec) {
      const rest = this.dec.decode();
      if (rest) {
        const t = Buffer.from(rest, 'utf8');
        this.utf8 += t.length;
        out.push(t);
      }
    }
    this.cur = enc;
    // a fresh decoder drops a BOM at its start
    this.dec = enc === 'utf-8' ? null : new TextDecoder(enc);
  }

  /** The UTF-8 pieces of `chunk`; `eof`: no more bytes follow. */
  push(chunk: Buffer, eof: boolean): Buffer[] {
    const out: Buffer[] = [];
    let data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.junk > 0 && data.length) {
      const head = data.subarray(0, Math.min(this.junk, data.length));
      this.junk -= head.length;
      this.emit(out, head, this.junk === 0 && head[head.length - 1] === 10);
      this.b2 = head.length >= 2 ? head[head.length - 2] : this.b1;
      this.b1 = head[head.length - 1];
      data = data.subarray(head.length);
      if (this.junk === 0) this.switchTo(this.cur, out);
      else {
        this.carry = Buffer.alloc(0);
        return out;
      }
    }
    let pos = 0;
    const at = (i: number): number | undefined => (i >= 0 ? data[i] : i === -1 ? this.b1 : this.b2);
    for (;;) {
      if (this.atStart && pos < data.length) {
        const was = endedIn(at(pos - 2), at(pos - 1)) ?? this.cur;
        let enc = lineEncodingAt(data, pos, was, false);
        if (enc === null && eof) {
          // told only because the bytes end here: more bytes may tell otherwise ('不上' cut after 上's 0A 4E reads as
          // UTF-8), so no line from here on is a resume point (a later run reads them again, as a last line is)
          enc = lineEncodingAt(data, pos, was, true);
          this.provisional = true;
        }
        if (enc === null) break;
        if (enc !== this.cur || (bomAt(data, pos) && enc !== 'utf-8')) this.switchTo(enc, out);
      }
      // the end of this encoding's run of whole lines: the next line start that may switch
      let end = -1;
      // where the encoding changes inside a line (utf16InLine, utf8InLine): the bytes before it end a line there
      let split = -1;
      if (this.cur === 'utf-8') {
        const x = firstNonUtf8(data, pos);
        if (x < 0) {
          const nl = data.lastIndexOf(10);
          end = nl >= pos ? nl + 1 : -1;
        } else {
          let s = x === 0 ? 0 : data.lastIndexOf(10, x - 1) + 1;
          if (s - 1 > pos && emptyLineBefore(data, s, data[s - 2] === 10)) s--;
          if (s > pos) end = s;
          else {
            // inside the line at pos, which starts as UTF-8: a UTF-16 part may start in it, else it goes on as it is
            const sw = x > pos ? utf16InLine(data, pos, x, eof) : -1;
            if (sw !== null && sw > pos) split = sw;
            else if (sw !== null) {
              const nl = data.indexOf(10, x);
              end = nl < 0 ? -1 : nl + 1;
            }
          }
        }
      } else {
        const le = this.cur === 'utf-16le';
        for (let q = pos; ; ) {
          const j = nextNewline16(data, q, le);
          // a byte 0A before the line's LF code unit: CJK text (上 is 0A 4E), or a UTF-8 part that starts in the line
          const i = data.indexOf(10, q);
          if (i >= 0 && (j < 0 || i < j - (le ? 2 : 1))) {
            const sw = utf8InLine(data, q, i, this.cur, eof);
            if (sw === null) break;
            if (sw > q) {
              split = sw;
              break;
            }
          }
          if (j < 0) break;
          end = j;
          // a line whose first code unit holds a NUL stays in this encoding (lineEncodingAt's first look); one of CJK
          // text is asked here, not cut off to be asked by the loop above (a line of CJK text each: 1.2 -> 2.2 s of CPU)
          if (j + 2 > data.length) break;
          if (data[j] !== 0 && data[j + 1] !== 0) {
            if (bomAt(data, j) || lineEncodingAt(data, j, this.cur, false) !== this.cur) break;
          }
          q = j;
        }
      }
      if (split > pos) {
        this.emit(out, data.subarray(pos, split), false);
        out.push(Buffer.from(SPLIT));
        this.utf8 += SPLIT.length;
        // not a point a read may resume at: its bytes are inside a line of the input
        this.map?.add(this.utf8, this.orig, false);
        pos = split;
        this.atStart = true;
        continue;
      }
      if (end < 0) {
        if (eof) {
          this.emit(out, data.subarray(pos), true, true);
          pos = data.length;
        } else if (data.length - pos > MAX_CARRY) {
          const cut = this.cur === 'utf-8' ? data.length : pos + ((data.length - pos) & ~1);
          this.emit(out, data.subarray(pos, cut), false);
          pos = cut;
          this.atStart = false;
        }
        break;
      }
      this.emit(out, data.subarray(pos, end), true);
      pos = end;
      this.atStart = true;
      if (pos >= data.length) break;
    }
    if (eof && pos < data.length) {
      // a last line whose encoding the bytes could not tell before their end: read as the line before's
      this.emit(out, data.subarray(pos), true, true);
      pos = data.length;
    } else if (eof && this.dec) {
      const rest = this.dec.decode();
      if (rest) out.push(Buffer.from(rest, 'utf8'));
    }
    if (pos > 0) {
      this.b2 = pos >= 2 ? data[pos - 2] : pos === 1 ? this.b1 : this.b2;
      this.b1 = data[pos - 1];
    }
    this.carry = Buffer.from(data.subarray(pos));
    return out;
  }
}

/** Bytes -> UTF-8 text pieces, each line in its encoding (MixedDecoder). */
async function* mixedToUtf8(stream: AsyncIterable<Buffer>, enc: TextEncoding, map: OffsetMap, before: Buffer, junk: number, seen?: EncodingsRead): AsyncGenerator<Buffer> {
  const d = new MixedDecoder(enc, map, before, junk, seen);
  for await (const chunk of stream) yield* d.push(chunk, false);
  yield* d.push(Buffer.alloc(0), true);
}

/** Whole bytes (a head, bytes before a resume point) as UTF-8 text, each line in its encoding (MixedDecoder). */
export function decodeLines(buf: Buffer, enc: TextEncoding, junk = 0, before?: Buffer, eof = true): Buffer {
  return Buffer.concat(new MixedDecoder(enc, null, before, junk).push(buf, eof));
}

/**
 * Text that ends at `offset` of the original stream (a line start) as UTF-8 text of whole lines, as the decoder of a
 * clean run gave them, for a capture read by MixedDecoder (UTF-16, or UTF-8 with another encoding further on): the
 * first line is left out (cut by the bound) unless the bytes reach the stream's start (after a junk head of `junk`
 * bytes: HeadEncoding.junk). Where `raw` starts inside UTF-16 text, its code units' order and alignment are those of
 * the line `offset` ends when it is UTF-16, else those of the last UTF-16 line end in `raw`.
 */
export function textBefore(raw: Buffer, offset: number, enc: TextEncoding, junk = 0): Buffer {
  const from = offset - raw.length;
  if (from < junk || from === 0) {
    const text = decodeLines(raw, enc, junk - from);
    if (from === 0) return text;
    const nl = text.indexOf(10);
    return nl < 0 ? Buffer.alloc(0) : text.subarray(nl + 1);
  }
  // a line start of raw, and the encoding there
  let q = -1;
  let at: TextEncoding = 'utf-8';
  const nul = raw.indexOf(0);
  const lf = raw.indexOf(10);
  if (nul < 0) q = lf + 1;
  else if (lf >= 0 && lf + 1 < nul) q = lf + 1;
  else {
    const ended = endedIn(raw[raw.length - 2], raw[raw.length - 1]);
    let le = true;
    let parity = raw.length & 1;
    if (ended && ended !== 'utf-8') {
      le = ended === 'utf-16le';
    } else {
      const x = raw.lastIndexOf(0);
      le = raw[x + 1] !== 10;
      parity = (x + (le ? 1 : 2)) & 1;
    }
    at = le ? 'utf-16le' : 'utf-16be';
    for (let i = raw.indexOf(10); i >= 0 && q < 0; i = raw.indexOf(10, i + 1)) {
      if (le ? raw[i + 1] === 0 && ((i + 2) & 1) === parity : raw[i - 1] === 0 && ((i + 1) & 1) === parity) q = le ? i + 2 : i + 1;
    }
  }
  if (q <= 0 || q > raw.length) return Buffer.alloc(0);
  const text = decodeLines(raw.subarray(q), at, 0, raw.subarray(Math.max(0, q - 2), q));
  // whole lines only: what follows the last LF is no line of the clean run's
  return text.subarray(0, text.lastIndexOf(10) + 1);
}

/** How a capture's text is read: its head's encoding, a junk head before its BOM, and whether its encoding may change. */
export interface DecodeAs {
  /** HeadEncoding.junk */
  junk?: number;
  /** UTF-8 at the head, another encoding further on: read line by line (MixedDecoder). */
  mixed?: boolean;
  /** The bytes just before the read's start (its last two), whose line end tells the encoding there. */
  before?: Buffer;
  /** True for a chunk known to hold no NUL and no FF (stdin's reader thread looked: StdinReader.textOnly). */
  textOnly?: (b: Buffer) => boolean;
  /** Learns the encoding of each part of the text read (a junk head's is UTF-8), for the run's summary. */
  seen?: EncodingsRead;
  /** The read starts inside a line of the input (Utf16Switch.inLine): no resume point at its start. */
  inLine?: boolean;
}

/**
 * The encodings a read's text was in, in the order first met: one for most captures, two or more for one whose
 * encoding changes (PowerShell's `>>` after a UTF-8 tool's `>`), which `--json-summary` calls `mixed`.
 */
export class EncodingsRead {
  readonly list: TextEncoding[] = [];

  add(enc: TextEncoding): void {
    if (!this.list.includes(enc)) this.list.push(enc);
  }
}

/** A capture read by MixedDecoder (not as the UTF-8 bytes it is): UTF-16 at its head, or mixed. */
export function decodedRead(enc: TextEncoding, mixed: boolean | undefined): boolean {
  return enc !== 'utf-8' || !!mixed;
}

/**
 * The start of the first line of b[from, to) (whole lines from `from`) that holds a NUL and starts as UTF-16 after UTF-8
 * (lineEncodingAt, MixedDecoder's rule; told so too where the bytes end before it is known), or -1: a scan thread's
 * look, in a file read in ranges, for a UTF-16 part that neither end of the file showed.
 */
export function utf16LineIn(b: Buffer, from: number, to: number): number {
  const s = nulLineStart(b.subarray(from, to), Buffer.alloc(0), 0);
  return s === null ? -1 : from + s;
}

/** No NUL and no FF in `b`: no line in UTF-16 starts in it (Utf16Watch; stdin's reader thread looks so too: FdPiece.text). */
export function utf16Free(b: Uint8Array): boolean {
  return b.indexOf(0) < 0 && b.indexOf(0xff) < 0;
}

/** The line at `s` of c (-k: the last k bytes of `prior`, before c) starts as UTF-16 after UTF-8; so too when c ends before that is told. */
function startsUtf16(c: Buffer, prior: Buffer, s: number): boolean {
  const bytes = s < 0 ? Buffer.concat([prior.subarray(prior.length + s), c]) : c;
  // null: the chunk ends before the line tells; the decoder, with more bytes, will
  return lineEncodingAt(bytes, Math.max(0, s), 'utf-8', false) !== 'utf-8';
}

/**
 * Where the encoding changes inside the line of c that holds the NUL at `z` and starts as UTF-8 at `from` (an index in c;
 * -k: the last k bytes of `prior`, as far back as prior goes: a line that began further back), as an index in c (-k:
 * in those bytes); null when it does not. utf16InLine, the decoder's rule, on a copy of the bytes as far as
 * lineEncodingAt looks: a change whose text is read but not yet its line end counts (the decoder tells it with more
 * bytes); one not told before the chunk's end does not (the next chunk's look has these bytes in `prior`). Handing a
 * line of binary junk on unsure made the decoder read every line after one ending `00 0A` as UTF-16BE.
 */
function switchInside(c: Buffer, prior: Buffer, from: number, z: number): number | null {
  const k = Math.min(prior.length, Math.max(0, -from));
  const b = k > 0 ? Buffer.concat([prior.subarray(prior.length - k), c.subarray(0, Math.min(c.length, z + 1 + SWITCH_LOOK))]) : c;
  const p = Math.max(0, from);
  // the first byte UTF-8 text has not, in the line up to its NUL
  const x = firstNonUtf8(b.subarray(0, k + z + 1), p);
  if (x <= p) return null;
  const unsure = { at: -1 };
  const sw = utf16InLine(b, p, x, false, unsure) ?? unsure.at;
  return sw >= 0 ? sw - k : null;
}

/**
 * The start of the first line of `c` that holds a NUL before `limit` and starts as UTF-16 after UTF-8 (lineEncodingAt;
 * told so too where `c` ends before it is known): an index in c, or -k for a line that began k bytes before c, the last
 * bytes of `prior` (`sinceLf`: the bytes since the last LF before c; a line that began further back than
 * LINE_HEAD_KEPT is not asked, the next one is); null when none. An empty UTF-8 line just before such a line's NUL is
 * asked first (emptyLineBefore).
 */
function nulLineStart(c: Buffer, prior: Buffer, sinceLf: number, limit: number | null = null): number | null {
  for (let z = c.indexOf(0); z >= 0 && (limit === null || z > limit); ) {
    const lf = z > 0 ? c.lastIndexOf(10, z - 1) : -1;
    const s = lf >= 0 ? lf + 1 : sinceLf <= LINE_HEAD_KEPT ? -sinceLf : null;
    if (s !== null && s >= 1 && emptyLineBefore(c, s, s === 1 ? sinceLf === 0 : c[s - 2] === 10) && (limit === null || s - 1 < limit) && startsUtf16(c, prior, s - 1)) return s - 1;
    if (s !== null && (limit === null || s < limit) && (startsUtf16(c, prior, s) || switchInside(c, prior, s, z) !== null)) return s;
    const nl = c.indexOf(10, z);
    if (nl < 0) break;
    z = c.indexOf(0, nl + 1);
  }
  return null;
}

/**
 * The last bytes passed on that Utf16Watch keeps: the two before a line start moved to the decoder (LINE_HEAD_KEPT), and
 * a change of encoding inside a line that the chunk passed on ended before it was told (a BOM and TEXT_UNITS code units).
 */
const PRIOR_KEPT = 16;

/** Bytes of a line that began in a chunk passed on already which may still be moved to the decoder (a BOM and a code unit, and more). */
const LINE_HEAD_KEPT = 8;

/** Where a UTF-8 read goes on through MixedDecoder: the input offset of that line's start, the two bytes before it, and its first bytes. */
interface Utf16Switch {
  offset: number;
  before: Buffer;
  first: Buffer;
  /**
   * The switch is inside a line whose head was passed on further back than LINE_HEAD_KEPT (utf16InLine): the read goes
   * on at the switch, and the head, which lineChunks holds, is read as a line of its own (its last-line newline added).
   */
  inLine?: boolean;
  /** With inLine: the last bytes lineChunks holds that go with the rest (the part's first, passed on in a chunk before). */
  back?: number;
}

/**
 * A UTF-8 read's bytes, passed on as they are up to the start of the first line that starts as UTF-16 (lineEncodingAt,
 * MixedDecoder's rule), after which the rest is for MixedDecoder (`rest`): a stream (stdin, gzip) or a plain file read on
 * this thread whose UTF-16 part starts beyond the 64 KiB its head's encoding is told from, or in its middle, read as no
 * lines before. The cost on UTF-8 input is one search for a NUL in each chunk (memchr); a NUL in a UTF-8 line (junk)
 * asks lineEncodingAt about that line only.
 */
class Utf16Watch {
  switched: Utf16Switch | null = null;
  private readonly it: AsyncIterator<Buffer>;
  /** The last bytes passed on (a copy: a chunk's buffer may be filled again), after `before`. */
  private prior: Buffer;
  /** Bytes passed on since the last LF (Infinity: unknown, the read did not start at a line start). */
  private sinceLf: number;
  private offset: number;
  private done = false;
  /** The input went on to `rest`. */
  private handed = false;

  constructor(
    body: AsyncIterable<Buffer>,
    start: number,
    before: Buffer,
    atLineStart: boolean,
    private readonly textOnly?: (b: Buffer) => boolean,
    private readonly seen?: EncodingsRead,
  ) {
    this.it = body[Symbol.asyncIterator]();
    this.offset = start;
    this.prior = Buffer.from(before);
    this.sinceLf = atLineStart ? 0 : Infinity;
  }

  /** The chunks of the UTF-8 part. */
  async *utf8(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        const r = await this.it.next();
        if (r.done) {
          this.done = true;
          return;
        }
        const c = r.value;
        const at = this.textOnly?.(c) || utf16Free(c) ? null : this.switchAt(c);
        if (at === null) {
          this.pass(c);
          if (c.length) this.seen?.add('utf-8');
          yield c;
          continue;
        }
        const [s, inLine] = at;
        // s < 0: the line began in a chunk passed on, and lineChunks holds its -s bytes: they go with the rest (handedOn).
        // Copies: a chunk passed on may be a buffer the stdin reader fills again once its frame is taken.
        const back = Math.max(0, -s);
        const head = c.subarray(0, Math.max(0, s));
        const ahead = Buffer.concat([this.prior, c.subarray(Math.max(0, s - 2), Math.max(0, s))]);
        this.switched = {
          offset: this.offset + s,
          before: Buffer.from(ahead.subarray(Math.max(0, ahead.length - back - 2), ahead.length - back)),
          first: Buffer.concat([this.prior.subarray(this.prior.length - back), c.subarray(Math.max(0, s))]),
          ...(inLine ? { inLine: true, back } : {}),
        };
        if (s > 0) {
          this.seen?.add('utf-8');
          yield head;
        }
        this.handed = true;
        return;
      }
    } finally {
      // ended early (an abort, an error downstream): the input is closed, as a for-await over it would
      if (!this.handed && !this.done) await this.it.return?.();
    }
  }

  /** The chunks of the rest, from the line `first` starts. */
  async *rest(first: Buffer): AsyncGenerator<Buffer> {
    try {
      yield first;
      for (;;) {
        const r = await this.it.next();
        if (r.done) {
          this.done = true;
          return;
        }
        yield r.value;
      }
    } finally {
      if (!this.done) await this.it.return?.();
    }
  }

  private pass(c: Buffer): void {
    const lf = c.lastIndexOf(10);
    this.sinceLf = lf >= 0 ? c.length - 1 - lf : this.sinceLf + c.length;
    this.offset += c.length;
    const keep = PRIOR_KEPT;
    this.prior = c.length >= keep ? Buffer.from(c.subarray(c.length - keep)) : Buffer.concat([this.prior, c]).subarray(-keep);
  }

  /**
   * The start of the first line of `c` that starts as UTF-16, with a BOM (bomLineStart) or a NUL (nulLineStart), whichever
   * comes first (an index in c; -k: k bytes before c, in a line that began in a chunk passed on), or null.
   */
  private switchAt(c: Buffer): [at: number, inLine: boolean] | null {
    const bom = this.bomLineStart(c);
    const far = this.sinceLf > LINE_HEAD_KEPT ? this.switchInFarLine(c, bom) : null;
    if (far !== null) return [far, true];
    const s = nulLineStart(c, this.prior, this.sinceLf, bom) ?? bom;
    return s === null ? null : [s, false];
  }

  /**
   * Where the encoding changes inside the line `c` starts in, which began further back than the head kept (a chunk
   * passed on ended inside it; its first bytes may be among those kept: a code unit or a BOM cut by the chunk's end),
   * when a NUL is in that line before a BOM's line (`bom`): the switch is then inside the line. Else null: nulLineStart
   * would take the line start after the part's first LF code unit, a byte off (its CJK text garbled, each line with
   * CJK text joined to the next).
   */
  private switchInFarLine(c: Buffer, bom: number | null): number | null {
    const z = c.indexOf(0);
    if (z < 0 || (bom !== null && bom < z)) return null;
    const lf = c.indexOf(10);
    if (lf >= 0 && lf < z) return null;
    return switchInside(c, this.prior, -this.sinceLf, z);
  }

  /**
   * The start of the first line of `c` that starts with a BOM (its FF in c) and as UTF-16 (lineEncodingAt), or null.
   * A NUL is not enough to see it: a line of CJK text after the BOM has none before its LF code unit, which follows
   * the byte 0A of 上 (0A 4E): the line the NUL is in starts there, a byte off, and the BOM was passed on as UTF-8.
   */
  private bomLineStart(c: Buffer): number | null {
    for (let k = c.indexOf(0xff); k >= 0; k = c.indexOf(0xff, k + 1)) {
      let s: number | null = null;
      // FF FE (its FE maybe in the next chunk), or FE FF (its FE maybe the last byte passed on)
      if ((k + 1 === c.length || c[k + 1] === 0xfe) && (k > 0 ? c[k - 1] === 10 : this.sinceLf === 0)) s = k;
      else if (k > 0 ? c[k - 1] === 0xfe && (k > 1 ? c[k - 2] === 10 : this.sinceLf === 0) : this.sinceLf === 1 && this.prior[this.prior.length - 1] === 0xfe) s = k - 1;
      if (s !== null && startsUtf16(c, this.prior, s)) return s;
    }
    return null;
  }

}

/**
 * Chunks of whole UTF-8 lines from a stream in `enc`, starting `startBytes` into the original file
 * (the stream begins there). Each chunk's `next` is an offset in the ORIGINAL file, so a checkpoint
 * resumes at the right byte; UTF-8 input (not mixed) is passed to lineChunks as it is.
 */
export async function* decodedLineChunks(body: AsyncIterable<Buffer>, enc: TextEncoding, maxLine: number, startBytes: number, as: DecodeAs = {}): AsyncGenerator<LineChunk> {
  if (!decodedRead(enc, as.mixed)) {
    const before = startBytes > 0 ? (as.before ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const ended = endedIn(before[before.length - 2], before[before.length - 1]);
    // resumed after a line in UTF-16: the read that set this resume point was in the decoder there
    if (ended === 'utf-16le' || ended === 'utf-16be') return yield* decodedLineChunks(body, enc, maxLine, startBytes, { ...as, mixed: true });
    const watch = new Utf16Watch(body, startBytes, before, startBytes === 0 || ended === 'utf-8', as.textOnly, as.seen);
    // (a switch inside a line: lineChunks reads the line's head as a last line, its checkpoint before it)
    yield* lineChunks(watch.utf8(), maxLine, startBytes, () => (watch.switched?.inLine ? watch.switched.back! : watch.switched !== null));
    const sw = watch.switched;
    if (sw) yield* decodedLineChunks(watch.rest(sw.first), enc, maxLine, sw.offset, { mixed: true, before: sw.before, seen: as.seen, ...(sw.inLine ? { inLine: true } : {}) });
    return;
  }
  const map = new OffsetMap(!as.inLine);
  // what is left of a junk head from where this read starts (a run that stopped inside it: the capture was cut
  // there, read as UTF-8 then, and the rest of the head is UTF-8 still; an adversarial review's find)
  const junk = Math.max(0, (as.junk ?? 0) - startBytes);
  // the input's bytes consumed up to the last chunk's end (its `inputBytes`: the UTF-8 text's length is not theirs)
  let consumed = 0;
  for await (const c of lineChunks(mixedToUtf8(body, enc, map, startBytes > 0 ? (as.before ?? Buffer.alloc(0)) : Buffer.alloc(0), junk, as.seen), maxLine, 0)) {
    // where each of the chunk's lines starts in the input (the Selector's checkpoint at a `-v long` entry still open)
    const lineAt = map.between(c.offset, c.offset + c.end);
    const origin = (p: number): number | null => {
      const o = lineAt(c.offset + p);
      return o === null ? null : startBytes + o;
    };
    const next = c.next === null ? null : map.original(c.next);
    // (a last line's newline, which lineChunks added, stands for no input byte)
    const upTo = map.consumed(c.offset + c.end - (c.tail ? 1 : 0));
    const inputBytes = Math.max(0, upTo - consumed);
    consumed = Math.max(consumed, upTo);
    yield { ...c, offset: startBytes + c.offset, next: next === null ? null : startBytes + next, origin, inputBytes };
  }
}

/** What the first bytes say about a text capture: its encoding, BOM, line endings and its head as UTF-8. */
export interface TextHead extends HeadEncoding {
  lineEnding: LineEnding;
  /** The head decoded to UTF-8 (the head itself for UTF-8). */
  utf8: Buffer;
}

/** Reads encoding and line endings from a head. */
export function textHead(head: Buffer): TextHead {
  const enc = detectEncoding(head);
  const utf8 = headAsUtf8(head, enc.encoding, enc.junk, enc.mixed);
  return { ...enc, utf8, lineEnding: lineEndingOf(utf8) };
}

// Files people attach beside logs, known by their first bytes (file(1)'s magic).
const NOT_LOG_MAGIC: readonly { name: string; bytes: readonly number[] }[] = [
  { name: 'PNG image', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'PDF document', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: 'JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'ELF executable', bytes: [0x7f, 0x45, 0x4c, 0x46] },
];

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there does not start one. */
function utf8SequenceAt(b: Buffer, i: number): number {
  const c = b[i]!;
  const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (!n || i + n > b.length) return 0;
  for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  return n;
}

/** Share of the head's bytes that are not text: control bytes (but tab, CR, LF, ESC) and bytes that are not UTF-8. */
export function nonTextShare(th: TextHead): number {
  const b = th.utf8;
  if (!b.length) return 0;
  let bad = 0;
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27) || c === 0x7f) bad++;
      i++;
      continue;
    }
    const n = utf8SequenceAt(b, i);
    if (n) i += n;
    else {
      bad++;
      i++;
    }
  }
  return bad / b.length;
}

/**
 * Why a head is not a log at all (an image, a PDF, an executable), or null. `fits`: some line of the
 * head fits a logcat layout, so a junk block at the head of a real capture never hides the capture.
 * Gzip, zip and binary logcat are recognised before this.
 */
export function notALog(head: Buffer, th: TextHead, fits: boolean): string | null {
  const magic = NOT_LOG_MAGIC.find((m) => m.bytes.every((b, i) => head[i] === b));
  // A head with a logcat line and no magic is a log whatever its share: the share (a walk over every
  // byte of the head, ~2.5 ms of a small run) is measured only when it decides or is said.
  if (!magic && fits) return null;
  const share = nonTextShare(th);
  // Rounded down: 100% only when no byte at all is text.
  const pct = `${Math.floor(share * 100)}% non-text bytes`;
  // A magic before mostly text where a logcat layout fits is a log behind a few bytes of junk: read (skipped whole, its
  // events were lost with a reason that said it was text: an adversarial review's find)
  if (magic && !(fits && share < 0.3)) return `not a log (${magic.name}, ${pct}); skipped`;
  // A log with a junk block still has mostly text; an image or archive stream has a third or more of such bytes.
  return share >= 0.3 ? `not a log (binary, ${pct}); skipped` : null;
}

/**
 * The end of a plain file whose head is UTF-8 holds UTF-16 (PowerShell's `>>` after a UTF-8 tool's `>`): then the
 * file is read line by line in the encoding each line's start shows (HeadEncoding.mixed, MixedDecoder), not passed on
 * as UTF-8 bytes, where that part would read as no lines. `tail`: the file's last bytes, from an even offset; the check
 * is the one the tail sample made before (it only said so, after the read).
 */
export function utf16AtEnd(tail: Buffer): boolean {
  if (tail.length < 256) return false;
  const d = detectEncoding(tail);
  return d.encoding !== 'utf-8' || !!d.mixed;
}
