/**
 * Shortcuts of the per-event path (issue 25) against the long way they replace: one cause match read
 * two ways, and a record's ISO time made from the stamp's own digits with the zone looked up once a minute.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CauseMatcher, loadCauses } from '../../src/extract/causes.js';
import { LINE_FORMATS } from '../../src/parse/formats.js';
import { RecordParser } from '../../src/parse/records.js';
import { SHARED } from '../helpers.js';

const CAUSES = loadCauses();
const matcher = new CauseMatcher(CAUSES);

describe('one cause match per message', () => {
  // Texts users have: the samples (an entry of scope `message` among them), real capture lines, and their mixes.
  const corpus = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8').split('\n').slice(0, 400);
  const pieces = [...CAUSES.map((c) => c.sample), ...corpus, 'uploadFile result. 503 message: busy', 'authRequest failed. 401 message: <-- 502 https://core.authing.cn/x'];
  const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 30 })), { minLength: 1, maxLength: 4 }).map((p) => p.join(' '));

  it('reads a message as a context line and as the event\'s own exactly as the two separate matches do', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(matcher.inBoth(t)).toEqual([matcher.inText(t, true), matcher.inText(t, false)]);
      }),
      { numRuns: 400 },
    );
    // a status line is the cause of its own event only
    expect(matcher.inBoth('uploadFile result. 503 message: busy')).toEqual([null, 'http-503']);
    expect(matcher.inBoth('authRequest failed. 401 message: <-- 502 https://core.authing.cn/x')).toEqual(['http-502', 'http-502']);
    expect(matcher.inBoth('I/ActivityManager: Start proc 4672')).toEqual([null, null]);
  });
});

describe('record times', () => {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  // Stamps in time order within one year (as a capture has them), often several in one minute.
  const stamps = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 364 * 86_400_000 }), fc.integer({ min: 0, max: 6 }), fc.nat({ max: 999_999 })), { minLength: 1, maxLength: 60 })
    .map((xs) => {
      const t0 = Date.UTC(2026, 0, 1);
      const sorted = xs.map(([ms, extra, more]) => [ms - (ms % (xs.length > 30 ? 7_000 : 1)), extra, more] as const).sort((a, b) => a[0] - b[0]);
      return sorted.map(([ms, extra, more]) => {
        const d = new Date(t0 + ms);
        // a fraction of 1 to 9 digits: the milliseconds' digits cut or extended
        const frac = (pad(d.getUTCMilliseconds(), 3) + pad(more, 6)).slice(0, 3 + extra - (extra === 0 ? 2 : 0));
        return { d, frac };
      });
    });

  it('gives each stamp the ISO time of its clock, for fractions of 1 to 9 digits and every change of minute', () => {
    fc.assert(
      fc.property(stamps, (xs) => {
        const p = new RecordParser({ year: 2026, tz: 'UTC', format: 'threadtime' });
        xs.forEach(({ d, frac }, i) => {
          const line = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${frac}  1234  5678 I Authing: x`;
          const r = p.push(line, i + 1);
          if (!('record' in r)) throw new Error(`not parsed: ${line}`);
          const ms = Number((frac + '000').slice(0, 3));
          const want = new Date(Date.UTC(2026, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), ms)).toISOString();
          expect(r.record.time).toBe(want);
        });
      }),
      { numRuns: 150 },
    );
  });
});

describe('header fields by numbered groups', () => {
  // Every line of the real and labeled captures, each layout tried on each (most lines fit one, none or several).
  const dirs = ['labeled', 'loghub'].map((d) => join(SHARED, 'corpus', d));
  const lines = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.log')).flatMap((f) => readFileSync(join(d, f), 'utf8').split(/\r?\n/)));
  const line = fc.oneof(
    fc.constantFrom(...lines),
    // damaged: cut at a random point, or with junk spliced in
    fc.tuple(fc.constantFrom(...lines), fc.nat(), fc.string({ maxLength: 6 })).map(([l, at, junk]) => l.slice(0, at % (l.length + 1)) + junk + l.slice(at % (l.length + 1))),
  );

  it('gives each layout the fields its named groups give, for every corpus line and damaged ones', () => {
    expect(lines.length).toBeGreaterThan(2000);
    for (const lf of LINE_FORMATS) for (const l of lines) expect(lf.fields(l), `${lf.name}: ${l}`).toEqual(lf.re.exec(l)?.groups ?? null);
    fc.assert(
      fc.property(line, (l) => {
        for (const lf of LINE_FORMATS) expect(lf.fields(l)).toEqual(lf.re.exec(l)?.groups ?? null);
      }),
      { numRuns: 300 },
    );
  });
});
