/**
 * No correctness for speed: the fast paths (byte prefilter, worker threads) give exactly the events of
 * the plain every-record path, on every fixture and labeled file and on a generated capture.
 */
import { appendFileSync, createReadStream, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { recordsOf } from '../../src/parse/stream.js';
import { loadRegistry } from '../../src/registry/index.js';
import { FIXTURES, SHARED, query, runCli, tempDir } from '../helpers.js';
// @ts-expect-error plain JS module shared with the benchmark
import { generateCapture } from '../../bench/generate.mjs';

const reg = loadRegistry();

async function plainPath(file: string, tags: string[] = []): Promise<{ line: number; code: number }[]> {
  const ex = new Extractor(reg, { tags });
  const out: { line: number; code: number }[] = [];
  for await (const r of recordsOf(createReadStream(file), { year: 2026, tz: 'UTC' })) {
    if ('unparsed' in r) continue;
    const e = ex.extract(r);
    if (e) out.push({ line: e.line, code: e.code });
  }
  return out;
}

/** What a run must say on stderr of a file (nothing, unless set: the over-long line's warning). */
const said = new Map<string, string>();

/** The events of one run of the bin on `file` into a new store, and that store. */
function fastStore(file: string, args: string[] = [], env: Record<string, string> = {}): { db: string; events: { line: number; code: number }[] } {
  const db = join(tempDir(), 'f.db');
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', ...args, file], { env });
  expect(r.stderr).toBe(said.get(file) ?? '');
  expect(r.status).toBe(0);
  return { db, events: query<{ line: number; code: number }>(db, 'SELECT line, code FROM events ORDER BY line') };
}
const fastPath = (file: string, args: string[] = [], env: Record<string, string> = {}) => fastStore(file, args, env).events;

const files = [
  join(FIXTURES, 'guard-threadtime.log'),
  ...readdirSync(join(SHARED, 'corpus', 'labeled')).filter((f) => f.endsWith('.log')).map((f) => join(SHARED, 'corpus', 'labeled', f)),
];

describe('fast path = plain path', () => {
  /**
   * One run of the bin over every file (each its own source, read with its own layout): each file's
   * events by its path. A run costs more than the comparison; the files share it.
   */
  let byFile: Map<string, { line: number; code: number }[]> | undefined;
  const fastEvents = (file: string) => {
    if (!byFile) {
      const { db } = fastStore(files[0]!, ['--tag', 'MainActivity', ...files.slice(1)]);
      const sources = query<{ id: number; name: string }>(db, 'SELECT id, name FROM sources');
      expect(sources.map((x) => x.name).sort()).toEqual([...files].sort());
      byFile = new Map(sources.map((x) => [x.name, query<{ line: number; code: number }>(db, 'SELECT line, code FROM events WHERE source_id = ? ORDER BY line', x.id)]));
    }
    return byFile.get(file);
  };
  it.each(files)('%s', async (file) => {
    const plain = await plainPath(file, ['MainActivity']);
    expect(plain.length).toBeGreaterThan(0);
    expect(fastEvents(file)).toEqual(plain);
  });
});

describe('worker threads', () => {
  let big: string;
  beforeAll(async () => {
    big = join(tempDir(), 'big.log');
    // 4 MB of capture (was 6): 6 MB with the long line, 12 ranges of 512 KiB; through a pipe the workers still
    // scan 77% of what is counted (the stdin test asks for half; at 2 MB it was 47%), and builds that cut a
    // range inside a line or just before its newline still fail (docs/performance.md, round nine)
    await generateCapture(big, { bytes: 4e6, seed: 11 });
    // an over-long line (2 MB, cut at 1 MiB) with a code before the cut, then more events; a warning names it
    const longLine = readFileSync(big, 'latin1').split('\n').length;
    said.set(big, `authing-triage: ${big}: line ${longLine} is longer than 1 MiB and was cut there (1 such line(s) in all): what a line holds past its first 1 MiB, an error code too, is not read\n`);
    appendFileSync(big, `03-17 23:00:00.000  1  1 E SocialLoginButton: loginDone: errCode = 2333 ${'x'.repeat(2 << 20)}\n`);
    appendFileSync(big, '03-17 23:00:01.000  1  1 E SocialLoginButton: loginDone: errCode = 10008 errMessage = y');
  });
  /** One thread's events in 512 KiB ranges: the reference of three tests, one run of the bin for all of them. */
  let oneThread: { line: number; code: number }[] | undefined;
  const oneThreadEvents = () => (oneThread ??= fastPath(big, ['--threads', '1'], { AUTHING_TRIAGE_RANGE_BYTES: String(512 * 1024) }));
  /** Two threads' store in 512 KiB ranges: compared by the first test, read again by the re-read test (one run for both). */
  let twoThreads: ReturnType<typeof fastStore> | undefined;
  const twoThreadStore = () => (twoThreads ??= fastStore(big, ['--threads', '2'], { AUTHING_TRIAGE_RANGE_BYTES: String(512 * 1024) }));

  it('give identical events whatever the number of threads, and equal the plain path', { timeout: 180_000 }, async () => {
    const env = { AUTHING_TRIAGE_RANGE_BYTES: String(512 * 1024) };
    const one = oneThreadEvents();
    expect(one).toEqual(await plainPath(big));
    expect(one.at(-1)).toEqual({ line: expect.any(Number), code: 10008 });
    expect(twoThreadStore().events).toEqual(one);
    expect(fastPath(big, ['--threads', '3'], env)).toEqual(one);
    // the JavaScript scan that stands in where WebAssembly SIMD is not to be had
    expect(fastPath(big, ['--threads', '2'], { ...env, AUTHING_TRIAGE_SCAN: 'js' })).toEqual(one);
  });

  it('scan stdin and gzip with the workers too, with identical events', { timeout: 180_000 }, () => {
    const env = { AUTHING_TRIAGE_RANGE_BYTES: String(512 * 1024) };
    const one = oneThreadEvents();
    const data = readFileSync(big);
    for (const [name, input] of [['stdin', data], ['gzip on stdin', gzipSync(data)]] as const) {
      for (const t of ['2', '3']) {
        const db = join(tempDir(), 's.db');
        const r = runCli(['--db', db, '--json-summary', '--year', '2026', '--tz', 'UTC', '--threads', t], { env, input });
        expect(r.status, r.stderr).toBe(0);
        const src = JSON.parse(r.stdout).sources[0];
        // the pool did scan (most of) it: fed at full speed, the input never looks quiet
        expect(src.workerBytes, `${name}, ${t} threads`).toBeGreaterThan(data.length / 2);
        expect(query(db, 'SELECT line, code FROM events ORDER BY line'), `${name}, ${t} threads`).toEqual(one);
      }
    }
  });

  it('read a plain file too small for ranges on the main thread, with the events of one thread', () => {
    // 6 MB, under the four ranges that make a file large: the scan threads' stream jobs cost more than they
    // saved there (docs/performance.md, round five after the merge), so none is used. The events of one
    // thread: the first test's reference, which it finds equal to the plain path's.
    const one = oneThreadEvents();
    const db = join(tempDir(), 'small.db');
    const r = runCli(['--db', db, '--json-summary', '--year', '2026', '--tz', 'UTC', '--threads', '2', big]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sources[0].workerBytes).toBeUndefined();
    expect(query(db, 'SELECT line, code FROM events ORDER BY line')).toEqual(one);
  });

  it('scan a file\'s first range on the main thread and the rest in workers, and say so', () => {
    const range = 512 * 1024;
    const r = runCli(['--db', join(tempDir(), 'w.db'), '--json-summary', '--threads', '2', big], { env: { AUTHING_TRIAGE_RANGE_BYTES: String(range) } });
    expect(r.status, r.stderr).toBe(0);
    const src = JSON.parse(r.stdout).sources[0];
    // the first range ends at the first newline after `range` bytes: its lines are short
    expect(src.bytes - src.workerBytes).toBeGreaterThanOrEqual(range);
    expect(src.bytes - src.workerBytes).toBeLessThan(range + 4096);
  });

  it('count a re-read file once, like the single thread', () => {
    const env = { AUTHING_TRIAGE_RANGE_BYTES: String(512 * 1024) };
    // the store of the first test's two-thread run, read again as it was read
    const { db } = twoThreadStore();
    const again = runCli(['--db', db, '--json-summary', '--year', '2026', '--tz', 'UTC', '--threads', '2', big], { env });
    expect(JSON.parse(again.stdout).events).toBe(0);
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: oneThreadEvents().length }]);
  });
});
