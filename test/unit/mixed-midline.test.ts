/**
 * An encoding that changes inside a line (a capture cut mid-line, continued by a tool of the other encoding) ends a line
 * there, whatever the line, the cut, the order of the encodings and the chunks the input comes in: the text read is
 * the same lines in UTF-8 with the cut line ended by its own LF, and every checkpoint is an input offset whose bytes
 * before decode to exactly the text read so far (a resumed read goes on at the right byte). Random trials over a real
 * capture; all but the control fail on the code before (the UTF-16 part read a byte off, or the UTF-8 part as UTF-16).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeLines, decodedLineChunks } from '../../src/sources/encoding.js';
import type { TextEncoding } from '../../src/sources/encoding.js';
import { SHARED, prng } from '../helpers.js';
import { chunked } from '../mixed.js';

const LINES = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n').slice(0, 1600);
const u8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const le = (s: string): Buffer => Buffer.from(s, 'utf16le');
const be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
const BOM_LE = Buffer.from([0xff, 0xfe]);
const BOM_BE = Buffer.from([0xfe, 0xff]);

/** The encodings in order, and the head's encoding as a read is told it. */
const ORDERS: { what: string; first: (s: string) => Buffer; then: (s: string) => Buffer; head: TextEncoding }[] = [
  { what: 'UTF-8, then UTF-16LE', first: u8, then: le, head: 'utf-8' },
  { what: 'UTF-8, then UTF-16LE with a BOM', first: u8, then: (s) => Buffer.concat([BOM_LE, le(s)]), head: 'utf-8' },
  { what: 'UTF-8, then UTF-16BE with a BOM', first: u8, then: (s) => Buffer.concat([BOM_BE, be(s)]), head: 'utf-8' },
  { what: 'UTF-16LE, then UTF-8', first: (s) => Buffer.concat([BOM_LE, le(s)]), then: u8, head: 'utf-16le' },
  { what: 'UTF-16BE, then UTF-8', first: (s) => Buffer.concat([BOM_BE, be(s)]), then: u8, head: 'utf-16be' },
];

/** The text decodedLineChunks reads from `bytes` in chunks cut at `cuts`, each checkpoint checked against the decoder of the bytes before it. */
async function read(bytes: Buffer, cuts: number[], head: TextEncoding, what = ''): Promise<string> {
  let text = '';
  for await (const c of decodedLineChunks(Readable.from(chunked(bytes, cuts)), head, 1 << 20, 0)) {
    text += c.buf.toString('utf8', 0, c.end);
    if (c.next === null) continue;
    // a chunk whose last line is read as the input's last (its newline added) checkpoints before that line
    const done = c.tail ? text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1) : text;
    expect(decodeLines(bytes.subarray(0, c.next), head).toString('utf8'), `${what} checkpoint at ${c.next}`).toBe(done);
  }
  return text;
}

describe('an encoding that changes inside a line, random lines, cuts and chunks', () => {
  it('the control: a line of the capture cut and ended, in UTF-8, reads as itself', async () => {
    const text = `${LINES.slice(0, 100).join('\n')}\n${LINES[100]!.slice(0, 9)}\n${LINES.slice(101).join('\n')}\n`;
    expect(await read(u8(text), [4096], 'utf-8')).toBe(text);
  });

  it('reads the same lines in UTF-8, the cut line ended by its own LF (60 trials)', async () => {
    const rand = prng(2026);
    for (let t = 0; t < 60; t++) {
      const o = ORDERS[t % ORDERS.length]!;
      const k = 1 + Math.floor(rand() * (LINES.length - 3));
      const line = LINES[k]!;
      if (line.length < 2) continue;
      const cut = 1 + Math.floor(rand() * (line.length - 1));
      const before = `${LINES.slice(0, k).join('\n')}\n${line.slice(0, cut)}`;
      const after = `${LINES.slice(k + 1).join('\n')}\n`;
      const bytes = Buffer.concat([o.first(before), o.then(after)]);
      const want = `${before}\n${after}`;
      const at = o.first(before).length;
      const what = `trial ${t}: ${o.what}, line ${k} cut after ${cut} characters`;
      expect(decodeLines(bytes, o.head).toString('utf8'), `${what}, whole`).toBe(want);
      // chunks ending anywhere, one of them near the change (inside the cut line, a BOM or a code unit)
      const cuts = [...Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * bytes.length)), at + Math.floor(rand() * 9) - 4].sort((a, b) => a - b);
      expect(await read(bytes, cuts, o.head, `${what}, chunks at ${cuts.join(' ')}`), `${what}, chunks at ${cuts.join(' ')}`).toBe(want);
    }
  });

  it('binary junk with NULs and FF FE in its lines, read in 64 KiB chunks, is no change of encoding: the lines after it read as themselves (100 trials)', async () => {
    // (the first version of this change handed a junk line the chunk's end left unsure to the decoder, which read every
    // line after one ending `00 0A` as UTF-16BE: 17% of trials)
    const rand = prng(70_000);
    const tail = `${LINES.slice(0, 40).join('\n')}\n`;
    for (let t = 0; t < 100; t++) {
      const parts: Buffer[] = [u8('first\n')];
      for (let n = 0; n < 70_000; ) {
        const b = Buffer.from(Array.from({ length: 20 + (n % 40) }, () => Math.floor(rand() * 256)));
        b[0] = 1;
        for (let i = 0; i < b.length; i++) if (b[i] === 10) b[i] = 0;
        parts.push(b, u8('\n'));
        n += b.length + 1;
      }
      parts.push(u8(tail));
      const bytes = Buffer.concat(parts);
      let text = '';
      for await (const c of decodedLineChunks(Readable.from(chunked(bytes, [65_536])), 'utf-8', 1 << 20, 0)) text += c.buf.toString('latin1', 0, c.end);
      expect(text.endsWith(Buffer.from(tail).toString('latin1')), `trial ${t}`).toBe(true);
    }
  });
});
