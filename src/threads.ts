/**
 * node:worker_threads, loaded when a thread is first started rather than when the modules that start
 * threads are evaluated: a short run (a small file, `--version`, a report) starts none, and loading the
 * built-in module cost every run of the bin ~5 M instructions (about 1% of a small ingest).
 */
export function workerThreads(): typeof import('node:worker_threads') {
  return process.getBuiltinModule('node:worker_threads');
}
