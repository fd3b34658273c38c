/**
 * `parse`: the ingest pipeline with an every-line Selector and a records sink: the same Framer,
 * Selector and Parser as ingest, so "fast = every line" compares two configurations of one pipeline.
 */
import { candidateNeedles } from '../extract/index.js';
import type { ParseOptions } from '../parse/records.js';
import { HEAD_BYTES, formatOfHead, shapeOf } from '../parse/stream.js';
import { DEFAULT_MAX_LINE } from '../sources/chunks.js';
import { peekHead } from '../sources/head.js';
import type { LogRecord } from '../types.js';
import { binaryFrames, lineFrames, studioFrames } from './frames.js';
import { RecordStage } from './parser-stage.js';
import { chunkScanner } from './scan.js';
import { Selector } from './selector.js';

/** Every record of a stream, in order, and the numbers of the lines that fit no layout. */
export async function* parseRecords(stream: AsyncIterable<Buffer>, opts: ParseOptions): AsyncGenerator<LogRecord | { unparsed: number }> {
  const { head, all, complete } = await peekHead(stream, HEAD_BYTES);
  const format = opts.format ?? formatOfHead(head, complete);
  const shape = shapeOf(format);
  const out: (LogRecord | { unparsed: number })[] = [];
  const parser = new RecordStage(opts, format, (r) => out.push(r), (n) => out.push({ unparsed: n }));
  // every line: the scanner is never asked
  const selector = new Selector(parser, { scanner: chunkScanner(candidateNeedles([])), maxLine: DEFAULT_MAX_LINE, everyLine: true, startLine: 0 });
  const frames = shape === 'studio-json' ? studioFrames(all, 0, 0) : shape === 'binary' ? binaryFrames(all, 0, 0) : lineFrames(all, DEFAULT_MAX_LINE, 0);
  for await (const f of frames) {
    await selector.take(f);
    yield* out.splice(0);
  }
  selector.end();
  yield* out.splice(0);
}
