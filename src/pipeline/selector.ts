/**
 * The Selector stage: which lines of a frame go on to the Parser. Candidate lines only (the SIMD
 * scan's, or those a scan thread found) while the Parser's layout is one line a record; every line
 * from the line where the Parser says its layout spans lines (a `-v long` header) until it says no
 * again. It numbers the lines and keeps the checkpoint: never past the start of a record still open,
 * nor past a last line without its newline (issue 20 items 2 and 6).
 */
import { cutLine, type LineChunk } from '../sources/chunks.js';
import { forEachCandidate } from './candidates.js';
import { LOOKBACK_BYTES, type LineWindow } from './line-window.js';
import { FoundBefore } from './lookback.js';
import { firstOverlongIn, type ChunkScanner } from './scan.js';
import type { Checkpoint, Frame, LineParser, ScannedFrame } from './stages.js';

/** Settings of a Selector. */
export interface SelectorOptions {
  scanner: ChunkScanner;
  maxLine: number;
  /** Every line, whatever the layout (`parse`, the --package pid tracker). */
  everyLine: boolean;
  /** Lines counted before this run (the resume point's). */
  startLine: number;
  /** Told where each line fed starts, so that the context of an event can be read back. */
  window?: LineWindow;
}

const EMPTY = Buffer.alloc(0);

/** Hands the lines of each frame to the Parser and says where the input may be resumed after it. */
export class Selector {
  /** Lines seen so far, from the start of the input. */
  lineNo: number;
  /** Lines longer than maxLine (cut). */
  overlong = 0;
  /** The number of the first line cut, when one was (the run's warning names it). */
  firstCut: number | null = null;
  /** Of the bytes, those scanned by worker threads. */
  workerBytes = 0;
  /** Input offset of the line where the Parser's open record began, when known. */
  private openAt: { line: number; offset: number } | null = null;

  constructor(
    private readonly parser: LineParser,
    private readonly o: SelectorOptions,
  ) {
    this.lineNo = o.startLine;
    // A layout whose records span lines is read line by line from the first: until a candidate line said so, the
    // lines before it went unparsed, and a resumed Studio capture's records before its first candidate never
    // reached the context's ring (a clean run's had, past its first candidate: an adversarial review's finding).
    this.multiLine = parser.multiLine ?? false;
  }

  /** True when the next line must go to the Parser whatever it holds (then a stream's chunks stay on this thread). */
  get wantsEveryLine(): boolean {
    return this.everyLine;
  }

  private get everyLine(): boolean {
    return this.o.everyLine || this.parser.openLine !== null || this.multiLine;
  }

  private multiLine: boolean;

  /** Feeds one line; notes where a record that opens on it starts. */
  private feed(text: string, n: number, offset: number | null): boolean {
    this.multiLine = this.parser.line(text, n);
    const open = this.parser.openLine;
    if (open === n) this.openAt = offset === null ? null : { line: n, offset };
    return this.multiLine;
  }

  /** Takes one frame; returns the checkpoint after it, or null when none may be set there. */
  async take(frame: Frame): Promise<Checkpoint | null> {
    if (frame.kind === 'records') {
      for (const r of frame.records) this.parser.record(r);
      this.lineNo = Math.max(this.lineNo, frame.lines);
      return frame.next === null ? null : { offset: frame.next, lines: this.lineNo };
    }
    if (frame.kind === 'lines') {
      const c = frame.chunk;
      // a chunk with a line lineChunks cut is that line alone
      if (c.overlong) this.noteCut(this.lineNo + 1);
      // a decoded chunk's (UTF-16) offsets are of its UTF-8 text: its lines' input offsets come from the decoder
      this.lines(c.buf, 0, c.end, frame.exact === false ? null : c.offset, true, c.origin);
      this.o.window?.keepTail(c.buf, c.end);
      this.overlong += c.overlong;
      return this.checkpoint(c.next, c.tail ?? false);
    }
    await this.scanned(frame);
    if (frame.held) this.o.window?.keepTail(frame.held, frame.held.length);
    return this.checkpoint(frame.next, frame.tail);
  }

  /** Line `n` was cut; the first such line is kept (frames come in input order, but a frame may say two). */
  private noteCut(n: number): void {
    if (this.firstCut === null || n < this.firstCut) this.firstCut = n;
  }

  /** The end of the input: the open record is complete. */
  end(): void {
    this.parser.end();
  }

  private checkpoint(next: number | null, tail: boolean): Checkpoint | null {
    const open = this.parser.openLine;
    if (open !== null) return this.openAt?.line === open ? { offset: this.openAt.offset, lines: open - 1 } : null;
    if (next === null) return null;
    return { offset: next, lines: this.lineNo - (tail ? 1 : 0) };
  }

  /**
   * The lines of buf[from, end) (whole lines; `base` is the input offset of buf[0], null when unknown):
   * candidates through the scanner, or every line, switching at the line where the layout signal changes. `origin`:
   * a decoded chunk's input offset of the line at buf[p] (LineChunk.origin), in place of `base`.
   */
  private lines(buf: Buffer, from: number, end: number, base: number | null, countCut: boolean, origin?: (p: number) => number | null): void {
    const at = origin ?? ((p: number): number | null => (base === null ? null : base + p));
    let pos = from;
    while (pos < end) {
      if (this.everyLine) {
        // every line, until the Parser's layout is one line a record again
        while (pos < end) {
          const nl = buf.indexOf(10, pos);
          const e = nl < 0 || nl >= end ? end : nl;
          const n = ++this.lineNo;
          if (countCut && cutLine(e - pos, this.o.maxLine, buf[e - 1]!)) {
            this.overlong++;
            this.noteCut(n);
          }
          const text = buf.toString('utf8', pos, Math.min(e, pos + this.o.maxLine));
          this.o.window?.at(buf, pos, n, text);
          this.feed(text, n, at(pos));
          pos = e + 1;
          if (!this.everyLine) break;
        }
        continue;
      }
      const lineBase = this.lineNo;
      const view = from === 0 && pos === 0 ? buf : buf.subarray(pos, end);
      const w = this.o.window;
      const r = this.o.scanner.scan(view, end - pos, this.o.maxLine, (text, i, start) => {
        w?.at(buf, pos + start, lineBase + i + 1, text);
        return !this.feed(text, lineBase + i + 1, at(pos + start));
      });
      this.lineNo = lineBase + r.lines;
      if (countCut && r.overlong) {
        this.overlong += r.overlong;
        this.noteCut(lineBase + 1 + firstOverlongIn(view, 0, r.stoppedAt ?? end - pos, this.o.maxLine));
      }
      if (r.stoppedAt === undefined) return;
      pos += r.stoppedAt;
    }
  }

  /** A frame a scan thread scanned: its candidates, or its bytes read back when every line is needed. */
  private async scanned(f: ScannedFrame): Promise<void> {
    this.workerBytes += f.workerBytes;
    const r = f.result;
    const startLine = this.lineNo;
    this.overlong += f.overlong + r.overlong;
    if (f.cutAt !== undefined) this.noteCut(startLine + f.cutAt + 1);
    if (r.firstCut !== undefined) this.noteCut(startLine + r.firstCut + 1);
    let from: number | null = null;
    if (this.everyLine) from = 0;
    else {
      const w = this.o.window;
      const found = w && r.candidates.before ? new FoundBefore(r.candidates, r.candidates.before) : null;
      let k = 0;
      forEachCandidate(r.candidates, (text, rel, at) => {
        if (f.held) w?.at(f.held, at, startLine + rel + 1, text);
        else w?.at(EMPTY, f.offset + at, startLine + rel + 1, text, f.readBefore ?? null, found, k++);
        if (!this.feed(text, startLine + rel + 1, f.exact ? f.offset + at : null)) return true;
        // The layout now spans lines: the rest of this frame line by line, from the line after this one.
        this.lineNo = startLine + rel + 1;
        from = at;
        return false;
      });
    }
    if (from === null) {
      this.lineNo = startLine + r.lines;
      return;
    }
    const skipFirst = this.lineNo > startLine;
    let first = skipFirst;
    // The lines read back look back into the bytes before them, as a frame's lines read on this thread do:
    // those before the read-back's first line, then the tail of each chunk (range jobs' chunks are 64 KiB:
    // an event just after a chunk's start, once the layout was one line a record again, lost its context).
    const w = this.o.window;
    const kept = w?.tail;
    if (w) {
      if (f.held) w.keepTail(f.held, from);
      else if (f.readBefore) {
        const before = f.readBefore(f.offset + from, LOOKBACK_BYTES + 1);
        w.tailOf(before, before.length > LOOKBACK_BYTES);
      }
    }
    for await (const c of f.data(from)) {
      let start = 0;
      if (first) {
        // the line that switched the layout was parsed already
        const nl = c.buf.indexOf(10);
        if (nl < 0 || nl >= c.end) {
          w?.keepTail(c.buf, c.end);
          continue;
        }
        start = nl + 1;
        first = false;
      }
      this.lines(c.buf, start, c.end, f.exact ? c.offset : null, false);
      w?.keepTail(c.buf, c.end);
    }
    // a held frame's tail is kept after it from the whole frame, over the tail kept before it
    if (w && kept) w.tail = kept;
    // The scan counted the frame's lines: the same number whichever way they were read.
    this.lineNo = startLine + r.lines;
  }
}
