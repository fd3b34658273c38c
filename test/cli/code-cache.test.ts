/**
 * The bin's V8 code cache (src/launch.ts): a damaged, foreign or unsafe cache never changes what a
 * run does, a bad one is replaced, and the cache folder is private.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT, query, runCli, tempDir } from '../helpers.js';

const FIXTURE = join(FIXTURES, 'guard-threadtime.log');

/** An ingest of the fixture into a fresh database, and what the run and the store show. */
function ingest(env: Record<string, string>) {
  const db = join(tempDir(), 'c.db');
  const r = runCli(['--db', db, '--quiet', FIXTURE], { env });
  return {
    status: r.status,
    stderr: r.stderr,
    events: query<{ code: number; n: number }>(db, 'SELECT code, COUNT(*) AS n FROM events GROUP BY code ORDER BY code'),
  };
}

/**
 * A command other than ingest (`codes`), run after the ingest: it reads the cache that ingest left.
 * Only where that cache differs from the one an ingest reads; elsewhere the ingest's run is the check.
 */
function codes(env: Record<string, string>) {
  const r = runCli(['codes', '--category', 'sms', '--format', 'json'], { env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The cache file at `path` after a run that had to write it again: a new file (rename), larger than `before`. */
function rewrittenLarger(path: string, before: Stats): Stats {
  const after = statSync(path);
  expect(after.ino).not.toBe(before.ino);
  expect(after.size).toBeGreaterThan(before.size);
  return after;
}

/** A damaged cache file's bytes, printed by what was done to them when a trial fails. */
const damaged = (what: string, bytes: Buffer) => ({ bytes, [fc.toStringMethod]: () => what });

/** The cache files in a cache folder (the folder authing-triage makes under $XDG_CACHE_HOME). */
const cacheFiles = (xdg: string) => readdirSync(join(xdg, 'authing-triage')).sort();

describe('code cache', () => {
  const plain = ingest({ AUTHING_TRIAGE_NO_CACHE: '1' });
  const plainCodes = codes({ AUTHING_TRIAGE_NO_CACHE: '1' });

  let written: { xdg: string; first: ReturnType<typeof ingest>; files: Map<string, Buffer> } | undefined;
  /**
   * The cache folder an ingest made in a new $XDG_CACHE_HOME, that run's results and the files it wrote:
   * made once. A run without a cache compiles the bundle and writes ~670 KB, so the tests that only need a
   * sound cache to damage, plant or age copy this one (`cacheCopy`) instead of each making its own.
   */
  const firstIngest = () => {
    if (written) return written;
    const xdg = tempDir();
    const first = ingest({ XDG_CACHE_HOME: xdg });
    written = { xdg, first, files: new Map(cacheFiles(xdg).map((f) => [f, readFileSync(join(xdg, 'authing-triage', f))])) };
    return written;
  };
  /** A new $XDG_CACHE_HOME holding the files that first ingest wrote, folder mode 700 and files 600 as the bin makes them. */
  const cacheCopy = (): string => {
    const xdg = tempDir();
    mkdirSync(join(xdg, 'authing-triage'), { mode: 0o700 });
    for (const [f, bytes] of firstIngest().files) writeFileSync(join(xdg, 'authing-triage', f), bytes, { mode: 0o600 });
    return xdg;
  };

  it('writes one private cache file in a private folder, and a run from it gives the same results', () => {
    const { xdg, first } = firstIngest();
    expect(first).toEqual(plain);
    expect(codes({ XDG_CACHE_HOME: xdg })).toEqual(plainCodes);
    const [file, ...more] = cacheFiles(xdg);
    expect(more).toEqual([]);
    expect(file).toMatch(/^authing-triage-[0-9a-f]{8}-[0-9a-f]{9,}\.v8$/);
    expect(statSync(join(xdg, 'authing-triage')).mode & 0o777).toBe(0o700);
    const path = join(xdg, 'authing-triage', file!);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { ino } = statSync(path);
    expect(ingest({ XDG_CACHE_HOME: xdg })).toEqual(plain);
    // an accepted cache is left as it is: not written again at every run
    expect(statSync(path).ino).toBe(ino);
  });

  // V8 copies cached data that is not pointer-aligned before it reads it: an ingest's 670 KB again in fresh memory,
  // ~170 page faults before the first byte (each ~17 us on the project's VM).
  it('lays V8\'s data out at a multiple of 8 bytes in the file, after the tags and zeros, under the file\'s checksum', () => {
    const [name, file] = [...firstIngest().files][0]!;
    const tagsEnd = 6 + file!.readUInt16LE(4);
    expect(file!.subarray(6, tagsEnd).toString('latin1')).toBe('ingest');
    const start = (tagsEnd + 7) & ~7;
    expect([...file!.subarray(tagsEnd, start)]).toEqual(new Array(start - tagsEnd).fill(0));
    expect(file!.readUInt32LE(0)).toBe(crc32(file!.subarray(start), crc32(file!.subarray(6, tagsEnd), crc32(name!))));
  });

  it('writes again a cache made by --version once an ingest needs much more, and once another command does, then leaves it', { timeout: 180_000 }, () => {
    const xdg = tempDir();
    expect(runCli(['--version'], { env: { XDG_CACHE_HOME: xdg } }).status).toBe(0);
    const [file] = cacheFiles(xdg);
    const path = join(xdg, 'authing-triage', file!);
    const thin = statSync(path);
    expect(ingest({ XDG_CACHE_HOME: xdg })).toEqual(plain);
    const full = rewrittenLarger(path, thin);
    expect(ingest({ XDG_CACHE_HOME: xdg })).toEqual(plain);
    expect(runCli(['--version'], { env: { XDG_CACHE_HOME: xdg } }).status).toBe(0);
    expect(statSync(path).ino).toBe(full.ino);
    // The first run of another command adds its code to what the cache holds; the next finds it there.
    expect(codes({ XDG_CACHE_HOME: xdg })).toEqual(plainCodes);
    const more = rewrittenLarger(path, full);
    expect(codes({ XDG_CACHE_HOME: xdg })).toEqual(plainCodes);
    expect(ingest({ XDG_CACHE_HOME: xdg })).toEqual(plain);
    expect(statSync(path).ino).toBe(more.ino);
    expect(cacheFiles(xdg)).toEqual([file]);
  });

  it('writes again a cache made by a run that stopped at a usage error, once a run of that command completes', () => {
    const xdg = tempDir();
    const r = runCli(['--db', join(tempDir(), 'u.db'), '--since', 'yesterday-ish', FIXTURE], { env: { XDG_CACHE_HOME: xdg } });
    expect(r.status).toBe(2);
    const [file] = cacheFiles(xdg);
    const path = join(xdg, 'authing-triage', file!);
    const stopped = statSync(path);
    expect(ingest({ XDG_CACHE_HOME: xdg })).toEqual(plain);
    rewrittenLarger(path, stopped);
  });

  it('ignores a damaged or foreign cache, gives the same results, and replaces it', { timeout: 180_000 }, () => {
    const xdg = cacheCopy();
    const [file] = cacheFiles(xdg);
    const path = join(xdg, 'authing-triage', file!);
    const good = readFileSync(path);
    // a cache V8 made under other flags (--stack-size changes V8's flag hash), put in this one's place
    const other = tempDir();
    const v = spawnSync(process.execPath, ['--stack-size=900', BIN, '--version'], { env: { ...process.env, XDG_CACHE_HOME: other } });
    expect(v.status).toBe(0);
    const foreign = readFileSync(join(other, 'authing-triage', cacheFiles(other)[0]!));
    /** Writes a damaged cache in place, runs an ingest from it, and checks that it was replaced. */
    const runFrom = (bytes: Buffer) => {
      writeFileSync(path, bytes, { mode: 0o600 });
      const { ino } = statSync(path);
      expect(ingest({ XDG_CACHE_HOME: xdg })).toEqual(plain);
      expect(cacheFiles(xdg)).toEqual([file]);
      expect(statSync(path).ino).not.toBe(ino);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    };
    runFrom(foreign);
    // the zeros between the tags and V8's data (dataStart) are not under the checksum: each one damaged on its own
    const tagsEnd = 6 + good.readUInt16LE(4);
    const dataAt = (tagsEnd + 7) & ~7;
    expect(dataAt).toBeGreaterThan(tagsEnd); // an ingest's one tag, "ingest", leaves 4 zeros
    for (let at = tagsEnd; at < dataAt; at++) {
      const bytes = Buffer.from(good);
      bytes[at] = 1;
      runFrom(bytes);
    }
    // Each trial tries every kind of damage once (a oneof of 6 runs left kinds untried); the ingest
    // replaces the cache, so a command run after it would read a sound cache, not the damaged one.
    const damage = fc.tuple(
      fc.uint8Array({ minLength: 0, maxLength: 4096 }).map((b) => damaged(`${b.length} random bytes`, Buffer.from(b))),
      fc.integer({ min: 0, max: good.length - 1 }).map((n) => damaged(`cut at ${n}`, good.subarray(0, n))),
      fc.tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
        const bytes = Buffer.from(good);
        bytes[at] = bytes[at]! ^ x;
        return damaged(`byte ${at} xor ${x}`, bytes);
      }),
    );
    fc.assert(
      fc.property(damage, (kinds) => {
        for (const { bytes } of kinds) runFrom(bytes);
      }),
      { numRuns: 2 },
    );
  });

  it('works, silently and without a cache, where the cache folder cannot be made', { timeout: 180_000 }, () => {
    const home = tempDir();
    // a file where the folder should go: mkdir fails for root too
    const notADir = join(home, 'cache-file');
    writeFileSync(notADir, 'not a folder');
    expect(ingest({ XDG_CACHE_HOME: notADir })).toEqual(plain);
    // HOME itself unusable, no XDG_CACHE_HOME
    expect(ingest({ HOME: notADir, XDG_CACHE_HOME: '' })).toEqual(plain);
    expect(readFileSync(notADir, 'utf8')).toBe('not a folder');
  });

  it('reads and writes nothing in a cache folder that other users can write', () => {
    const xdg = cacheCopy();
    const dir = join(xdg, 'authing-triage');
    const [file] = cacheFiles(xdg);
    writeFileSync(join(dir, file!), 'planted by another user');
    chmodSync(dir, 0o777);
    expect(ingest({ XDG_CACHE_HOME: xdg })).toEqual(plain);
    expect(readFileSync(join(dir, file!), 'utf8')).toBe('planted by another user');
    expect(cacheFiles(xdg)).toEqual([file]);
  });

  it('writes nothing with AUTHING_TRIAGE_NO_CACHE=1', () => {
    const xdg = tempDir();
    expect(ingest({ XDG_CACHE_HOME: xdg, AUTHING_TRIAGE_NO_CACHE: '1' })).toEqual(plain);
    expect(readdirSync(xdg)).toEqual([]);
  });

  it('keeps one cache per flag set: an old bundle\'s for the same flags goes when unwritten for a day, and caches of other flags when unused for 30 days', () => {
    const xdg = cacheCopy();
    const [mine] = cacheFiles(xdg);
    const dir = join(xdg, 'authing-triage');
    // an older bundle's cache for the same flags unwritten for two days, another bundle's written an hour
    // ago (an install used alongside), one for other flags in use, one for flags unused for 31 days, a
    // temporary file left by a killed run, and a file that is not ours
    const stale = mine!.replace(/-[0-9a-f]+\.v8$/, '-0000000000000000.v8');
    const sibling = mine!.replace(/-[0-9a-f]+\.v8$/, '-1111111111111111.v8');
    const otherFlags = mine!.replace(/^authing-triage-[0-9a-f]{8}-/, 'authing-triage-00000000-');
    const abandoned = mine!.replace(/^authing-triage-[0-9a-f]{8}-/, 'authing-triage-11111111-');
    const tmp = `.${mine}.999999.tmp`;
    for (const f of [stale, sibling, otherFlags, abandoned, tmp, 'notes.txt']) copyFileSync(join(dir, mine!), join(dir, f));
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600 * 1000);
    for (const f of [abandoned, tmp, 'notes.txt']) utimesSync(join(dir, f), hoursAgo(31 * 24), hoursAgo(31 * 24));
    utimesSync(join(dir, stale), hoursAgo(48), hoursAgo(48));
    utimesSync(join(dir, sibling), hoursAgo(1), hoursAgo(1));
    writeFileSync(join(dir, mine!), 'damaged');
    expect(ingest({ XDG_CACHE_HOME: xdg })).toEqual(plain);
    expect(readdirSync(dir).sort()).toEqual([mine, sibling, otherFlags, 'notes.txt'].sort());
  });

  it('lets two builds used in turn keep their caches: neither removes the other\'s, so neither compiles again', () => {
    const xdg = tempDir();
    // A second build: the same bin and bundle but for one byte, so its cache has the same flags and another name.
    const other = join(tempDir(), 'authing-triage');
    for (const d of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, d), join(other, d), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'));
    appendFileSync(join(other, 'dist', 'authing-triage.cjs'), '\n');
    const run = (bin: string) => {
      const db = join(tempDir(), 'c.db');
      const r = spawnSync(process.execPath, [bin, '--db', db, '--quiet', FIXTURE], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '', XDG_CACHE_HOME: xdg } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    };
    run(BIN);
    const [mine] = cacheFiles(xdg);
    const written = statSync(join(xdg, 'authing-triage', mine!));
    run(join(other, 'bin', 'authing-triage.js'));
    expect(cacheFiles(xdg)).toHaveLength(2);
    run(BIN);
    // the first build's cache is the same file, not one it had to write again
    expect(statSync(join(xdg, 'authing-triage', mine!)).ino).toBe(written.ino);
    expect(cacheFiles(xdg)).toHaveLength(2);
  });
});
