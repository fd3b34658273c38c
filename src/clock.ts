/**
 * Monotonic milliseconds for the throttles and marks that read the clock on the hot path (the stdin
 * reader's prefix hashes, the stream pool's quiet-input check, the start-up trace): process.uptime(),
 * not performance.now(), whose global loads node:perf_hooks (nine built-in modules) at its first use,
 * on every run of the bin.
 */
export function monotonicMs(): number {
  return process.uptime() * 1000;
}
