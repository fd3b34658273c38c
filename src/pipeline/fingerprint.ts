/**
 * Which stored source an input is, and how much of it is counted (as Vector's `fingerprinter.rs`).
 *
 * A source is found by its head (the SHA-256 of its first min(size, 64 KiB) bytes, decompressed),
 * but it is the same source only if the bytes already counted are the same: every checkpoint keeps
 * a hash of the consumed prefix, and a run checks it before it resumes or skips (issue 20 item 3:
 * two bugreports with equal 64 KiB heads are two sources). Two sources with one head are told apart
 * by a variant number in the stored key (`<sha256>` for the first, `<sha256>#1`, … after it).
 *
 * The prefix hash is canonical, whatever the chunking or the threads: the input is cut into 1 MiB
 * blocks at fixed offsets, each block is hashed with XXH64 (fast: ~4 GB/s, against ~1.3 GB/s for
 * SHA-256 here; worker threads hash the blocks of their ranges), and the hash at offset P is the
 * SHA-256 of P, the digests of the whole blocks before P and the bytes of the block P falls in.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import xxhash, { type XXHashAPI } from 'xxhash-wasm';
import type { SourceRow, Store } from '../store/store.js';

/**
 * A SHA-256 hasher from node:crypto, loaded at the first hash (the input's head, after its first byte is
 * read): loading it (twenty built-in modules, ~25 M instructions) came before every run's first byte.
 */
export function createSha256(): import('node:crypto').Hash {
  return process.getBuiltinModule('node:crypto').createHash('sha256');
}

/** Bytes of one hashed block. */
export const BLOCK = 1 << 20;

let api: XXHashAPI | null = null;

/** Loads the block hash (WebAssembly); call once per thread before hashing. */
export async function loadBlockHash(): Promise<void> {
  api ??= await xxhash();
}

function loaded(): XXHashAPI {
  if (!api) throw new Error('loadBlockHash() was not awaited');
  return api;
}

/** The digest of one whole block. */
export function blockDigest(bytes: Uint8Array): string {
  return loaded().h64Raw(bytes).toString(16).padStart(16, '0');
}

/** A block hashed piece by piece: its bytes in order, then its digest. */
export interface BlockHasher {
  update(b: Uint8Array): void;
  digest(): string;
}

/** A block hashed piece by piece (no copy of the block is made). */
export function blockHasher(): BlockHasher {
  const h = loaded().create64();
  return {
    update: (b) => void h.update(b),
    digest: () => h.digest().toString(16).padStart(16, '0'),
  };
}

/** Up to `len` bytes of a file from `pos` (fewer at its end). */
export function readAt(fd: number, pos: number, len: number, into: Buffer = Buffer.allocUnsafe(len)): Buffer {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, into, got, len - got, pos + got);
    if (n <= 0) break;
    got += n;
  }
  return into.subarray(0, got);
}

/** SHA-256 hex of a buffer (the head). */
export const sha256 = (b: Uint8Array): string => createSha256().update(b).digest('hex');

/**
 * The prefix hash at `offset` from the digests of the blocks before it and the bytes of the block it falls in:
 * the digests in one update (the same input as one update a digest, which cost a call into C++ each: ~1,000
 * a checkpoint 1 GB in, 74 ms of the 1 GB run's main thread, profiled; docs/performance.md, round fifteen).
 */
function prefixHash(offset: number, digests: readonly string[], tail: Uint8Array): string {
  return joinedPrefixHash(offset, digests.slice(0, Math.floor(offset / BLOCK)).join(''), tail);
}

/**
 * prefixHash with the digests joined in block order (16 hex digits each, at least those of the blocks
 * before `offset`): the same SHA-256 input in one update instead of one a block (the stdin reader
 * hashes at each piece's end, 1,000 digests a GB in).
 */
export function joinedPrefixHash(offset: number, joined: string, tail: Uint8Array): string {
  const k = Math.floor(offset / BLOCK);
  if (joined.length < 16 * k) throw new Error(`joinedPrefixHash: ${joined.length / 16} digests for ${k} blocks`);
  return createSha256().update(`${offset}:`).update(joined.slice(0, 16 * k)).update(tail).digest('hex');
}

/**
 * The block being filled, grown to hold `need` bytes (its first `used` kept): doubling from 64 KiB up to a
 * whole block. A block allocated whole for every input made each entry of a 1,000-entry bugreport zip (a few
 * hundred bytes each) cost a MiB of memory outside the heap, and V8 answered that with ~90 full collections
 * (0.9 s of the run's 4.6 s, measured).
 */
function grown(cur: Buffer, used: number, need: number): Buffer {
  const next = Buffer.allocUnsafeSlow(Math.min(BLOCK, Math.max(need, 2 * cur.length, 64 << 10)));
  cur.copy(next, 0, 0, used);
  return next;
}

/** How many whole blocks the stream mode keeps behind the one being filled, for checkpoints that lag the reading. */
const KEEP_BLOCKS = 3;

/**
 * The blocks of one input as it is read: fed in order (streams), or given digests by the scan
 * threads (file ranges) with the bytes of a block read back from the file when a checkpoint needs them.
 */
export class PrefixHasher {
  private readonly digests: string[] = [];
  /** Stream mode: the block being filled and the last few whole blocks (index -> bytes). */
  private cur: Buffer = Buffer.alloc(0);
  private curLen = 0;
  private readonly kept = new Map<number, Buffer>();
  private fed = 0;

  /** Prefix hashes computed elsewhere (the stdin reader thread hashes what it reads), looked up first. */
  private known: ((offset: number) => string | null) | null = null;

  constructor(private readonly file: string | null = null) {}

  /** Takes the prefix hashes at the offsets `lookup` knows from it; the bytes after the last feed are not fed then. */
  useKnown(lookup: (offset: number) => string | null): void {
    this.known = lookup;
  }

  /** Bytes fed so far (stream mode). */
  get offset(): number {
    return this.fed;
  }

  /** Feeds the next bytes of the input (stream mode). */
  feed(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, BLOCK - this.curLen);
      if (this.curLen + n > this.cur.length) this.cur = grown(this.cur, this.curLen, this.curLen + n);
      this.cur.set(chunk.subarray(at, at + n), this.curLen);
      this.curLen += n;
      at += n;
      if (this.curLen === BLOCK) {
        const index = Math.floor(this.fed / BLOCK);
        this.digests[index] = blockDigest(this.cur);
        this.kept.set(index, this.cur);
        // the oldest kept block's memory is filled again: a block of garbage per MiB read grew the RSS
        const old = this.kept.get(index - KEEP_BLOCKS);
        this.kept.delete(index - KEEP_BLOCKS);
        this.cur = old ?? Buffer.allocUnsafe(0);
        this.curLen = 0;
      }
      this.fed += n;
    }
  }

  /** Digests the scan threads computed (block index, digest). */
  add(blocks: readonly (readonly [number, string])[]): void {
    for (const [i, d] of blocks) this.digests[i] = d;
  }

  /** The prefix hash at `offset`, or null when its bytes are no longer at hand (no checkpoint there). */
  hashAt(offset: number): string | null {
    const known = this.known?.(offset);
    if (known) return known;
    const k = Math.floor(offset / BLOCK);
    for (let i = 0; i < k; i++) if (this.digests[i] === undefined) return this.fromFile(offset);
    const tailLen = offset - k * BLOCK;
    let tail: Uint8Array | null = null;
    if (tailLen === 0) tail = new Uint8Array(0);
    else if (k === Math.floor(this.fed / BLOCK) && this.fed - k * BLOCK >= tailLen) tail = this.cur.subarray(0, tailLen);
    else tail = this.kept.get(k)?.subarray(0, tailLen) ?? null;
    if (!tail) return this.fromFile(offset);
    return prefixHash(offset, this.digests, tail);
  }

  /**
   * Up to `max` bytes just before `offset` (a copy), as far as the stream mode still holds them (the block being
   * filled and the KEEP_BLOCKS behind it), or null: a resumed stream's skip fed them, and they are the look-back
   * of the first events after its resume point.
   */
  bytesBefore(offset: number, max: number): Buffer | null {
    if (offset > this.fed) return null;
    const parts: Buffer[] = [];
    let end = offset;
    let need = Math.min(max, offset);
    while (need > 0) {
      const k = Math.floor((end - 1) / BLOCK);
      const block = k === Math.floor(this.fed / BLOCK) ? this.cur.subarray(0, this.curLen) : this.kept.get(k);
      if (!block || block.length < end - k * BLOCK) break;
      const from = Math.max(k * BLOCK, end - need);
      parts.unshift(block.subarray(from - k * BLOCK, end - k * BLOCK));
      need -= end - from;
      end = from;
    }
    return parts.length ? Buffer.concat(parts) : null;
  }

  /** The prefix hash at `offset` read from the file (plain files), keeping the block digests read. */
  fileHashAt(offset: number): string | null {
    return this.fromFile(offset);
  }

  /**
   * Plain files: go on from `offset` without feeding the bytes before it (their digests were read by
   * fileHashAt): the block it falls in is read back from the file to be completed by feed().
   */
  resumeAt(offset: number): void {
    if (this.file === null || this.fed !== 0) throw new Error('resumeAt: a plain file, before any feed');
    const k = Math.floor(offset / BLOCK);
    this.fed = k * BLOCK;
    const fd = openSync(this.file, 'r');
    try {
      this.feed(readAt(fd, k * BLOCK, offset - k * BLOCK));
    } finally {
      closeSync(fd);
    }
  }

  /**
   * True when the file on disk still holds what was read up to `offset`: its head, the last whole
   * block before `offset` and the bytes after it (a rewrite under the run changes some of them).
   */
  sameOnDisk(offset: number, headHash: string, headLen: number): boolean {
    if (this.file === null) return true;
    const fd = openSync(this.file, 'r');
    try {
      if (sha256(readAt(fd, 0, headLen)) !== headHash) return false;
      const k = Math.floor(offset / BLOCK);
      const known = this.digests[k - 1];
      if (k > 0 && known !== undefined && blockDigest(readAt(fd, (k - 1) * BLOCK, BLOCK)) !== known) return false;
    } finally {
      closeSync(fd);
    }
    const mem = this.hashAt(offset);
    return mem === null || mem === filePrefixHash(this.file, offset, [...this.digests]);
  }

  private fromFile(offset: number): string | null {
    if (this.file === null) return null;
    try {
      return filePrefixHash(this.file, offset, this.digests);
    } catch {
      return null;
    }
  }
}

/**
 * The prefix hash of the first `offset` bytes of a plain file, reading it (blocks whose digest is
 * already in `known` are not read again; the digests read are added to it).
 */
export function filePrefixHash(path: string, offset: number, known: string[] = []): string | null {
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).size < offset) return null;
    const k = Math.floor(offset / BLOCK);
    const buf = Buffer.allocUnsafe(BLOCK);
    const whole = (pos: number, len: number): Buffer => {
      const b = readAt(fd, pos, len, buf);
      if (b.length < len) throw Object.assign(new Error('file shrank while being read'), { code: 'ECHANGED' });
      return b;
    };
    for (let i = 0; i < k; i++) if (known[i] === undefined) known[i] = blockDigest(whole(i * BLOCK, BLOCK));
    return prefixHash(offset, known, whole(k * BLOCK, offset - k * BLOCK));
  } finally {
    closeSync(fd);
  }
}

/**
 * Bytes of a source's lead: the first bytes, hashed apart from the head (sources.lead_hash), by which an input
 * shorter than a stored head finds that source (a head key is found at lengths the input has, never longer). Short
 * enough that a snapshot of a capture a few lines in has it, long enough (several logcat lines, their times to the
 * millisecond) that files which merely start alike rarely share it; the prefix hash decides either way.
 */
export const LEAD = 512;

/** The lead hash of an input whose first bytes are `head`, or null when it is shorter than LEAD. */
export function leadHash(head: Uint8Array): string | null {
  return head.length < LEAD ? null : sha256(head.subarray(0, LEAD));
}

/** The prefix hash of all of `bytes` (an input whole in its head), as PrefixHasher gives it at their length. */
export function bytesPrefixHash(bytes: Uint8Array): string {
  const k = Math.floor(bytes.length / BLOCK);
  let joined = '';
  for (let i = 0; i < k; i++) joined += blockDigest(bytes.subarray(i * BLOCK, (i + 1) * BLOCK));
  return joinedPrefixHash(bytes.length, joined, bytes.subarray(k * BLOCK));
}

/** The stored key of a head: its SHA-256, and the variant when several sources share it. */
export function headKey(hash: string, variant: number): string {
  return variant === 0 ? hash : `${hash}#${variant}`;
}

/** A stored source that starts like this input: its row, and the head length it matched at. */
export interface HeadMatch {
  row: SourceRow;
  headLen: number;
}

/** Every stored source whose head this input starts with (longest heads first, then by variant). */
export async function sourcesWithHead(store: Store, head: Buffer): Promise<HeadMatch[]> {
  const out: HeadMatch[] = [];
  for (const len of await store.headLengths(head.length)) {
    const hash = sha256(head.subarray(0, len));
    for (let v = 0; ; v++) {
      const row = await store.findSource(len, headKey(hash, v));
      if (!row) break;
      out.push({ row, headLen: len });
    }
  }
  return out;
}

/** Claims the source for this head: the first variant not taken by another content. */
export async function claimVariant(store: Store, head: Buffer, name: string, taken: readonly HeadMatch[]): Promise<SourceRow> {
  const hash = sha256(head);
  const used = new Set(taken.filter((m) => m.headLen === head.length).map((m) => m.row.head_hash));
  let v = 0;
  while (used.has(headKey(hash, v))) v++;
  // Claimed by another run meanwhile: the same row comes back, and its counted prefix is checked by the caller.
  return store.claimSource(head.length, headKey(hash, v), name, leadHash(head));
}

/** What identifies a file on disk between two looks: a rewrite or replacement changes one of these. */
export interface FileStamp {
  ino: number;
  dev: number;
  size: number;
  mtimeMs: number;
}

/** The stamp of a file now, or null when it is gone. */
export function fileStamp(path: string): FileStamp | null {
  try {
    const st = statSync(path);
    return { ino: st.ino, dev: st.dev, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}
