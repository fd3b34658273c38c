/** Binary logcat fixtures built with @devicefarmer/adbkit-logcat's own Entry#toBinary(). */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Entry = require('@devicefarmer/adbkit-logcat/lib/logcat/entry') as new () => {
  setDate(d: Date): void; setPid(n: number): void; setTid(n: number): void; setPriority(n: number): void;
  setTag(s: string): void; setMessage(s: string): void; toBinary(): Buffer;
};

const PRIORITY: Record<string, number> = { V: 2, D: 3, I: 4, W: 5, E: 6, F: 7 };

/** One entry's bytes (ASCII text: toBinary sizes by string length). */
export function entry(time: string, pid: number, tid: number, level: keyof typeof PRIORITY, tag: string, message: string): Buffer {
  const e = new Entry();
  e.setDate(new Date(time));
  e.setPid(pid);
  e.setTid(tid);
  e.setPriority(PRIORITY[level]!);
  e.setTag(tag);
  e.setMessage(message);
  return e.toBinary();
}
