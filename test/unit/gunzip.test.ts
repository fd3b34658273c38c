/**
 * gunzipAll (issue 20 item 5): whatever the chunking of the compressed bytes, header flags, member
 * count and trailing bytes, it yields exactly what `gzip -d` writes, and warns only about junk.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gunzipAll } from '../../src/sources/gunzip.js';
import { SHARED, tempDir } from '../helpers.js';

const CAPTURE = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-time.log'));

/** A gzip member with the optional header fields (RFC 1952) that Node's gzipSync never writes. */
function member(data: Buffer, extra: boolean, name: boolean, comment: boolean, hcrc: boolean): Buffer {
  // Level 1: what is tested is the framing around the deflate data (flags, members, junk, chunking),
  // and compressing at the default level was a quarter of the property's CPU.
  const z = gzipSync(data, { level: 1 });
  const fields: Buffer[] = [];
  let flags = 0;
  if (extra) {
    flags |= 4;
    fields.push(Buffer.from([6, 0, 0x41, 0x42, 2, 0, 1, 2]));
  }
  if (name) {
    flags |= 8;
    fields.push(Buffer.from('capture.log\0'));
  }
  if (comment) {
    flags |= 16;
    fields.push(Buffer.from('from a device\0'));
  }
  const head = Buffer.from(z.subarray(0, 10));
  head[3] = flags | (hcrc ? 2 : 0);
  if (hcrc) {
    // The low 16 bits of the CRC-32 of the header before it.
    const crc = Buffer.alloc(2);
    crc.writeUInt16LE(crc32(Buffer.concat([head, ...fields])) & 0xffff);
    fields.push(crc);
  }
  return Buffer.concat([head, ...fields, z.subarray(10)]);
}

async function gunzipChunks(bytes: Buffer, cuts: number[]): Promise<{ out: Buffer; warnings: string[] }> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks = [0, ...points, bytes.length].slice(1).map((end, i, ends) => bytes.subarray(i === 0 ? 0 : ends[i - 1]!, end)).filter((c) => c.length);
  const warnings: string[] = [];
  const out: Buffer[] = [];
  for await (const c of gunzipAll((async function* () { yield* chunks; })(), warnings)) out.push(c);
  return { out: Buffer.concat(out), warnings };
}

/**
 * `gzip -dc FILE` for each file asked, run by one shell: 200 spawns of gzip from the test worker each
 * forked the worker, and a fork and its exec cost CPU in proportion to the worker's resident size (the
 * property took 3.1 s of CPU in a worker of 327 MB, 1.8 s in one of ~130 MB); the shell is small to fork.
 */
function gzipDecompressor(): { decompress: (file: string) => Promise<Buffer>; close: () => Promise<unknown> } {
  const sh = spawn('sh', ['-c', 'while IFS= read -r f; do gzip -dc -- "$f" > "$f.out" 2>/dev/null; echo "$?"; done'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: (() => void)[] = [];
  createInterface({ input: sh.stdout }).on('line', () => waiting.shift()?.());
  return {
    decompress: (file) =>
      new Promise((resolve) => {
        waiting.push(() => resolve(readFileSync(`${file}.out`)));
        sh.stdin.write(`${file}\n`);
      }),
    close: () => {
      sh.stdin.end();
      return sh.exitCode === null ? once(sh, 'exit') : Promise.resolve();
    },
  };
}

describe('gunzipAll', () => {
  it('equals gzip -d for any chunking, header flags, members and trailing bytes (fast-check)', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const gzip = gzipDecompressor();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 3 }),
          fc.oneof(fc.constant(Buffer.alloc(0)), fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a)), fc.integer({ min: 1, max: 64 }).map((n) => Buffer.alloc(n))),
          fc.array(fc.nat(), { maxLength: 40 }),
          async (members, junk, cuts) => {
            fc.pre(junk.length === 0 || junk[0] !== 0x1f);
            const parts = members.map(([at, e, n, c, h]) => member(CAPTURE.subarray(0, (at % CAPTURE.length) + 1), e, n, c, h));
            const bytes = Buffer.concat([...parts, junk]);
            const file = join(dir, 'x.gz');
            writeFileSync(file, bytes);
            const want = await gzip.decompress(file);
            const { out, warnings } = await gunzipChunks(bytes, cuts);
            expect(out.equals(want)).toBe(true);
            expect(warnings).toEqual(junk.some((b) => b !== 0) ? ['trailing bytes after the gzip data were ignored (as gzip -d does)'] : []);
          },
        ),
        { numRuns: 200 },
      );
    } finally {
      await gzip.close();
    }
  });

  it('fails a cut member and a wrong CRC as gzip -d does', async () => {
    const z = gzipSync(CAPTURE);
    await expect(gunzipChunks(z.subarray(0, z.length - 3), [])).rejects.toMatchObject({ message: 'unexpected end of file' });
    const bad = Buffer.from(z);
    bad[bad.length - 8]! ^= 1;
    await expect(gunzipChunks(bad, [])).rejects.toMatchObject({ code: 'Z_DATA_ERROR', message: 'incorrect data check' });
    await expect(gunzipChunks(Buffer.from('not gzip at all'), [])).rejects.toMatchObject({ message: 'incorrect header check' });
  });
});
