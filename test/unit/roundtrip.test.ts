/**
 * Generated fixtures for every layout and modifier, rendered with the printf layouts of AOSP's
 * logprint.cpp (see ../shared/corpus/logcat-formats.md), parse back to the same records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/parse/records.js';
import { LAYOUT_FIELDS, type Layout } from '../layouts.js';

interface Rec { ms: number; pid: number; tid: number; level: string; tag: string; msg: string; uid: string }
interface Mods { year: boolean; frac: 'ms' | 'usec' | 'nsec'; zone: boolean; clock: 'wall' | 'epoch' | 'monotonic'; uid: boolean; color: boolean }

const p2 = (n: number) => String(n).padStart(2, '0');
const pad5 = (n: number | string) => String(n).padStart(5);

function timeBuf(r: Rec, m: Mods): string {
  const d = new Date(r.ms);
  const frac = String(d.getUTCMilliseconds()).padStart(3, '0') + (m.frac === 'usec' ? '123' : m.frac === 'nsec' ? '123456' : '');
  if (m.clock === 'epoch') return `${String(Math.floor(r.ms / 1000)).padStart(19)}.${frac}`;
  if (m.clock === 'monotonic') return `${String(Math.floor(r.ms / 1000) % 100000).padStart(6)}.${frac}`;
  const date = `${m.year ? `${d.getUTCFullYear()}-` : ''}${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
  return `${date} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${frac}${m.zone ? ' +0000' : ''}`;
}

/** One entry as logcat prints it (android_log_formatLogLine). */
function render(r: Rec, layout: Layout, m: Mods): string {
  const uidParen = m.uid ? `${r.uid.padStart(5)}:` : '';
  const tag8 = r.tag.padEnd(8);
  let line: string;
  switch (layout) {
    case 'brief': line = `${r.level}/${tag8}(${uidParen}${pad5(r.pid)}): ${r.msg}`; break;
    case 'process': line = `${r.level}(${uidParen}${pad5(r.pid)}) ${r.msg}  (${r.tag})`; break;
    case 'tag': line = `${r.level}/${tag8}: ${r.msg}`; break;
    case 'thread': line = `${r.level}(${uidParen}${pad5(r.pid)}:${pad5(r.tid)}) ${r.msg}`; break;
    case 'raw': line = r.msg; break;
    case 'time': line = `${timeBuf(r, m)} ${r.level}/${tag8}(${uidParen}${pad5(r.pid)}): ${r.msg}`; break;
    case 'threadtime': line = `${timeBuf(r, m)} ${m.uid ? `${r.uid.padStart(5)} ` : ''}${pad5(r.pid)} ${pad5(r.tid)} ${r.level} ${tag8}: ${r.msg}`; break;
    case 'long': return `[ ${timeBuf(r, m)} ${uidParen}${pad5(r.pid)}:${pad5(r.tid)} ${r.level}/${tag8} ]\n${r.msg}\n\n`;
  }
  return m.color ? `\x1b[${r.level === 'E' ? 31 : 39}m${line}\x1b[0m\n` : `${line}\n`;
}

const rec = fc.record({
  ms: fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2025, 11, 31) }),
  pid: fc.integer({ min: 1, max: 4_194_304 }),
  tid: fc.integer({ min: 1, max: 4_194_304 }),
  level: fc.constantFrom('V', 'D', 'I', 'W', 'E', 'F'),
  tag: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.]{0,22}$/),
  msg: fc.stringMatching(/^[A-Za-z0-9][ -~]{0,80}[A-Za-z0-9.)}]$/),
  uid: fc.oneof(fc.integer({ min: 0, max: 99999 }).map(String), fc.constantFrom('root', 'shell')),
});
const mods = fc.record({
  year: fc.boolean(),
  frac: fc.constantFrom('ms', 'usec', 'nsec'),
  zone: fc.boolean(),
  clock: fc.constantFrom('wall', 'wall', 'epoch', 'monotonic'),
  uid: fc.boolean(),
  color: fc.boolean(),
}) as fc.Arbitrary<Mods>;

describe('every layout and modifier round-trips', () => {
  it.each(Object.keys(LAYOUT_FIELDS) as Layout[])('%s', (layout) => {
    fc.assert(
      fc.property(fc.array(rec, { minLength: 3, maxLength: 12 }), mods, (recs, m) => {
        if (layout === 'raw') m = { ...m, color: false }; // raw with colour would keep the escapes as message
        recs.sort((a, b) => a.ms - b.ms);
        const text = '--------- beginning of main\n' + recs.map((r) => render(r, layout, m)).join('');
        const { format, records, unparsed } = parseText(text, { year: 2025, tz: 'UTC' });
        expect(unparsed).toEqual([]);
        expect(format).toBe(layout);
        expect(records).toHaveLength(recs.length);
        const h = LAYOUT_FIELDS[layout];
        records.forEach((got, i) => {
          const r = recs[i]!;
          expect(got.message).toBe(r.msg);
          expect(got.tag).toBe(h.tag ? r.tag : '');
          expect(got.pid).toBe(h.pid ? r.pid : null);
          expect(got.tid).toBe(h.tid ? r.tid : null);
          expect(got.level).toBe(h.level ? r.level : null);
          const wantTime = !h.time || m.clock === 'monotonic' ? null : new Date(r.ms).toISOString();
          expect(got.time).toBe(wantTime);
        });
      }),
      { numRuns: 60, seed: 12 },
    );
  });
});
