/**
 * `adb bugreport` zip files: the logcat sections of the bugreport text inside are read, the rest
 * is blanked (kept as empty lines, so line numbers stay those of the text file).
 */
import { open as openFile } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import type { Entry } from 'yauzl';
import { DEFAULT_MAX_LINE } from './chunks.js';
import { bugreportLineLabels, HEADER_LINE_STARTS } from '../labels/bugreport-labels.js';
import type { Labels } from '../labels/labels.js';

const yauzl = async () => (await import('yauzl')).default;
type Yauzl = Awaited<ReturnType<typeof yauzl>>;

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

/**
 * The entries listed by bugreportEntries, by zip path then name: opening one reads its local header
 * at the offset the central directory gave, instead of walking the directory again for each entry
 * (quadratic: a zip of 5,000 bugreports took minutes).
 */
const listed = new Map<string, Map<string, Entry>>();

/** What bugreportEntries found in a zip. */
export interface ZipListing {
  /** Names of the bugreport text entries, to read. */
  entries: string[];
  /** Names of entries that leave the archive (`../`, an absolute path), of any kind: skipped, never read. */
  unsafe: string[];
}

/**
 * An entry's name as yauzl decodes it (CP437 or UTF-8, its Unicode path field, `\` as `/`). The zips are opened with
 * decodeStrings off and the names decoded here: yauzl's check of a decoded name failed the whole zip at the first
 * name with `../` or an absolute path (zip-slip), and no other entry was read. Nothing here is extracted (an entry is
 * read as a stream and its name is a label), so such an entry is skipped by name, and the rest read.
 */
function entryName(lib: Yauzl, entry: Entry): string {
  return lib.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
}

/** The bugreport text entries of a zip, and the entries skipped as leaving the archive. */
export async function bugreportEntries(path: string): Promise<ZipListing> {
  const lib = await yauzl();
  const zip = await lib.openPromise(path, { lazyEntries: true, autoClose: true, decodeStrings: false });
  const entries = new Map<string, Entry>();
  const unsafe: string[] = [];
  for await (const entry of zip.eachEntry()) {
    const name = entryName(lib, entry);
    if (lib.validateFileName(name) !== null) unsafe.push(name);
    else if (BUGREPORT_TEXT.test(name)) entries.set(name, entry);
  }
  listed.set(path, entries);
  return { entries: [...entries.keys()], unsafe };
}

/** The bytes of one entry, with only its logcat sections kept; its `labels` fill as it is read. */
export async function openBugreportEntry(path: string, name: string): Promise<LogcatSections> {
  const lib = await yauzl();
  const zip = await lib.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false });
  let entry = listed.get(path)?.get(name);
  if (!entry) {
    for await (const e of zip.eachEntry()) {
      if (entryName(lib, e) === name) {
        entry = e;
        break;
      }
    }
  }
  if (!entry) {
    zip.close();
    throw Object.assign(new Error(`no entry ${name}`), { code: 'ENOENT' });
  }
  // Each entry is opened once per run: let go of its directory record.
  listed.get(path)?.delete(name);
  let raw;
  try {
    raw = await zip.openReadStreamPromise(entry);
  } catch (e) {
    zip.close();
    throw e;
  }
  raw.on('end', () => zip.close());
  raw.on('error', () => zip.close());
  const filtered = raw.pipe(new LogcatSections());
  raw.on('error', (e) => filtered.destroy(e));
  filtered.on('close', () => raw.destroy());
  return filtered;
}

// `------ SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v) ------` opens a logcat section;
// any other `------ ` line (`------ 0.512s was the duration of 'SYSTEM LOG' ------`) closes it.
const SECTION = Buffer.from('------ ');
const LOGCAT_SECTION = /^------ .*\(logcat /;

/**
 * Keeps the lines inside logcat sections; every other line becomes an empty line. A line longer
 * than the line cap is no section header: inside a section it is passed on as it comes (the line
 * reader cuts it), outside it is dropped to its newline; the carried part of a line never grows
 * past the cap (it grew without end on an entry inflating to one 10 GiB line).
 */
export class LogcatSections extends Transform {
  private carry: Buffer | null = null;
  private inside = false;
  /** Inside the rest of an over-long line: pass it on or drop it, up to its newline. */
  private rest: 'pass' | 'drop' | null = null;
  /** From the header's Build fingerprint, and from ro.product.model, which names the device better. */
  private fingerprint: Labels = {};
  private model: Labels = {};

  /** The labels found outside the logcat sections so far (bugreport-labels.ts). */
  get labels(): Labels {
    return { ...this.fingerprint, ...this.model };
  }

  constructor(private readonly maxCarry = DEFAULT_MAX_LINE) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let data: Buffer = chunk;
    if (this.rest) {
      const nl = data.indexOf(10);
      if (nl < 0) {
        if (this.rest === 'pass') this.push(data);
        return done();
      }
      this.push(this.rest === 'pass' ? data.subarray(0, nl + 1) : NEWLINE);
      this.rest = null;
      data = data.subarray(nl + 1);
    }
    if (this.carry) data = Buffer.concat([this.carry, data]);
    const last = data.lastIndexOf(10);
    if (last >= 0) this.push(this.keepSections(data.subarray(0, last + 1)));
    const tail = data.subarray(last + 1);
    this.carry = null;
    if (tail.length > this.maxCarry) {
      if (this.inside) this.push(tail);
      this.rest = this.inside ? 'pass' : 'drop';
    } else if (tail.length) this.carry = Buffer.from(tail);
    done();
  }

  override _flush(done: TransformCallback): void {
    // A last line without its newline stays without one: a logcat line is passed on as the partial last line it is
    // (a checkpoint stays before it, as in a plain file), and any other comes to nothing. With a newline added, a
    // run committed past a line the entry had not finished: the grown entry's hash at that offset then differed and
    // it was counted again as a new source (99 events for 80), and a cut `errCode = 20` was counted as code 20.
    if (this.carry) {
      // (a line that may yet be a section's `------ ` line, even cut within its dashes, becomes nothing: grown, it
      // is blanked as a header, and a part passed on here would change the entry's first bytes; a review's find)
      const n = Math.min(this.carry.length, SECTION.length);
      if (this.inside && !this.carry.subarray(0, n).equals(SECTION.subarray(0, n))) this.push(this.carry);
    } else if (this.rest === 'drop') this.push(NEWLINE);
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
      } else if (this.inside) out.push(line);
      else {
        // Header and property lines are short; one byte settles every other line.
        if (HEADER_LINE_STARTS.has(line[0]!) && line.length < 512) this.noteLabels(line.toString('utf8').trimEnd());
        out.push(NEWLINE);
      }
      pos = nl + 1;
    }
    return Buffer.concat(out);
  }

  private noteLabels(line: string): void {
    const found = bugreportLineLabels(line);
    if (!found) return;
    if (line.startsWith('[')) this.model = found;
    // The header's comes first; a later one (a dump of another build's file) is not this device's.
    else if (!this.fingerprint.device) this.fingerprint = found;
  }
}
const NEWLINE = Buffer.from('\n');
