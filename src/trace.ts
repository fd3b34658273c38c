/**
 * Trace lines on stderr, each topic asked for by name in AUTHING_TRIAGE_TRACE (comma-separated).
 * `first-byte`, for `npm run bench -- startup`: when the first input byte is read and when the first
 * range is scanned, as milliseconds since the process started and of CPU (user + system, all threads)
 * so far, one line each, once a process. `stdin`: what the Source made of a piped stdin (the pipe's
 * size). `read`: how each input is read (ranges on the scan threads, stream jobs, or this thread, and
 * why). Off, a mark costs one test.
 */
import { monotonicMs } from './clock.js';

const topics = (process.env.AUTHING_TRIAGE_TRACE ?? '').split(',');
const on = topics.includes('first-byte');
const onStdin = topics.includes('stdin');
const onRead = topics.includes('read');

/** Writes `text` as a trace line when the topic is asked for. */
export function trace(topic: 'stdin' | 'read', text: string): void {
  if (topic === 'stdin' ? onStdin : onRead) process.stderr.write(`authing-triage: trace: ${topic}: ${text}\n`);
}
const marked = new Set<string>();

/** Writes the mark `what` the first time it is reached in this process, when the trace is on. */
export function traceFirst(what: 'read' | 'scanned'): void {
  if (!on || marked.has(what)) return;
  marked.add(what);
  const wall = monotonicMs();
  const { user, system } = process.cpuUsage();
  process.stderr.write(`authing-triage: trace: first byte ${what} at ${wall.toFixed(1)} ms, ${((user + system) / 1000).toFixed(1)} ms of CPU\n`);
}
