/**
 * The real bin with stdin as a shell gives it: a pipe (`cat FILE | authing-triage`), a FIFO that a
 * test writes to line by line (`adb logcat | authing-triage`), or a regular file (`< FILE`). Node's
 * child_process gives a child a socket instead, which the bin reads through process.stdin; these
 * are read by the stdin reader thread (src/sources/stdin-reader.ts).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, tempDir } from './helpers.js';

const childEnv = (env: Record<string, string>) => ({ ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '', ...env });

/** Runs the bin with `input` on stdin through a pipe from `cat`. */
export function runCliOnPipe(args: string[], input: Buffer, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const file = join(tempDir(), 'stdin.bin');
  writeFileSync(file, input);
  // The pipeline's status is the bin's (the last command).
  return spawnSync('/bin/sh', ['-c', 'cat "$0" | "$@"', file, process.execPath, BIN, ...args], { encoding: 'utf8', cwd: ROOT, env: childEnv(env), maxBuffer: 64 << 20 });
}

/** Runs the bin with `input` as a regular file on stdin (`authing-triage < FILE`). */
export function runCliOnFile(args: string[], input: Buffer, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const file = join(tempDir(), 'stdin.log');
  writeFileSync(file, input);
  const fd = openSync(file, 'r');
  try {
    return spawnSync(process.execPath, [BIN, ...args], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', cwd: ROOT, env: childEnv(env), maxBuffer: 64 << 20 });
  } finally {
    closeSync(fd);
  }
}

/** The bin reading a FIFO on stdin, and the FIFO's write end: what is written reaches it as a live `adb logcat` would. */
export interface FifoRun {
  child: ChildProcessWithoutNullStreams;
  write(text: string): void;
  /** Closes the write end: the input ends. */
  end(): void;
}

/** Starts the bin with a FIFO (blocking, as a shell's pipe) on stdin. */
export function startCliOnFifo(args: string[], env: Record<string, string> = {}): FifoRun {
  const fifo = join(tempDir(), 'stdin.fifo');
  const made = spawnSync('mkfifo', ['-m', '600', fifo]);
  if (made.status !== 0) throw new Error(`mkfifo: ${made.stderr}`);
  // Read-write first (Linux opens that at once), so that neither blocking open below waits for the other.
  const both = openSync(fifo, constants.O_RDWR);
  const r = openSync(fifo, constants.O_RDONLY);
  const w = openSync(fifo, constants.O_WRONLY);
  closeSync(both);
  const child = spawn(process.execPath, [BIN, ...args], { stdio: [r, 'pipe', 'pipe'], cwd: ROOT, env: childEnv(env) }) as unknown as ChildProcessWithoutNullStreams;
  closeSync(r);
  let open = true;
  return {
    child,
    write: (text) => void writeSync(w, text),
    end: () => {
      if (open) closeSync(w);
      open = false;
    },
  };
}

/**
 * A writer (the text of a CommonJS script) that feeds its stdout in bursts with pauses between them, as
 * `adb logcat` does when the device is busy, then quiet: run as `node WRITER INPUT PLAN`, each step of
 * the plan (a JSON file of [bytes, pause ms] steps) writes that many bytes of the input (cut anywhere,
 * mid-line too) and then sleeps that long; the plan repeats until the input is written, its pauses until
 * they reach BURST_PAUSE_MS (default 400 ms) in all (a plan of small bursts alone would otherwise take
 * minutes over several MiB). After that each step writes at least BURST_MIN bytes (default 0): a reader
 * faster than a writer of small steps gets only small pieces.
 */
export const BURST_WRITER = `
const { readFileSync, writeSync } = require('node:fs');
const [input, plan] = [readFileSync(process.argv[2]), JSON.parse(readFileSync(process.argv[3], 'utf8'))];
const [budget, least] = [Number(process.env.BURST_PAUSE_MS ?? 400), Number(process.env.BURST_MIN ?? 0)];
const pause = new Int32Array(new SharedArrayBuffer(4));
let paused = 0;
for (let at = 0, i = 0; at < input.length; i++) {
  const [bytes, ms] = plan[i % plan.length];
  const live = ms > 0 && paused + ms <= budget;
  const end = Math.min(input.length, at + (live ? bytes : Math.max(bytes, least)));
  while (at < end) at += writeSync(1, input, at, end - at);
  if (live) {
    Atomics.wait(pause, 0, 0, ms);
    paused += ms;
  }
}`;
