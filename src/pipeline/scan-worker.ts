/**
 * A scan thread: runs the jobs of scan-jobs.ts that the main thread posts, and posts back results.
 *
 * It runs at a lower priority than the main thread (Linux: nice 10 for this thread alone). The main
 * thread parses and stores every candidate the scan threads find: it is the run's one serial stage,
 * and with three threads on two cores it lost a third of its time to them (1 GB, 2 cores: 1.28 ->
 * 1.2 s; npm run bench). Elsewhere the call fails and the threads share the CPU equally.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { loadBlockHash } from './fingerprint.js';
import { runJob, type BufferJob, type RangeJob } from './scan-jobs.js';

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
