/**
 * Starts a CommonJS bundle (dist/*.cjs, scripts/bundle.mjs) with V8's code cache: compiling the
 * CLI's bundle is a large part of every run's start-up, and a cache of the compiled code made by
 * an earlier run skips most of it (docs/performance.md).
 *
 * The cache is per user (`$XDG_CACHE_HOME/authing-triage`, else `~/.cache/authing-triage`), one
 * file per bundle, Node version and V8 flag set: V8 rejects a cache made under other flags, and the
 * bin's shebang flags differ from a plain `node bin/authing-triage.js`. Loaded code runs with the
 * user's rights, so a cache is read only from a folder and file this user owns and no one else can
 * write. Every failure to read or write falls back to compiling as Node would: the cache only saves time.
 */
import { isAscii } from 'node:buffer';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import type NodeModule from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

/**
 * Node's CommonJS Module class (for createRequire), taken from this file's own module: launch runs as
 * dist/launch.cjs, required by the CommonJS bin. Importing node:module for it loaded Node's ES module
 * loader and source maps too (~4 M instructions of every run, before its first byte).
 */
const Module: typeof NodeModule = typeof module === 'object' ? (module.constructor as typeof NodeModule) : process.getBuiltinModule('node:module');

/** The cache folder for this user, or null when `AUTHING_TRIAGE_NO_CACHE` turns the cache off. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.AUTHING_TRIAGE_NO_CACHE && env.AUTHING_TRIAGE_NO_CACHE !== '0') return null;
  // The XDG base directory spec: a relative $XDG_CACHE_HOME is invalid and ignored.
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'authing-triage');
}

/** True when only this user can write there: owned by us, no group or other write bit, no symlink. */
function ownOnly(st: Stats, uid: number): boolean {
  return st.uid === uid && (st.mode & 0o022) === 0;
}

/** Eight hex digits of a CRC-32: a checksum of bytes, not a defence against someone who writes them. */
const hex = (n: number): string => n.toString(16).padStart(8, '0');

/**
 * The cache file's name for this bundle and process: the bundle's name, a checksum of what V8 checks
 * (Node version, execArgv, NODE_OPTIONS) and of the bundle's bytes with their length. CRC-32, not
 * SHA-1: hashing the bundle and the cache with SHA-1 cost ~7% of the bin's start-up (callgrind), and
 * who can write the bundle runs code anyway; the length is V8's own check of the source.
 */
function cacheName(bundle: string, bytes: Buffer): { base: string; prefix: string; name: string } {
  const flags = crc32(JSON.stringify([process.version, process.arch, process.execArgv, process.env.NODE_OPTIONS ?? '']));
  const base = basename(bundle, '.cjs');
  const prefix = `${base}-${hex(flags)}-`;
  return { base, prefix, name: `${prefix}${hex(crc32(bytes))}${bytes.length.toString(16)}.v8` };
}

/** A cache of other flags (another Node, other options) unchanged this long is taken as abandoned. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/**
 * Another bundle's cache for the same flags (an older build, or another install used alongside this
 * one) goes when unwritten this long. Removed at once, two installs used in turn (a global one and a
 * project's, or two clones' test suites) removed each other's cache at every write, so each of their
 * runs compiled the bundle and wrote its cache again: 600 instead of 395 M instructions for a small
 * ingest. A cache in use is only read, so an old build's file goes at the first write a day later.
 */
const REPLACED_MS = 24 * 3600 * 1000;

/**
 * What a cache file starts with: a CRC-32 of its name, its tags and V8's data, then the tags' length
 * (2 bytes) and the tags, then zeros up to V8's data at a multiple of 8 bytes (dataStart). V8 checks its data's version, flags and length but not its bytes (the
 * checksum is for debug builds), nor the source beyond its length: a damaged file, or one copied from
 * another bundle's name, must not reach it.
 */
function header(name: string, tags: Buffer, data: Buffer): Buffer {
  const b = Buffer.alloc(HEAD_BYTES);
  b.writeUInt32LE(crc32(data, crc32(tags, crc32(name))));
  b.writeUInt16LE(tags.length, 4);
  return b;
}
const HEAD_BYTES = 6;

/**
 * Where V8's data starts in a cache file with `tagBytes` of tags: at a multiple of 8 bytes, because V8
 * copies cached data that is not pointer-aligned before it reads it (690 KB of fresh memory for an
 * ingest's cache, ~170 page faults, each ~17 us on the project's VM).
 */
const dataStart = (tagBytes: number): number => (HEAD_BYTES + tagBytes + 7) & ~7;

/**
 * The bundle's word for what a run did (`codeCacheTag()` in its exports: the command that ran), which
 * the cache file lists for every run that wrote it; '' when the bundle has none.
 */
type Tagged = { codeCacheTag?: () => string };

/** A cache file's contents: V8's data and the tags of the runs it holds the code of. */
interface Cached {
  data: Buffer;
  tags: string[];
}

/**
 * The cached code at `file`, or undefined when there is none, it is damaged or not safe to load. Read
 * into `spare` when it is large enough (the bundle's buffer, done with once its text is made): fresh
 * memory costs a page fault a page, ~17 us each on the project's VM, ~160 for an ingest's cache.
 */
function readCache(dir: string, name: string, uid: number, spare: Buffer): Cached | undefined {
  try {
    const d = lstatSync(dir);
    if (!d.isDirectory() || !ownOnly(d, uid)) return undefined;
    // O_NOFOLLOW: a symlink planted in place of the file is not followed.
    const fd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || !ownOnly(st, uid)) return undefined;
      const file = st.size <= spare.length ? readInto(fd, spare.subarray(0, st.size)) : readFileSync(fd);
      if (file.length <= HEAD_BYTES) return undefined;
      const tagsEnd = HEAD_BYTES + file.readUInt16LE(4);
      const tags = file.subarray(HEAD_BYTES, tagsEnd);
      const data = file.subarray(dataStart(tags.length));
      if (!data.length || !header(name, tags, data).equals(file.subarray(0, HEAD_BYTES))) return undefined;
      // the zeros before V8's data are outside the checksum: any other byte there is damage too, and the file is made again
      for (let i = tagsEnd; i < file.length - data.length; i++) if (file[i] !== 0) return undefined;
      return { data, tags: tags.toString('latin1').split('\n') };
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache under a temporary name, then renames it in place, so that a parallel run reads
 * a whole file or none; removes other bundles' caches for the same flags untouched for REPLACED_MS,
 * and those of other flags (and temporary files) untouched for STALE_MS.
 */
function writeCache(dir: string, { base, prefix, name }: { base: string; prefix: string; name: string }, tagList: readonly string[], data: Buffer, uid: number): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const d = lstatSync(dir);
    if (!d.isDirectory() || !ownOnly(d, uid)) return;
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    const tags = Buffer.from(tagList.join('\n'), 'latin1');
    writeFileSync(tmp, Buffer.concat([header(name, tags, data), tags, Buffer.alloc(dataStart(tags.length) - HEAD_BYTES - tags.length), data]), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, join(dir, name));
    const now = Date.now();
    for (const f of readdirSync(dir)) {
      if (f === name || !(f.startsWith(`${base}-`) || f.startsWith(`.${base}-`))) continue;
      if (now - lstatSync(join(dir, f)).mtimeMs > (f.startsWith(prefix) ? REPLACED_MS : STALE_MS)) rmSync(join(dir, f), { force: true });
    }
  } catch {
    // an unwritable or full cache folder: the next run compiles again, as without a cache
  }
}

/** Reads `fd` from its start into `into`, as much as fits; what was read (less when the file is shorter now). */
function readInto(fd: number, into: Buffer): Buffer {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, got);
    if (n === 0) break;
    got += n;
  }
  return into.subarray(0, got);
}

/** The function around a CommonJS module's code, as Node's loader writes it (Module.wrap). */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n});';

/**
 * The bundle's bytes, read in place between the wrapper's head and tail: the wrapped source is then one
 * string. Module.wrap(source) made a string of three parts that V8 copied whole into a flat one before it
 * looked the script up (the bundle's size again in fresh memory, ~200 page faults, before the first byte).
 */
function readWrapped(filename: string): { bytes: Buffer; wrapped: Buffer } {
  const fd = openSync(filename, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafeSlow(WRAP_HEAD.length + size + WRAP_TAIL.length);
    buf.write(WRAP_HEAD, 0, 'latin1');
    const got = readInto(fd, buf.subarray(WRAP_HEAD.length, WRAP_HEAD.length + size)).length;
    const end = WRAP_HEAD.length + got;
    buf.write(WRAP_TAIL, end, 'latin1');
    return { bytes: buf.subarray(WRAP_HEAD.length, end), wrapped: buf.subarray(0, end + WRAP_TAIL.length) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Turns on relaxed SIMD where V8 has it behind a flag (Node 20's V8 11.3; 11.4 and later ship it on): the
 * scanner's faster module needs it (pipeline/needle-scan.ts). Here, before the bundle is compiled from its
 * code cache, not when the scanner is first made: V8 takes a cache only under the flags it was made under,
 * and a flag set during the run that wrote it made every later run's cache rejected (test/cli/code-cache.test.ts).
 */
function relaxedSimd(): void {
  if (process.versions.v8.startsWith('11.')) process.getBuiltinModule('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/**
 * Runs the CommonJS bundle at `url` as Node's loader would (module, exports, require) and returns
 * its exports, compiled from the code cache when a valid one is there; a missing or rejected cache,
 * or one that no run of this run's kind wrote, is written when the process exits, when V8 has
 * compiled what the run used.
 */
export function runBundle(url: URL): unknown {
  relaxedSimd();
  const filename = fileURLToPath(url);
  const { bytes, wrapped } = readWrapped(filename);
  // The bundle is ASCII (scripts/bundle.mjs checks): decoded as Latin-1 it is the same text, 3x faster.
  const source = wrapped.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const dir = codeCacheDir();
  const uid = process.getuid?.();
  // No uid (Windows): no owner to check, so no cache.
  const cache = dir !== null && uid !== undefined ? { dir, uid, ...cacheName(filename, bytes) } : null;
  const cached = cache ? readCache(cache.dir, cache.name, cache.uid, wrapped) : undefined;
  // The bundle has no import() (scripts/bundle.mjs): a script from the code cache could not run one.
  const script = new Script(source, { filename, cachedData: cached?.data });
  const module = { exports: {} as unknown, filename, id: filename, loaded: false };
  if (cache) {
    // A cache holds what the runs that wrote it compiled: one made by `--version` lacks most of what an
    // ingest runs, one made by an ingest what a report draws. So the file lists the kinds of run (the
    // bundle's codeCacheTag(): the command) whose code it holds, and the first run of another kind
    // writes it again with everything it holds: the cache grows to what the commands in use need, once
    // each. (Measuring the heap's bytecode before and after the run instead, v8.getHeapCodeStatistics,
    // cost ~15 M instructions of every run: loading node:v8 and walking the heap twice.)
    process.once('exit', () => {
      const tag = (module.exports as Tagged).codeCacheTag?.() ?? '';
      const held = cached && !script.cachedDataRejected ? cached.tags : null;
      if (!held?.includes(tag)) writeCache(cache.dir, cache, [...(held ?? []), tag], script.createCachedData(), cache.uid);
    });
  }
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  fn.call(module.exports, module.exports, Module.createRequire(filename), module, filename, dirname(filename));
  module.loaded = true;
  return module.exports;
}
