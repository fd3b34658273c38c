/** Writing to stdout/stderr and files; a closed pipe ends the run quietly. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UserError } from '../errors.js';

let stdoutClosed = false;

/** After this, EPIPE on stdout (`| head`) exits 0 instead of throwing. */
export function quietOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      stdoutClosed = true;
      process.exit(0);
    }
    throw e;
  });
}

export function isStdoutClosed(): boolean {
  return stdoutClosed;
}

/** Writes text to `--out FILE` (created with mode 600) or stdout. */
export function writeOutput(text: string, out?: string): void {
  if (!out || out === '-') {
    process.stdout.write(text);
    return;
  }
  let fd: number;
  try {
    fd = openSync(out, 'w', 0o600);
  } catch (e) {
    throw new UserError('input', `${out}: cannot write the report (${(e as NodeJS.ErrnoException).code}); check the path`);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** True when color should be used on this stream. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined) return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY;
}
