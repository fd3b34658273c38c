import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineFormat, type HeaderFields } from '../../src/parse/formats.js';
import { parseText } from '../../src/parse/records.js';
import { threadtimeSpans, T_FRAC, T_FRAC_END, T_LEVEL, T_MONTH, T_MSG, T_PID, T_PID_END, T_SPANS, T_TAG_END, T_TID, T_TID_END, T_YEAR } from '../../src/parse/threadtime.js';
import { SHARED } from '../helpers.js';

// Real threadtime captures: a developer's (every Authing shape, Chinese messages) and a Galaxy Nexus's.
const CAPTURES = ['labeled/dev-threadtime.log', 'real/andlogview__galaxy_nexus_jbmr2_threadtime.log', 'real/andlogview__parsers-logcat_threadtime.txt'];
const lines = CAPTURES.flatMap((f) => readFileSync(join(SHARED, 'corpus', f), 'utf8').split('\n')).filter((l) => l.trim() !== '');

/** A seeded generator: the same damage every run. */
function random(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

// What damage and other captures put where the columns are: the pattern's `\s` beyond the space, line
// terminators `.` does not match, zones, a uid, colons, digits, level letters, wide characters.
const PIECES = [' ', '  ', ':', ': ', ' :', '\t', '\r', '\u2028', '\u2029', '\u00a0', '\u3000', '\ufeff', '+', '-', ' +0800', '0', '9', '12345678901234567', '.', '.1234567890', 'E', 'A', '?', 'x', '中', '1000 ', 'u0_a12 ', '2026-'];

/** `line` with one random piece put in at a random place, over 0–2 of its characters. */
function damaged(line: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (line.length + 1));
  return line.slice(0, at) + PIECES[Math.floor(rnd() * PIECES.length)] + line.slice(at + Math.floor(rnd() * 3));
}

/** The HeaderFields the spans say, as the pattern would give them. */
function fieldsOfSpans(line: string, sp: Int32Array): HeaderFields {
  const m = sp[T_MONTH]!;
  return {
    Y: sp[T_YEAR]! >= 0 ? line.slice(0, 4) : undefined,
    M: line.slice(m, m + 2), D: line.slice(m + 3, m + 5), h: line.slice(m + 6, m + 8), mi: line.slice(m + 9, m + 11), s: line.slice(m + 12, m + 14),
    f: sp[T_FRAC]! >= 0 ? line.slice(sp[T_FRAC]!, sp[T_FRAC_END]!) : undefined,
    E: undefined, EF: undefined, Z: undefined,
    L: line[sp[T_LEVEL]!], uid: undefined,
    pid: line.slice(sp[T_PID]!, sp[T_PID_END]!), tid: line.slice(sp[T_TID]!, sp[T_TID_END]!),
    tag: line.slice(sp[T_LEVEL]! + 2, sp[T_TAG_END]!),
    msg: sp[T_MSG]! >= 0 ? line.slice(sp[T_MSG]!) : undefined,
  };
}

describe('threadtime lines read by char codes', () => {
  const pattern = lineFormat('threadtime')!;

  it('finds the fields the threadtime pattern finds, in real lines and damaged ones, or leaves the line to the pattern', () => {
    const rnd = random(25);
    const sp = new Int32Array(T_SPANS);
    let answered = 0;
    for (const line of lines) {
      for (const l of [line, ...Array.from({ length: 40 }, () => damaged(line, rnd)), damaged(damaged(line, rnd), rnd)]) {
        if (!threadtimeSpans(l, sp)) continue;
        answered++;
        expect(fieldsOfSpans(l, sp), JSON.stringify(l)).toEqual(pattern.fields(l));
      }
    }
    // the plain lines are read by char codes, not left to the pattern
    const plain = lines.filter((l) => {
      const g = pattern.fields(l);
      return /^\d/.test(l) && g !== null && g.uid === undefined && g.Z === undefined;
    });
    expect(plain.filter((l) => !threadtimeSpans(l, sp))).toEqual([]);
    expect(answered).toBeGreaterThan(plain.length);
  });

  it('gives the records the pattern gives: each line read again through the pattern (a leading blank) is the same record', () => {
    const rnd = random(11);
    // stamps with a year, fractions of 1–9 digits, seconds past 59, across a New Year, in a zone with DST and a half-hour one
    const varied = lines.map((l, i) => {
      if (!/^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /.test(l)) return l;
      const frac = ['', '.5', '.123456', '.123456789', '.042'][i % 5]!;
      const sec = i % 17 === 0 ? '61' : l.slice(12, 14);
      const month = i > lines.length / 2 ? '01' : '12';
      return `${i % 7 === 0 ? '2025-' : ''}${month}${l.slice(2, 12)}${sec}${i % 5 === 4 ? l.slice(14, 18) : frac}${l.slice(18)}`;
    });
    const texts = [lines, varied, lines.map((l) => damaged(l, rnd))];
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/New_York', 'Asia/Kolkata']) {
      for (const ls of texts) {
        const fast = parseText(ls.join('\n'), { format: 'threadtime', year: 2026, tz, notAfter: Date.UTC(2026, 5, 1) });
        const viaPattern = parseText(ls.map((l) => ` ${l}`).join('\n'), { format: 'threadtime', year: 2026, tz, notAfter: Date.UTC(2026, 5, 1) });
        expect(fast.records.length).toBeGreaterThan(ls.length / 2);
        expect(fast.records).toEqual(viaPattern.records);
        expect(fast.unparsed).toEqual(viaPattern.unparsed);
      }
    }
  });
});
