/**
 * A scan thread: runs the jobs of scan-jobs.ts that the main thread posts, and posts back results;
 * or, started with `workerData.fdRead`, the stdin reader thread (sources/fd-reader.ts).
 *
 * It runs at a lower priority than the main thread (Linux: nice 10 for this thread alone). The main
 * thread parses and stores every candidate the scan threads find: it is the run's one serial stage,
 * and with three threads on two cores it lost a third of its time to them (1 GB, 2 cores: 1.28 ->
 * 1.2 s; npm run bench). Elsewhere the call fails and the threads share the CPU equally.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { readFdLoop, type FdReadStart } from '../sources/fd-reader.js';
import { loadBlockHash } from './fingerprint.js';
import { runJob, type BufferJob, type RangeJob } from './scan-jobs.js';

/** Runs the jobs the main thread posts, at nice 10. */
function scanThread(): void {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
  } catch {
    // no /proc/thread-self: not Linux
  }
  // Jobs posted meanwhile wait in the port until the listener is attached. No top-level await: the
  // worker's bundle is CommonJS (scripts/bundle.mjs); a failed load still ends the thread with an error.
  void loadBlockHash().then(() => {
    parentPort?.on('message', (job: RangeJob | BufferJob) => {
      const r = runJob(job);
      parentPort!.postMessage(r, r.buf ? [r.buf.buffer as ArrayBuffer] : []);
    });
  });
}

/** The stdin reader (sources/fd-reader.ts), at normal priority: every byte of the run passes through it. */
function readerThread(start: FdReadStart): void {
  void loadBlockHash().then(() => readFdLoop(start, (p, transfer) => parentPort!.postMessage(p, transfer)));
}

const fdRead = (workerData as { fdRead?: FdReadStart } | null)?.fdRead;
if (fdRead) readerThread(fdRead);
else scanThread();
