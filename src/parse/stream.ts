/**
 * The plain path: every record of a byte stream, whatever its shape, one by one. `parse` uses it,
 * and tests hold the ingest fast path to the same events.
 */
import { DEFAULT_MAX_LINE } from '../sources/chunks.js';
import { decodedLineChunks, loneCrNote, loneCrReadNote, loneCrRefusal, loneCrs, notALog, textHead, type LineEnding, type TextEncoding } from '../sources/encoding.js';
import { peekHead } from '../sources/head.js';
import type { FormatName, LogRecord } from '../types.js';
import { BinaryRecords, looksLikeBinaryLogcat } from './binary.js';
import { looksLikeStudioJson, readStudioJson } from './json-logs.js';
import { RecordParser, detectFormat, looksLikeText, type ParseOptions } from './records.js';

/** A record, or the line number and text of a line that could not be parsed. */
export type RecordOrUnparsed = LogRecord | { unparsed: number; text: string };

/** Bytes hashed to recognise a source, and read to detect its format. */
export const HEAD_BYTES = 64 * 1024;

/** What the head of an input says about it, for reading it and for the per-source summary. */
export interface HeadInfo {
  format: FormatName;
  encoding: TextEncoding | 'binary';
  /** UTF-16 only: the bytes of a junk head before its BOM (HeadEncoding.junk); 0 otherwise. */
  junk: number;
  /** UTF-8 at the head, UTF-16 further in (HeadEncoding.mixed). */
  mixed?: true;
  lineEnding: LineEnding | null;
  /** Set when the input is not a log at all and is skipped: the one-line reason. */
  notLog: string | null;
  /** A silent fallback said out loud: the one-line note for stderr, or null. */
  note: string | null;
  /** Its lines end in a lone CR (all of them, or many: loneCrRefusal): why an ingest reads nothing of it (`parse` notes it). */
  crOnly?: string | null;
  /** Many, not all (loneCrReadNote): the note instead of crOnly for a source read before, which is read on. */
  crReadNote?: string | null;
  /** A text head's layout by detection, also when --input-format forced another. */
  detected?: FormatName;
}

/** The note for an input read with --input-format binary whose head is no `adb logcat -B` capture. */
export const BINARY_FORCED_NOTE = 'read with --input-format binary, but its head is no binary logcat capture (adb logcat -B): no record can be read from it; give it without --input-format';

/** The note for a text input that no layout fits. */
export const RAW_NOTE = 'no logcat layout fits; read as raw lines, tags unknown';

/**
 * The format of an input from its first bytes: binary logcat and Studio's JSON export by their
 * shape, line formats by their first lines (decoded from UTF-16 first). `complete`: the head is
 * the whole input. `forced`: --input-format, which also reads what looks like a binary file.
 */
export function inspectHead(head: Buffer, complete: boolean, forced?: FormatName): HeadInfo {
  if (forced === 'binary' || (!forced && looksLikeBinaryLogcat(head))) {
    // Forced on a head that is no logger entry, it reads no record: said, not a silent empty read.
    const note = forced === 'binary' && head.length > 0 && !looksLikeBinaryLogcat(head) ? BINARY_FORCED_NOTE : null;
    return { format: 'binary', encoding: 'binary', junk: 0, lineEnding: null, notLog: null, note };
  }
  const th = textHead(head);
  if (forced === 'studio-json' || (!forced && th.encoding === 'utf-8' && looksLikeStudioJson(head))) return { format: 'studio-json', encoding: th.encoding, junk: th.junk, ...(th.mixed ? { mixed: th.mixed } : {}), lineEnding: th.lineEnding, notLog: null, note: null };
  const lines = th.utf8.toString('utf8').split('\n');
  // The last line may be cut mid-line; a giant first line is kept, its header is whole.
  if (!complete && lines.length > 1) lines.pop();
  // The first 200 lines that look like text: a block of binary junk at the head does not fill the sample.
  const sample = lines.filter((l) => looksLikeText(l)).slice(0, 200);
  // by detection also when forced: a forced layout the head does not have is said after the read (ingest.ts)
  const detected = detectFormat(sample);
  const format = forced ?? detected;
  const notLog = forced ? null : notALog(head, th, format !== 'raw');
  const cr = loneCrs(th.utf8);
  const notes = [format === 'raw' && !forced ? RAW_NOTE : null, loneCrNote(cr)].filter((n) => !!n);
  return { format, encoding: th.encoding, junk: th.junk, ...(th.mixed ? { mixed: th.mixed } : {}), lineEnding: th.lineEnding, notLog, crOnly: loneCrRefusal(cr), crReadNote: loneCrReadNote(cr), detected, note: notLog ?? (notes.length ? notes.join('; ') : null) };
}

/** The format of an input from its first bytes (see inspectHead). */
export function formatOfHead(head: Buffer, complete: boolean): FormatName {
  return inspectHead(head, complete).format;
}

/** Whole-input shapes read their own way; every other format is read line by line. */
export function shapeOf(format: FormatName): 'binary' | 'studio-json' | 'text' {
  return format === 'binary' || format === 'studio-json' ? format : 'text';
}

/**
 * Yields every record of the stream (and the unparsed line numbers). `onHead` hears what the head
 * says (format, encoding, a note for stderr); an input that is not a log yields nothing.
 */
export async function* recordsOf(stream: AsyncIterable<Buffer>, opts: ParseOptions, onHead?: (h: HeadInfo) => void): AsyncGenerator<RecordOrUnparsed> {
  const { head, all, complete } = await peekHead(stream, HEAD_BYTES);
  const info = inspectHead(head, complete, opts.format);
  onHead?.(info);
  if (info.notLog) return;
  const format = info.format;
  if (format === 'studio-json') {
    yield* (await readStudioJson(all)).records;
    return;
  }
  if (format === 'binary') {
    const entries = new BinaryRecords();
    for await (const c of all) yield* entries.push(c).records;
    return;
  }
  // Set, not forced: without --input-format the parser re-detects when a line does not fit.
  const parser = new RecordParser(opts);
  parser.setFormat(format);
  let lineNo = 0;
  for await (const c of decodedLineChunks(all, info.encoding as TextEncoding, DEFAULT_MAX_LINE, 0, { junk: info.junk, mixed: info.mixed })) {
    let pos = 0;
    while (pos < c.end) {
      const nl = c.buf.indexOf(10, pos);
      const text = c.buf.toString('utf8', pos, Math.min(nl, pos + DEFAULT_MAX_LINE));
      const r = parser.push(text, ++lineNo);
      if ('record' in r) {
        if (r.before) yield r.before;
        yield r.record;
      } else if ('unparsed' in r) yield { unparsed: lineNo, text };
      pos = nl + 1;
    }
  }
  const last = parser.end();
  if (last) yield last;
}
