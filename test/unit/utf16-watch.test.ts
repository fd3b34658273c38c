/**
 * A UTF-8 read (decodedLineChunks, not told at the head that the encoding changes) that meets a line in UTF-16 goes on
 * through the decoder from that line's start, whatever the chunks: stdin's and gzip's reads, and a plain file's part
 * in the middle, which the 64 KiB head and 16 KiB tail do not show. Before, those lines were passed on as their bytes
 * and read as no lines. The text is the decoder's of the whole input, and every checkpoint is an input offset after
 * which the bytes are exactly the lines not read yet. All but the controls fail on the code before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeLines, decodedLineChunks } from '../../src/sources/encoding.js';
import { SHARED, prng } from '../helpers.js';
import { chunked } from '../mixed.js';

const LINES = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n').slice(0, 700);
const lines = (from: number, to: number): string => LINES.slice(from, to).join('\n') + '\n';
const u8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const le = (s: string): Buffer => Buffer.from(s, 'utf16le');
const be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
const BOM_LE = Buffer.from([0xff, 0xfe]);
const BOM_BE = Buffer.from([0xfe, 0xff]);

/** A capture's text (700 lines); each case is a UTF-8 head of 300 lines and the rest, or a middle part, in UTF-16. */
const ALL_TEXT = lines(0, 700);
const CASES: Record<string, Buffer> = {
  'UTF-8 then UTF-16LE': Buffer.concat([u8(lines(0, 300)), le(lines(300, 700))]),
  'UTF-8 then UTF-16LE with a BOM': Buffer.concat([u8(lines(0, 300)), BOM_LE, le(lines(300, 700))]),
  'UTF-8 then UTF-16BE with a BOM': Buffer.concat([u8(lines(0, 300)), BOM_BE, be(lines(300, 700))]),
  'UTF-16LE in the middle': Buffer.concat([u8(lines(0, 300)), le(lines(300, 450)), u8(lines(450, 700))]),
  'UTF-16BE in the middle, with a BOM': Buffer.concat([u8(lines(0, 300)), BOM_BE, be(lines(300, 450)), u8(lines(450, 700))]),
};

/** Reads `bytes` as decodedLineChunks does a UTF-8 capture from `start` (`before`: the two bytes before it); checks each checkpoint. */
async function read(bytes: Buffer, cuts: number[], start = 0): Promise<string> {
  const before = start > 0 ? bytes.subarray(start - 2, start) : undefined;
  const earlier = decodeLines(bytes.subarray(0, start), 'utf-8').toString('utf8');
  let text = '';
  let checked = 0;
  for await (const c of decodedLineChunks(Readable.from(chunked(bytes.subarray(start), cuts.map((x) => x - start).filter((x) => x > 0))), 'utf-8', 1 << 20, start, { before })) {
    text += c.buf.toString('utf8', 0, c.end);
    if (c.next === null) continue;
    // the input before a checkpoint decodes to the text read so far: a resumed read goes on at the right byte
    expect(decodeLines(bytes.subarray(0, c.next), 'utf-8').toString('utf8'), `checkpoint at ${c.next}`).toBe(earlier + text);
    checked++;
  }
  // (a read from the start checkpoints; one resumed near the end may not: the decoder sets none in UTF-8 after UTF-16
  // within 64 KiB of the input's end, whose lines a later run reads again)
  if (start === 0) expect(checked).toBeGreaterThan(0);
  return text;
}

describe('a UTF-8 read that meets UTF-16 goes on decoding it', () => {
  it('the control: a UTF-8 capture in chunks is its text', async () => {
    expect(await read(u8(ALL_TEXT), [1000, 70_000])).toBe(ALL_TEXT);
  });

  for (const [what, bytes] of Object.entries(CASES)) {
    it(`${what}: every line, as the decoder of the whole input reads it`, async () => {
      expect(decodeLines(bytes, 'utf-8').toString('utf8')).toBe(ALL_TEXT);
      expect(await read(bytes, [])).toBe(ALL_TEXT);
      expect(await read(bytes, [4096, 65_536, 100_000])).toBe(ALL_TEXT);
    });
  }

  it('chunks cut anywhere near the first UTF-16 line (its line start in the chunk before, a BOM or a code unit cut)', async () => {
    for (const what of ['UTF-8 then UTF-16LE', 'UTF-8 then UTF-16LE with a BOM', 'UTF-8 then UTF-16BE with a BOM', 'UTF-16LE in the middle']) {
      const bytes = CASES[what]!;
      const at = u8(lines(0, 300)).length;
      for (let d = -12; d <= 12; d++) expect(await read(bytes, [at - 400, at + d]), `${what}, a chunk ends at ${d}`).toBe(ALL_TEXT);
      // one-byte chunks over the switch: the line's head is carried over several
      expect(await read(bytes, [at - 3, at - 2, at - 1, at, at + 1, at + 2, at + 3, at + 4]), `${what}, one-byte chunks`).toBe(ALL_TEXT);
    }
  });

  it('random chunks, and reads resumed at random checkpoints, give the text of the lines after', async () => {
    const rand = prng(25);
    for (let t = 0; t < 40; t++) {
      const bytes = Object.values(CASES)[t % 5]!;
      const cuts = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => Math.floor(rand() * bytes.length)).sort((a, b) => a - b);
      expect(await read(bytes, cuts), `trial ${t}`).toBe(ALL_TEXT);
    }
    // resumed at a line start in each part: the two bytes before say which encoding that line is in
    for (const what of ['UTF-8 then UTF-16LE', 'UTF-16BE in the middle, with a BOM']) {
      const bytes = CASES[what]!;
      const starts: number[] = [];
      for await (const c of decodedLineChunks(Readable.from(chunked(bytes, [5000, 70_000, 90_000, 120_000])), 'utf-8', 1 << 20, 0)) if (c.next !== null && c.next > 0 && c.next < bytes.length) starts.push(c.next);
      expect(starts.length).toBeGreaterThan(3);
      for (const s of starts) {
        const text = await read(bytes, [s + 999], s);
        expect(decodeLines(bytes.subarray(0, s), 'utf-8').toString('utf8') + text, `${what}, resumed at ${s}`).toBe(ALL_TEXT);
      }
    }
  });

  it('the control: NULs in UTF-8 lines (binary junk) keep them as their bytes', async () => {
    const junk = Buffer.from('junk \u0000\u0001\u0000 here\n\u0000\u0000\u0000\u0000\n', 'latin1');
    const bytes = Buffer.concat([u8(lines(0, 300)), junk, u8(lines(300, 700))]);
    expect(await read(bytes, [3, 70_000])).toBe(bytes.toString('utf8'));
  });
});
