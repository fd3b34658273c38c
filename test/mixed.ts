/**
 * What the mixed-encoding tests share (mixed-encoding-count, mixed-encoding-stream, utf16-watch-review): a real capture
 * cut into parts of lines, its text in UTF-8 and UTF-16, and the comparison of two runs' stored events and counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { SHARED } from './helpers.js';

/** dev-threadtime.log: 2,522 lines, 80 events. */
export const TEXT = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8');
export const LINES = TEXT.split('\n');
/** The text of lines [from, to), each with its newline (the file's last line has none). */
export const part = (from: number, to?: number): string => LINES.slice(from, to).join('\n') + (to !== undefined && to < LINES.length ? '\n' : '');

export const u8 = (s: string): Buffer => Buffer.from(s, 'utf8');
export const le = (s: string): Buffer => Buffer.from(s, 'utf16le');
export const be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
export const BOM_LE = Buffer.from([0xff, 0xfe]);
export const BOM_BE = Buffer.from([0xfe, 0xff]);

/** The events of storedRows' first two (events, hourly counts). */
export const events = (rows: unknown[]): unknown[] => rows[0] as unknown[];

/** Stored events and hourly counts equal, saying the first event that differs. */
export function expectRows(got: unknown[], want: unknown[], what: string): void {
  const g = events(got);
  const w = events(want);
  const i = w.findIndex((e, k) => JSON.stringify(e) !== JSON.stringify(g[k]));
  if (i >= 0) expect(g[i], `${what}: event ${i} of ${w.length} (${g.length} stored)`).toEqual(w[i]);
  expect(g.length, what).toBe(w.length);
  expect(got[1], `${what}: hourly counts`).toEqual(want[1]);
}

/** `bytes` cut into chunks at `cuts` (sorted offsets). */
export function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    if (c > at) out.push(bytes.subarray(at, c));
    at = Math.max(at, c);
  }
  return out;
}
