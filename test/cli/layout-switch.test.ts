/**
 * A layout switch in the middle of a file (issue 18 defect 1, issue 19 item 4): captures spliced from
 * real labeled captures, threadtime <-> long <-> brief <-> Studio, with Authing events on both sides
 * of each switch. Whatever the read strategy (one thread, file ranges in workers, stdin jobs in
 * workers), ingest stores exactly the events of `parse` + the extractor, the every-line path.
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { parseText } from '../../src/parse/records.js';
import { loadRegistry } from '../../src/registry/index.js';
import { SHARED, query, referenceEvents, runCli, tempDir, trialsHere } from '../helpers.js';

const reg = loadRegistry();
const LABELED = join(SHARED, 'corpus', 'labeled');
const lines = (f: string): string[] => readFileSync(join(LABELED, f), 'utf8').split('\n').filter((l) => l !== '');

/** Android Studio's copy layout (up to Dolphin), re-rendered from threadtime lines. */
const toStudio = (l: string): string | null => {
  const m = /^(\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\s+(\d+)\s+(\d+) ([VDIWEF]) (.*?)\s*: (.*)$/.exec(l);
  return m ? `${m[1]} ${m[2]}-${m[3]}/com.example.app ${m[4]}/${m[5]}: ${m[6]}` : null;
};

/** Long entries are whole: a header, its body, one blank line. */
function longEntries(): string[][] {
  const out: string[][] = [];
  let cur: string[] | null = null;
  for (const l of readFileSync(join(LABELED, 'dev-long.log'), 'utf8').split('\n')) {
    if (l.startsWith('[ ')) {
      if (cur) out.push(cur);
      cur = [l];
    } else if (cur) cur.push(l);
  }
  if (cur) out.push(cur);
  return out.map((e) => (e[e.length - 1] === '' ? e : [...e, '']));
}

const authing = /uth|Guard|SocialLogin/;
const SOURCES = {
  threadtime: lines('dev-threadtime.log').map((l) => [l]),
  brief: lines('dev-brief.log').map((l) => [l]),
  studio: lines('dev-threadtime.log').map(toStudio).filter((l): l is string => l !== null).map((l) => [l]),
  long: longEntries(),
};
type Layout = keyof typeof SOURCES;
const LAYOUTS = Object.keys(SOURCES) as Layout[];
const yieldsEvent = (rec: string[]): boolean => {
  const ex = new Extractor(reg);
  return parseText(rec.join('\n'), { year: 2026, tz: 'UTC' }).records.some((r) => ex.extract(r) !== null);
};
/** The records of each layout that yield an event on their own (the labeled captures hold decoys too). */
const EVENTFUL = Object.fromEntries(LAYOUTS.map((l) => [l, SOURCES[l].filter((r) => authing.test(r.join('\n')) && yieldsEvent(r))])) as Record<Layout, string[][]>;

/** `n` consecutive records of a layout from `at`, made sure to hold Authing records. */
function segment(layout: Layout, at: number, n: number): string[] {
  const recs = SOURCES[layout];
  const start = at % Math.max(1, recs.length - n);
  const picked = recs.slice(start, start + n);
  // two records that yield an event at least, so that the side has events whichever the cut
  const withEvents = EVENTFUL[layout];
  return [...picked, withEvents[at % withEvents.length]!, withEvents[(at * 7 + 3) % withEvents.length]!].flat();
}


function ingested(args: string[], opts: { input?: Buffer; env?: Record<string, string> } = {}): [number, number][] {
  const db = join(tempDir(), 'l.db');
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', ...args], opts);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return query<{ line: number; code: number }>(db, 'SELECT line, code FROM events ORDER BY line').map((e) => [e.line, e.code]);
}

/** The events of one run over several files: (line, code) pairs by the file's path. */
function ingestedEach(args: string[], opts: { env?: Record<string, string> } = {}): Map<string, [number, number][]> {
  const db = join(tempDir(), 'l.db');
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', ...args], opts);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = new Map<string, [number, number][]>();
  for (const s of query<{ id: number; name: string }>(db, 'SELECT id, name FROM sources ORDER BY id')) {
    out.set(s.name, query<{ line: number; code: number }>(db, 'SELECT line, code FROM events WHERE source_id = ? ORDER BY line', s.id).map((e) => [e.line, e.code]));
  }
  return out;
}

type Case = { name: string; file: string; bytes: Buffer; want: [number, number][]; cut?: number };
const SMALL_RANGES = { AUTHING_TRIAGE_RANGE_BYTES: String(16 * 1024) };

/**
 * The cases of every test below, drawn before the tests, and what the file strategies store of them: one
 * thread; ranges of 16 KiB in two workers. Each file strategy reads every case's file in one run (each file
 * its own source, read with the run's strategy): 2 runs of the CLI for the block instead of 2 a test.
 */
const cases: Record<'long' | 'pairs' | 'splices', Case[]> = { long: [], pairs: [], splices: [] };
let fileRuns: (readonly [string, Map<string, [number, number][]>])[] = [];

/**
 * Each case's file gives its every-line events `want` whatever the read strategy: the file strategies'
 * runs above, and stdin in two workers (16 KiB jobs), which holds one input, so it takes a run per case.
 */
function expectEveryStrategy(list: Case[]): void {
  for (const c of list) {
    for (const [how, got] of fileRuns) expect(got.get(c.file), `${c.name}, ${how}`).toEqual(c.want);
    expect(ingested(['--threads', '2'], { input: c.bytes, env: SMALL_RANGES }), `${c.name}, stdin jobs`).toEqual(c.want);
  }
}

describe('a layout switch mid-file', () => {
  beforeAll(async () => {
    const dir = tempDir();
    const add = async (list: Case[], name: string, file: string, bytes: Buffer, cut?: number) => {
      writeFileSync(file, bytes);
      list.push({ name, file, bytes, want: await referenceEvents(bytes, new Extractor(reg)), cut });
    };
    // threadtime -> long: the -v long Authing entry after 300 threadtime lines
    const tt = lines('dev-threadtime.log').filter((l) => !authing.test(l)).slice(0, 300);
    const entry = ['[ 03-17 16:20:00.000 12303:12305 E/Authing ]', 'login failed', 'code=1636 message=Network error', ''];
    await add(cases.long, 'threadtime -> long', join(dir, 'switch.log'), Buffer.from([...tt, ...entry].join('\n') + '\n'));
    // every pair of layouts
    for (const a of LAYOUTS) {
      for (const b of LAYOUTS) {
        if (a === b) continue;
        const n = cases.pairs.length;
        const left = segment(a, 11 * n + 5, 40);
        const right = segment(b, 13 * n + 9, 40);
        await add(cases.pairs, `${a} -> ${b}`, join(dir, `${a}-${b}.log`), Buffer.from([...left, ...right].join('\n') + '\n'), left.length);
      }
    }
    // random splices: cf79bea^ (no Parser signal: the Selector lost entries after a switch) fails the second
    // of these seeded cases; 6 in CI (was 12).
    const parts = fc.array(fc.tuple(fc.constantFrom(...LAYOUTS), fc.nat(5000), fc.integer({ min: 1, max: 60 })), { minLength: 2, maxLength: 6 });
    for (const [i, p] of fc.sample(parts, { numRuns: trialsHere('layout splices', 6, 5), seed: 20261130 }).entries()) {
      await add(cases.splices, JSON.stringify(p), join(dir, `splice-${i}.log`), Buffer.from(p.flatMap(([l, at, n]) => segment(l, at, n)).join('\n') + '\n'));
    }
    const files = [...cases.long, ...cases.pairs, ...cases.splices].map((c) => c.file);
    fileRuns = [
      ['one thread', ingestedEach(['--threads', '1', ...files])],
      ['file ranges', ingestedEach(['--threads', '2', ...files], { env: SMALL_RANGES })],
    ];
  }, 300_000);

  it('counts the -v long Authing entry after 300 threadtime lines (issue 18: ingest stored 0 of it)', () => {
    expect(cases.long.map((c) => c.want)).toEqual([[[301, 1636]]]);
    expectEveryStrategy(cases.long);
  });

  it('gives the every-line events for every pair of layouts, with events on both sides of the switch', () => {
    expect(cases.pairs).toHaveLength(12);
    for (const c of cases.pairs) {
      expect(c.want.filter(([l]) => l <= c.cut!).length, `${c.name}: events before the switch`).toBeGreaterThan(0);
      expect(c.want.filter(([l]) => l > c.cut!).length, `${c.name}: events after the switch`).toBeGreaterThan(0);
    }
    expectEveryStrategy(cases.pairs);
  }, 300_000);

  it('random splices of several layouts: fast paths = the every-line path (fast-check)', () => {
    expectEveryStrategy(cases.splices);
  }, 300_000);
});
