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
    // Two pieces the reader posted whole, and between them a short read it flushed. The first piece it had not
    // scanned: it goes to a scan thread (still out when the short read comes, so that read is gathered, not live,
    // whatever the clock says); the second it had scanned, and what was gathered goes ahead of it.
    const parts = [text(0, 400), text(400, 500), text(900, 400)];
    const needles = withLayoutNeedles(candidateNeedles([]));
    const bufs = parts.map((p) => {
      const bytes = Buffer.from(p);
      const buf = Buffer.from(new ArrayBuffer(bytes.length));
      bytes.copy(buf);
      return buf;
    });
    const lentBufs = new Set<ArrayBuffer>([bufs[0]!.buffer as ArrayBuffer, bufs[2]!.buffer as ArrayBuffer]);
    const scans = new Map<Buffer, RangeResult>([[bufs[2]!, runJob({ id: -3, buf: new Uint8Array(bufs[2]!.buffer), start: 0, end: bufs[2]!.length, maxLine: DEFAULT_MAX_LINE, needles })]]);
    const pool = new ScanPool(2, candidateNeedles([]), DEFAULT_MAX_LINE);
    const gatheredSent: number[] = [];
    // a scan thread's answer to a piece of the reader's, after a while (the same job, run here); what was gathered must not come
    pool.buffer = (buf, start, end) => {
      if (!lentBufs.has(buf.buffer as ArrayBuffer)) {
        gatheredSent.push(end - start);
        return Promise.reject(new Error('a scan thread was started for what was gathered'));
      }
      const r = runJob({ id: -1, buf: new Uint8Array(buf.buffer, buf.byteOffset, buf.length), start, end, maxLine: DEFAULT_MAX_LINE, needles });
      return new Promise((resolve) => setTimeout(() => resolve(r), 30));
    };
    const lent: LentBuffers = {
      owns: (b) => lentBufs.has(b.buffer as ArrayBuffer),
      recycle: () => {},
      scanJobs: () => {},
      takeScan: (b) => scans.get(b),
    };
    let offset = 0;
    async function* input(): AsyncGenerator<LineChunk> {
      for (const buf of bufs) yield { buf, end: buf.length, offset, overlong: 0, next: (offset += buf.length) };
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
    expect(gatheredSent).toEqual([]);
    const sizes = bufs.map((b) => b.length);
    expect(units).toEqual([
      { kind: 'pooled', offset: 0, lines: 400, candidates: 8 },
      { kind: 'pooled', offset: sizes[0], lines: 500, candidates: 10 },
      { kind: 'pooled', offset: sizes[0]! + sizes[1]!, lines: 400, candidates: 8 },
    ]);
  });
});
