/**
 * Which stored source an input is, and where its reading goes on (issue 18: out of ingestSource).
 * A stored source with this head is the same source only if the prefix it counted is byte for byte
 * this input's (fingerprint.ts); a stream is read once, so checking it means skipping to the stored
 * offset while hashing, and that skipped stream is where reading goes on. A file that changes under
 * the run is caught by `changedReason` before each commit.
 */
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { SourceRow, Store } from '../store/store.js';
import { planContract, type Contract, type ContractPlan } from './contract.js';
import { PrefixHasher, bytesPrefixHash, claimVariant, filePrefixHash, fileStamp, headKey, leadHash, sha256, sourcesWithHead, type FileStamp, type HeadMatch } from './fingerprint.js';
import { abortable, skipHashing } from './frames.js';
import type { Checkpoint } from './stages.js';
import { sourceName, sourcePath } from './source-name.js';
import { InputChangedError } from './store-sink.js';

/** The input as the matcher sees it. */
export interface MatchRequest {
  /** The input's first bytes (decompressed), as peeked. */
  head: Buffer;
  /** The head is all of the input: its end came while it was peeked. */
  complete: boolean;
  /** The name stored for a new source: sourceName's, redacted unless `noRedact`. */
  name: string;
  /** --no-redact: the path is stored as it is too (sourcePath). */
  noRedact: boolean;
  /** A plain file's path: its bytes can be read again at any offset. */
  plainFile: string | null;
  /** An Android Studio export: read whole, its records counted by index. */
  studio: boolean;
  /** stdin or a FIFO: read once, it cannot be opened again. */
  once: boolean;
  signal?: AbortSignal;
}

/** The input's bytes: the stream read now, a way to stop reading it, and to open it again from its start. */
export interface InputBytes {
  stream(): AsyncIterable<Buffer>;
  close(): void;
  reopen(): Promise<void>;
}

/**
 * An input shorter than what a stored source with its head counted, whose bytes are that source's first bytes: an
 * earlier copy of it (a snapshot of a capture still being written, a copy cut short), read from the source's file,
 * which still holds what was counted. Every line of it was counted there.
 */
export interface EarlierCopy {
  covered: SourceRow;
  /** The file it was compared with: the source's, on disk now (a path to give, unlike its stored name). */
  file: string;
}

/** The stored source found for an input (null: a new one is claimed), its hasher, and the stream skipped to its offset. */
export interface FoundSource {
  row: SourceRow | null;
  matches: HeadMatch[];
  hasher: PrefixHasher;
  /** A stream already skipped (and hashed) to the stored offset, or null. */
  body: AsyncIterable<Buffer> | null;
}

/**
 * Looks up the stored sources with this head and keeps the first whose counted prefix this input
 * starts with. Throws what reading the input throws (the caller says which input failed).
 */
export async function findStoredSource(store: Store, req: MatchRequest, bytes: InputBytes): Promise<FoundSource | EarlierCopy | { error: string }> {
  let hasher = new PrefixHasher(req.plainFile);
  const matches = await sourcesWithHead(store, req.head);
  for (const m of matches) {
    const P = m.row.bytes_done;
    // Rows of older builds have no prefix hash: their head is all there is to go by.
    if (P === 0 || m.row.prefix_hash === null) return { row: m.row, matches, hasher, body: null };
    if (req.plainFile !== null) {
      if (hasher.fileHashAt(P) === m.row.prefix_hash) return (await longerCopied(store, req, P)) ?? { row: m.row, matches, hasher, body: null };
      const size = fileSize(req.plainFile);
      const file = size !== null && size < P ? earlierCopyOf(m.row, size, () => hasher.fileHashAt(size), req.plainFile) : null;
      if (file !== null) return { covered: m.row, file };
      hasher = new PrefixHasher(req.plainFile);
      continue;
    }
    // a Studio export is read whole and its records counted by index
    if (req.studio) return { row: m.row, matches, hasher, body: null };
    // A stream is read once: skip to the stored offset, hashing, and compare.
    const rest = await skipHashing(abortable(bytes.stream(), req.signal), P, hasher);
    if (rest && hasher.hashAt(P) === m.row.prefix_hash) return (await longerCopied(store, req, P)) ?? { row: m.row, matches, hasher, body: rest };
    // The stream ended first: all of it may be what the source counted first (a copy cut short, gzipped).
    const fed = hasher.offset;
    const file = !rest && !req.signal?.aborted ? earlierCopyOf(m.row, fed, () => hasher.hashAt(fed), null) : null;
    if (file !== null) return { covered: m.row, file };
    if (req.once) {
      const what = rest ? `differs within its first ${P} bytes` : `is not the first ${fed} bytes of its file (or that file is gone or changed)`;
      // (a stored name, redacted here too: a store of an older build holds names as they were given)
      return { error: `starts like a source counted before (${sourceName(m.row.name, req.noRedact)}) but ${what}; nothing was counted: save it to a file and give its path` };
    }
    await bytes.reopen();
    hasher = new PrefixHasher(null);
  }
  const copy = await earlierCopyByLead(store, req);
  if (copy !== null) return copy;
  return { row: null, matches, hasher, body: null };
}

/**
 * A source found by its head has counted `counted` bytes of this input; what the input has after them may be what
 * another source counted: a copy under LEAD bytes is counted as a source of its own (earlierCopyByLead), and a longer
 * copy of the same file found that source by its head and was read on from there, its events counted twice. An input
 * whole in its head that is an earlier copy of a longer source is that source's, as when no shorter one matched.
 */
async function longerCopied(store: Store, req: MatchRequest, counted: number): Promise<EarlierCopy | null> {
  return counted < req.head.length ? earlierCopyByLead(store, req) : null;
}

/**
 * An input whole in its head that is an earlier copy of a source with a longer head, found by its lead (the head key
 * is looked up only at lengths the input has: a snapshot shorter than the source's head never found it, and was
 * counted again), or null. A copy under LEAD bytes has no lead, and is counted as a source of its own.
 */
async function earlierCopyByLead(store: Store, req: MatchRequest): Promise<EarlierCopy | null> {
  const size = req.head.length;
  const lead = req.complete ? leadHash(req.head) : null;
  if (lead === null || req.signal?.aborted) return null;
  // a file that grew since its head was peeked is no longer all in it
  if (req.plainFile !== null && fileSize(req.plainFile) !== size) return null;
  let mine: string | null = null;
  const hashOf = (): string => (mine ??= bytesPrefixHash(req.head));
  for (const row of await store.sourcesWithLead(lead, size)) {
    const file = earlierCopyOf(row, size, hashOf, req.plainFile);
    if (file !== null) return { covered: row, file };
  }
  return null;
}

/** The size of the file at `path`, or null. */
function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

/**
 * The source's file when the first `size` bytes of the source `row` counted are the input's (`hashOf` gives the input's prefix
 * hash at `size`), read from the source's file, found by the absolute path it was last read from (schema 8) or
 * else its stored name, which must still hold what was counted (its prefix hash at bytes_done) and be another file
 * than the input (`self`), else null. Without that file (moved, compressed, or read from stdin; or a path that held
 * personal data, which is not stored: source-name.ts) nothing says the input is a copy: it is counted as a source of
 * its own.
 */
function earlierCopyOf(row: SourceRow, size: number, hashOf: () => string | null, self: string | null): string | null {
  if (size <= 0 || size >= row.bytes_done || row.prefix_hash === null) return null;
  // its absolute path first (a name relative to another folder, a file given from elsewhere), then its name
  return [...new Set([row.path, row.name].filter((p): p is string => typeof p === 'string'))].find((file) => copyOfFile(row, file, size, hashOf, self)) ?? null;
}

/** earlierCopyOf with the source's file at `file`. */
function copyOfFile(row: SourceRow, file: string, size: number, hashOf: () => string | null, self: string | null): boolean {
  const P = row.bytes_done;
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size < P) return false;
    if (self !== null) {
      const me = statSync(self);
      if (me.dev === st.dev && me.ino === st.ino) return false;
    }
    // the copy's bytes first: a source that merely starts alike (its lead, sourcesWithLead) costs a read of the
    // copy's length, not of all it counted
    const known: string[] = [];
    const mine = hashOf();
    if (mine === null || mine !== filePrefixHash(file, size, known)) return false;
    return filePrefixHash(file, P, known) === row.prefix_hash;
  } catch {
    return false;
  }
}

/** Where reading goes on: the source row under the run's contract, from which byte and line. */
export interface ResumePoint {
  plan: ContractPlan;
  hasher: PrefixHasher;
  /** The stream at `startBytes` already, or null (the Framer skips or seeks to it). */
  body: AsyncIterable<Buffer> | null;
  startBytes: number;
  startLines: number;
}

/**
 * Claims a new source when none matched (or extends the matched one's head), applies the run's
 * extraction contract (a source read under less is read again from its start) and says where
 * reading goes on.
 */
export async function resumePoint(store: Store, req: MatchRequest, found: FoundSource, bytes: InputBytes, contract: Contract | undefined, rescan: boolean | undefined): Promise<ResumePoint | { error: string }> {
  let src = found.row;
  if (!src) src = await claimVariant(store, req.head, req.name, found.matches);
  // its lead stays as its head grows; a head that now reaches LEAD bytes gives it one
  else if (src.head_len < req.head.length) await store.extendHead(src.id, req.head.length, headKey(sha256(req.head), 0), req.name, leadHash(req.head));
  // where its bytes are, for a shorter copy given later from anywhere (earlierCopyOf); none when the path holds
  // personal data (sourcePath says why)
  const path = req.plainFile === null ? null : sourcePath(resolve(req.plainFile), req.noRedact);
  if (path !== null && src.path !== path) await store.notePath(src.id, path);
  // A source an older build counted has no lead: it gets one when read again, so that a short copy of it is known
  // from then on (as one counted since is). Also one whose longer head another source held (extendHead left it).
  const lead = src.lead_hash ? null : leadHash(req.head);
  if (lead !== null) await store.noteLead(src.id, lead);
  const plan = await planContract(store, src, contract, rescan);
  let { hasher, body } = found;
  if ((plan.reread || plan.source.bytes_done === 0) && body !== null) {
    // skipped to the old offset while checking it: from the start again
    if (req.once) return { error: 'read before under a narrower contract: give it as a file to read it again from the start' };
    await bytes.reopen();
    hasher = new PrefixHasher(req.plainFile);
    body = null;
  }
  return { plan, hasher, body, startBytes: plan.reread ? 0 : plan.source.bytes_done, startLines: plan.reread ? 0 : plan.source.lines_done };
}

/** Stops reading an input that the pipeline will not read as a stream (a file read in ranges, or from an offset). */
export function closeStream(s: AsyncIterable<Buffer>): void {
  if (s instanceof Readable) s.destroy();
}

/**
 * The input's bytes from the resume point, each fed to the hasher: the stream skipped there already,
 * a plain file opened again at that offset (the bytes before it were hashed when the source was
 * recognised), or the stream skipped there now. Throws when the input is shorter than that.
 */
export async function bytesFrom(at: ResumePoint, bytes: InputBytes, plainFile: string | null, reopenable: boolean, signal: AbortSignal | undefined): Promise<AsyncIterable<Buffer>> {
  let rest: AsyncIterable<Buffer>;
  if (at.body) rest = at.body;
  else if (plainFile !== null && at.startBytes > 0 && reopenable) {
    bytes.close();
    at.hasher.resumeAt(at.startBytes);
    rest = createReadStream(plainFile, { start: at.startBytes, highWaterMark: 1 << 20 });
  } else {
    const skipped = await skipHashing(abortable(bytes.stream(), signal), at.startBytes, at.hasher);
    if (!skipped) throw new InputChangedError(`is shorter than the ${at.startBytes} bytes counted before; nothing was counted`);
    rest = skipped;
  }
  return rest;
}

/** Why a file is not what the run started reading, or null. */
export function changedReason(path: string, at: FileStamp, cp: Checkpoint, compressed: boolean, hasher: PrefixHasher, headHash: string, headLen: number): string | null {
  const now = fileStamp(path);
  if (!now) return 'was removed';
  if (now.ino !== at.ino || now.dev !== at.dev) return 'was replaced by another file';
  if (now.mtimeMs === at.mtimeMs && now.size === at.size) return null;
  // Grown (a capture still being written) is fine, if the bytes already read are still there.
  if (compressed) return 'was rewritten';
  if (now.size < at.size || now.size < cp.offset) return 'was truncated';
  if (!hasher.sameOnDisk(cp.offset, headHash, headLen)) return 'was rewritten';
  return null;
}
