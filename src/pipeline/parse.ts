/**
 * `parse`: the ingest pipeline with an every-line Selector and a records sink: the same Framer,
 * Selector and Parser as ingest, so "fast = every line" compares two configurations of one pipeline.
 */
import { candidateNeedles } from '../extract/index.js';
import type { ParseOptions } from '../parse/records.js';
import { HEAD_BYTES, inspectHead, shapeOf, type HeadInfo, type RecordOrUnparsed } from '../parse/stream.js';
import { DEFAULT_MAX_LINE } from '../sources/chunks.js';
import { peekHead } from '../sources/head.js';
import { binaryFrames, lineFrames, studioFrames } from './frames.js';
import { RecordStage } from './parser-stage.js';
import { chunkScanner } from './scan.js';
import { Selector } from './selector.js';

/**
 * Every record of a stream, in order, and the lines that fit no layout (as recordsOf gives them).
 * `onHead` hears what the head says; an input that is not a log yields nothing.
 */
export async function* parseRecords(stream: AsyncIterable<Buffer>, opts: ParseOptions, onHead?: (h: HeadInfo) => void): AsyncGenerator<RecordOrUnparsed> {
  const { head, all, complete } = await peekHead(stream, HEAD_BYTES);
  const info = inspectHead(head, complete, opts.format);
  onHead?.(info);
  if (info.notLog) return;
  const shape = shapeOf(info.format);
  const out: RecordOrUnparsed[] = [];
  const parser = new RecordStage(opts, info.format, (r) => out.push(r), (n, text) => out.push({ unparsed: n, text }));
  // every line: the scanner is never asked
  const selector = new Selector(parser, { scanner: chunkScanner(candidateNeedles([])), maxLine: DEFAULT_MAX_LINE, everyLine: true, startLine: 0 });
  const encoding = info.encoding === 'binary' ? 'utf-8' : info.encoding;
  const frames = shape === 'studio-json' ? studioFrames(all, 0, 0) : shape === 'binary' ? binaryFrames(all, 0, 0) : lineFrames(all, encoding, DEFAULT_MAX_LINE, 0, { junk: info.junk, mixed: info.mixed });
  for await (const f of frames) {
    await selector.take(f);
    yield* out.splice(0);
  }
  selector.end();
  yield* out.splice(0);
}
