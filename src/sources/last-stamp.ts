/**
 * The month and day of a plain file's last year-less time stamp, read from its tail: `--year Y` names
 * the year of the capture's end (issue 19: a device that boots at a pre-RTC `11-24` and is set to
 * `03-28` is last year's November, then this year's March), and only a file can be read ahead.
 */
import { open } from 'node:fs/promises';
import { yearAnchor } from '../parse/time.js';
import { detectEncoding, textBefore } from './encoding.js';
import type { OpenedInput } from './open.js';

/** Bytes read from the end: many lines, whatever junk or one long line may end the file. */
const TAIL_BYTES = 256 * 1024;
/** Bytes read from the start to know the encoding (the NUL pattern of UTF-16 without a BOM). */
const HEAD_BYTES = 64 * 1024;
/** A stamp at the start of a line: threadtime, time, `-v long`'s `[ 01-25 …`, Studio v1/v2 (with an optional year). */
const STAMP = /^[ \t]*(?:\[[ \t]*)?(?:\d{4}-)?(\d\d)-(\d\d)[ T]+\d\d:\d\d:\d\d/gm;

/** A month and a day. */
export interface MonthDay {
  month: number;
  day: number;
}

/** The last stamp's month and day in `text`, or null when no line starts with one. */
export function lastMonthDayIn(text: string): MonthDay | null {
  let last: MonthDay | null = null;
  for (const m of text.matchAll(STAMP)) {
    const month = Number(m[1]);
    const day = Number(m[2]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31) last = { month, day };
  }
  return last;
}

/**
 * The month and day of the last stamp of an opened plain file (UTF-8 or UTF-16), or null for a stream,
 * a compressed input, or a tail without a stamp: those keep `--year` as the year of the first stamp.
 */
export async function lastMonthDay(opened: OpenedInput): Promise<MonthDay | null> {
  const path = opened.input.path;
  if (path === null || opened.input.pipe || opened.compression !== 'none' || !opened.size) return null;
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, opened.size));
    await fh.read(head, 0, head.length, 0);
    const { encoding, junk } = detectEncoding(head);
    let start = Math.max(0, opened.size - TAIL_BYTES);
    // whole UTF-16 code units: they start at the parity of a junk head's length, from its end on
    if (encoding !== 'utf-8') start = start <= junk ? junk : start - ((start - junk) & 1);
    const tail = Buffer.alloc(opened.size - start);
    const { bytesRead } = await fh.read(tail, 0, tail.length, start);
    const bytes = tail.subarray(0, encoding === 'utf-8' ? bytesRead : bytesRead & ~1);
    // A tail in another encoding than the head (PowerShell's `>>` of UTF-16 after a UTF-8 `>`, or the reverse): its
    // lines as the read decodes them (MixedDecoder), or its stamps were not seen and `--year` named the first's year.
    const other = encoding === 'utf-8' ? bytes.indexOf(0) >= 0 : bytes.indexOf(0) < 0 || !headLike(bytes, encoding);
    if (other && bytesRead === tail.length) {
      const last = lastMonthDayIn(textBefore(tail, opened.size, encoding, junk).toString('utf8'));
      if (last) return last;
    }
    return lastMonthDayIn(new TextDecoder(encoding).decode(bytes));
  } finally {
    await fh.close();
  }
}

/** UTF-16 bytes that end as the head's byte order does: a NUL on that side of the last code unit (an LF, mostly). */
function headLike(b: Buffer, enc: 'utf-16le' | 'utf-16be'): boolean {
  const n = b.length & ~1;
  return n >= 2 && (enc === 'utf-16le' ? b[n - 1] === 0 : b[n - 2] === 0);
}

/** The year options of an opened input (parse/time.ts yearAnchor), with its last stamp read when `--year` is given. */
export async function yearOptions(year: number | undefined, opened: OpenedInput): Promise<{ year: number; notAfter?: number }> {
  return yearAnchor(year, opened.mtime, undefined, year === undefined ? null : await lastMonthDay(opened));
}
