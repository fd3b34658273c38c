/**
 * Progress on stderr while ingesting (a terminal only): bytes read after decompression against
 * the inputs' uncompressed sizes, files done, rate, events, time left: the figures the summary
 * ends with.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/**
 * The bytes a file gives after decompression: its size, or for gzip the size its trailer records
 * (ISIZE, as `gzip -l` reads it). The trailer holds the size modulo 4 GiB and only the last member's:
 * an estimate, which the bar grows past when the read does. 0 when unreadable.
 */
export function uncompressedSize(path: string): number {
  let fd: number | undefined;
  try {
    const st = statSync(path);
    // Only a regular file: opening a FIFO would wait for (and then drop) its writer.
    if (!st.isFile()) return 0;
    const size = st.size;
    fd = openSync(path, 'r');
    const magic = Buffer.alloc(2);
    if (size < 18 || readSync(fd, magic, 0, 2, 0) < 2 || magic[0] !== 0x1f || magic[1] !== 0x8b) return size;
    const trailer = Buffer.alloc(4);
    readSync(fd, trailer, 0, 4, size - 4);
    return Math.max(size, trailer.readUInt32LE(0));
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A progress display; a no-op when stderr is not a terminal or with --quiet. */
export interface Progress {
  startFile(): void;
  /** `fileBytes`: bytes of this file read so far, after decompression. */
  update(events: number, fileBytes: number): void;
  /** `fileBytes`: what was read from the file, after decompression. */
  endFile(fileBytes: number): void;
  stop(): void;
}

const NONE: Progress = { startFile() {}, update() {}, endFile() {}, stop() {} };

/** Creates the progress bar for `totalBytes` (uncompressed) over `files` inputs. */
export async function createProgress(enabled: boolean, totalBytes: number, files: number): Promise<Progress> {
  if (!enabled || totalBytes <= 0) return NONE;
  // Loaded only for a terminal: it costs start-up time.
  const { default: cliProgress } = await import('cli-progress');
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {doneMb} of {totalMb} | file {file}/{files} | {rate} | {events} events | ETA {eta_formatted}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
      fps: 8,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let total = totalBytes;
  let bytesBefore = 0;
  let file = 0;
  let events = 0;
  const payload = (bytes: number) => ({
    doneMb: mb(bytes), totalMb: mb(total), file, files, events,
    rate: `${mb(bytes / Math.max(0.001, (Date.now() - started) / 1000))}/s`,
  });
  bar.start(total, 0, payload(0));
  return {
    startFile() {
      file++;
    },
    update(ev, fileBytes) {
      events = ev;
      const done = bytesBefore + fileBytes;
      // A gzip trailer's size is an estimate: grow the total rather than pass 100 %.
      if (done > total) bar.setTotal((total = done));
      bar.update(done, payload(done));
    },
    endFile(fileBytes) {
      bytesBefore += fileBytes;
    },
    stop() {
      bar.stop();
    },
  };
}
