/** Reading a small settings file (config, registry) whole, with a bound on its size. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Why a bounded read refused a file. */
export class BoundedReadError extends Error {
  constructor(
    readonly reason: 'not-a-file' | 'too-big' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'BoundedReadError';
  }
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'error';

/**
 * Reads a regular file of at most `maxBytes` as UTF-8. A device (`/dev/zero`), a FIFO or a folder
 * is refused before any read; a file that holds more than it says (a `/proc` file says size 0) is
 * refused after `maxBytes + 1` bytes, so nothing reads without end.
 */
export function readBoundedText(path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new BoundedReadError('unreadable', `cannot read (${errno(e)})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new BoundedReadError('not-a-file', 'is a folder, not a file');
    if (!st.isFile()) throw new BoundedReadError('not-a-file', 'not a regular file (a device, FIFO or socket)');
    if (st.size > maxBytes) throw new BoundedReadError('too-big', `${st.size} bytes, over the limit of ${maxBytes}`);
    let buf = Buffer.alloc(Math.min(maxBytes + 1, Math.max(st.size + 1, 64 << 10)));
    let n = 0;
    for (;;) {
      if (n > maxBytes) throw new BoundedReadError('too-big', `over the limit of ${maxBytes} bytes`);
      if (n === buf.length) {
        const grown = Buffer.alloc(Math.min(maxBytes + 1, buf.length * 2));
        buf.copy(grown);
        buf = grown;
      }
      let got: number;
      try {
        got = readSync(fd, buf, n, buf.length - n, null);
      } catch (e) {
        throw new BoundedReadError('unreadable', `cannot read (${errno(e)})`);
      }
      if (got === 0) return buf.toString('utf8', 0, n);
      n += got;
    }
  } finally {
    closeSync(fd);
  }
}
