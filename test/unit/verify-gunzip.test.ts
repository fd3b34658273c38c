/**
 * Corrupt deflate data ends gunzipAll with an error (adversarial pass over issue 20): the inflater
 * emitted 'error' without calling the write's callback, so the read waited on nothing and the
 * process ended with Node's exit 13 and no message. Real capture, gzipped, damaged at random.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gunzipAll } from '../../src/sources/gunzip.js';
import { SHARED } from '../helpers.js';

const CAPTURE = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-time.log'));
const GZ = gzipSync(CAPTURE);

/** Everything gunzipAll yields, or the error it ends with. */
async function drain(data: Buffer, chunk: number): Promise<{ out: Buffer; error: NodeJS.ErrnoException | null }> {
  async function* chunks() {
    for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
  }
  const parts: Buffer[] = [];
  try {
    for await (const c of gunzipAll(chunks(), [])) parts.push(c);
    return { out: Buffer.concat(parts), error: null };
  } catch (e) {
    return { out: Buffer.concat(parts), error: e as NodeJS.ErrnoException };
  }
}

describe('gunzipAll on corrupt deflate data', () => {
  it('rejects a gzip header followed by bytes that are not deflate data', async () => {
    const r = await drain(Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.from('e-not-gzip')]), 64);
    expect(r.error?.code).toBe('Z_DATA_ERROR');
    expect(r.error?.message).toBe('invalid code lengths set');
    expect(r.out.length).toBe(0);
  });

  it('ends, with an error whenever gzip -d fails and with its bytes otherwise, wherever the damage is (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.integer({ min: 512, max: 70_000 }), async (at, junk, chunk) => {
        const pos = 10 + (at % (GZ.length - 10));
        const bad = Buffer.from(GZ);
        Buffer.from(junk).copy(bad, pos);
        let want: Buffer | null = null;
        try {
          want = gunzipSync(bad);
        } catch {
          want = null;
        }
        const r = await drain(bad, chunk);
        if (want === null) {
          expect(r.error).not.toBeNull();
          expect(['Z_DATA_ERROR', 'Z_BUF_ERROR']).toContain(r.error!.code);
        } else {
          expect(r.error).toBeNull();
          expect(r.out.equals(want)).toBe(true);
        }
      }),
      { numRuns: 80, seed: 2020 },
    );
  });
});
