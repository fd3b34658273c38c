/**
 * The SIMD scan (needle-scan.wat) against the JavaScript scan it replaces (scanChunk): same line
 * count, same over-long count, same candidate lines with the same indexes, for any bytes, any
 * needles (short, long, non-ASCII, more than its eight buckets) and any line limit (both sides of the
 * 64-byte step); and the committed binary is what the text assembles to.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { candidateNeedles } from '../../src/extract/index.js';
import { scanModule, SimdScanner } from '../../src/pipeline/needle-scan.js';
import { chunkScanner, overlongIn, scanChunk, withLayoutNeedles } from '../../src/pipeline/scan.js';
import { lineChunks } from '../../src/sources/chunks.js';
// @ts-expect-error plain JS build script
import { WASM, WASM_RELAXED, assemble } from '../../scripts/build-wasm.mjs';

type Seen = { lines: number; overlong: number; candidates: [number, string][] };

function viaJs(buf: Buffer, tags: string[], maxLine: number): Seen {
  const candidates: [number, string][] = [];
  const r = scanChunk(buf, buf.length, candidateNeedles(tags), maxLine, (t, i) => {
    candidates.push([i, t]);
  });
  return { ...r, candidates };
}

function viaSimd(scanner: SimdScanner, buf: Buffer, maxLine: number, inPlace: boolean, offset = 0): Seen {
  const candidates: [number, string][] = [];
  let input = buf;
  if (inPlace) {
    // read "into" the scanner's memory at an offset, as the worker's range reader does
    const mem = scanner.input(offset + buf.length);
    buf.copy(mem, offset);
    input = mem.subarray(offset);
  }
  const r = scanner.scan(input, buf.length, maxLine, (t, i) => {
    candidates.push([i, t]);
  });
  return { ...r, candidates };
}

const words = ['Authing', 'AUTH', 'uTh', 'Guard', 'Guardian', 'OIDCClient', 'oidcclient', 'OneClick', 'Uploader', 'DeviceManager', 'WXCallbackActivity', 'MainActivity', '登录', 'é', 'x', '\n', '\n', '\n', ' ', 'ut', 'h\nuth'];
const text = fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...words) }, { weight: 2, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a).toString('latin1')) }), { maxLength: 120 });
// below 64 every newline of a 64-byte step is looked at; from 64 only a step's first newline can end
// an over-long line: limits on both sides, and one no line reaches
const lineLimit = fc.oneof(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 32, max: 63 }), fc.integer({ min: 64, max: 300 }), fc.constant(65536));
const userTags = fc.array(fc.oneof(fc.constantFrom('MainActivity', 'Q', 'QQ', '登录', 'a*b', 'é', 'x y'), fc.string({ minLength: 1, maxLength: 6 })), { maxLength: 12 });

describe('SIMD scan = JavaScript scan', () => {
  it('runs here (the tests below would otherwise compare the JavaScript scan with itself), with relaxed SIMD\'s swizzle', () => {
    expect(chunkScanner(candidateNeedles([])).kind).toBe('simd');
    expect(scanModule()).toBe('relaxed-simd');
  });

  it('gives, without relaxed SIMD (AUTHING_TRIAGE_SCAN=simd), what the JavaScript scan and the relaxed module give', () => {
    let withCandidates = 0;
    fc.assert(
      fc.property(text, userTags, lineLimit, fc.boolean(), fc.integer({ min: 0, max: 40 }), (parts, tags, maxLine, inPlace, offset) => {
        const buf = Buffer.from(parts.join(''), 'utf8');
        process.env.AUTHING_TRIAGE_SCAN = 'simd';
        let plain: SimdScanner | null;
        try {
          plain = SimdScanner.create(candidateNeedles(tags), 64);
          expect(scanModule()).toBe('simd');
        } finally {
          delete process.env.AUTHING_TRIAGE_SCAN;
        }
        const relaxed = SimdScanner.create(candidateNeedles(tags), 64);
        const want = viaJs(buf, tags, maxLine);
        if (want.candidates.length) withCandidates++;
        expect(viaSimd(plain!, buf, maxLine, inPlace, offset)).toEqual(want);
        expect(viaSimd(relaxed!, buf, maxLine, inPlace, offset)).toEqual(want);
      }),
      { numRuns: 300, seed: 20261202 },
    );
    expect(withCandidates).toBeGreaterThan(150);
  });

  it('gives the same lines, cut lines and candidates for any bytes, needles and line limit', () => {
    let withCandidates = 0;
    fc.assert(
      fc.property(text, userTags, lineLimit, fc.boolean(), fc.integer({ min: 0, max: 40 }), (parts, tags, maxLine, inPlace, offset) => {
        const buf = Buffer.from(parts.join(''), 'utf8');
        const scanner = SimdScanner.create(candidateNeedles(tags), 64);
        expect(scanner).not.toBeNull();
        const want = viaJs(buf, tags, maxLine);
        if (want.candidates.length) withCandidates++;
        expect(viaSimd(scanner!, buf, maxLine, inPlace, offset)).toEqual(want);
      }),
      { numRuns: 600, seed: 20261126 },
    );
    expect(withCandidates).toBeGreaterThan(300);
  });

  it('reports a line once however many needles it holds, across a full hit list', () => {
    // 5000 candidate lines: more than the 2048 hits one call of the scan can report
    const lines = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? `noise ${i}` : `E Authing: Guard OneClick authing ${i} uth`));
    const buf = Buffer.from(lines.join('\n') + '\nlast Guard line without newline');
    const scanner = SimdScanner.create(candidateNeedles([]))!;
    const got = viaSimd(scanner, buf, 1 << 16, false);
    expect(got).toEqual(viaJs(buf, [], 1 << 16));
    expect(got.candidates.length).toBe(lines.filter((l) => !l.startsWith('noise')).length + 1);
    expect(got.lines).toBe(5001);
  });

  it('finds the Selector\'s layout needles (a -v long header\'s " ]" at its end) as the JavaScript scan does, and can stop after a line', () => {
    const header = fc.constantFrom('[ 03-17 16:14:08.300  1702:17632 D/PowerManagerService ]', '[ 1710000000.123  1:  2 I/x ]', ' ]', ' ]\r', ' ]\x1b[0m', '] ', 'a ]b');
    fc.assert(
      fc.property(fc.array(fc.oneof(header, text.map((p) => p.join(''))), { maxLength: 40 }), fc.nat(30), (parts, stopAt) => {
        const buf = Buffer.from(parts.join('\n') + '\n', 'utf8');
        const needles = withLayoutNeedles(candidateNeedles([]));
        const js: [number, string][] = [];
        const simd: [number, string][] = [];
        // false from the callback stops both scans after the same line
        const a = scanChunk(buf, buf.length, needles, 1 << 16, (t, i) => js.push([i, t]) <= stopAt);
        const b = SimdScanner.create(needles, 64)!.scan(buf, buf.length, 1 << 16, (t, i) => simd.push([i, t]) <= stopAt);
        expect({ ...b, simd }).toEqual({ ...a, simd: js });
        for (const p of parts) if (/ \][\r\x1b]?$/.test(p) && !a.stoppedAt) expect(js.some(([, t]) => t === p)).toBe(true);
      }),
      { numRuns: 400, seed: 20261130 },
    );
  });

  it('counts an over-long line wherever it lies in a 64-byte step, with the limit on either side of 64', () => {
    const scanner = SimdScanner.create(candidateNeedles([]), 64)!;
    const overlong = (text: string, maxLine: number): number => {
      const buf = Buffer.from(text);
      return scanner.scan(buf, buf.length, maxLine, () => {}).overlong;
    };
    // a 40-byte line between two newlines of the first step, then a 70-byte one across two steps
    const inside = `x\n${'a'.repeat(40)}\nyy\n${'b'.repeat(70)}\nz`;
    expect([35, 39, 40, 64, 69, 70].map((m) => overlong(inside, m))).toEqual([2, 2, 1, 1, 1, 0]);
    // a 103-byte line from lane 1 of one step to lane 40 of the next: its end is 39 lanes past its start's lane
    const across = `\n${'c'.repeat(103)}\n`;
    expect([64, 94, 100, 102, 103].map((m) => overlong(across, m))).toEqual([1, 1, 1, 1, 0]);
  });

  it('does not complete a literal cut at the chunk\'s end with the bytes an earlier chunk left behind', () => {
    const scanner = SimdScanner.create(candidateNeedles([]), 64)!;
    for (const [whole, cut] of [['xx OneClick\n', 'xx OneCli'], ['yy Guard\n', 'yy Gua']]) {
      expect(viaSimd(scanner, Buffer.from(whole!), 100, false).candidates).toEqual([[0, whole!.trim()]]);
      // the memory past the cut still holds the rest of the literal
      expect(viaSimd(scanner, Buffer.from(cut!), 100, false)).toEqual({ lines: 1, overlong: 0, candidates: [] });
    }
  });

  it('grows its memory for a chunk larger than it was made for', () => {
    const scanner = SimdScanner.create(candidateNeedles([]), 16)!;
    const buf = Buffer.from(`${'a'.repeat(200_000)}\nx Authing y\n${'b'.repeat(300_000)} OneClick`);
    expect(viaSimd(scanner, buf, 1000, false)).toEqual(viaJs(buf, [], 1000));
    expect(viaSimd(scanner, buf, 1000, true, 7)).toEqual(viaJs(buf, [], 1000));
  });

  it('AUTHING_TRIAGE_SCAN=js turns it off', () => {
    process.env.AUTHING_TRIAGE_SCAN = 'js';
    try {
      expect(SimdScanner.create(candidateNeedles(['Zz']))).toBeNull();
    } finally {
      delete process.env.AUTHING_TRIAGE_SCAN;
    }
  });

  it('is built from the committed text (node scripts/build-wasm.mjs), with and without relaxed SIMD', async () => {
    expect(Buffer.compare(await assemble(), readFileSync(WASM))).toBe(0);
    expect(Buffer.compare(await assemble(true), readFileSync(WASM_RELAXED))).toBe(0);
  });
});

describe('a CR LF line of exactly the line limit before its CR LF', () => {
  // (its CR is the only byte past the limit: the cut drops it, as the parser does; one byte more is a cut)
  const lines = (content: number): Buffer => Buffer.from(`a\r\n${'x'.repeat(content - 4)}Auth\r\nb\r\n`);
  const chunks = async (parts: Buffer[], maxLine: number): Promise<{ overlong: number; text: string }> => {
    let overlong = 0;
    let text = '';
    async function* body(): AsyncGenerator<Buffer> {
      yield* parts;
    }
    for await (const c of lineChunks(body(), maxLine)) {
      overlong += c.overlong;
      text += c.buf.toString('latin1', 0, c.end);
    }
    return { overlong, text };
  };

  it('is no over-long line to the JavaScript scan, the SIMD scan and overlongIn; one byte longer is', () => {
    const scanner = SimdScanner.create(candidateNeedles([]), 1 << 16)!;
    for (const maxLine of [40, 64, 100, 1000]) {
      for (const [content, cut] of [[maxLine - 1, 0], [maxLine, 0], [maxLine + 1, 1]] as const) {
        const buf = lines(content);
        expect([viaJs(buf, [], maxLine).overlong, viaSimd(scanner, buf, maxLine, false).overlong, overlongIn(buf, 0, buf.length, maxLine)]).toEqual([cut, cut, cut]);
        // the candidate line: its content, whole or cut
        expect(viaJs(buf, [], maxLine).candidates[0]![1].replace(/\r$/, '')).toBe(buf.toString('latin1', 3, 3 + Math.min(content, maxLine)));
      }
    }
  });

  it('is not cut by lineChunks when a read ends after its CR (the last line too); one byte longer is', async () => {
    const maxLine = 100;
    for (const [content, cut] of [[maxLine, 0], [maxLine + 1, 1]] as const) {
      const line = Buffer.from(`${'x'.repeat(content)}\r`);
      // the read ends just after the CR, the LF comes with the next
      expect(await chunks([line, Buffer.from('\nb\n')], maxLine)).toEqual({ overlong: cut, text: cut ? `${'x'.repeat(maxLine)}\nb\n` : `${line}\nb\n` });
      // the input's last line, ending in the CR
      expect((await chunks([Buffer.from('a\n'), line], maxLine)).overlong).toBe(cut);
    }
  });
});
