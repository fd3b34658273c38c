/**
 * The SIMD scan of the hot path: needle-scan.wat (assembled into needle-scan.wasm by
 * scripts/build-wasm.mjs) counts lines and finds the lines holding a needle, 64 bytes a step, inside
 * WebAssembly memory; this side decodes just those lines. It gives exactly what scanChunk gives (a
 * property test compares them) at several times its speed: no latin1 string of the chunk is made,
 * and no call per line. The same module walks a candidate's look-back and hashes the prefix hash's
 * blocks over the bytes where the scan thread read them (no copy, no call per line).
 */
import { readFileSync } from 'node:fs';
import { distFile } from '../assets.js';
import type { Literal, Needles } from '../extract/prefilter.js';
import type { BlockHasher } from './fingerprint.js';
import { pidLineSpans, type Looked } from './line-window.js';
import { overlongIn, type ChunkScan, type ChunkScanner, type OnCandidate } from './scan.js';

const PAGE = 1 << 16;
/** Where the literal headers end and their bytes begin, and the room for those bytes. */
const LITERAL_BYTES = 4096;
const HITS = 1 << 16;
/** (start, line) pairs of i32 the hit area holds. */
const HIT_CAP = 2048;
/** The look-back area: a pid's digits, the block hash's carry, the lines a look-back found. */
const LOOK = HITS + HIT_CAP * 8;
const NEEDLE = LOOK;
const NEEDLE_MAX = 32;
const CARRY = LOOK + 32;
const FOUND = LOOK + 64;
const LOOK_BYTES = 4096;
/** (start, end, back) triples of i32 the found area holds. */
const FOUND_CAP = Math.floor((LOOK_BYTES - 64) / 12);
const DATA = LOOK + LOOK_BYTES;
/** Loads run up to 66 bytes past the data. */
const SLACK = 128;
/** Each bucket's first literal header and their count (u16, u16). */
const BUCKET_LISTS = 64;
/** The literal headers, 32 bytes each. */
const HEADERS = 192;
const MAX_LITERALS = Math.floor((LITERAL_BYTES - HEADERS) / 32);
/** The fingerprint's look-ups: [table offset, byte of the literal, high nibble?]. */
const FINGERPRINT: readonly (readonly [number, number, boolean])[] = [
  [0, 0, false],
  [16, 0, true],
  [32, 1, false],
  [48, 2, false],
];

interface Exports {
  memory: WebAssembly.Memory;
  begin(data: number, len: number): void;
  run(maxLine: number, out: number, cap: number): number;
  lines(): number;
  overlong(): number;
  done(): number;
  pidLines(lo: number, hi: number, col: number, needle: number, n: number, max: number, maxLines: number, out: number): number;
  hashBegin(carry: number): void;
  hashUpdate(p: number, len: number): void;
  hashEnd(): bigint;
}

/** The module built with relaxed SIMD's swizzle, and the one without (build-wasm.mjs), compiled at first use. */
const compiled: { relaxed?: WebAssembly.Module | null; simd?: WebAssembly.Module | null } = {};

/** Which scan module runs: relaxed SIMD's swizzle where the engine has it, else plain SIMD (AUTHING_TRIAGE_SCAN=simd asks for it), else none. */
export type ScanModule = 'relaxed-simd' | 'simd' | null;

function compile(file: string, relaxed: boolean): WebAssembly.Module | null {
  try {
    const bytes = readFileSync(distFile(file));
    if (relaxed && !WebAssembly.validate(bytes) && process.versions.v8.startsWith('11.')) {
      // Node 20's V8 (11.3) has relaxed SIMD behind a flag, which V8 11.4 and later ship turned on; a
      // wasm feature flag is read when a module is compiled, for every thread of the process.
      process.getBuiltinModule('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
    }
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}

/**
 * The compiled module, or null where WebAssembly SIMD is not to be had (then scanChunk does the work).
 * The relaxed one first: its swizzle is one pshufb on x86, where the plain one's adds a fix-up of the
 * index (an index over 15 gives 0), and this scan's indices are nibbles, which both read alike (~13-19%
 * faster on 256 MB in memory, docs/performance.md, round fifteen).
 */
function module(): { mod: WebAssembly.Module; kind: Exclude<ScanModule, null> } | null {
  const env = process.env.AUTHING_TRIAGE_SCAN;
  if (env === 'js') return null;
  if (env !== 'simd') {
    const relaxed = (compiled.relaxed ??= compile('pipeline/needle-scan-relaxed.wasm', true));
    if (relaxed) return { mod: relaxed, kind: 'relaxed-simd' };
  }
  const plain = (compiled.simd ??= compile('pipeline/needle-scan.wasm', false));
  return plain ? { mod: plain, kind: 'simd' } : null;
}

/** The scan module this process runs (bench and tests say which). */
export function scanModule(): ScanModule {
  return module()?.kind ?? null;
}

/**
 * The bucket bit of each literal: literals with the same first two bytes share one (the layout
 * needles " ]\n", " ]\r", " ]\x1b"), the others take the eight in turn. Nibble tables mix the
 * bytes of a bucket's literals, so fewer literals a bucket means fewer false candidates to confirm.
 */
function bucketsOf(lits: readonly Literal[]): number[] {
  const byPrefix = new Map<string, number>();
  return lits.map((lit) => {
    const prefix = lit.fold ? lit.bytes.slice(0, 2).toLowerCase() : lit.bytes.slice(0, 2);
    let slot = byPrefix.get(prefix);
    if (slot === undefined) byPrefix.set(prefix, (slot = byPrefix.size % 8));
    return 1 << slot;
  });
}

/** A scanner for one set of needles; one per thread (its memory is reused for every chunk). */
export class SimdScanner implements ChunkScanner {
  readonly kind = 'simd';
  private readonly x: Exports;
  private view: Buffer;
  /** The found area as i32, renewed with the view. */
  private found: Int32Array;

  private constructor(x: Exports) {
    this.x = x;
    this.view = Buffer.alloc(0);
    this.found = new Int32Array(0);
  }

  /**
   * A scanner for these needles, or null when SIMD is not available, AUTHING_TRIAGE_SCAN=js turns it
   * off (to compare the two scans), or the needles do not fit. AUTHING_TRIAGE_SCAN=simd takes the module
   * without relaxed SIMD.
   */
  static create(needles: Needles, capacity = 1 << 21): SimdScanner | null {
    const mod = module()?.mod;
    const lits = needles.literals;
    if (!mod || lits.length === 0 || lits.length > MAX_LITERALS) return null;
    const bytes = lits.reduce((n, l) => n + l.bytes.length, 0);
    if (bytes > HITS - LITERAL_BYTES || lits.some((l) => l.bytes.length === 0)) return null;
    const x = new WebAssembly.Instance(mod).exports as unknown as Exports;
    const s = new SimdScanner(x);
    s.ensure(capacity);
    s.layout(lits);
    return s;
  }

  /** Grows the memory to hold `size` data bytes. Growing detaches every earlier view. */
  private ensure(size: number): void {
    const need = DATA + size + SLACK;
    const have = this.x.memory.buffer.byteLength;
    if (need > have) this.x.memory.grow(Math.ceil((need - have) / PAGE));
    if (this.view.buffer !== this.x.memory.buffer) {
      this.view = Buffer.from(this.x.memory.buffer);
      this.found = new Int32Array(this.x.memory.buffer, FOUND, 3 * FOUND_CAP);
    }
  }

  /** The nibble tables, the buckets' literal lists and the literals, laid out as needle-scan.wat reads them. */
  private layout(lits: readonly Literal[]): void {
    const m = this.view;
    m.fill(0, 0, HITS);
    const buckets = bucketsOf(lits);
    // headers grouped by bucket: a candidate is compared with its own buckets' literals only
    const order = lits.map((_, i) => i).sort((a, b) => buckets[a]! - buckets[b]! || a - b);
    let at = LITERAL_BYTES;
    order.forEach((li, i) => {
      const lit = lits[li]!;
      const bucket = buckets[li]!;
      const slot = 31 - Math.clz32(bucket);
      if (m.readUInt16LE(BUCKET_LISTS + 4 * slot + 2) === 0) m.writeUInt16LE(i, BUCKET_LISTS + 4 * slot);
      m.writeUInt16LE(m.readUInt16LE(BUCKET_LISTS + 4 * slot + 2) + 1, BUCKET_LISTS + 4 * slot + 2);
      // a folded literal is compared as the scan folds the bytes: b | 0x20 (lower case, for letters)
      const b = Buffer.from(lit.bytes, 'latin1').map((c) => (lit.fold ? c | 0x20 : c));
      // the fingerprint: both nibbles of byte 0, the low nibble of bytes 1 and 2; a literal shorter
      // than three bytes matches any byte past its end. The scan looks bytes up as they are: a
      // case-sensitive literal (a tag) marks its byte alone, a folded one (c = b | 0x20) both c and c
      // without bit 5 (its upper case), which differ in the high nibble only.
      for (const [table, k, high] of FINGERPRINT) {
        if (k >= b.length) {
          for (let j = 0; j < 16; j++) m[table + j]! |= bucket;
        } else {
          const c = b[k]!;
          m[table + (high ? c >> 4 : c & 15)]! |= bucket;
          if (high && lit.fold) m[table + ((c ^ 0x20) >> 4)]! |= bucket;
        }
      }
      let first = 0;
      let fold = 0;
      let mask = 0;
      for (let k = 0; k < Math.min(4, b.length); k++) {
        first |= b[k]! << (8 * k);
        mask |= 0xff << (8 * k);
        if (lit.fold) fold |= 0x20 << (8 * k);
      }
      const h = HEADERS + 32 * i;
      m.writeInt32LE(at, h);
      m.writeInt32LE(b.length, h + 4);
      m.writeInt32LE(first, h + 8);
      m.writeInt32LE(fold, h + 12);
      m.writeInt32LE(mask, h + 16);
      m.set(b, at);
      at += b.length;
    });
    m.writeInt32LE(lits.length, 96);
  }

  /**
   * A buffer of `size` bytes inside the scanner's memory: bytes read into it are scanned where they
   * lie. Valid until the next call of input() or scan() with a larger foreign buffer.
   */
  input(size: number): Buffer {
    this.ensure(size);
    return this.view.subarray(DATA, DATA + size);
  }

  /** scanChunk's contract: counts the lines of buf[0, end) and hands over each candidate line, decoded and cut to maxLine bytes. */
  scan(buf: Buffer, end: number, maxLine: number, onCandidate: OnCandidate): ChunkScan {
    let data: Buffer;
    let at: number;
    if (buf.buffer === this.x.memory.buffer && buf.byteOffset >= DATA) {
      at = buf.byteOffset;
      this.ensure(at - DATA + end);
      data = this.view.subarray(at, at + end);
    } else {
      this.ensure(end);
      at = DATA;
      data = this.view.subarray(DATA, DATA + end);
      buf.copy(data, 0, 0, end);
    }
    const x = this.x;
    x.begin(at, end);
    const hits = this.view;
    do {
      const n = x.run(maxLine, HITS, HIT_CAP);
      for (let i = 0; i < n; i++) {
        const start = hits.readInt32LE(HITS + 8 * i);
        const line = hits.readInt32LE(HITS + 8 * i + 4);
        const nl = data.indexOf(10, start);
        const eol = nl < 0 ? end : nl;
        if (onCandidate(data.toString('utf8', start, Math.min(eol, start + maxLine)), line, start) === false) {
          // the module has run ahead: count the cut lines up to the stop here
          const stoppedAt = Math.min(eol + 1, end);
          return { lines: line + 1, overlong: overlongIn(data, 0, stoppedAt, maxLine), stoppedAt };
        }
      }
    } while (!x.done());
    // (the module counts each line over maxLine bytes, a CR LF line's CR too: counted again here, as cutLine says, when it found one)
    const overlong = x.overlong();
    return { lines: x.lines(), overlong: overlong ? overlongIn(data, 0, end, maxLine) : 0 };
  }

  /**
   * line-window.ts's pidLineSpans (its contract: `lo` a line start of buf, `hi` a candidate's start),
   * run by the module over buf's bytes when buf lies in this memory.
   */
  pidLines(buf: Buffer, lo: number, hi: number, needle: string, col: number, max: number, maxLines: number, out: number[]): void {
    const m = this.view;
    // (the view is renewed whenever the memory grows: comparing with its buffer asks the memory nothing)
    if (buf.buffer !== m.buffer || buf.byteOffset < DATA || needle.length === 0 || needle.length > NEEDLE_MAX || max > FOUND_CAP) {
      pidLineSpans(buf, lo, hi, needle, col, max, out, { lines: 0, max: maxLines } satisfies Looked);
      return;
    }
    // the digits byte by byte: Buffer.write is a call into C++ per candidate
    for (let k = 0; k < needle.length; k++) m[NEEDLE + k] = needle.charCodeAt(k);
    const base = buf.byteOffset;
    const n = this.x.pidLines(base + lo, base + hi, col, NEEDLE, needle.length, max, maxLines, FOUND);
    const found = this.found;
    for (let i = 0; i < 3 * n; i += 3) out.push(found[i]! - base, found[i + 1]! - base, found[i + 2]!);
  }

  /**
   * XXH64 of one block at a time (seed 0, the digests of fingerprint.ts), over bytes read into input():
   * hashed where they lie. A new hasher ends the one before.
   */
  blockHasher(): BlockHasher {
    const x = this.x;
    x.hashBegin(CARRY);
    return {
      update: (b) => {
        if (b.buffer !== this.view.buffer || b.byteOffset < DATA) throw new Error('blockHasher: the bytes must be in the scanner\'s input()');
        x.hashUpdate(b.byteOffset, b.length);
      },
      digest: () => BigInt.asUintN(64, x.hashEnd()).toString(16).padStart(16, '0'),
    };
  }
}
