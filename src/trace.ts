/**
 * Start-up marks for `npm run bench -- startup` (AUTHING_TRIAGE_TRACE=first-byte): when the first
 * input byte is read and when the first range is scanned, as milliseconds since the process started
 * and of CPU (user + system, all threads) so far, one line each on stderr, once a process. Off, a mark
 * costs one test.
 */
import { monotonicMs } from './clock.js';

const on = (process.env.AUTHING_TRIAGE_TRACE ?? '').split(',').includes('first-byte');
const marked = new Set<string>();

/** Writes the mark `what` the first time it is reached in this process, when the trace is on. */
export function traceFirst(what: 'read' | 'scanned'): void {
  if (!on || marked.has(what)) return;
  marked.add(what);
  const wall = monotonicMs();
  const { user, system } = process.cpuUsage();
  process.stderr.write(`authing-triage: trace: first byte ${what} at ${wall.toFixed(1)} ms, ${((user + system) / 1000).toFixed(1)} ms of CPU\n`);
}
