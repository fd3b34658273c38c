/**
 * The consumed-prefix hash (src/pipeline/fingerprint.ts) is one value for one prefix, however it was
 * read: fed in any chunking, read back from a file, or assembled from the block digests the scan
 * threads compute for their ranges; and any change of a byte before the offset changes it. The scan
 * threads' XXH64 (needle-scan.wat, over the bytes in place) gives xxhash-wasm's digests, which stored
 * prefix hashes were made with.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import xxhash from 'xxhash-wasm';
import { BLOCK, PrefixHasher, blockDigest, bytesPrefixHash, filePrefixHash, joinedPrefixHash, loadBlockHash } from '../../src/pipeline/fingerprint.js';
import { SimdScanner } from '../../src/pipeline/needle-scan.js';
import { runJob } from '../../src/pipeline/scan-jobs.js';
import { candidateNeedles } from '../../src/extract/index.js';
import { tempDir } from '../helpers.js';

beforeAll(() => loadBlockHash());

/** Bytes of `size` from a seed (cheap, not all equal, so that blocks differ). */
function bytesOf(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    b[i] = x % 7 === 0 ? 10 : 32 + (x >>> 24) % 90;
  }
  return b;
}

describe('the prefix hash', () => {
  it('is the same fed in any chunking, read from the file, or from the ranges the scan threads hashed', () => {
    const dir = tempDir();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * BLOCK + 5000 }), fc.array(fc.integer({ min: 1, max: BLOCK + 7 }), { minLength: 1, maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), (size, chunks, where) => {
        const data = bytesOf(size, size);
        const f = join(dir, 'p.bin');
        writeFileSync(f, data);
        const offset = Math.floor(where * size);
        // streamed in these chunk sizes, checkpoint at `offset` (a lag of at most the kept blocks)
        const fed = new PrefixHasher(null);
        let at = 0;
        for (let i = 0; at < offset; i++) {
          const n = Math.min(chunks[i % chunks.length]!, offset - at);
          fed.feed(data.subarray(at, at + n));
          at += n;
        }
        const want = filePrefixHash(f, offset);
        expect(fed.hashAt(offset)).toBe(want);
        // the scan threads' digests of ranges cut at the same chunk sizes, tails from the file
        const ranged = new PrefixHasher(f);
        let start = 0;
        for (let i = 0; start < size; i++) {
          const end = Math.min(size, start + chunks[i % chunks.length]! * 3);
          const r = runJob({ id: i, path: f, start, end, size, maxLine: 1 << 20, needles: candidateNeedles([]) });
          ranged.add(r.blocks ?? []);
          start = end;
        }
        expect(ranged.hashAt(offset)).toBe(want);
      }),
      { numRuns: 25, seed: 18 },
    );
  });

  it('of an input whole in memory (a copy shorter than its head: source-match.ts) is the one read from its file', () => {
    const dir = tempDir();
    for (const size of [0, 511, 30_000, BLOCK, BLOCK + 5]) {
      const data = bytesOf(size, size + 1);
      const f = join(dir, `w${size}.bin`);
      writeFileSync(f, data);
      expect(bytesPrefixHash(data)).toBe(filePrefixHash(f, size));
    }
  });

  it('changes when any byte before the offset changes, and not for bytes after it', () => {
    const dir = tempDir();
    const data = bytesOf(2 * BLOCK + 999, 5);
    const f = join(dir, 'c.bin');
    writeFileSync(f, data);
    const offset = BLOCK + 12345;
    const base = filePrefixHash(f, offset);
    for (const pos of [0, 100, BLOCK - 1, BLOCK, offset - 1]) {
      const changed = Buffer.from(data);
      changed[pos] = changed[pos]! ^ 1;
      writeFileSync(f, changed);
      expect(filePrefixHash(f, offset), `byte ${pos}`).not.toBe(base);
    }
    const after = Buffer.from(data);
    after[offset] = after[offset]! ^ 1;
    writeFileSync(f, after);
    expect(filePrefixHash(f, offset)).toBe(base);
    // and a file shorter than the offset has no such prefix
    writeFileSync(f, data.subarray(0, offset - 1));
    expect(filePrefixHash(f, offset)).toBeNull();
  });
});

describe('the scan threads\' block hash', () => {
  it('gives xxhash-wasm\'s XXH64 digest for any bytes fed in any pieces, where the scanner holds them', async () => {
    const api = await xxhash();
    const scanner = SimdScanner.create(candidateNeedles([]), 1 << 16)!;
    // the bytes: any run of a pool made once (making a block's worth per case was most of the test's time)
    const pool = bytesOf(BLOCK + 4096 + 40, 20261130);
    expect(scanner).not.toBeNull();
    fc.assert(
      fc.property(
        // empty, below one 32-byte stripe, around it, and whole blocks (a block is 1 MiB)
        fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 5000 }), fc.constantFrom(BLOCK - 1, BLOCK, BLOCK + 33)),
        fc.array(fc.integer({ min: 0, max: 70 }), { maxLength: 30 }),
        fc.nat(200),
        fc.nat(),
        (size, pieces, offset, seed) => {
          const data = pool.subarray(seed % 4096, (seed % 4096) + size);
          const mem = scanner.input(offset + size).subarray(offset, offset + size);
          data.copy(mem);
          const h = scanner.blockHasher();
          let at = 0;
          // pieces of 0 to 70 bytes, then the rest in one
          for (const n of pieces) {
            const k = Math.min(n, size - at);
            h.update(mem.subarray(at, at + k));
            at += k;
          }
          h.update(mem.subarray(at));
          const want = api.h64Raw(data).toString(16).padStart(16, '0');
          expect(h.digest()).toBe(want);
          // and the main thread's (fingerprint.ts) is the same
          expect(blockDigest(data)).toBe(want);
        },
      ),
      { numRuns: 200, seed: 2026113017 },
    );
  });
});

describe('the prefix hash of a stream', () => {
  it('holds memory in proportion to a small input, not a whole block per input (a bugreport zip of many small entries)', () => {
    // 200 inputs of a few hundred bytes each, all alive at once: a whole 1 MiB block each was 200 MiB outside the
    // heap, and V8 answered the churn of such blocks with a full collection every few entries
    const before = process.memoryUsage().arrayBuffers;
    const entry = Buffer.from('03-17 16:13:38.811  1702  2395 E Authing : login failed code=2005\n'.repeat(5));
    const hashers = Array.from({ length: 200 }, () => {
      const h = new PrefixHasher(null);
      h.feed(entry);
      return h;
    });
    const grew = process.memoryUsage().arrayBuffers - before;
    expect(grew).toBeLessThan(40 << 20);
    // and it still hashes what it was fed: the hash at the end equals a file's of the same bytes
    const file = join(tempDir(), 'entry.log');
    writeFileSync(file, entry);
    expect(hashers[0]!.hashAt(entry.length)).toBe(filePrefixHash(file, entry.length));
  });

  it('gives the same hashes when a stream crosses block boundaries in pieces of any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * BLOCK + 1000 }), fc.array(fc.integer({ min: 1, max: 400_000 }), { minLength: 1, maxLength: 40 }), (size, cuts) => {
        const bytes = Buffer.alloc(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 2654435761) >>> 24;
        const h = new PrefixHasher(null);
        let at = 0;
        for (let k = 0; at < size; k++) {
          const n = Math.min(size - at, cuts[k % cuts.length]!);
          h.feed(bytes.subarray(at, at + n));
          at += n;
        }
        const file = join(tempDir(), 'stream.log');
        writeFileSync(file, bytes);
        expect(h.hashAt(size)).toBe(filePrefixHash(file, size));
      }),
      { numRuns: 15 },
    );
  });
  it('is the same from the digests joined in one string (the stdin reader) as from the stream hasher, at any offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * BLOCK + 1000 }), fc.integer({ min: 0, max: 2 * BLOCK }), (offset, readOn) => {
        const bytes = bytesOf(offset + readOn, offset);
        const h = new PrefixHasher(null);
        h.feed(bytes.subarray(0, offset));
        // the digests of every whole block read, also those after the offset's block (the reader reads on)
        const joined = Array.from({ length: Math.floor(bytes.length / BLOCK) }, (_, i) => blockDigest(bytes.subarray(i * BLOCK, (i + 1) * BLOCK))).join('');
        const tail = bytes.subarray(Math.floor(offset / BLOCK) * BLOCK, offset);
        expect(joinedPrefixHash(offset, joined, tail)).toBe(h.hashAt(offset));
      }),
      { numRuns: 20 },
    );
  });

  it('holds, fed as a stream in any pieces, the bytes just before an offset of the last blocks (a resumed stream\'s look-back)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * BLOCK + 5000 }), fc.integer({ min: 1, max: 70_000 }), fc.integer({ min: 1, max: 300_000 }), (size, max, piece) => {
        const bytes = bytesOf(size, size);
        const h = new PrefixHasher(null);
        for (let at = 0; at < size; at += piece) h.feed(bytes.subarray(at, Math.min(size, at + piece)));
        const got = h.bytesBefore(size, max);
        expect(got).not.toBeNull();
        expect(Buffer.compare(got!, bytes.subarray(size - Math.min(max, size), size))).toBe(0);
        // not past what was fed
        expect(h.bytesBefore(size + 1, max)).toBeNull();
      }),
      { numRuns: 40 },
    );
  });

  it('is the SHA-256 of "offset:", the XXH64 digests (16 hex digits) of the whole blocks before it and the bytes after them, as stores of earlier versions hold it', async () => {
    // computed here from its definition, not by fingerprint.ts: a change of how the hash is fed must not change it
    const { h64Raw } = await xxhash();
    const f = join(tempDir(), 'p.log');
    const bytes = bytesOf(3 * BLOCK + 4321, 7);
    writeFileSync(f, bytes);
    for (const offset of [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 777, 3 * BLOCK, bytes.length]) {
      const k = Math.floor(offset / BLOCK);
      const sha = createHash('sha256').update(`${offset}:`);
      for (let i = 0; i < k; i++) sha.update(h64Raw(bytes.subarray(i * BLOCK, (i + 1) * BLOCK)).toString(16).padStart(16, '0'));
      const want = sha.update(bytes.subarray(k * BLOCK, offset)).digest('hex');
      expect(filePrefixHash(f, offset), `offset ${offset}`).toBe(want);
      const h = new PrefixHasher(null);
      h.feed(bytes.subarray(0, offset));
      expect(h.hashAt(offset), `offset ${offset}`).toBe(want);
    }
  });
});
