/**
 * A larger pipe on stdin (Linux): a pipe holds 64 KiB by default, so `cat FILE | authing-triage` hands
 * the reader thread 64 KiB a read, ~15,000 reads and up to ~30,000 wake-ups of cat and the reader a GB,
 * one after the other (docs/performance.md, "Round ten: stdin"). The capacity belongs to the pipe, not
 * the process, so any process that inherits fd 0 may set it with `fcntl(F_SETPIPE_SZ)`; Node has no
 * fcntl, perl has (perl-base is Essential on Debian, and on most systems). Best effort: without perl,
 * or when the kernel refuses (a user over `pipe-user-pages-soft`), the pipe stays as it is.
 */
import { readFileSync } from 'node:fs';
import { trace } from '../trace.js';
import { DEFAULT_PIPE_BYTES } from './fd-reader.js';

/** fcntl's F_SETPIPE_SZ on Linux (F_LINUX_SPECIFIC_BASE + 7). */
const F_SETPIPE_SZ = 1031;

/**
 * The size asked for: 1 MiB, or `/proc/sys/fs/pipe-max-size` when lower (what an unprivileged
 * process may ask for). More would hold more bytes in flight for no fewer wake-ups that pay.
 */
export const PIPE_BYTES_WANTED = 1 << 20;

/** The size to ask for, or null when the system allows no more than the default. */
function wantedPipeBytes(): number | null {
  let max = PIPE_BYTES_WANTED;
  try {
    max = Math.min(max, Number(readFileSync('/proc/sys/fs/pipe-max-size', 'latin1').trim()) || max);
  } catch {
    // no such file: an older kernel; ask, and let fcntl say
  }
  return max > DEFAULT_PIPE_BYTES ? max : null;
}

/**
 * Enlarges the pipe on fd 0 (which the caller has found to be a FIFO) by a perl child that inherits
 * it; resolves to the capacity fcntl returned, or null (not Linux, no perl, refused). Asynchronous:
 * the reading starts at once and the pipe grows when perl gets to it (a few ms).
 */
export async function enlargeStdinPipe(): Promise<number | null> {
  const wanted = process.platform === 'linux' ? wantedPipeBytes() : null;
  if (wanted === null) {
    trace('stdin', `pipe left at its size (${process.platform === 'linux' ? 'pipe-max-size allows no more' : process.platform})`);
    return null;
  }
  // loaded here, as output.ts loads it for a pager: child_process (and net) would cost every run's start-up
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    let settled = false;
    const done = (bytes: number | null, why: string): void => {
      if (settled) return;
      settled = true;
      trace('stdin', bytes === null ? `pipe left at its size (${why})` : `pipe holds ${bytes} bytes`);
      resolve(bytes);
    };
    let out = '';
    let child;
    try {
      // perl passes a string argument as a pointer: both are made numbers. fcntl returns the new capacity ("0 but true" for 0), or undef with errno in $!.
      child = spawn('perl', ['-e', 'my $n = fcntl(STDIN, $ARGV[0] + 0, $ARGV[1] + 0); print defined $n ? $n + 0 : "!$!"', String(F_SETPIPE_SZ), String(wanted)], {
        stdio: [0, 'pipe', 'ignore'],
      });
    } catch (e) {
      done(null, (e as Error).message);
      return;
    }
    const stdout = child.stdout!;
    stdout.setEncoding('latin1');
    stdout.on('data', (d: string) => (out += d));
    child.on('error', (e) => done(null, `perl: ${e.message}`));
    child.on('close', (code) => {
      const n = Number(out);
      if (code === 0 && /^\d+$/.test(out) && n > 0) done(n, '');
      else done(null, `perl: ${out.startsWith('!') ? out.slice(1) : `exit ${code} ${JSON.stringify(out)}`}`);
    });
    // Not unref'd: the input's end waits for perl's answer (stdin-reader.ts), and an unref'd child would let
    // the process exit meanwhile, the reader thread gone, before the run's end was written.
  });
}
