/**
 * The stdin reader thread's flow control (src/sources/stdin-reader.ts AHEAD, docs/performance.md "Round ten:
 * stdin"): it posts a piece only when the main thread asks for one, so none waits unasked (memory stays
 * flat) and none goes out before the run asks for the reader's scans (such a piece has no scan: a scan
 * thread took it, and the scan pool started for it); and every byte reaches the main thread once, in
 * order; the scan it sends with a job-sized piece is a scan thread's of the whole piece. Driven through a real
 * pipe: a child process whose stdin a writer fills with spliced real captures, in bursts of random sizes cut
 * mid-line, with pauses, and which runs the StdinReader over its fd 0 as ingest does (the built dist/, its
 * reader thread included).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT, SHARED, tempDir } from '../helpers.js';
import { BURST_WRITER } from '../stdin.js';

const CAPTURES = [join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), join(SHARED, 'corpus', 'loghub', 'Android_2k.log'), join(SHARED, 'corpus', 'labeled', 'dev-brief.log')].map((f) => readFileSync(f));

/**
 * Reads its stdin with the StdinReader as ingest does for `cat FILE | authing-triage`: a wait before the
 * first ask (the head's peek, the store's opening), the ask for scans, then every piece taken in order,
 * 3 ms each, and handed back. Prints what it saw: how many pieces were posted before any ask, the most that waited at
 * once, the job-sized pieces that came without the reader's scan, and the SHA-256 and length of the bytes.
 */
const READER = `
const [dist, jobBytes, maxLine, waitMs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
// Ends itself before the test's timeout, which ends only the shell: the pipe closes and the writer ends too.
setTimeout(() => process.exit(3), 50_000).unref();
const { StdinReader } = await import(dist + '/sources/stdin-reader.js');
const { candidateNeedles } = await import(dist + '/extract/prefilter.js');
const { scanWholeLines } = await import(dist + '/pipeline/scan-jobs.js');
const { chunkScanner, withLayoutNeedles } = await import(dist + '/pipeline/scan.js');
const { createHash } = await import('node:crypto');
const needles = candidateNeedles([]);
const r = new StdinReader('pipe', jobBytes + maxLine, jobBytes, { needles, maxLine });
// The scan a scan thread would make of the piece, whole (the reader's own scan of it must equal it, wherever and in how many parts the reader makes it).
const scanner = chunkScanner(withLayoutNeedles(needles));
const plain = (x) => JSON.stringify({ lines: x.lines, overlong: x.overlong, text: x.candidates.text, rel: x.candidates.rel, at: x.candidates.at, stoppedAt: x.stoppedAt });
await new Promise((resolve) => setTimeout(resolve, waitMs));
const early = r.queue.length;
r.scanJobs();
const hash = createHash('sha256');
let bytes = 0, most = 0, unscanned = 0, jobs = 0, capped = 0;
const differ = [];
for await (const b of r) {
  // A main thread slower than the reader (it parses and stores): a reader free to run ahead would have posted meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 3));
  most = Math.max(most, r.queue.length);
  hash.update(b);
  bytes += b.length;
  if (r.owns(b)) {
    jobs++;
    const got = r.takeScan(b);
    if (!got) unscanned++;
    else {
      if (got.stoppedAt !== undefined) capped++;
      if (plain(got) !== plain(scanWholeLines(scanner, Buffer.from(b), maxLine))) differ.push(bytes - b.length);
    }
    r.recycle(b);
  }
}
process.stdout.write(JSON.stringify({ early, most, jobs, unscanned, capped, differ, bytes, sha256: hash.digest('hex') }));
`;

interface Seen {
  early: number;
  most: number;
  jobs: number;
  unscanned: number;
  /** Pieces whose scan stopped at the candidate cap, and the offsets of those whose scan was not a whole scan's. */
  capped: number;
  differ: number[];
  bytes: number;
  sha256: string;
}

/** Pipes `input` (written by stdin.ts's burst writer following `plan`) into the reader child; what it saw. */
function readThroughPipe(input: Buffer, plan: [number, number][], jobBytes: number, waitMs: number): Seen {
  const dir = tempDir();
  const [file, steps, writer, reader] = [join(dir, 'input.log'), join(dir, 'plan.json'), join(dir, 'writer.cjs'), join(dir, 'reader.mjs')];
  writeFileSync(file, input);
  writeFileSync(steps, JSON.stringify(plan));
  writeFileSync(writer, BURST_WRITER);
  writeFileSync(reader, READER);
  const dist = pathToFileURL(join(ROOT, 'dist')).href;
  // The writer's pauses stop at 300 ms in all; then it writes 1 MiB a step at least, at full speed.
  const r = spawnSync('/bin/sh', ['-c', '"$0" "$1" "$2" "$3" | "$0" "$4" "$5" "$6" "$7" "$8"', process.execPath, writer, file, steps, reader, dist, String(jobBytes), '16384', String(waitMs)], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, BURST_PAUSE_MS: '300', BURST_MIN: String(1 << 20) },
    maxBuffer: 1 << 20,
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Seen;
}

/** The candidate lines of the real captures: every line an event. */
const EVENTS = Buffer.from(CAPTURES.map((c) => c.toString('utf8').split('\n').filter((l) => /errCode|code[":= ]/.test(l)).join('\n') + '\n').join(''));

/** The real captures spliced in the given order, over and over, to at least `bytes`; from `denseAt` on, only their candidate lines. */
function spliced(order: number[], bytes: number, denseAt: number): Buffer {
  const one = Buffer.concat(order.map((i) => CAPTURES[i]!));
  const sparse = Buffer.concat(Array.from({ length: Math.ceil((bytes * denseAt) / one.length) }, () => one));
  const dense = Buffer.concat(Array.from({ length: Math.ceil((bytes * (1 - denseAt)) / EVENTS.length) }, () => EVENTS));
  return Buffer.concat([sparse, dense]);
}

/** Mostly large bursts back to back (a pipe at full speed), some small ones each followed by a pause (live input). */
const plans = fc.array(fc.oneof(fc.tuple(fc.integer({ min: 64 << 10, max: 3 << 20 }), fc.constant(0)), fc.tuple(fc.integer({ min: 1, max: 48 << 10 }), fc.integer({ min: 1, max: 15 }))), { minLength: 1, maxLength: 6 });

describe('the stdin reader posts only what the main thread asks for, with its scan', () => {
  it('posts nothing before the first ask, keeps no piece waiting unasked, scans every job-sized piece once asked as a whole scan would, and hands over every byte once, in order', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([0, 1, 2], { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 3 << 20, max: 9 << 20 }),
        fc.integer({ min: 64 << 10, max: 1 << 20 }),
        plans,
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        (order, size, jobBytes, plan, denseAt) => {
          const input = spliced(order, size, denseAt);
          // Each round of the plan opens with 2 MiB at full speed: job-sized pieces come whatever the rest of it
          // (small bursts alone may bring the whole input before the pauses run out: only live pieces then).
          const seen = readThroughPipe(input, [[2 << 20, 0], ...plan], jobBytes, 150);
          // Before the ask the reader holds at most one piece and posts none (a piece posted then has no scan: a scan thread took it).
          expect(seen.early).toBe(0);
          // A piece is posted when it is asked for: none waits in the queue when the one before is taken.
          expect(seen.most).toBe(0);
          expect(seen.jobs).toBeGreaterThan(0);
          expect(seen.unscanned).toBe(0);
          // The reader's scan of a piece is the whole piece's scan (round ten's scan a read at a time was held to this).
          expect(seen.differ).toEqual([]);
          expect(seen.bytes).toBe(input.length);
          expect(seen.sha256).toBe(createHash('sha256').update(input).digest('hex'));
        },
      ),
      { numRuns: 4 },
    );
  });
});
