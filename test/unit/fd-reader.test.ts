/** The stdin reader's cut of a full buffer (sources/fd-reader.ts): whole lines, ending one line past a block boundary when it can. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK } from '../../src/pipeline/fingerprint.js';
import { blockCut } from '../../src/sources/fd-reader.js';

describe('blockCut', () => {
  it('cuts just after the first newline after the last block boundary that one follows, else after the last newline', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 * BLOCK }), fc.array(fc.integer({ min: 0, max: (3 << 20) - 1 }), { maxLength: 40 }), fc.integer({ min: 1, max: 3 << 20 }), (base, newlines, have) => {
        const buf = Buffer.alloc(3 << 20, 'x');
        for (const n of newlines) buf[n] = 10;
        const cut = blockCut(buf, base, have);
        const inside = newlines.filter((n) => n < have).sort((a, b) => a - b);
        const boundaries = [];
        for (let b = Math.ceil((base + 1) / BLOCK) * BLOCK; b < base + have; b += BLOCK) boundaries.push(b - base);
        const after = boundaries.reverse().map((b) => inside.find((n) => n >= b)).find((n) => n !== undefined);
        expect(cut).toBe(after !== undefined ? after + 1 : inside.length ? inside.at(-1)! + 1 : 0);
      }),
      { numRuns: 200 },
    );
  });
});
