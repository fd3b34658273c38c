/**
 * Splitting a large plain file into newline-aligned ranges scanned by worker threads. Results come
 * back in file order, so line numbers and checkpoints stay exactly those of the single-threaded scan.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Needles } from '../extract/prefilter.js';
import type { RangeJob, RangeResult } from './scan-worker.js';

/** Bytes per range (overridable for tests with AUTHING_TRIAGE_RANGE_BYTES). */
export function rangeBytes(): number {
  const env = Number(process.env.AUTHING_TRIAGE_RANGE_BYTES);
  return Number.isSafeInteger(env) && env > 0 ? env : 16 * 1024 * 1024;
}

/** Cuts [start, size) into ranges that end just after a newline (or at the end of the file). */
export function splitRanges(path: string, start: number, size: number, target: number): [number, number][] {
  const fd = openSync(path, 'r');
  const probe = Buffer.alloc(64 * 1024);
  const ranges: [number, number][] = [];
  try {
    let from = start;
    while (from < size) {
      let cut = from + target;
      if (cut >= size) {
        ranges.push([from, size]);
        break;
      }
      // move the cut to just after the next newline
      for (;;) {
        const n = readSync(fd, probe, 0, probe.length, cut);
        if (n <= 0) {
          cut = size;
          break;
        }
        const nl = probe.subarray(0, n).indexOf(10);
        if (nl >= 0) {
          cut += nl + 1;
          break;
        }
        cut += n;
      }
      ranges.push([from, Math.min(cut, size)]);
      from = cut;
    }
  } finally {
    closeSync(fd);
  }
  return ranges;
}

/**
 * Scans the ranges with `threads` workers, at most two ranges ahead per worker, and yields the
 * results in file order.
 */
export async function* scanInParallel(path: string, ranges: [number, number][], needles: Needles, maxLine: number, threads: number, signal?: AbortSignal): AsyncGenerator<RangeResult & { start: number; end: number }> {
  const workers = Array.from({ length: Math.max(1, threads) }, () => new Worker(new URL('./scan-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } }));
  const pending = new Map<number, (r: RangeResult) => void>();
  for (const w of workers) {
    w.on('message', (r: RangeResult) => {
      pending.get(r.id)?.(r);
      pending.delete(r.id);
    });
    w.on('error', (e) => {
      for (const [id, resolve] of pending) resolve({ id, lines: 0, overlong: 0, candidates: [], error: e.message });
      pending.clear();
    });
  }
  const wire = needles.any.source;
  // In flight, by range id; a consumed result is dropped at once, or every candidate line would stay alive.
  const results = new Map<number, Promise<RangeResult>>();
  let next = 0;
  const dispatch = () => {
    while (next < ranges.length && next - consumed < workers.length * 2) {
      const id = next++;
      const [start, end] = ranges[id]!;
      const job: RangeJob = { id, path, start, end, maxLine, needles: wire };
      results.set(id, new Promise<RangeResult>((resolve) => pending.set(id, resolve)));
      workers[id % workers.length]!.postMessage(job);
    }
  };
  let consumed = 0;
  try {
    dispatch();
    while (consumed < ranges.length) {
      if (signal?.aborted) return;
      const r = await results.get(consumed)!;
      results.delete(consumed);
      const [start, end] = ranges[consumed]!;
      consumed++;
      dispatch();
      if (r.error) throw Object.assign(new Error(r.error), { code: r.error.split(' ')[0] });
      yield { ...r, start, end };
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
