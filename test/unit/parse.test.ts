import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseText, RecordParser } from '../../src/parse/records.js';
import { SHARED } from '../helpers.js';
import { LAYOUT_FIELDS, type Layout } from '../layouts.js';

const real = (f: string) => readFileSync(join(SHARED, 'corpus', 'real', f), 'utf8');
const UTC = { year: 2023, tz: 'UTC' };

/** A small RFC 4180 reader for the LogHub ground truth. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

describe('andlogview captures: the same three entries in all eight formats', () => {
  const golden = JSON.parse(real('andlogview__parsers-logcat_golden.json')) as {
    entries: { time: string; pid: string; tid: string; prio: string; tag: string; message: string }[];
    formats: Record<string, string>;
  };
  it.each(Object.entries(golden.formats))('%s (%s) parses to the golden values', (fmt, file) => {
    const { format, records, unparsed } = parseText(real(`andlogview__parsers-logcat_${file}`), UTC);
    expect(format).toBe(fmt.toLowerCase());
    expect(unparsed).toEqual([]);
    expect(records).toHaveLength(golden.entries.length);
    records.forEach((r, i) => {
      const g = golden.entries[i]!;
      const h = LAYOUT_FIELDS[fmt.toLowerCase() as Layout];
      expect(r.message).toBe(g.message);
      if (h.time) expect(r.time).toBe(`2023-${g.time.replace(' ', 'T')}Z`);
      else expect(r.time).toBeNull();
      expect(r.pid).toBe(h.pid ? Number(g.pid) : null);
      expect(r.tid).toBe(h.tid ? Number(g.tid) : null);
      expect(r.tag).toBe(h.tag ? g.tag : '');
      expect(r.level).toBe(h.level ? g.prio : null);
    });
  });
});

describe('LogHub Android_2k', () => {
  it('matches the structured CSV field by field on all 2000 lines', () => {
    const { format, records, unparsed } = parseText(readFileSync(join(SHARED, 'corpus', 'loghub', 'Android_2k.log'), 'utf8'), UTC);
    const [header, ...rows] = readCsv(readFileSync(join(SHARED, 'corpus', 'loghub', 'Android_2k.log_structured.csv'), 'utf8'));
    expect(header!.slice(0, 8)).toEqual(['LineId', 'Date', 'Time', 'Pid', 'Tid', 'Level', 'Component', 'Content']);
    expect(format).toBe('threadtime');
    expect(unparsed).toEqual([]);
    expect(rows).toHaveLength(2000);
    expect(records).toHaveLength(2000);
    rows.forEach((row, i) => {
      const [lineId, date, time, pid, tid, level, component, content] = row;
      const r = records[i]!;
      expect({ line: r.line, time: r.time, pid: r.pid, tid: r.tid, level: r.level, tag: r.tag, message: r.message.trim() }).toEqual({
        line: Number(lineId), time: `2023-${date}T${time}Z`, pid: Number(pid), tid: Number(tid), level, tag: component, message: content!.trim(),
      });
    });
  });
});

describe('other real captures parse with no line lost', () => {
  it.each([
    ['andlogview__galaxy_nexus_jbmr2_brief.log', 'brief'],
    ['andlogview__galaxy_nexus_jbmr2_time.log', 'time'],
    ['andlogview__galaxy_nexus_jbmr2_threadtime.log', 'threadtime'],
    ['andlogview__tricky_filter_snippets.log', 'threadtime'],
    ['ClaudioRizzo-android-python-analysis__test.logcat.brief.txt', 'brief'],
    ['issue-excerpt__emansih-FireflyMobile-194__time.txt', 'time'],
    ['andlogview__emulator_cupcake_android_studio.log', 'studio'],
    ['issue-excerpt__auth0-react-native-auth0-1001__android-studio-v2.txt', 'studio-v2'],
  ])('%s as %s', (file, fmt) => {
    const text = real(file);
    const { format, records, unparsed } = parseText(text, UTC);
    expect(format).toBe(fmt);
    expect(unparsed).toEqual([]);
    const entryLines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--------- ')).length;
    expect(records).toHaveLength(entryLines);
  });
  it('counts the vendor junk before the first entry as unparsed, never fatal', () => {
    const { format, records, unparsed } = parseText(real('andlogview__huawei_p10_log_snippet.log'), UTC);
    expect(format).toBe('threadtime');
    expect(unparsed.length).toBe(2);
    expect(records.length).toBeGreaterThan(0);
  });
});

describe('layouts and modifiers (logprint.cpp)', () => {
  const parse1 = (line: string, opts = UTC) => {
    const p = new RecordParser(opts);
    p.setFormat(detectFormat([line]));
    const r = p.push(line, 1);
    return 'record' in r ? r.record : null;
  };
  it('reads year, usec, nsec and zone stamps', () => {
    expect(parse1('2025-01-15 10:23:45.678  1234  1250 E AuthClient: x')?.time).toBe('2025-01-15T10:23:45.678Z');
    expect(parse1('01-15 10:23:45.678123  1234  1250 E AuthClient: x')?.time).toBe('2023-01-15T10:23:45.678Z');
    expect(parse1('01-15 10:23:45.678123456  1234  1250 E AuthClient: x')?.time).toBe('2023-01-15T10:23:45.678Z');
    expect(parse1('01-15 10:23:45.678 +0800  1234  1250 E AuthClient: x')?.time).toBe('2023-01-15T02:23:45.678Z');
  });
  it('reads epoch stamps and leaves monotonic ones without a date', () => {
    expect(parse1('         1736936625.678  1234  1250 E AuthClient: x')?.time).toBe('2025-01-15T10:23:45.678Z');
    const mono = parse1(' 12345.678  1234  1250 E AuthClient: x');
    expect(mono).toMatchObject({ time: null, pid: 1234, tid: 1250, tag: 'AuthClient' });
  });
  it('reads the uid modifier', () => {
    expect(parse1('01-15 10:23:45.678 10123  1234  1250 E AuthClient: x')).toMatchObject({ pid: 1234, tid: 1250 });
    expect(parse1('01-15 10:23:45.678  root  1234  1250 E AuthClient: x')).toMatchObject({ pid: 1234, tid: 1250 });
    expect(parse1('E/AuthClient(10123: 1234): x')).toMatchObject({ pid: 1234, tag: 'AuthClient', format: 'brief' });
  });
  it('strips color escapes, CR and a BOM', () => {
    expect(parse1('\x1B[31m01-15 10:23:45.678  1234  1250 E AuthClient: login failed\x1B[0m')).toMatchObject({ tag: 'AuthClient', message: 'login failed' });
    expect(parse1('\uFEFF01-15 10:23:45.678  1234  1250 E AuthClient: x\r')).toMatchObject({ message: 'x' });
  });
  it('maps A to F, and reads pids wider than five digits', () => {
    expect(parse1('01-15 10:23:45.678 123456 1234567 A Tag: x')).toMatchObject({ level: 'F', pid: 123456, tid: 1234567 });
  });
  it('uses the local zone given with tz', () => {
    expect(parse1('01-15 10:23:45.678  1234  1250 E T: x', { year: 2025, tz: 'Asia/Shanghai' })?.time).toBe('2025-01-15T02:23:45.678Z');
  });
  it('moves to the next year when a capture runs from December into January', () => {
    const { records } = parseText('12-31 23:59:59.000  1  1 I T: a\n01-01 00:00:01.000  1  1 I T: b\n', { year: 2025, tz: 'UTC' });
    expect(records.map((r) => r.time)).toEqual(['2025-12-31T23:59:59.000Z', '2026-01-01T00:00:01.000Z']);
  });
  it('keeps a long entry with several message lines as one record', () => {
    const { records } = parseText('[ 01-15 10:23:45.678  1234: 1250 E/AuthingLogin ]\nresponse:\n{"code":10016,\n"message":"x"}\n\n', UTC);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ line: 1, tag: 'AuthingLogin', message: 'response:\n{"code":10016,\n"message":"x"}' });
  });
  it('survives NUL bytes and invalid UTF-8', () => {
    const text = Buffer.concat([Buffer.from('01-15 10:23:45.678  1  1 E Tag: a\0b '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]).toString('utf8');
    expect(parseText(text, UTC).records[0]?.message).toContain('a\0b');
  });
});
