/**
 * pooledChunks asks the stdin reader thread for its scans of job-sized pieces only while it may take
 * them as jobs (round eight): while the layout needs every line (`-v long` mid-stream) no piece is taken
 * as a job, and the reader's scan of each piece was CPU for nothing.
 */
import { describe, expect, it } from 'vitest';
import type { LineChunk } from '../../src/sources/chunks.js';
import { candidateNeedles } from '../../src/extract/index.js';
import { forEachCandidate } from '../../src/pipeline/candidates.js';
import { ScanPool } from '../../src/pipeline/parallel.js';
import { pooledChunks, type LentBuffers } from '../../src/pipeline/pooled.js';
import { runJob, type RangeResult } from '../../src/pipeline/scan-jobs.js';
import { withLayoutNeedles } from '../../src/pipeline/scan.js';
import { DEFAULT_MAX_LINE } from '../../src/sources/chunks.js';

describe('pooledChunks and the stdin reader thread', () => {
  it('stops asking the reader for its scans while the layout needs every line, and asks again when it no longer does', async () => {
    const lines = ['03-17 23:00:00.000  1  1 E SocialLoginButton: loginDone: errCode = 2333', '[ 03-17 23:00:01.000  1:  1 E/Authing ]', '03-17 23:00:02.000  1  1 I Authing: ok'];
    // what pooledChunks asked the reader, in order (the reader's real answer to each is a flag in shared memory)
    const asked: boolean[] = [];
    const lent: LentBuffers = { owns: () => false, recycle: () => {}, scanJobs: (on = true) => void asked.push(on), takeScan: () => undefined };
    const pool = { threads: 2, buffer: () => Promise.reject(new Error('no scan thread expected')) } as unknown as ScanPool;
    let offset = 0;
    async function* input(): AsyncGenerator<LineChunk> {
      for (const l of lines) {
        const buf = Buffer.from(l + '\n');
        yield { buf, end: buf.length, offset, overlong: 0, next: (offset += buf.length) };
      }
    }
    // the Selector's answer: every line after the `-v long` header (the second chunk), one-line records again after the third
    let everyLine = false;
    const seen: string[] = [];
    for await (const u of pooledChunks(input(), pool, 1 << 20, () => !everyLine, lent)) {
      expect(u.kind).toBe('inline');
      if (u.kind === 'inline') seen.push(u.chunk.buf.toString().trim());
      everyLine = seen.length === 1;
    }
    expect(seen).toEqual(lines);
    expect(asked).toEqual([true, false, true]);
  });
});

describe('pooledChunks with the stdin reader thread: the short reads between its pieces', () => {
  it('scans what it gathered between two of the reader\'s whole pieces on this thread, in input order: no scan thread starts for it', async () => {
    const line = (i: number) => `03-17 23:00:${String(i % 60).padStart(2, '0')}.000  7  7 ${i % 50 === 0 ? 'E SocialLoginButton: loginDone: errCode = 2333' : 'I ActivityManager: nothing'}\n`;
    const text = (from: number, n: number) => Array.from({ length: n }, (_, k) => line(from + k)).join('');
    // Two pieces the reader posted whole (scanned by it), and between them a short read it flushed: over LIVE_CHUNK
    // and right after the first, so it is gathered (not live), and sent ahead of the second piece.
    const parts = [text(0, 400), text(400, 500), text(900, 400)];
    const lentBufs = new Set<ArrayBuffer>();
    const pool = new ScanPool(2, candidateNeedles([]), DEFAULT_MAX_LINE);
    pool.buffer = () => Promise.reject(new Error('a scan thread was started'));
    const scans = new Map<Buffer, RangeResult>();
    const lent: LentBuffers = {
      owns: (b) => lentBufs.has(b.buffer as ArrayBuffer),
      recycle: () => {},
      scanJobs: () => {},
      takeScan: (b) => scans.get(b),
    };
    let offset = 0;
    async function* input(): AsyncGenerator<LineChunk> {
      for (const [i, p] of parts.entries()) {
        const bytes = Buffer.from(p);
        const buf = Buffer.from(new ArrayBuffer(bytes.length));
        bytes.copy(buf);
        if (i !== 1) {
          lentBufs.add(buf.buffer as ArrayBuffer);
          // the reader's scan of the piece: the same job a scan thread runs
          scans.set(buf, runJob({ id: -1 - i, buf: new Uint8Array(buf.buffer), start: 0, end: buf.length, maxLine: DEFAULT_MAX_LINE, needles: withLayoutNeedles(candidateNeedles([])) }));
        }
        yield { buf, end: buf.length, offset, overlong: 0, next: (offset += buf.length) };
      }
    }
    const units: { kind: string; offset: number; lines: number; candidates: number }[] = [];
    for await (const u of pooledChunks(input(), pool, 4 << 20, () => true, lent)) {
      if (u.kind === 'pooled') {
        let n = 0;
        forEachCandidate(u.result.candidates, () => ++n > 0);
        units.push({ kind: u.kind, offset: u.offset, lines: u.result.lines, candidates: n });
      } else units.push({ kind: u.kind, offset: u.chunk.offset, lines: -1, candidates: -1 });
    }
    await pool.close();
    const sizes = parts.map((p) => Buffer.byteLength(p));
    expect(units).toEqual([
      { kind: 'pooled', offset: 0, lines: 400, candidates: 8 },
      { kind: 'pooled', offset: sizes[0], lines: 500, candidates: 10 },
      { kind: 'pooled', offset: sizes[0]! + sizes[1]!, lines: 400, candidates: 8 },
    ]);
  });
});
