/**
 * LineWindow.linesBefore: the lines just before the line being fed, read from the frame's bytes as a
 * read-back reads them (whole lines that start within LOOKBACK_BYTES, CR dropped), or null where the
 * frame does not hold them all (the context keeper then starts a new run, as before round nine).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineWindow, LOOKBACK_BYTES } from '../../src/pipeline/line-window.js';

/** A threadtime line of `pid` whose message is `msg`. */
const line = (pid: number, msg: string): string => `12-31 16:15:01.821 ${String(pid).padStart(5)}  2555 I Uploader: ${msg}`;

describe('the lines a LineWindow holds before the current one', () => {
  it('gives the n lines before the current one, oldest first, for any n the frame holds, LF and CR LF', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 2, maxLength: 40 }), fc.boolean(), fc.nat(), (sizes, crlf, pick) => {
        const texts = sizes.map((n, i) => line(100 + i, 'm'.repeat(n)));
        const eol = crlf ? '\r\n' : '\n';
        const buf = Buffer.from(texts.map((t) => t + eol).join(''));
        const cur = 1 + (pick % (texts.length - 1));
        const start = Buffer.byteLength(texts.slice(0, cur).map((t) => t + eol).join(''));
        const w = new LineWindow();
        w.at(buf, start, cur + 1, texts[cur]!);
        for (let n = 1; n <= cur; n++) expect(w.linesBefore(n)).toEqual(texts.slice(cur - n, cur));
        // more lines than the frame holds before it: none
        expect(w.linesBefore(cur + 1)).toBeNull();
      }),
      { numRuns: 100, seed: 25 },
    );
  });

  it('gives none for a line that starts more than LOOKBACK_BYTES back, nor at a frame start, nor for a file range read back', () => {
    const long = line(7, 'x'.repeat(LOOKBACK_BYTES));
    const near = line(8, 'near');
    const buf = Buffer.from(`${long}\n${near}\n${line(9, 'current')}\n`);
    const w = new LineWindow();
    const start = Buffer.byteLength(`${long}\n${near}\n`);
    w.at(buf, start, 3, line(9, 'current'));
    expect(w.linesBefore(1)).toEqual([near]);
    expect(w.linesBefore(2)).toBeNull();
    w.at(buf, 0, 1, long);
    expect(w.linesBefore(1)).toBeNull();
    w.at(Buffer.alloc(0), start, 3, line(9, 'current'), () => buf.subarray(0, start));
    expect(w.linesBefore(1)).toBeNull();
  });
});
