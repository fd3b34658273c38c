/** Bytes -> chunks of whole lines, with a bound on the length of one line (as split2's maxLength). */

/** Longest line kept whole; longer lines are cut to this many bytes and counted. */
export const DEFAULT_MAX_LINE = 1 << 20;

/**
 * Whether a line of `len` bytes (its newline not counted) whose last byte is `last` is cut at maxLine: longer, by more
 * than a CR. A CR LF line of exactly maxLine bytes before its CR LF loses only its CR at the cut, which the parser
 * drops anyway (1 MiB + CR LF was said to be cut, and counted over-long); one of maxLine + 1 bytes before it is cut.
 */
export function cutLine(len: number, maxLine: number, last: number): boolean {
  return len > maxLine && (len > maxLine + 1 || last !== 13);
}

/** A run of whole lines: `buf[0, end)` ends just after a newline (or at the end of the input). */
export interface LineChunk {
  buf: Buffer;
  end: number;
  /** Offset of buf[0] in the (decompressed) input. */
  offset: number;
  /** Lines cut because they were longer than the limit. */
  overlong: number;
  /** Input offset just after the last whole line of this chunk; null inside a cut line (no checkpoint there). */
  next: number | null;
  /**
   * The chunk's last line is the input's last, without its newline (one was added): it is read, but a
   * checkpoint stays before it, so a later append that completes it is read again (issue 20 item 2).
   */
  tail?: boolean;
  /**
   * A decoded chunk (UTF-16, a mixed capture; its buf, `offset` and `end` are of the UTF-8 text): the input offset of
   * the line that starts at buf[p], or null where a read may not resume (a checkpoint inside the chunk: a `-v long`
   * entry still open at its end).
   */
  origin?: (p: number) => number | null;
  /** A decoded chunk: the input's bytes it stands for (what a read counts, not the UTF-8 text's length). */
  inputBytes?: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * Re-chunks a byte stream so that every chunk holds whole lines only. A line longer than
 * `maxLine` bytes is cut to `maxLine` and the rest of it dropped; memory stays bounded.
 * The last line of an input without a final newline gets one, unless `handedOn()` says, once the stream ended, that
 * the rest of the input (that line's bytes too) goes to another reader (decodedLineChunks: a UTF-16 line met); a number
 * k: the line's last k bytes go to it, and the bytes before are read as a last line (an encoding that changes inside
 * the line: Utf16Watch's `inLine`).
 */
export async function* lineChunks(stream: AsyncIterable<Buffer>, maxLine = DEFAULT_MAX_LINE, startOffset = 0, handedOn?: () => boolean | number): AsyncGenerator<LineChunk> {
  let carry: Buffer | null = null;
  let offset = startOffset;
  let dropping = false; // inside the rest of an over-long line
  let overlong = 0;
  for await (const chunkIn of stream) {
    let chunk = chunkIn;
    if (dropping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        offset += chunk.length;
        continue;
      }
      offset += nl + 1;
      chunk = chunk.subarray(nl + 1);
      dropping = false;
      // The cut line ended: a checkpoint just after it, or a run that ends here would resume before it.
      yield { buf: EMPTY, end: 0, offset, overlong: 0, next: offset };
    }
    if (carry) {
      // Finish the carried line with this chunk's first line: a short copy, not the whole chunk.
      const nl = chunk.indexOf(10);
      if (nl >= 0 && carry.length + nl + 1 <= maxLine) {
        const line = Buffer.concat([carry, chunk.subarray(0, nl + 1)]);
        carry = null;
        yield { buf: line, end: line.length, offset, overlong, next: offset + line.length };
        overlong = 0;
        offset += line.length;
        chunk = chunk.subarray(nl + 1);
        if (!chunk.length) continue;
      }
    }
    const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    const lastNl = data.lastIndexOf(10);
    if (lastNl < 0) {
      if (cutLine(data.length, maxLine, data[data.length - 1]!)) {
        // Cut: keep the head as its own line, skip to the next newline.
        const head = Buffer.concat([data.subarray(0, maxLine), Buffer.from('\n')]);
        overlong++;
        yield { buf: head, end: head.length, offset, overlong, next: null };
        overlong = 0;
        offset += data.length;
        dropping = true;
      } else {
        carry = Buffer.from(data);
      }
      continue;
    }
    yield { buf: data, end: lastNl + 1, offset, overlong, next: offset + lastNl + 1 };
    overlong = 0;
    offset += lastNl + 1;
    if (lastNl + 1 < data.length) carry = Buffer.from(data.subarray(lastNl + 1));
  }
  const handed = handedOn?.() ?? false;
  if (carry && typeof handed === 'number' && handed > 0) carry = carry.subarray(0, Math.max(0, carry.length - handed));
  if (carry && carry.length && handed !== true) {
    const last = Buffer.concat([carry.subarray(0, maxLine), Buffer.from('\n')]);
    if (cutLine(carry.length, maxLine, carry[carry.length - 1]!)) overlong++;
    yield { buf: last, end: last.length, offset, overlong, next: offset, tail: true };
  }
}
