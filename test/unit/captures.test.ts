/**
 * Issue 19: messy real captures. Each test builds its input the way users produce it, from lines of
 * ../shared/corpus/ (re-terminated CR CR LF, re-encoded UTF-16, junk heads, spliced layouts).
 */
import { lastMonthDayIn } from '../../src/sources/last-stamp.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { detectFormat, parseText } from '../../src/parse/records.js';
import { recordsOf, type RecordOrUnparsed } from '../../src/parse/stream.js';
import { YearTracker, yearAnchor } from '../../src/parse/time.js';
import { loadRegistry } from '../../src/registry/index.js';
import { decodedLineChunks, detectEncoding } from '../../src/sources/encoding.js';
import type { LogRecord } from '../../src/types.js';
import { SHARED } from '../helpers.js';

const corpus = (...p: string[]) => readFileSync(join(SHARED, 'corpus', ...p), 'utf8');
const real = (f: string) => corpus('real', f);
const UTC = { year: 2023, tz: 'UTC' };
const extractor = new Extractor(loadRegistry(), { tags: [] });

/** Every record and unparsed line of some bytes, through the streaming reader `parse` uses. */
async function readAll(bytes: Buffer, chunkSizes: number[] = [bytes.length || 1]): Promise<{ records: LogRecord[]; unparsed: number[] }> {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, chunkSizes[i % chunkSizes.length]!);
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  const records: LogRecord[] = [];
  const unparsed: number[] = [];
  for await (const r of recordsOf(Readable.from(chunks), UTC) as AsyncGenerator<RecordOrUnparsed>) {
    if ('unparsed' in r) unparsed.push(r.unparsed);
    else records.push(r);
  }
  return { records, unparsed };
}

const fields = (r: LogRecord) => ({ time: r.time, pid: r.pid, tid: r.tid, level: r.level, tag: r.tag, message: r.message, format: r.format, line: r.line });

function utf16(text: string, enc: 'le' | 'be', bom: boolean): Buffer {
  const b = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf16le');
  if (enc === 'be') b.swap16();
  return b;
}

const BRIEF = 'andlogview__galaxy_nexus_jbmr2_brief.log';
const THREADTIME = 'andlogview__galaxy_nexus_jbmr2_threadtime.log';
const GUARDIAN = '01-15 10:23:46.000  4000  4011 W Guardian: Guardian failed. 403 message:{"statusCode":403,"apiCode":2333}';

describe('CR CR LF line endings (adb shell logcat > f on Windows)', () => {
  it.each([BRIEF, THREADTIME])('%s re-terminated CR CR LF parses exactly as with LF', async (file) => {
    const lf = real(file);
    const clean = parseText(lf, UTC);
    const crcrlf = await readAll(Buffer.from(lf.replace(/\n/g, '\r\r\n')));
    expect(clean.records.length).toBeGreaterThan(5);
    expect(crcrlf.unparsed).toEqual([]);
    expect(crcrlf.records.map(fields)).toEqual(clean.records.map(fields));
  });
});

describe('UTF-16 captures (PowerShell > writes UTF-16LE with a BOM)', () => {
  const text = corpus('labeled', 'dev-threadtime.log').split('\n').slice(0, 300).join('\n') + '\n';
  it.each([
    ['le', true],
    ['le', false],
    ['be', true],
    ['be', false],
  ] as const)('UTF-16%s (BOM: %s) gives the records of the UTF-8 capture, however the bytes are chunked', async (enc, bom) => {
    const want = parseText(text, UTC).records.map(fields);
    const bytes = utf16(text, enc, bom);
    expect(detectEncoding(bytes)).toEqual({ encoding: `utf-16${enc}`, bom: bom ? 2 : 0, junk: 0 });
    // odd chunk sizes cut code units and lines in two
    const got = await readAll(bytes, [1, 7, 333, 4097]);
    expect(got.unparsed).toEqual([]);
    expect(got.records.map(fields)).toEqual(want);
    expect(got.records.map((r) => extractor.extract(r)?.code).filter(Boolean)).toEqual(want.map((r) => extractor.extract(r as LogRecord)?.code).filter(Boolean));
  });
  it('keeps each checkpoint an offset in the original UTF-16 file: reading on from it gives the rest', async () => {
    const bytes = utf16(text, 'le', true);
    const lines = text.split('\n');
    lines.pop();
    let seen = 0;
    let checked = 0;
    for await (const c of decodedLineChunks(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000, 5001), bytes.subarray(5001)]), 'utf-16le', 1 << 20, 0)) {
      seen += c.buf.toString('utf8', 0, c.end).split('\n').length - 1;
      if (c.next === null) continue;
      // the original bytes after the checkpoint are exactly the lines not read yet
      expect(bytes.subarray(c.next).toString('utf16le')).toBe(lines.slice(seen).map((l) => l + '\n').join(''));
      checked++;
    }
    expect(seen).toBe(lines.length);
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});

/** Binary junk as a crash dump or a mis-pasted file gives it: short lines of random bytes, each with control bytes. */
function binaryJunk(size: number): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  while (n < size) {
    const b = randomBytes(20 + (n % 40));
    b[0] = 0x01;
    for (let i = 0; i < b.length; i++) if (b[i] === 10) b[i] = 0;
    parts.push(b, Buffer.from('\n'));
    n += b.length + 1;
  }
  return Buffer.concat(parts).subarray(0, size);
}

describe('junk at the head', () => {
  const tt = real(THREADTIME);
  it.each([1024, 4096, 20_000, 70_000])('one threadtime line, %i bytes of binary junk, then threadtime lines: read as threadtime, the Guardian line yields 2333', async (size) => {
    const junk = binaryJunk(size);
    const lines = tt.split('\n');
    const tail = lines.slice(2, 7).join('\n') + '\n'; // line 0 is a divider
    const bytes = Buffer.concat([Buffer.from(lines[1] + '\n'), junk, Buffer.from('\n' + GUARDIAN + '\n' + tail)]);
    const { records } = await readAll(bytes);
    expect(records[0]).toMatchObject({ format: 'threadtime', line: 1 });
    const guardian = records.find((r) => r.tag === 'Guardian');
    expect(guardian).toMatchObject({ format: 'threadtime', pid: 4000, tid: 4011, level: 'W' });
    expect(extractor.extract(guardian!)?.code).toBe(2333);
    const clean = parseText(tail, UTC).records.map((r) => ({ ...fields(r), line: 0 }));
    expect(records.slice(-clean.length).map((r) => ({ ...fields(r), line: 0 }))).toEqual(clean);
  });
  it('a structured line inside a raw region is parsed as such', async () => {
    const rawLines = real('andlogview__parsers-logcat_raw.txt');
    const { records } = await readAll(Buffer.from(rawLines + rawLines + GUARDIAN + '\n'));
    expect(records[0]!.format).toBe('raw');
    expect(records.at(-1)).toMatchObject({ format: 'threadtime', tag: 'Guardian', pid: 4000 });
    expect(extractor.extract(records.at(-1)!)?.code).toBe(2333);
  });
});

describe('raw regions', () => {
  it('a raw line that looks like a header does not end the raw region', () => {
    const text = 'Unity player log\nI/O error: disk full\nAuthingManager: login failed {"code":2333}\nshutting down\n';
    const { format, records, unparsed } = parseText(text, UTC);
    expect(format).toBe('raw');
    expect(unparsed).toEqual([]);
    expect(records.map((r) => [r.format, r.tag, r.message])).toEqual([
      ['raw', '', 'Unity player log'],
      ['tag', 'O error', 'disk full'],
      ['raw', '', 'AuthingManager: login failed {"code":2333}'],
      ['raw', '', 'shutting down'],
    ]);
    expect(extractor.extract(records[2]!)?.code).toBe(2333);
  });
});

describe('a layout switch in the middle of a file (parser side)', () => {
  const blocks: Record<string, string> = {
    threadtime: '01-25 13:05:23.130  1193  1193 I Guardian: Guardian failed. 400 message:{"statusCode":403,"apiCode":1636}\n',
    long: '[ 01-25 13:05:24.130  1194: 1195 W/Guardian ]\nGuardian failed. 403 message:{"statusCode":403,\n"apiCode":1636}\n\n',
    brief: 'W/Guardian( 1196): Guardian failed. 403 message:{"statusCode":403,"apiCode":2333}\n',
    studio: '2020-05-16 18:03:47.086 5301-5302/cn.app W/Guardian: Guardian failed. 403 message:{"statusCode":403,"apiCode":2333}\n',
    'studio-v2': '2025-01-28 10:55:39.198   714-931   Guardian                com.example.app                      W  Guardian failed. 403 message:{"statusCode":403,"apiCode":1636}\n',
  };
  const names = Object.keys(blocks);
  const pairs = names.flatMap((a) => names.filter((b) => b !== a).map((b) => [a, b] as const));
  it.each(pairs)('%s -> %s: both sides parse, with their events', async (a, b) => {
    const text = blocks[a]!.repeat(2) + blocks[b]!.repeat(2) + blocks[a]!;
    const { records, unparsed } = await readAll(Buffer.from(text));
    expect(unparsed).toEqual([]);
    expect(records.map((r) => r.format)).toEqual([a, a, b, b, a]);
    expect(records.map((r) => r.tag)).toEqual(Array(5).fill('Guardian'));
    const code = (f: string) => (f === 'brief' || f === 'studio' ? 2333 : 1636);
    expect(records.map((r) => extractor.extract(r)?.code)).toEqual([a, a, b, b, a].map(code));
  });
});

describe('Android Studio copies', () => {
  it('v1: indented continuation lines join their record, nothing is unparsed', () => {
    const { format, records, unparsed } = parseText(real('issue-excerpt__firebase-firebase-android-sdk-1565__android-studio-v1.txt'), UTC);
    expect(format).toBe('studio');
    expect(unparsed).toEqual([]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 12, 13, 14]);
    expect(records[1]!.message.split('\n')).toHaveLength(10);
    expect(records[1]!.message).toMatch(/^FATAL EXCEPTION: main\n {4}Process: \(app package\), PID: 5301\n/);
    expect(records[1]!.message.endsWith('     Caused by: ...')).toBe(true);
  });
  it('v1: a crash copied with a long stack trace is still read as studio, not raw', () => {
    const v1 = real('issue-excerpt__firebase-firebase-android-sdk-1565__android-studio-v1.txt').split('\n');
    const trace = Array.from({ length: 60 }, (_, i) => `        at com.example.Frame${i}.run(Frame.java:${i + 1})`);
    const text = [v1[0], v1[1], ...trace, v1[12]].join('\n') + '\n';
    // detected as studio from the head (no "read as raw" note), not only rescued line by line
    expect(detectFormat(text.split('\n'))).toBe('studio');
    const { format, records, unparsed } = parseText(text, UTC);
    expect(format).toBe('studio');
    expect(unparsed).toEqual([]);
    expect(records.map((r) => [r.line, r.tag, r.message.split('\n').length])).toEqual([[1, 'AndroidRuntime', 1], [2, 'AndroidRuntime', 61], [63, 'FirebaseCrashlytics', 1]]);
  });
  it('a binary junk line under a Studio record is not taken into its message, and a record stays bounded', async () => {
    const { MAX_RECORD_CHARS } = await import('../../src/parse/records.js');
    const v1 = real('issue-excerpt__firebase-firebase-android-sdk-1565__android-studio-v1.txt').split('\n');
    const junk = '\x01\x02\u00ff\ufffd junk';
    const { records, unparsed } = parseText([v1[1], junk, v1[2]].join('\n'), UTC);
    expect(unparsed).toEqual([2]);
    expect(records.map((r) => r.message)).toEqual(['FATAL EXCEPTION: main\n    Process: (app package), PID: 5301']);
    const huge = parseText([v1[1], ...Array(40_000).fill('        at com.example.Frame.run(Frame.java:1)')].join('\n'), UTC).records[0]!;
    expect(huge.message.length).toBeLessThanOrEqual(MAX_RECORD_CHARS);
    expect(huge.message.length).toBeGreaterThan(MAX_RECORD_CHARS - 100);
  });
  it('v1: a blank tag and an indented divider are kept apart', () => {
    const { records } = parseText('[ 01-25 13:05:23.130  1193: 1193 I/         ]\nhello\n\n  --------- beginning of system\n[ 01-25 13:05:23.131  1193: 1193 I/Tag ]\nx\n\n', UTC);
    expect(records.map((r) => [r.tag, r.message])).toEqual([['', 'hello'], ['Tag', 'x']]);
  });
  it('v2: continuation lines join their record; banners are separators that map pid to package; leading spaces are kept', () => {
    const v2 = real('issue-excerpt__auth0-react-native-auth0-1001__android-studio-v2.txt').split('\n').filter(Boolean);
    const text = [
      '---- PROCESS STARTED (8468) for package com.example.app ----',
      v2[0],
      '2025-01-28 10:55:39.300  8468-8468  ReactNativeJS           com.example.app                      D    plugin 1: loaded',
      '2025-01-28 10:55:39.301  8468-8468  AuthenticationException com.example.app                      E  a0.authentication failed',
      '                                                                                                    at com.auth0.Foo.bar(Foo.kt:1)',
      '---- PROCESS ENDED (8468) for package com.example.app ----',
      v2[1],
    ].join('\n');
    const parser = parseText(text, UTC);
    expect(parser.unparsed).toEqual([]);
    expect(parser.records.map((r) => [r.line, r.format, r.message.split('\n').length])).toEqual([
      [2, 'studio-v2', 1],
      [3, 'studio-v2', 1],
      [4, 'studio-v2', 2],
      [7, 'studio-v2', 1],
    ]);
    expect(parser.records[1]!.message).toBe('  plugin 1: loaded');
    expect(parser.records[2]!.message.split('\n')[1]!.trim()).toBe('at com.auth0.Foo.bar(Foo.kt:1)');
  });
  it('v2: a banner maps the pid to its package', async () => {
    const { RecordParser } = await import('../../src/parse/records.js');
    const p = new RecordParser({ ...UTC, format: 'studio-v2' });
    expect(p.push('---- PROCESS STARTED (8468) for package com.example.app ----', 1)).toEqual({ skip: true });
    expect(p.packages.get(8468)).toBe('com.example.app');
    const dashes = '-'.repeat(28);
    expect(p.push(`${dashes} PROCESS STARTED (9001) for package com.example.other ${dashes}`, 2)).toEqual({ skip: true });
    expect(p.packages.get(9001)).toBe('com.example.other');
  });
});

describe('-v long', () => {
  it('an entry followed by a blank line and a divider does not take the divider into its message', () => {
    const long = real('andlogview__parsers-logcat_long.txt');
    const withDivider = long.replace(/\n\n\[/, '\n\n--------- beginning of system\n[');
    expect(withDivider).not.toBe(long);
    expect(parseText(withDivider, UTC).records.map((r) => r.message)).toEqual(parseText(long, UTC).records.map((r) => r.message));
  });
});

describe('year of year-less stamps', () => {
  it('a capture from a pre-RTC 11-24 to 03-28 ends in the year of the file mtime, not a year late', () => {
    const text = '11-24 00:00:05.000  1  1 I T: boot\n11-24 00:00:06.000  1  1 I T: clock set\n03-28 09:00:00.000  1  1 I T: now\n';
    const { records } = parseText(text, { tz: 'UTC', ...yearAnchor(undefined, new Date('2026-03-28T12:00:00Z')) });
    expect(records.map((r) => r.time)).toEqual(['2025-11-24T00:00:05.000Z', '2025-11-24T00:00:06.000Z', '2026-03-28T09:00:00.000Z']);
  });
  it('never dates a record after the mtime plus a day', () => {
    const notAfter = Date.UTC(2026, 2, 29);
    const y = new YearTracker(2026, notAfter);
    expect([y.yearFor(1, 5), y.yearFor(3, 28), y.yearFor(12, 1)]).toEqual([2026, 2026, 2025]);
    expect(new YearTracker(2026, notAfter).yearFor(3, 30)).toBe(2025);
  });
  it('--year names the year of the last stamp when its month and day are known (a file), counting the first back', () => {
    const text = '11-24 00:00:05.000  1  1 I T: a\n03-28 09:00:00.000  1  1 I T: b\n';
    const { records } = parseText(text, { tz: 'UTC', ...yearAnchor(2026, null, undefined, lastMonthDayIn(text)) });
    expect(records.map((r) => r.time)).toEqual(['2025-11-24T00:00:05.000Z', '2026-03-28T09:00:00.000Z']);
  });
  it('finds the last stamp of threadtime, time, -v long and Studio lines, ignoring the lines without one', () => {
    expect(lastMonthDayIn('01-25 13:05:23.130  1193  1193 I T: a\n[ 02-03 13:05:23.130  1193: 1193 I/T ]\nmessage 04-05 10:00:00\n')).toEqual({ month: 2, day: 3 });
    expect(lastMonthDayIn('2024-06-07 10:00:00.000 12-34/x I/T: a\n06-08 10:00:00.000 I/T(  1): b\n  at x\n')).toEqual({ month: 6, day: 8 });
    expect(lastMonthDayIn('no stamp here\n13-40 10:00:00 junk\n')).toBeNull();
  });
  it('--year without the last stamp (a stream) is the year of the first stamp, rolling over at New Year', () => {
    const { records } = parseText('12-31 23:59:59.000  1  1 I T: a\n01-01 00:00:01.000  1  1 I T: b\n', { tz: 'UTC', ...yearAnchor(2025, new Date('2020-01-01')) });
    expect(records.map((r) => r.time)).toEqual(['2025-12-31T23:59:59.000Z', '2026-01-01T00:00:01.000Z']);
  });
});
