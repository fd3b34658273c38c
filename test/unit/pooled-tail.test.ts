/**
 * A scanned frame of a stream holds input bytes [offset, offset + bytes) (stages.ts ScannedFrame): the newline
 * lineChunks gives a last line that has none is not one of them. A job that took that last line counted it, and the
 * run's summary said one byte more than the input had (`"bytes": 512` for 511 bytes piped in).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { candidateNeedles } from '../../src/extract/index.js';
import { pooledFrames } from '../../src/pipeline/frames.js';
import { ScanPool } from '../../src/pipeline/parallel.js';
import type { RangeResult } from '../../src/pipeline/scan-jobs.js';
import { DEFAULT_MAX_LINE } from '../../src/sources/chunks.js';

const RANGE = process.env.AUTHING_TRIAGE_RANGE_BYTES;
afterEach(() => {
  if (RANGE === undefined) delete process.env.AUTHING_TRIAGE_RANGE_BYTES;
  else process.env.AUTHING_TRIAGE_RANGE_BYTES = RANGE;
});

describe('pooledFrames: the input bytes of a job that holds the last line, without its newline', () => {
  it('are the input bytes the job covers, its frames end to end the input', async () => {
    // jobs of 16 KiB (a quarter of a range)
    process.env.AUTHING_TRIAGE_RANGE_BYTES = String(64 << 10);
    const line = (i: number) => `03-17 23:00:${String(i % 60).padStart(2, '0')}.000  7  7 ${i % 50 === 0 ? 'E SocialLoginButton: loginDone: errCode = 2333' : 'I ActivityManager: nothing'}\n`;
    const lines = (from: number, n: number) => Array.from({ length: n }, (_, k) => line(from + k)).join('');
    // a first line (live: shown at once), 40 KB of lines at once (a job, still out when the input ends), and a last line with no newline
    const parts = [Buffer.from(line(0)), Buffer.from(lines(1, 500) + line(501).trimEnd())];
    const input = Buffer.concat(parts);
    const here = new ScanPool(2, candidateNeedles([]), DEFAULT_MAX_LINE);
    // a scan thread that answers late: the last line is gathered while a job is out, and goes out as one itself
    const slow = { threads: 2, buffer: (b: Buffer, s: number, e: number) => new Promise<RangeResult>((r) => setTimeout(() => r(here.bufferHere(b, s, e)), 30)) } as unknown as ScanPool;
    async function* body(): AsyncGenerator<Buffer> {
      yield* parts;
    }
    // Whether the 40 KB part goes out in a job, not inline, depends on the clock: a chunk arriving 2 ms or more after
    // the one before, with nothing gathered, is taken for live input (pooled.ts QUIET_MS), as it can be on a loaded
    // machine (it failed so once in a CI run). So the case is run until it happened, its frames checked every time.
    let jobs = 0;
    for (let attempt = 0; attempt < 50 && !jobs; attempt++) {
      const spans: [kind: string, from: number, to: number, tail: boolean][] = [];
      for await (const f of pooledFrames(body(), 'utf-8', DEFAULT_MAX_LINE, 0, slow, () => true)) {
        if (f.kind === 'lines') spans.push(['lines', f.chunk.offset, f.chunk.offset + f.chunk.end - (f.chunk.tail ? 1 : 0), !!f.chunk.tail]);
        else if (f.kind === 'scanned') spans.push(['scanned', f.offset, f.offset + f.bytes, f.tail]);
      }
      // the frames end to end are the input, whichever way its parts went
      expect(spans[0]![1]).toBe(0);
      for (let i = 1; i < spans.length; i++) expect(spans[i]![1]).toBe(spans[i - 1]![2]);
      expect(spans.at(-1)![2]).toBe(input.length);
      // the last line went out in a job (what this case is for)
      if (spans.at(-1)![0] === 'scanned') {
        expect(spans.at(-1)).toEqual(['scanned', expect.any(Number), input.length, true]);
        jobs++;
      }
    }
    expect(jobs, 'the last line never went out in a job in 50 tries').toBe(1);
  });
});
