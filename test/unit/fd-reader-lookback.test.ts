/**
 * The stdin reader thread's look-back (sources/fd-reader.ts, round eight): for each candidate of a piece
 * it scans, the earlier lines of the candidate's pid that it finds in the bytes it holds (the piece and
 * those before it, across piece boundaries and the moves of its memory) are exactly what the main
 * thread's walk (line-window.ts's LineWindow over the same input bytes) finds. readFdLoop runs here,
 * on this thread, over a real file descriptor.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { candidateNeedles } from '../../src/extract/prefilter.js';
import { forEachCandidate } from '../../src/pipeline/candidates.js';
import { loadBlockHash } from '../../src/pipeline/fingerprint.js';
import { LineWindow, LOOKBACK_LINES, LOOKBACK_MAX, type PidLine } from '../../src/pipeline/line-window.js';
import { FoundBefore } from '../../src/pipeline/lookback.js';
import { withLayoutNeedles } from '../../src/pipeline/scan.js';
import { CREDITS, readFdLoop, SCAN, STATE_WORDS, type FdPiece } from '../../src/sources/fd-reader.js';
import { SHARED, tempDir } from '../helpers.js';

const CAPTURES = ['dev-threadtime.log', 'dev-brief.log'].map((f) => readFileSync(join(SHARED, 'corpus', 'labeled', f)));
const LOGHUB = readFileSync(join(SHARED, 'corpus', 'loghub', 'Android_2k.log'));
const MAX_LINE = 1 << 20;

/**
 * Everything readFdLoop posts for `input`, with pieces of about `jobBytes`, each scanned: read from a
 * FIFO that `cat` fills (reads of up to the 64 KiB a pipe holds, cut wherever cat's writes and the
 * reader's reads meet) or from a file (reads that fill the reader's buffer).
 */
function readPieces(input: Buffer, jobBytes: number, via: 'fifo' | 'file' = 'fifo'): FdPiece[] {
  const dir = tempDir();
  const file = join(dir, 'stdin.bin');
  writeFileSync(file, input);
  let fd: number;
  if (via === 'fifo') {
    const fifo = join(dir, 'stdin.fifo');
    expect(spawnSync('mkfifo', ['-m', '600', fifo]).status).toBe(0);
    spawn('sh', ['-c', 'cat "$0" > "$1"', file, fifo], { stdio: 'ignore' });
    fd = openSync(fifo, 'r');
  } else fd = openSync(file, 'r');
  const state = new Int32Array(new SharedArrayBuffer(4 * STATE_WORDS));
  // credits enough that the loop never waits for a taker; every job-sized piece scanned from the start
  Atomics.store(state, CREDITS, 1 << 30);
  Atomics.store(state, SCAN, 1);
  const channel = new MessageChannel();
  const pieces: FdPiece[] = [];
  try {
    readFdLoop({ fd, bufBytes: jobBytes + MAX_LINE, jobBytes, state: state.buffer as SharedArrayBuffer, recycled: channel.port2, needles: withLayoutNeedles(candidateNeedles([])), maxLine: MAX_LINE }, (p) => pieces.push(p));
  } finally {
    closeSync(fd);
    channel.port1.close();
  }
  return pieces;
}

/** What the main thread's walk finds before the line at input[at] (line `line`, `text`), every byte before it held. */
function mainThreadLines(input: Buffer, at: number, line: number, text: string, pid: number): PidLine[] {
  const w = new LineWindow();
  w.at(input, at, line, text);
  return w.linesOfPid(pid, LOOKBACK_MAX, LOOKBACK_LINES, true);
}

interface Compared {
  /** Candidates whose look-back the reader found (pid >= 0), and of those the ones with lines in an earlier piece. */
  found: number;
  fromPieceBefore: number;
}

/** Checks every look-back the reader sent against the main thread's walk over the whole input. */
function compareLookBacks(input: Buffer, pieces: FdPiece[]): Compared {
  const out: Compared = { found: 0, fromPieceBefore: 0 };
  let lines = 0;
  let offset = 0;
  for (const p of pieces) {
    if (!p.bytes) continue;
    expect(p.offset).toBe(offset);
    const before = p.scanned?.candidates.before;
    if (p.scanned && before) {
      const found = new FoundBefore(p.scanned.candidates, before);
      let k = 0;
      forEachCandidate(p.scanned.candidates, (text, rel, at) => {
        const i = k++;
        const pid = found.pidOf(i);
        if (pid < 0) return true;
        out.found++;
        // A line that is itself a candidate comes as the scan decoded it, with every CR before its newline
        // (lineText drops one): the Parser drops them all either way (the CLI tests hold the stored context equal).
        const bare = (l: PidLine[]) => l.map((x) => ({ back: x.back, text: x.text.replace(/\r+$/, '') }));
        const got = found.linesOf(i, LOOKBACK_LINES);
        expect(bare(got), `candidate at ${p.offset + at}`).toEqual(bare(mainThreadLines(input, p.offset + at, lines + rel + 1, text, pid)));
        if (got.length && got[0]!.back > rel) out.fromPieceBefore++;
        return true;
      });
    }
    lines += p.scanned?.lines ?? p.bytes.toString('latin1').split('\n').length - 1;
    offset += p.bytes.length;
  }
  expect(offset).toBe(input.length);
  return out;
}

const layouts = fc.record({
  copies: fc.integer({ min: 2, max: 6 }),
  order: fc.shuffledSubarray([0, 1, 2], { minLength: 1, maxLength: 3 }),
  ending: fc.constantFrom('\n', '\r\n', '\r\r\n'),
  jobBytes: fc.integer({ min: 4 << 10, max: 256 << 10 }),
});

describe("the stdin reader thread's look-back", () => {
  beforeAll(loadBlockHash);

  it('finds for each candidate the lines of its pid that the main thread finds, across piece boundaries, line endings and any piece size', () => {
    let fromPieceBefore = 0;
    fc.assert(
      fc.property(layouts, ({ copies, order, ending, jobBytes }) => {
        const one = Buffer.concat(order.map((i) => [...CAPTURES, LOGHUB][i]!));
        let input = Buffer.concat(Array.from({ length: copies }, () => one));
        if (ending !== '\n') input = Buffer.from(input.toString('latin1').replace(/\n/g, ending), 'latin1');
        const seen = compareLookBacks(input, readPieces(input, jobBytes));
        // the threadtime capture of one busy process is among them: its candidates get look-backs
        if (order.includes(0)) expect(seen.found).toBeGreaterThan(0);
        fromPieceBefore += seen.fromPieceBefore;
      }),
      { numRuns: 12 },
    );
    expect(fromPieceBefore).toBeGreaterThan(0);
  });

  it('finds the lines of a pid that lie in the piece before, after the reader moved what it holds to the front of its memory', () => {
    // pieces of up to 64 KiB over ~10 MiB: the reader's memory (4 buffers and a block, ~5 MiB here) fills and moves
    const input = Buffer.concat(Array.from({ length: 30 }, () => CAPTURES[0]!));
    const seen = compareLookBacks(input, readPieces(input, 4 << 10));
    expect(seen.fromPieceBefore).toBeGreaterThan(20);
    // and a file, read in reads that fill the reader's buffer: pieces of a block, cut one line past its end
    const again = compareLookBacks(input, readPieces(input, 64 << 10, 'file'));
    expect(again.found).toBeGreaterThan(1000);
  });

  it('sends no look-back for the lines after a line that fills its buffer, which the main thread cuts', () => {
    const jobBytes = 8 << 10;
    const line = (pid: number) => `03-17 23:00:00.000  ${pid}  ${pid} E Authing : login failed, code=2333 `;
    const long = Buffer.concat([Buffer.from(line(4242)), Buffer.alloc(jobBytes + MAX_LINE + 5000, 'x'), Buffer.from('\n')]);
    // lines of the long line's pid and another, alternating
    const after = Buffer.from(Array.from({ length: 40 }, (_, i) => line(i % 2 ? 4242 : 4243) + '\n').join(''));
    const input = Buffer.concat([CAPTURES[0]!, long, after, CAPTURES[0]!]);
    const pieces = readPieces(input, jobBytes);
    const start = CAPTURES[0]!.length + long.length;
    for (const p of pieces) {
      const c = p.scanned?.candidates;
      if (!c?.before) continue;
      const found = new FoundBefore(c, c.before);
      let k = 0;
      forEachCandidate(c, (_text, _rel, at) => {
        const o = p.offset + at;
        // the window of these reaches into the cut line: the main thread reads back itself
        if (o >= start && o < start + (16 << 10)) expect(found.pidOf(k), `candidate at ${o}`).toBe(-1);
        k++;
        return true;
      });
    }
    expect(compareLookBacks(input, pieces).found).toBeGreaterThan(0);
  });
});
