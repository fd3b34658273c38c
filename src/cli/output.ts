/** Writing to stdout/stderr and files; a closed pipe ends the run quietly. */
import { closeSync, fchmodSync, fstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { UserError } from '../errors.js';

let stdoutClosed = false;
let installed = false;
/** The standard streams made so far, once quietOnClosedPipe watches them (whenMade). */
const made = new Set<'stdout' | 'stderr'>();

/**
 * After this, EPIPE on stdout (`| head`) ends the run with exit 0 instead of a stack trace: the
 * reader has all it wanted. A closed stderr only silences the messages, so that an alert's exit
 * code still holds. Installed once, by `main`, for every command.
 */
export function quietOnClosedPipe(): void {
  if (installed) return;
  installed = true;
  whenMade('stdout', (out) =>
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') {
        stdoutClosed = true;
        process.exit(0);
      }
      throw e;
    }),
  );
  whenMade('stderr', (err) =>
    err.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      err.write = (() => true) as typeof err.write;
    }),
  );
}

/**
 * Calls `then` with process[name] when the stream is first asked for (Node makes it at first use), at
 * once when it cannot tell. Making a stream that is a terminal or a pipe loads node:tty and node:net,
 * ~5 ms before a file's first byte, and a run that writes nothing there (`--quiet`) needs neither.
 */
function whenMade(name: 'stdout' | 'stderr', then: (s: NodeJS.WriteStream) => void): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  const get = own?.get;
  if (!get || !own.configurable) {
    made.add(name);
    then(process[name]);
    return;
  }
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable,
    get() {
      const s = get.call(process) as NodeJS.WriteStream;
      Object.defineProperty(process, name, own);
      made.add(name);
      then(s);
      return s;
    },
  });
}

/**
 * Resolves once stdout has written out all it queued (at once when nothing is queued), and never when its
 * reader closes first: the EPIPE handler above then ends the run with exit 0. A pipe takes what fits
 * (64 KiB) and Node queues the rest, so a run could reach its summary before a reader that stops early
 * (`--json | head -1`) had closed the pipe: the summary then showed on stderr of a run that was to end
 * quietly, depending on which process the machine ran first.
 */
export function stdoutFlushed(): Promise<void> {
  // A stdout never made (whenMade) has queued nothing, and asking would make it.
  if ((installed && !made.has('stdout')) || process.stdout.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => process.stdout.write('', (err) => err || resolve()));
}

/** True once a reader closed stdout. */
export function isStdoutClosed(): boolean {
  return stdoutClosed;
}

/** Writes text to `--out FILE` (created with mode 600) or stdout. */
export function writeOutput(text: string, out?: string): void {
  if (!out || out === '-') {
    process.stdout.write(text);
    return;
  }
  const { fd } = openOutFile(out);
  try {
    writeFully(fd, text, out);
  } finally {
    closeSync(fd);
  }
}

/** `--out FILE` opened for writing, mode 600; `isFile`: a regular file (not a device or a FIFO, which are not ours to remove). */
function openOutFile(out: string): { fd: number; isFile: boolean } {
  let fd: number;
  try {
    fd = openSync(out, 'w', 0o600);
  } catch (e) {
    throw new UserError('input', `${out}: cannot write the report (${(e as NodeJS.ErrnoException).code}); check the path`);
  }
  let isFile = false;
  // An existing file keeps its mode through open(): the report holds stored events, so it is made 600 as a new one is.
  try {
    isFile = fstatSync(fd).isFile();
    if (isFile) fchmodSync(fd, 0o600);
  } catch {
    // not the owner: the file's own mode stays (the write below still says whether it can be written)
  }
  return { fd, isFile };
}

/** Output written a piece at a time (writePieces). */
export interface PieceWriter {
  /** Resolves when the piece is written out (stdout: when its reader took it, so memory stays flat). */
  write(text: string): Promise<void>;
  /** The output is whole. */
  close(): void;
  /** The output is cut (interrupted): an --out file is removed, not left to be taken for the whole. */
  abandon(): void;
}

/** Writes to `--out FILE` (mode 600) or stdout in pieces, as writeOutput writes the whole. */
export function writePieces(out?: string): PieceWriter {
  if (!out || out === '-') {
    return {
      write: (text) => {
        process.stdout.write(text);
        return stdoutFlushed();
      },
      close: () => {},
      abandon: () => {},
    };
  }
  // Opened at the first piece, not before: a query that fails before its first page is rendered (an SQL error in its
  // first rows) leaves an existing --out file as it was, as the read of the whole result did (it was truncated, then
  // removed as a cut output)
  let fd: number | null = null;
  let isFile = false;
  let open = true;
  const opened = (): number => {
    if (fd === null) ({ fd, isFile } = openOutFile(out));
    return fd;
  };
  const end = (remove: boolean): void => {
    if (!open) return;
    open = false;
    if (fd === null) {
      // never opened: a whole output of nothing is still a file; a cut one leaves the path as it was
      if (!remove) closeSync(openOutFile(out).fd);
      return;
    }
    closeSync(fd);
    // (a device or a FIFO given as --out is not ours to remove)
    if (remove && isFile) {
      try {
        unlinkSync(out);
      } catch {
        // gone already
      }
    }
  };
  return {
    write: async (text) => {
      const f = opened();
      try {
        writeFully(f, text, out);
      } catch (e) {
        // writeFully removed the file
        open = false;
        closeSync(f);
        throw e;
      }
    },
    close: () => end(false),
    abandon: () => end(true),
  };
}

/**
 * Writes `text` to the --out file `fd`. A full disk there was the database's "the disk is full ... what was committed
 * stays", exit 4, and left an empty or cut file: it is the report's file that failed (exit 3), and a cut report is
 * removed, not left to be taken for the whole.
 */
function writeFully(fd: number, text: string, out: string): void {
  try {
    // One write(2) may take less than all (a disk nearly full): the rest is written on, or fails with ENOSPC.
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    try {
      if (fstatSync(fd).isFile()) unlinkSync(out);
    } catch {
      // gone already, or not ours to remove: the message below still says it was not written
    }
    throw new UserError('input', `${out}: cannot write the report (${code}${code === 'ENOSPC' ? ': the disk is full' : ''}); nothing was written there: free space or give another path`);
  }
}

/**
 * Writes a table to `--out FILE` or stdout; on a terminal, a table longer than the screen goes
 * through `$PAGER` (default `less -FRX`: quits when it fits, keeps colour, leaves the screen).
 */
export async function writePaged(text: string, out?: string): Promise<void> {
  if ((out && out !== '-') || !process.stdout.isTTY) return writeOutput(text, out);
  const lines = text.split('\n').length - 1;
  const pager = process.env.PAGER ?? 'less -FRX';
  if (lines < (process.stdout.rows || 24) || !pager.trim() || pager.trim() === 'cat') return writeOutput(text);
  // loaded here: child_process (and net) cost every run's start-up, and only a pager needs them
  const { spawn } = await import('node:child_process');
  const child = spawn(pager, { shell: true, stdio: ['pipe', 'inherit', 'inherit'] });
  // Ctrl-C belongs to the pager while it runs; quitting it early closes its stdin (EPIPE), a normal end.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  child.stdin.on('error', ignore);
  child.stdin.end(text);
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('close', (c) => resolve(c));
  });
  process.off('SIGINT', ignore);
  // No such pager: the table still has to be shown.
  if (code === 127) writeOutput(text);
}

/** `--color`: auto (a terminal, unless NO_COLOR or TERM=dumb), always or never, as in rg, grep and ls. */
export type ColorMode = 'auto' | 'always' | 'never';
export const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];
let colorMode: ColorMode = 'auto';

/** Sets the --color mode for this run (from main, before any command prints). */
export function setColorMode(mode: ColorMode): void {
  colorMode = mode;
}

/** True when color should be used on this stream. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  if (colorMode !== 'auto') return colorMode === 'always';
  // no-color.org: set and not empty. TERM=dumb: a terminal that cannot show escapes.
  if (process.env.NO_COLOR) return false;
  if (process.env.TERM === 'dumb') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY;
}
