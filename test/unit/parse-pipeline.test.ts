/**
 * `parse` runs the ingest pipeline with an every-line Selector (src/pipeline/parse.ts): on every real
 * capture of the corpus, chunked at random, it gives the records and unparsed lines of the plain
 * reader (recordsOf), so the fast path's tests compare two configurations of one pipeline.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { recordsOf } from '../../src/parse/stream.js';
import { parseRecords } from '../../src/pipeline/parse.js';
import { SHARED } from '../helpers.js';

const dirs = ['real', 'labeled', 'loghub'].map((d) => join(SHARED, 'corpus', d));
const files = dirs.flatMap((d) => readdirSync(d).filter((f) => /\.(log|txt)$/.test(f)).map((f) => join(d, f)));

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('parse through the pipeline', () => {
  it.each(files)('%s: the records of the plain reader, however the bytes come', async (file) => {
    const bytes = readFileSync(file);
    const want = await all(recordsOf(Readable.from([bytes]), { year: 2026, tz: 'UTC' }));
    expect(want.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 5 }), async (sizes) => {
        const chunks: Buffer[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const n = sizes[i % sizes.length]!;
          chunks.push(bytes.subarray(at, at + n));
          at += n;
        }
        expect(await all(parseRecords(Readable.from(chunks), { year: 2026, tz: 'UTC' }))).toEqual(want);
      }),
      { numRuns: 3, seed: 19 },
    );
  });
});
