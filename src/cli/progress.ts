/** Progress on stderr while ingesting (a terminal only): bytes and files done, rate, events, time left. */

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/** A progress display; a no-op when stderr is not a terminal or with --quiet. */
export interface Progress {
  startFile(): void;
  update(fileBytes: number, events: number): void;
  endFile(fileBytes: number): void;
  stop(): void;
}

const NONE: Progress = { startFile() {}, update() {}, endFile() {}, stop() {} };

/** Creates the progress bar for `totalBytes` over `files` inputs. */
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
  let doneBefore = 0;
  let file = 0;
  let events = 0;
  bar.start(totalBytes, 0, { doneMb: mb(0), totalMb: mb(totalBytes), file: 0, files, rate: '-', events: 0 });
  const payload = (done: number) => ({
    doneMb: mb(done), totalMb: mb(totalBytes), file, files, events,
    rate: `${mb(done / Math.max(0.001, (Date.now() - started) / 1000))}/s`,
  });
  return {
    startFile() {
      file++;
    },
    update(fileBytes, ev) {
      const done = Math.min(totalBytes, doneBefore + fileBytes);
      bar.update(done, payload(done));
      events = ev;
    },
    endFile(fileBytes) {
      doneBefore += fileBytes;
    },
    stop() {
      bar.stop();
    },
  };
}
