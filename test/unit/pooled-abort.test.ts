/**
 * Found by the review of round seven's stdin reader (the reader thread scans job-sized pieces itself, pooled.ts
 * takes that scan: the job is settled at once). A signal that lands while the consumer works through
 * such a piece, with the pipe quiet behind it, rejects the read of the next piece that pooledChunks
 * started and had not yet raced: an unhandled rejection, so the bin exits 1 with "AbortError:
 * interrupted" instead of 130 (seen with `cat every-line.log | authing-triage --threads 2`, SIGINT a
 * few seconds in: 1 run in 5 or so).
 */
import { describe, expect, it } from 'vitest';
import type { LineChunk } from '../../src/sources/chunks.js';
import type { ScanPool } from '../../src/pipeline/parallel.js';
import { NO_CANDIDATES } from '../../src/pipeline/candidates.js';
import { pooledChunks, type LentBuffers } from '../../src/pipeline/pooled.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pooledChunks when the input fails', () => {
  it('a read of the input that fails while a piece the reader scanned is being taken is no unhandled rejection', async () => {
    const piece = Buffer.from('03-17 23:00:00.000  1  1 E SocialLoginButton: loginDone: errCode = 2333\n');
    // the reader's lent buffer, already scanned by the reader thread
    const lent: LentBuffers = {
      owns: (b) => b === piece,
      recycle: () => {},
      scanJobs: () => {},
      takeScan: (b) => (b === piece ? { id: -1, lines: 1, overlong: 0, candidates: NO_CANDIDATES } : undefined),
    };
    const pool = { threads: 2, buffer: () => Promise.reject(new Error('no scan thread expected')) } as unknown as ScanPool;
    // one piece, then a quiet pipe until the run is interrupted (abortable() rejects the pending read)
    async function* input(): AsyncGenerator<LineChunk> {
      yield { buf: piece, end: piece.length, offset: 0, overlong: 0, next: piece.length };
      await sleep(20);
      throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
    }
    const unhandled: unknown[] = [];
    const note = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', note);
    try {
      const units = pooledChunks(input(), pool, 1 << 20, () => true, lent);
      const first = await units.next();
      expect(first.value).toMatchObject({ kind: 'pooled', bytes: piece.length });
      // the consumer takes its time over the piece (parsing, storing): the interruption lands meanwhile
      await sleep(100);
      await expect(units.next()).rejects.toThrow('interrupted');
    } finally {
      process.off('unhandledRejection', note);
    }
    expect(unhandled).toEqual([]);
  });
});
