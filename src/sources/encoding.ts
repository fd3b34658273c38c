/**
 * Text encodings and line endings of a capture, from its first bytes. UTF-16 (PowerShell's `>`
 * writes UTF-16LE with a BOM) becomes UTF-8 before the line scanner sees it, in whole lines, with
 * each checkpoint kept as an offset in the ORIGINAL file so a resumed read starts at the right byte.
 */
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
}

// Bytes looked at for the NUL pattern: the whole head, so a junk block at the start does not hide it.
const NUL_SAMPLE = 64 * 1024;

/**
 * The encoding of a capture from its first bytes: a BOM, or without one the NUL pattern of ASCII
 * text in UTF-16 (every second byte NUL, on the odd bytes for LE, the even ones for BE).
 */
export function detectEncoding(head: Buffer): HeadEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3, junk: 0 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2, junk: 0 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2, junk: 0 };
  const n = Math.min(head.length, NUL_SAMPLE) & ~1;
  if (n < 4) return { encoding: 'utf-8', bom: 0, junk: 0 };
  // No NUL at all (every UTF-8 capture): nothing to count. One native search instead of a loop over
  // the head in the interpreter, which cost a small run ~1 ms (docs/performance.md, round six).
  const nul = head.indexOf(0);
  if (nul < 0 || nul >= n) return { encoding: 'utf-8', bom: 0, junk: 0 };
  const junked = junkBeforeBom(head.subarray(0, n), nul);
  if (junked) return junked;
  const side = nulSide(head, 0, n);
  return { encoding: side ?? 'utf-8', bom: 0, junk: 0 };
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

/** UTF-16 text that starts a capture as UTF-8: a junk head's bytes as they are, then the rest (BOM dropped) decoded. */
function decodeStart(buf: Buffer, enc: 'utf-16le' | 'utf-16be', junk: number): string {
  const rest = buf.subarray(Math.min(junk, buf.length));
  return buf.toString('utf8', 0, Math.min(junk, buf.length)) + new TextDecoder(enc).decode(rest.subarray(0, rest.length & ~1));
}

/** The head as UTF-8 text bytes (for format detection), whatever its encoding. */
export function headAsUtf8(head: Buffer, enc: TextEncoding, junk = 0): Buffer {
  if (enc === 'utf-8') return head;
  return Buffer.from(decodeStart(head, enc, junk), 'utf8');
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

/** Maps the UTF-8 offsets where emitted chunks end to the original offsets there; exact lookups only. */
class OffsetMap {
  private readonly utf8: number[] = [];
  private readonly orig: number[] = [];
  private at = 0;
  add(utf8End: number, origEnd: number): void {
    this.utf8.push(utf8End);
    this.orig.push(origEnd);
  }
  /** The original offset of a UTF-8 offset at a line end; null when it is not one (asked in increasing order). */
  original(utf8Offset: number): number | null {
    while (this.at < this.utf8.length && this.utf8[this.at]! < utf8Offset) this.at++;
    // Entries before the one asked for are done with: keep the arrays short on a long stream.
    if (this.at > 1024) {
      this.utf8.splice(0, this.at);
      this.orig.splice(0, this.at);
      this.at = 0;
    }
    return this.utf8[this.at] === utf8Offset ? this.orig[this.at]! : null;
  }
}

// A run without a newline longer than this is passed on without waiting for its end (memory stays bounded).
const MAX_CARRY = 4 << 20;

/** Offset just after the last newline code unit of `buf` (UTF-16, its code units from its first byte), or -1. */
function lastNewline16(buf: Buffer, le: boolean): number {
  for (let i = (buf.length & ~1) - 2; i >= 0; i -= 2) {
    if (le ? buf[i] === 10 && buf[i + 1] === 0 : buf[i] === 0 && buf[i + 1] === 10) return i + 2;
  }
  return -1;
}

/**
 * UTF-16 bytes -> UTF-8 chunks of whole lines. `map` learns, for each chunk that ends a line, the
 * offset in the original stream (counted from its first byte, the BOM included) where it ends.
 */
async function* utf16ToUtf8(stream: AsyncIterable<Buffer>, enc: 'utf-16le' | 'utf-16be', map: OffsetMap, junk: number): AsyncGenerator<Buffer> {
  // One streaming decoder: a surrogate pair or code unit cut between chunks is carried by it.
  const decoder = new TextDecoder(enc);
  const le = enc === 'utf-16le';
  let carry: Buffer = Buffer.alloc(0);
  let orig = 0;
  let utf8 = 0;
  // A junk head before the BOM (HeadEncoding.junk) is passed on as the UTF-8 lines it is; the decoder starts at
  // the BOM, which it drops.
  let junkLeft = junk;
  const emit = (part: Buffer, atLineEnd: boolean): Buffer => {
    const out = Buffer.from(decoder.decode(part, { stream: true }), 'utf8');
    orig += part.length;
    utf8 += out.length;
    if (atLineEnd) map.add(utf8, orig);
    return out;
  };
  for await (let chunk of stream) {
    if (junkLeft > 0) {
      // a copy: the chunk's buffer may be filled again once taken
      const head = Buffer.from(chunk.subarray(0, junkLeft));
      junkLeft -= head.length;
      orig += head.length;
      utf8 += head.length;
      if (junkLeft === 0 && head[head.length - 1] === 10) map.add(utf8, orig);
      yield head;
      chunk = chunk.subarray(head.length);
      if (!chunk.length) continue;
    }
    const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const cut = lastNewline16(data, le);
    if (cut > 0) {
      const out = emit(data.subarray(0, cut), true);
      if (out.length) yield out;
      carry = Buffer.from(data.subarray(cut));
    } else if (data.length > MAX_CARRY) {
      const even = data.length & ~1;
      const out = emit(data.subarray(0, even), false);
      if (out.length) yield out;
      carry = Buffer.from(data.subarray(even));
    } else carry = Buffer.from(data);
  }
  const tail = Buffer.from(decoder.decode(carry, { stream: false }), 'utf8');
  orig += carry.length;
  utf8 += tail.length;
  map.add(utf8, orig);
  if (tail.length) yield tail;
}

/**
 * UTF-16 bytes that end at `offset` of the original stream (a line start) as UTF-8 text of whole lines, as the
 * decoder of a clean run gave them: the first line is left out (cut by the bound) unless the bytes reach the
 * stream's start, whose BOM the decoder drops (after a junk head of `junk` bytes: HeadEncoding.junk).
 */
export function utf16Before(raw: Buffer, offset: number, enc: 'utf-16le' | 'utf-16be', junk = 0): Buffer {
  const from = offset - raw.length;
  // Code units start at offsets of the resume point's parity (a line's end): even, or odd after a junk head of
  // odd length. Bytes that reach the capture's start are read as its decoder read them (decodeStart).
  const text = from < junk ? decodeStart(raw, enc, junk - from) : new TextDecoder(enc).decode((from ^ offset) & 1 ? raw.subarray(1) : raw);
  const nl = text.indexOf('\n');
  return Buffer.from(from === 0 ? text : nl < 0 ? '' : text.slice(nl + 1), 'utf8');
}

/**
 * Chunks of whole UTF-8 lines from a stream in `enc`, starting `startBytes` into the original file
 * (the stream begins there); `junk`: HeadEncoding.junk. Each chunk's `next` is an offset in the ORIGINAL file, so a checkpoint
 * resumes at the right byte; UTF-8 input is passed to lineChunks as it is.
 */
export async function* decodedLineChunks(body: AsyncIterable<Buffer>, enc: TextEncoding, maxLine: number, startBytes: number, junk = 0): AsyncGenerator<LineChunk> {
  if (enc === 'utf-8') return yield* lineChunks(body, maxLine, startBytes);
  const map = new OffsetMap();
  // what is left of a junk head from where this read starts (a run that stopped inside it: the capture was cut
  // there, read as UTF-8 then, and the rest of the head is UTF-8 still; an adversarial review's find)
  for await (const c of lineChunks(utf16ToUtf8(body, enc, map, Math.max(0, junk - startBytes)), maxLine, 0)) {
    const next = c.next === null ? null : map.original(c.next);
    yield { ...c, offset: startBytes + c.offset, next: next === null ? null : startBytes + next };
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
  const utf8 = headAsUtf8(head, enc.encoding, enc.junk);
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
 * Why the end of a text whose head was read as `enc` looks like another encoding, or null: UTF-16 appended to
 * UTF-8 (PowerShell's `>>` after another tool's `>`) or UTF-8 to UTF-16. The whole input is decoded as its head
 * says, so such a part yields no line and no event; this says so instead of nothing (an adversarial review's find).
 * `tail`: the input's last bytes, from an even offset.
 */
export function otherEncodingAtEnd(tail: Buffer, enc: TextEncoding): string | null {
  if (tail.length < 256) return null;
  if (enc === 'utf-8') {
    const d = detectEncoding(tail);
    return d.encoding === 'utf-8' ? null : `its last ${Math.round(tail.length / 1024)} KiB look UTF-16, its head UTF-8: a part in another encoding reads as no lines; convert that part to UTF-8 (cut it off at its first NUL-padded line, iconv -f UTF-16 -t UTF-8, and append it again) and give the file again`;
  }
  // UTF-16 text of logcat has a NUL in most code units; UTF-8 text has none
  return tail.indexOf(0) < 0 && tail.includes(10) ? `its last ${Math.round(tail.length / 1024)} KiB look UTF-8, its head ${enc.toUpperCase()}: a part in another encoding reads as no lines; convert the file to one encoding and give it again` : null;
}
