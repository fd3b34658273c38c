/**
 * pooledChunks asks the stdin reader thread for its scans of job-sized pieces only while it may take
 * them as jobs (round eight): while the layout needs every line (`-v long` mid-stream) no piece is taken
 * as a job, and the reader's scan of each piece was CPU for nothing.
 */
import { describe, expect, it } from 'vitest';
import type { LineChunk } from '../../src/sources/chunks.js';
import type { ScanPool } from '../../src/pipeline/parallel.js';
import { pooledChunks, type LentBuffers } from '../../src/pipeline/pooled.js';

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
