/**
 * Gunzip as `gzip -d` does it: every member of a multi-member file, then trailing bytes that are
 * not another member ignored with a warning (zero padding silently). Node's Gunzip fails on such
 * bytes ("incorrect header check") and drops the output of the write that ended the last member,
 * so a file with junk appended lost its last events for good. Here each member's header is read
 * (RFC 1952), its deflate data goes through InflateRaw, which stops at the member's end and says
 * how much it consumed, and its CRC-32 and length are checked.
 */
import { createInflateRaw, crc32 } from 'node:zlib';

/** Raw bytes handed to the inflater per write: bounds what one write can inflate to (~1000:1). */
const SLICE = 16 << 10;

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

function gzipError(message: string, code = 'Z_DATA_ERROR'): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** Length of the member header at the start of `b`, or null when `b` does not hold all of it yet. */
function headerLength(b: Buffer): number | null {
  if (b.length < 10) return null;
  if (b[2] !== 8) throw gzipError('unknown compression method');
  const flags = b[3]!;
  let p = 10;
  if (flags & FEXTRA) {
    if (b.length < p + 2) return null;
    p += 2 + b.readUInt16LE(p);
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (flags & f) {
      const z = b.indexOf(0, p);
      if (z < 0) return null;
      p = z + 1;
    }
  }
  if (flags & FHCRC) p += 2;
  return b.length >= p ? p : null;
}

/** Inflates one member's deflate data from `first` on; returns what follows it. */
async function* inflateMember(first: Buffer, next: () => Promise<Buffer | null>, check: { crc: number; size: number }): AsyncGenerator<Buffer, Buffer> {
  const inflater = createInflateRaw({ chunkSize: 1 << 18 });
  const out: Buffer[] = [];
  let failed: Error | null = null;
  inflater.on('data', (c: Buffer) => out.push(c));
  inflater.on('error', (e) => (failed = e));
  let pending: Buffer | null = first;
  let written = 0;
  try {
    for (;;) {
      pending ??= await next();
      if (!pending) throw gzipError('unexpected end of file', 'Z_BUF_ERROR');
      const slice: Buffer = pending.subarray(0, SLICE);
      pending = slice.length < pending.length ? pending.subarray(SLICE) : null;
      // On corrupt deflate data the inflater emits 'error' and never calls the write's callback:
      // waiting on the callback alone left the run with nothing to wait for (Node exits 13, no message).
      await new Promise<void>((res) => {
        const done = (): void => {
          inflater.off('error', done);
          res();
        };
        inflater.once('error', done);
        inflater.write(slice, done);
      });
      written += slice.length;
      if (failed) throw failed;
      for (const c of out.splice(0)) {
        check.crc = crc32(c, check.crc);
        check.size = (check.size + c.length) >>> 0;
        yield c;
      }
      // The inflater stops at the member's end and consumes nothing after it.
      const unused = written - inflater.bytesWritten;
      if (unused > 0) {
        const tail = slice.subarray(slice.length - unused);
        return pending ? Buffer.concat([tail, pending]) : tail;
      }
    }
  } finally {
    inflater.destroy();
  }
}

/** The decompressed bytes of a gzip stream; `warnings` gets a line when trailing bytes are ignored. */
export async function* gunzipAll(raw: AsyncIterable<Buffer>, warnings: string[]): AsyncGenerator<Buffer> {
  const it = raw[Symbol.asyncIterator]();
  const next = async (): Promise<Buffer | null> => {
    const r = await it.next();
    return r.done ? null : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
  };
  let buf: Buffer = Buffer.alloc(0);
  let ended = false;
  /** Reads until `buf` holds `n` bytes or the input ends. */
  const fill = async (n: number): Promise<void> => {
    while (!ended && buf.length < n) {
      const c = await next();
      if (c) buf = buf.length ? Buffer.concat([buf, c]) : c;
      else ended = true;
    }
  };
  let members = 0;
  for (;;) {
    await fill(2);
    if (buf.length === 0 && members > 0) return;
    if (buf.length < 2 || buf[0] !== 0x1f || buf[1] !== 0x8b) {
      if (members === 0) throw gzipError('incorrect header check');
      // gzip -d: zero padding is fine, anything else is "trailing garbage ignored".
      let junk = buf.some((b) => b !== 0);
      for (let c = await next(); c && !junk; c = await next()) junk = c.some((b) => b !== 0);
      if (junk) warnings.push('trailing bytes after the gzip data were ignored (as gzip -d does)');
      return;
    }
    let h = headerLength(buf);
    while (h === null && !ended) {
      await fill(buf.length + 1);
      h = headerLength(buf);
    }
    if (h === null) throw gzipError('unexpected end of file', 'Z_BUF_ERROR');
    const check = { crc: 0, size: 0 };
    const member = inflateMember(buf.subarray(h), next, check);
    let r = await member.next();
    for (; !r.done; r = await member.next()) yield r.value;
    buf = r.value;
    await fill(8);
    if (buf.length < 8) throw gzipError('unexpected end of file', 'Z_BUF_ERROR');
    if (buf.readUInt32LE(0) !== check.crc >>> 0 || buf.readUInt32LE(4) !== check.size) throw gzipError('incorrect data check');
    buf = buf.subarray(8);
    members++;
  }
}
