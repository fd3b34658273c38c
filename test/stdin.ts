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
