/**
 * The plain path: every record of a byte stream, whatever its shape, one by one. `parse` uses it,
 * and tests hold the ingest fast path to the same events.
 */
import { DEFAULT_MAX_LINE, lineChunks } from '../sources/chunks.js';
import { peekHead } from '../sources/head.js';
import type { FormatName, LogRecord } from '../types.js';
import { BinaryRecords, looksLikeBinaryLogcat } from './binary.js';
import { looksLikeStudioJson, readStudioJson } from './json-logs.js';
import { RecordParser, detectFormat, type ParseOptions } from './records.js';

/** A record, or the line number of a line that could not be parsed. */
export type RecordOrUnparsed = LogRecord | { unparsed: number };

/** Bytes hashed to recognise a source, and read to detect its format. */
export const HEAD_BYTES = 64 * 1024;

/**
 * The format of an input from its first bytes: binary logcat and Studio's JSON export by their
 * shape, line formats by their first lines. `complete`: the head is the whole input.
 */
export function formatOfHead(head: Buffer, complete: boolean): FormatName {
  if (looksLikeBinaryLogcat(head)) return 'binary';
  if (looksLikeStudioJson(head)) return 'studio-json';
  const sample = head.toString('utf8').split('\n', 200);
  // The last line may be cut mid-line; a giant first line is kept, its header is whole.
  if (!complete && sample.length > 1) sample.pop();
  return detectFormat(sample);
}

/** Whole-input shapes read their own way; every other format is read line by line. */
export function shapeOf(format: FormatName): 'binary' | 'studio-json' | 'text' {
  return format === 'binary' || format === 'studio-json' ? format : 'text';
}

/** Yields every record of the stream (and the unparsed line numbers). */
export async function* recordsOf(stream: AsyncIterable<Buffer>, opts: ParseOptions): AsyncGenerator<RecordOrUnparsed> {
  const { head, all, complete } = await peekHead(stream, HEAD_BYTES);
  const format = opts.format ?? formatOfHead(head, complete);
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
  for await (const c of lineChunks(all)) {
    let pos = 0;
    while (pos < c.end) {
      const nl = c.buf.indexOf(10, pos);
      const r = parser.push(c.buf.toString('utf8', pos, Math.min(nl, pos + DEFAULT_MAX_LINE)), ++lineNo);
      if ('record' in r) yield r.record;
      else if ('unparsed' in r) yield { unparsed: lineNo };
      pos = nl + 1;
    }
  }
  const last = parser.end();
  if (last) yield last;
}
