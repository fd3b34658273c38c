/** Opening an input as a stream of bytes: plain, gzip (detected by content) or stdin. */
import { createReadStream, fstatSync, open as fsOpen } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gunzipAll } from './gunzip.js';
import type { Input } from './inputs.js';
import type { Labels } from '../labels/labels.js';
import type { Needles } from '../extract/prefilter.js';
import { readableStdin, StdinReader } from './stdin-reader.js';
import { openBugreportEntry } from './zip.js';

/** An opened input. */
export interface OpenedInput {
  input: Input;
  /** Decompressed bytes. */
  stream: AsyncIterable<Buffer>;
  compression: 'none' | 'gzip' | 'zip';
  /** Size on disk (compressed), when known. */
  size: number | null;
  /** Modification time, for the year of year-less stamps. */
  mtime: Date | null;
  /** Bytes read from disk so far (compressed), for progress. */
  rawBytesRead: () => number;
  /** Things worth a line on stderr found while reading (trailing bytes after the gzip data); filled as it reads. */
  warnings: string[];
  /** Labels the bytes themselves carry (a bugreport's header), known so far: it fills as the input is read. */
  labels?: () => Labels;
  /** stdin read by its own thread (stdin-reader.ts): its buffers may go straight to the scan threads. */
  reader?: StdinReader;
}

/** Settings of the stdin reader thread: its buffers hold a scan job and the partial line after it. */
export interface ReaderSizes {
  jobBytes: number;
  maxLine: number;
  /** The scan pool's needles: the reader scans job-sized pieces with them when asked (stdin-reader.ts scanJobs). */
  needles: Needles;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when fd 0 is a folder (a shell's `< folder`). */
function stdinIsFolder(): boolean {
  try {
    return fstatSync(0).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Opens one input; gzip is recognised by its magic bytes, not by the name. The process's own stdin
 * (no `stdin` given), when a pipe or a file, is read by the reader thread; `process.stdin` is not
 * touched then (Node would make the pipe non-blocking).
 */
export async function openInput(input: Input, stdin?: Readable, reader?: ReaderSizes & { signal?: AbortSignal }): Promise<OpenedInput> {
  if (input.path === null) {
    // `authing-triage < folder`: read as an empty pipe, it was 0 events and exit 0 (an adversarial review)
    if (stdin === undefined && stdinIsFolder()) throw Object.assign(new Error('stdin is a folder (< FOLDER); give the folder as a path: authing-triage FOLDER'), { code: 'ESTDINDIR' });
    const kind = stdin === undefined && reader ? readableStdin() : null;
    if (kind && reader) {
      const r = new StdinReader(kind, reader.jobBytes + reader.maxLine, reader.jobBytes, { needles: reader.needles, maxLine: reader.maxLine }, reader.signal);
      return { ...(await openStream(input, r, null, null)), reader: r };
    }
    return openStream(input, stdin ?? process.stdin, null, null);
  }
  // A FIFO has no position to read a head at: read it once, front to back, like stdin.
  // Read through a libuv pipe, not a file stream: a file stream's read(2) waits in a pool thread that nothing ends, and
  // Ctrl-C or SIGTERM with a writer that held the FIFO open and wrote nothing was ignored for good (an adversarial hunt).
  // The open itself waits for a writer; run-ingest.ts's signal handler ends that wait (releaseFifo).
  if (input.pipe) return openStream(input, await openFifo(input.path, reader?.signal), null, null);
  if (input.entry !== undefined) {
    const st = await stat(input.path);
    const stream = await openBugreportEntry(input.path, input.entry);
    return { input, stream, compression: 'zip', size: st.size, mtime: st.mtime, rawBytesRead: () => 0, warnings: [], labels: () => stream.labels };
  }
  const fh = await openFile(input.path, 'r');
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    const gz = bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    const raw = createReadStream(input.path, { highWaterMark: 1 << 20 });
    const warnings: string[] = [];
    return {
      input,
      warnings,
      stream: gz ? gunzipAll(raw, warnings) : raw,
      compression: gz ? 'gzip' : 'none',
      size: st.isFile() ? st.size : null,
      mtime: st.mtime,
      rawBytesRead: () => raw.bytesRead,
    };
  } finally {
    await fh.close();
  }
}

async function openStream(input: Input, stream: AsyncIterable<Buffer | string>, size: number | null, mtime: Date | null): Promise<OpenedInput> {
  // Peek at the first chunk to see whether stdin is gzip.
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  const firstBuf = first.done ? Buffer.alloc(0) : Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value);
  const rest = (async function* () {
    if (firstBuf.length) yield firstBuf;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield Buffer.isBuffer(n.value) ? n.value : Buffer.from(n.value);
    }
  })();
  const gz = firstBuf[0] === GZIP_MAGIC[0] && firstBuf[1] === GZIP_MAGIC[1];
  const warnings: string[] = [];
  return {
    rawBytesRead: () => 0,
    input,
    warnings,
    stream: gz ? gunzipAll(rest, warnings) : rest,
    compression: gz ? 'gzip' : 'none',
    size,
    mtime,
  };
}

/** The FIFO at `path` as a readable socket, destroyed (its read ended) when `signal` aborts. */
async function openFifo(path: string, signal?: AbortSignal): Promise<Readable> {
  const fd = await new Promise<number>((resolve, reject) => fsOpen(path, 'r', (err, n) => (err ? reject(err) : resolve(n))));
  const { Socket } = await import('node:net');
  const sock = new Socket({ fd, readable: true, writable: false });
  if (signal) {
    if (signal.aborted) sock.destroy();
    else signal.addEventListener('abort', () => sock.destroy(), { once: true });
  }
  return sock;
}
