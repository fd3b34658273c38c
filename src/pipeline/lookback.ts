/**
 * The look-back of candidate lines, found by the scan thread that holds their bytes (issue 25).
 *
 * A file read in ranges hands the main thread only candidate lines, so the context of an event had
 * to be read from the file again there, synchronously: the run's one serial thread spent more time
 * on that than on parsing (profiled on 1 GB). The scan thread already has the range's bytes: for
 * each candidate of a layout with a fixed pid column it looks for the earlier lines of the same pid
 * exactly as the main thread would (`LineWindow.linesOfPid`, the whole window: LOOKBACK_LINES lines,
 * LOOKBACK_BYTES bytes), and sends their text with the candidate. The main thread cuts that window to
 * what it still needs (what the pid's last event saw) and parses it as before. A candidate whose
 * window reaches before a line cut in the read gets none: the main thread reads it back from the
 * file, as it does for other layouts.
 *
 * The walk runs where the bytes are: the range reader keeps the window's bytes of the chunk before
 * (or, for a range's first chunk, reads those before the range) just ahead of each chunk in the
 * scanner's memory (scan-jobs.ts), and the scanner's module walks back over them (needle-scan.wat's
 * pidLines); only the lines of the pid are decoded, each line once.
 */
import { stringArray, type Candidates } from './candidates.js';
import { stripDecorations } from '../parse/decorations.js';
import { lineText, LOOKBACK_BYTES, LOOKBACK_LINES, LOOKBACK_MAX, pidColumn, windowStart, type PidLine, type Thinning } from './line-window.js';
import type { ChunkScanner } from './scan.js';

/**
 * What a scan thread found before each candidate of a job: `pid[i]` is the pid whose lines were
 * looked for (-1: none, the main thread reads back); candidate i's lines, oldest first, are entries
 * [from[i], from[i + 1]) of `ref` (>= 0: that candidate's own text; < 0: line -ref - 1 of `text`) and
 * `back` (how many lines before the candidate's it is). A line that is context of several candidates,
 * or a candidate itself, crosses once.
 */
export interface LookBack {
  pid: number[];
  from: number[];
  ref: number[];
  back: number[];
  /** The other lines, joined by "\n" (a line holds none). */
  text: string;
  /** 1 where lines of candidate i were left out (`thinning`): older than its newest `keep` and ruled out by `lineCheck`. */
  thin: number[];
  thinning?: Thinning;
}

/**
 * The heads of the fixed-pid-column layouts up to the pid (formats.ts: threadtime with an optional uid
 * word, process and thread without a `uid:` first, as their patterns match), the pid the only group: the full patterns' named
 * groups were the scan thread's largest garbage on a capture where every line is a candidate (measured).
 * A guess is safe: the main thread takes the lines only for a record of a fixed-column layout with this pid.
 */
const PID_HEAD = /^\s*(?:(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})?|\d+\.\d{1,9})(?: [+-]\d{4})?\s+(?:\S+\s+)?(\d+)\s+\d+ [VDIWEFSA?] |^[VDIWEFSA?]\(\s*(\d+)(?::\s*\d+)?\)|^[VDIWEFSA?]\(\s*[^:()\s]+:\s*(\d+)(?::\s*\d+)?\)/;

/** Each pattern compiled once per thread (a job gives its source). */
const checks = new Map<string, RegExp>();
function lineCheckOf(source: string): RegExp {
  let re = checks.get(source);
  if (!re) checks.set(source, (re = new RegExp(source)));
  return re;
}

/** The pid of a line of a fixed-pid-column layout, or -1 (another layout, or not a header). */
export function fixedColumnPid(text: string): number {
  const m = PID_HEAD.exec(text);
  return m ? Number(m[1] ?? m[2] ?? m[3]) : -1;
}

/**
 * A scan thread's finder of look-backs over the chunks of one range job, fed in file order. The
 * buffer a candidate is given in holds, before the chunk, the bytes of the chunks before it that
 * its window may need (scan-jobs.ts's rangeChunks).
 */
export class LookBackFinder {
  private readonly pid: number[] = [];
  private readonly from: number[] = [0];
  private readonly ref: number[] = [];
  private readonly back: number[] = [];
  private readonly thin: number[] = [];
  private readonly texts = stringArray();
  /** Candidate index by job line index; other lines' index in `texts` by job line index. */
  private readonly candAt = new Map<number, number>();
  private readonly textAt = new Map<number, number>();
  /** (start, end, back) of the lines one walk found, nearest first (reused). */
  private readonly spans: number[] = [];
  /** A candidate at file offset o has its whole window in the bytes before it when o - LOOKBACK_BYTES >= validFrom (the chunk says). */
  private validFrom = 0;

  /** The pattern of `thinning`, compiled (null: every line is sent). */
  private readonly check: RegExp | null;
  /** Lines sent whatever they hold: the newest, which the event's context shows. */
  private readonly keep: number;

  /**
   * `thinning`: an older line in which its pattern finds nothing is not sent. A capture of one process
   * sent 64 lines a candidate, which filled each job's cap in a few hundred KB and had the main thread
   * parse them (docs/performance.md, round fifteen); the main thread reads such a line again only when
   * a newest one was no record of the pid.
   */
  constructor(
    private readonly scanner: Pick<ChunkScanner, 'pidLines'>,
    private readonly thinning?: Thinning,
  ) {
    this.check = thinning ? lineCheckOf(thinning.lineCheck) : null;
    this.keep = thinning?.keep ?? 0;
  }

  /**
   * The candidate `text` at buf[at] (buf[0] a line start, the bytes from there the file's own), file
   * offset `offset`, job line index `line`: its look-back, when the bytes hold it. Returns the
   * characters of new text it carries (counted against the job's cap).
   */
  candidate(buf: Buffer, at: number, offset: number, line: number, text: string): number {
    const k = this.pid.length;
    this.candAt.set(line, k);
    const pid = offset - LOOKBACK_BYTES >= this.validFrom ? fixedColumnPid(text) : -1;
    this.pid.push(pid);
    let chars = 0;
    let thin = 0;
    if (pid >= 0) {
      const needle = String(pid);
      const spans = this.spans;
      spans.length = 0;
      this.scanner.pidLines(buf, windowStart(buf, at), at, needle, pidColumn(text, needle), LOOKBACK_MAX, LOOKBACK_LINES, spans);
      // oldest first
      for (let j = spans.length - 3; j >= 0; j -= 3) {
        const back = spans[j + 2]!;
        const n = line - back;
        let ref = this.candAt.get(n);
        if (ref === undefined) {
          let t = this.textAt.get(n);
          if (t === undefined) {
            const lt = lineText(buf, spans[j]!, spans[j + 1]!);
            // spans are nearest first: j / 3 lines of the pid are nearer than this one
            if (this.check !== null && j >= this.keep * 3 && !this.check.test(stripDecorations(lt))) {
              thin = 1;
              continue;
            }
            this.textAt.set(n, (t = this.texts.length));
            this.texts.push(lt);
            chars += lt.length + 1;
          }
          // ~t is -t - 1 (never -0, which is not a small integer: the optimized code started over on it)
          ref = ~t;
        }
        this.ref.push(ref);
        this.back.push(back);
      }
    }
    this.from.push(this.ref.length);
    this.thin.push(thin);
    return chars;
  }

  /**
   * A chunk of the range begins: its candidates at file offset o have their whole window in the bytes
   * before them when o - LOOKBACK_BYTES >= validFrom (the range's start less the bytes read before it,
   * or the line after a line cut in the read: its bytes there are not the file's).
   */
  chunk(validFrom: number): void {
    this.validFrom = validFrom;
  }

  done(): LookBack {
    return { pid: this.pid, from: this.from, ref: this.ref, back: this.back, text: this.texts.join('\n'), thin: this.thin, thinning: this.thinning };
  }
}

/** The main thread's view of the look-backs of one job's candidates: lines split only when an event asks. */
export class FoundBefore {
  private cands: string[] | null = null;
  private lines: string[] | null = null;
  constructor(
    private readonly c: Candidates,
    private readonly l: LookBack,
  ) {}

  /** What was left out of candidate `i`'s lines, or null (none was). */
  thinned(i: number): Thinning | null {
    return this.l.thin[i] === 1 ? this.l.thinning ?? null : null;
  }

  /** The pid candidate `i`'s lines were found for, or -1. */
  pidOf(i: number): number {
    return this.l.pid[i] ?? -1;
  }

  /** Candidate `i`'s lines within `maxLines` lines before it, oldest first (the window cut as linesOfPid would). */
  linesOf(i: number, maxLines: number): PidLine[] {
    const out: PidLine[] = [];
    const l = this.l;
    for (let j = l.from[i]!; j < l.from[i + 1]!; j++) {
      const back = l.back[j]!;
      if (back > maxLines) continue;
      const ref = l.ref[j]!;
      const text = ref >= 0 ? (this.cands ??= this.c.text.split('\n'))[ref]! : (this.lines ??= l.text.split('\n'))[-ref - 1]!;
      out.push({ text, back });
    }
    return out;
  }
}
