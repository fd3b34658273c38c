/**
 * The plain path: every record of a byte stream, whatever its shape, one by one. `parse` uses it,
 * and tests hold the ingest fast path to the same events.
 */
import { DEFAULT_MAX_LINE, lineChunks } from '../sources/chunks.js';
import type { LogRecord } from '../types.js';
import { BinaryRecords, looksLikeBinaryLogcat } from './binary.js';
import { looksLikeStudioJson, parseStudioJson } from './json-logs.js';
import { RecordParser, detectFormat, type ParseOptions } from './records.js';

/** A record, or the line number of a line that could not be parsed. */
export type RecordOrUnparsed = LogRecord | { unparsed: number };

/** Yields every record of the stream (and the unparsed line numbers). */
export async function* recordsOf(stream: AsyncIterable<Buffer>, opts: ParseOptions): AsyncGenerator<RecordOrUnparsed> {
  const it = stream[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < 64 * 1024) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    first.push(r.value);
    size += r.value.length;
  }
  const head = Buffer.concat(first);
  const all = (async function* () {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })();
  if (opts.format === 'studio-json' || (!opts.format && looksLikeStudioJson(head))) {
    const parts: Buffer[] = [];
    for await (const c of all) parts.push(c);
    yield* parseStudioJson(Buffer.concat(parts).toString('utf8'));
    return;
  }
  if (opts.format === 'binary' || (!opts.format && looksLikeBinaryLogcat(head))) {
    const entries = new BinaryRecords();
    for await (const c of all) yield* entries.push(c).records;
    return;
  }
  const parser = new RecordParser(opts);
  if (!opts.format) {
    const sample = head.toString('utf8').split('\n', 200);
    if (!done && sample.length > 1) sample.pop();
    parser.setFormat(detectFormat(sample));
  }
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
