/**
 * The suite's CPU by file and test, when AUTHING_TRIAGE_TEST_CPU names a file: one JSON line per
 * test ({file, test, selfMs, childMs, spawns}) and per file (test "*", hooks included), where
 * childMs is the CPU of the children the worker waited for (/proc/self/stat's cutime and cstime:
 * every spawned bin, npm or shell) and spawns counts child_process calls. The machine is shared, so
 * the suite is tuned by CPU, not by wall time. Off (no hooks, no patching) when the variable is unset.
 */
import childProcess from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { relative } from 'node:path';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** The worker's own CPU and its waited-for children's, in ms. */
export function cpuNow(): { self: number; child: number } {
  // Fields after the ")" of comm: state is 3, utime 14, stime 15, cutime 16, cstime 17 (1-based).
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return { self: (Number(f[11]) + Number(f[12])) * TICK_MS, child: (Number(f[13]) + Number(f[14])) * TICK_MS };
}

const g = globalThis as { __cpuLogSpawns?: number };
/** Counts each spawn of a child once per worker (the workers are not isolated, so patch once). */
export function countSpawns(): () => number {
  if (g.__cpuLogSpawns === undefined) {
    g.__cpuLogSpawns = 0;
    const cp = childProcess as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync']) {
      const orig = cp[name]!;
      cp[name] = function (this: unknown, ...a: unknown[]) {
        g.__cpuLogSpawns!++;
        return orig.apply(this, a);
      };
    }
    syncBuiltinESMExports();
  }
  return () => g.__cpuLogSpawns!;
}

/** Appends one line of the CPU log. */
export function logCpu(out: string, root: string, file: string, test: string, d: { self: number; child: number; spawns: number }): void {
  // The worker's resident size: each spawn forks the worker, and a fork costs in proportion to it.
  const rssMb = Math.round(process.memoryUsage().rss / 1048576);
  appendFileSync(out, JSON.stringify({ file: relative(root, file), test, selfMs: d.self, childMs: d.child, spawns: d.spawns, rssMb, pid: process.pid }) + "\n");
}
