/**
 * Issue 19's property: any real capture of ../shared/corpus/, damaged at random as users damage
 * them (line endings, UTF-16, a junk block at a random record boundary, a second layout spliced in,
 * truncation), still gives every undamaged record with the same fields, and every labeled Authing
 * event outside the damaged span.
 */
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { loadRegistry } from '../../src/registry/index.js';
import { parseText } from '../../src/parse/records.js';
import { recordsOf } from '../../src/parse/stream.js';
import type { LogRecord } from '../../src/types.js';
import { SHARED } from '../helpers.js';

const OPTS = { year: 2023, tz: 'UTC' };
const realDir = join(SHARED, 'corpus', 'real');
const labeledDir = join(SHARED, 'corpus', 'labeled');
// Not text logcat (a JSON export, the golden values) or no layout at all (raw): nothing to keep.
const NOT_TEXT_LAYOUT = /golden|json|_raw\.txt|PROVENANCE/;

interface Capture {
  name: string;
  text: string;
  /** Labeled events, and the --tag arguments they were labeled with. */
  events?: { line: number; code: number }[];
  tags?: string[];
}

const captures: Capture[] = [
  ...readdirSync(realDir)
    .filter((f) => !NOT_TEXT_LAYOUT.test(f))
    .map((f) => ({ name: f, text: readFileSync(join(realDir, f), 'utf8') })),
  ...readdirSync(labeledDir)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => {
      const exp = JSON.parse(readFileSync(join(labeledDir, f), 'utf8')) as { file: string; args: string[]; events: { line: number; code: number }[] };
      const tags = exp.args.flatMap((a, i) => (exp.args[i - 1] === '--tag' ? [a] : []));
      return { name: exp.file, text: readFileSync(join(labeledDir, exp.file), 'utf8'), events: exp.events, tags };
    }),
  { name: 'Android_2k.log', text: readFileSync(join(SHARED, 'corpus', 'loghub', 'Android_2k.log'), 'utf8') },
];
// Lines of other layouts to splice in: whole single-line records.
const spliceSources = ['andlogview__galaxy_nexus_jbmr2_threadtime.log', 'andlogview__galaxy_nexus_jbmr2_brief.log', 'andlogview__galaxy_nexus_jbmr2_time.log', 'issue-excerpt__auth0-react-native-auth0-1001__android-studio-v2.txt'].map((f) =>
  readFileSync(join(realDir, f), 'utf8').split('\n').filter((l) => l && !l.startsWith('-')),
);

/** Short lines of random bytes with control bytes in them, as a binary block pasted into a log. */
function junkLines(seed: number, count: number): string[] {
  const out: string[] = [];
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    const bytes: number[] = [1];
    for (let k = 0; k < 8 + (i % 30); k++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const b = (x >>> 16) & 0xff;
      bytes.push(b === 10 || b === 13 ? 0 : b);
    }
    out.push(Buffer.from(bytes).toString('latin1'));
  }
  return out;
}

const fields = (r: LogRecord) => ({ time: r.time, pid: r.pid, tid: r.tid, level: r.level, tag: r.tag, message: r.message, format: r.format });

const damage = fc.record({
  capture: fc.integer({ min: 0, max: captures.length - 1 }),
  eol: fc.constantFrom('\n', '\r\n', '\r\r\n'),
  encoding: fc.constantFrom('utf-8', 'utf-16le', 'utf-16be'),
  bom: fc.boolean(),
  junk: fc.option(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), lines: fc.integer({ min: 1, max: 250 }), seed: fc.nat() }), { nil: null }),
  splice: fc.option(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), from: fc.integer({ min: 0, max: spliceSources.length - 1 }), start: fc.nat(), count: fc.integer({ min: 1, max: 6 }) }), { nil: null }),
  cut: fc.option(fc.double({ min: 0.2, max: 1, noNaN: true }), { nil: null }),
  chunk: fc.integer({ min: 64, max: 9000 }),
});

describe('damaged real captures (fast-check)', () => {
  it('keep every undamaged record and every labeled event outside the damaged span', { timeout: 180_000 }, async () => {
    let checkedEvents = 0;
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        const cap = captures[d.capture]!;
        const lines = cap.text.split('\n');
        if (lines.at(-1) === '') lines.pop();
        const clean = parseText(cap.text, OPTS).records;
        const starts = clean.map((r) => r.line);
        // Insertions go before a line where a record starts, so no record is cut in two.
        const inserts = new Map<number, string[]>();
        const damagedNear = new Set<number>(); // clean lines of records next to an insertion
        const insertAt = (frac: number, block: string[]) => {
          const i = Math.min(starts.length - 1, Math.floor(frac * starts.length));
          const line = starts[i]!;
          inserts.set(line, [...(inserts.get(line) ?? []), ...block]);
          if (i > 0) damagedNear.add(starts[i - 1]!); // a multi-line record may take the block as its continuation
        };
        if (d.junk) insertAt(d.junk.at, junkLines(d.junk.seed, d.junk.lines));
        if (d.splice) {
          const src = spliceSources[d.splice.from]!;
          const at = d.splice.start % src.length;
          // a blank line first: it ends a long entry as its "\n\n" footer does
          insertAt(d.splice.at, ['', ...src.slice(at, at + d.splice.count)]);
        }
        const shift = new Map<number, number>();
        const out: string[] = [];
        lines.forEach((l, i) => {
          for (const b of inserts.get(i + 1) ?? []) out.push(b);
          shift.set(i + 1, out.length + 1);
          out.push(l);
        });
        // Junk lines are bytes, not text: written as such, the rest as UTF-8.
        const junk = junkSet(inserts);
        let bytes = Buffer.concat(out.map((l) => Buffer.concat([Buffer.from(l, junk.has(l) ? 'latin1' : 'utf8'), Buffer.from(d.eol)])));
        let cutLine = Infinity;
        if (d.cut !== null) {
          const at = Math.floor(d.cut * bytes.length);
          cutLine = bytes.subarray(0, at).toString('latin1').split('\n').length; // the (damaged) line cut in two
          bytes = bytes.subarray(0, at);
        }
        if (d.encoding !== 'utf-8') {
          const b = Buffer.from((d.bom ? '\uFEFF' : '') + bytes.toString('utf8'), 'utf16le');
          if (d.encoding === 'utf-16be') b.swap16();
          bytes = b;
        }
        const chunks: Buffer[] = [];
        for (let a = 0; a < bytes.length; a += d.chunk) chunks.push(bytes.subarray(a, a + d.chunk));
        const got = new Map<number, LogRecord>();
        for await (const r of recordsOf(Readable.from(chunks), OPTS)) if (!('unparsed' in r)) got.set(r.line, r);
        // The record before the cut may have lost its continuation lines: only records before it are whole.
        const lastWhole = clean.filter((r) => shift.get(r.line)! < cutLine).at(-2)?.line ?? 0;
        const undamaged = clean.filter((r) => !damagedNear.has(r.line) && r.line <= lastWhole);
        for (const r of undamaged) expect({ line: r.line, ...fields(got.get(shift.get(r.line)!) ?? r) }).toEqual({ line: r.line, ...fields(r) });
        for (const r of undamaged) expect(got.has(shift.get(r.line)!)).toBe(true);
        if (cap.events) {
          const extractor = new Extractor(loadRegistry(), { tags: cap.tags ?? [] });
          const found = new Set([...got.values()].map((r) => extractor.extract(r)).filter((e) => e !== null).map((e) => `${e!.line}:${e!.code}`));
          const whole = new Set(undamaged.map((r) => r.line));
          for (const e of cap.events) {
            if (!whole.has(e.line)) continue;
            expect(found).toContain(`${shift.get(e.line)}:${e.code}`);
            checkedEvents++;
          }
        }
      }),
      { numRuns: 60, seed: 19 },
    );
    expect(checkedEvents).toBeGreaterThan(200); // the property is about events too, not only about records
  });
});

const junkCache = new WeakMap<Map<number, string[]>, Set<string>>();
/** The junk lines among the insertions (written as raw bytes, the rest as UTF-8). */
function junkSet(inserts: Map<number, string[]>): Set<string> {
  let s = junkCache.get(inserts);
  if (!s) {
    s = new Set([...inserts.values()].flat().filter((l) => l.charCodeAt(0) === 1));
    junkCache.set(inserts, s);
  }
  return s;
}
