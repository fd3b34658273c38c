/**
 * The stages of one source, each with one interface (ripgrep's searcher/sink split):
 *
 *   Source (bytes with offsets) -> Framer (Frames: whole lines, scanned ranges, or records, each with
 *   a checkpoint) -> Selector (which lines go on: candidates, or every line) -> Parser (lines -> records)
 *   -> Extractor (records -> events) -> Sink (`event`, `checkpoint`, `finish`).
 *
 * A stage knows the type of its input and output, not the stage after it. The one signal that goes
 * back is the Parser's answer to each line: whether the layout in force spans lines (`-v long`), so
 * the Selector must hand over every line until it says no again.
 */
import type { LineChunk } from '../sources/chunks.js';
import type { AuthingEvent, FormatName, LogRecord } from '../types.js';
import type { RangeResult } from './scan-jobs.js';

/** A place the source may be resumed from: everything before `offset` (its first `lines` lines) is counted. */
export interface Checkpoint {
  offset: number;
  lines: number;
}

/** Whole lines a scan thread already scanned: input bytes [offset, offset + bytes) and what it found. */
export interface ScannedFrame {
  kind: 'scanned';
  offset: number;
  bytes: number;
  result: RangeResult;
  /** The frame's bytes from `from` on, as whole lines (read back when every line is needed). */
  data(from: number): AsyncIterable<LineChunk>;
  /** Offsets in `result.candidates.at` plus `offset` are input offsets (false: no checkpoint may come from them). */
  exact: boolean;
  next: number | null;
  /** Its last line is the input's last, without a newline. */
  tail: boolean;
  /** Lines cut before the scan (by the Framer), beside those the scan cut. */
  overlong: number;
  /** The 0-based index among the frame's lines of the first line the Framer cut, when it cut one. */
  cutAt?: number;
  /** Of `bytes`, those scanned by a worker thread. */
  workerBytes: number;
  /** The frame's bytes, when held in memory (the context of an event is read back from them). */
  held?: Buffer;
  /** Else: the input's bytes [max(start, at - max), at), read from where they are (a file read in ranges). */
  readBefore?: (at: number, max: number) => Buffer;
}

/** What a Framer hands on: whole lines, lines scanned by a thread, or records of a whole-input layout. */
export type Frame =
  | { kind: 'lines'; chunk: LineChunk; /** false: offsets are of decoded text (UTF-16 input), no checkpoint from them */ exact?: boolean }
  | ScannedFrame
  | { kind: 'records'; records: readonly LogRecord[]; next: number | null; lines: number; bytes: number };

/** The Parser stage: one line at a time; its answer is the layout signal. */
export interface LineParser {
  /** Parses line `n`; true while the layout in force spans lines (the Selector must hand over every line). */
  line(text: string, n: number): boolean;
  /** A record of a layout parsed elsewhere (binary, Studio JSON). */
  record(r: LogRecord): void;
  /** The line where a record still open began (a checkpoint may not pass it), or null. */
  readonly openLine: number | null;
  /** The layout in force. */
  readonly format: FormatName | null;
  /** True while the layout in force spans lines (as line() answers; before the first line, the layout set). */
  readonly multiLine?: boolean;
  /** Ends the input: the record still open is complete now. */
  end(): void;
}

/** Where events and checkpoints go (the store's committer; live printers see events through it). */
export interface Sink {
  /** `message`: the whole message of the event's record (the excerpt is cut). */
  event(e: AuthingEvent, message?: string): void;
  /** Everything before this checkpoint has been handed over; may commit. */
  checkpoint(cp: Checkpoint): Promise<void>;
  /** The input ended (complete) or stopped (not): commit up to `cp`. */
  finish(cp: Checkpoint | null, complete: boolean): Promise<void>;
}
