/**
 * A larger pipe on stdin (Linux): a pipe holds 64 KiB by default, so `cat FILE | authing-triage` hands
 * the reader thread 64 KiB a read, ~15,000 reads and up to ~30,000 wake-ups of cat and the reader a GB,
 * one after the other (docs/performance.md, "Round ten: stdin"). The capacity belongs to the pipe, not
 * the process, so any process that inherits fd 0 may set it with `fcntl(F_SETPIPE_SZ)`; Node has no
 * fcntl, perl has (perl-base is Essential on Debian, and on most systems). Best effort: without perl,
 * or when the kernel refuses (a user over `pipe-user-pages-soft`), the pipe stays as it is.
 */
import { readFileSync } from 'node:fs';

/** A pipe's capacity when nobody changed it (Linux): a read that returns less found it drained. */
export const DEFAULT_PIPE_BYTES = 1 << 16;

/** fcntl's F_SETPIPE_SZ on Linux (F_LINUX_SPECIFIC_BASE + 7). */
const F_SETPIPE_SZ = 1031;

/**
 * The size asked for: 1 MiB, or `/proc/sys/fs/pipe-max-size` when lower (what an unprivileged
 * process may ask for). More would hold more bytes in flight for no fewer wake-ups that pay.
 */
export const PIPE_BYTES_WANTED = 1 << 20;

/** The size to ask for, or why none is asked for. */
function wantedPipeBytes(): number | string {
  if (process.platform !== 'linux') return process.platform;
  let max = PIPE_BYTES_WANTED;
  try {
    max = Math.min(max, Number(readFileSync('/proc/sys/fs/pipe-max-size', 'latin1').trim()) || max);
  } catch {
    // no such file: an older kernel; ask, and let fcntl say
  }
  return max > DEFAULT_PIPE_BYTES ? max : 'pipe-max-size allows no more';
}

/**
 * Enlarges the pipe on fd 0 (a FIFO) by a perl child that inherits it, and waits for it (a few ms:
 * the stdin reader thread calls this, so the main thread pays nothing). Returns the capacity fcntl
 * returned, or why the pipe was left as it is (not Linux, no perl, refused).
 */
export function enlargeStdinPipe(): number | string {
  const wanted = wantedPipeBytes();
  if (typeof wanted === 'string') return wanted;
  // loaded here: child_process (and net) would cost every run's start-up, and only a bulk pipe needs them
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  // perl passes a string argument as a pointer: both are made numbers. fcntl returns the new capacity ("0 but true" for 0), or undef with errno in $!.
  const r = spawnSync('perl', ['-e', 'my $n = fcntl(STDIN, $ARGV[0] + 0, $ARGV[1] + 0); print defined $n ? $n + 0 : "!$!"', String(F_SETPIPE_SZ), String(wanted)], {
    stdio: [0, 'pipe', 'ignore'],
    encoding: 'latin1',
    timeout: 5000,
  });
  if (r.error) return `perl: ${r.error.message}`;
  const out = r.stdout ?? '';
  return r.status === 0 && /^\d+$/.test(out) && Number(out) > 0 ? Number(out) : `perl: ${out.startsWith('!') ? out.slice(1) : `exit ${r.status} ${JSON.stringify(out)}`}`;
}
