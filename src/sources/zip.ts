/**
 * `adb bugreport` zip files: the logcat sections of the bugreport text inside are read, the rest
 * is blanked (kept as empty lines, so line numbers stay those of the text file).
 */
import { open as openFile } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

const yauzl = async () => (await import('yauzl')).default;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const BUGREPORT_TEXT = /(^|\/)bugreport[^/]*\.txt$/;

/** True when the file at `path` starts like a zip archive. */
export async function isZip(path: string): Promise<boolean> {
  const fh = await openFile(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && head.equals(ZIP_MAGIC);
  } finally {
    await fh.close();
  }
}

/** Names of the bugreport text entries in a zip. */
export async function bugreportEntries(path: string): Promise<string[]> {
  const zip = await (await yauzl()).openPromise(path, { lazyEntries: true, autoClose: true });
  const names: string[] = [];
  for await (const entry of zip.eachEntry()) if (BUGREPORT_TEXT.test(entry.fileName)) names.push(entry.fileName);
  return names;
}

/** The bytes of one entry, with only its logcat sections kept. */
export async function openBugreportEntry(path: string, entryName: string): Promise<LogcatSections> {
  const zip = await (await yauzl()).openPromise(path, { lazyEntries: true, autoClose: false });
  for await (const entry of zip.eachEntry()) {
    if (entry.fileName !== entryName) continue;
    const raw = await zip.openReadStreamPromise(entry);
    raw.on('end', () => zip.close());
    raw.on('error', () => zip.close());
    const filtered = raw.pipe(new LogcatSections());
    raw.on('error', (e) => filtered.destroy(e));
    return filtered;
  }
  zip.close();
  throw Object.assign(new Error(`no entry ${entryName}`), { code: 'ENOENT' });
}

// `------ SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v) ------` opens a logcat section;
// any other `------ ` line (`------ 0.512s was the duration of 'SYSTEM LOG' ------`) closes it.
const SECTION = Buffer.from('------ ');
const LOGCAT_SECTION = /^------ .*\(logcat /;

/** Keeps the lines inside logcat sections; every other line becomes an empty line. */
export class LogcatSections extends Transform {
  private carry: Buffer | null = null;
  private inside = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const last = data.lastIndexOf(10);
    if (last < 0) {
      this.carry = Buffer.from(data);
      return done();
    }
    this.carry = last + 1 < data.length ? Buffer.from(data.subarray(last + 1)) : null;
    this.push(this.keepSections(data.subarray(0, last + 1)));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.carry) this.push(this.keepSections(Buffer.concat([this.carry, Buffer.from('\n')])));
    done();
  }

  private keepSections(lines: Buffer): Buffer {
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < lines.length) {
      const nl = lines.indexOf(10, pos);
      const line = lines.subarray(pos, nl + 1);
      if (line.subarray(0, SECTION.length).equals(SECTION)) {
        this.inside = LOGCAT_SECTION.test(line.toString('latin1'));
        out.push(NEWLINE);
      } else out.push(this.inside ? line : NEWLINE);
      pos = nl + 1;
    }
    return Buffer.concat(out);
  }
}
const NEWLINE = Buffer.from('\n');
