/**
 * Shortcuts of the per-event path (issues 18 and 25) against the long way they replace: one cause match
 * read two ways, a record's ISO time made from the stamp's own digits with the zone looked up once a
 * minute, a batch's hourly counts in nested maps, each repeated tag and detail redacted once, and an
 * event's look-back skipped when the Parser saw every line of it and none of the event's pid.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CauseMatcher, loadCauses, substringSafe } from '../../src/extract/causes.js';
import { LINE_FORMATS } from '../../src/parse/formats.js';
import { RecordParser } from '../../src/parse/records.js';
import { YearTracker } from '../../src/parse/time.js';
import { bundledCauses } from '../../src/extract/causes.js';
import { candidateNeedles } from '../../src/extract/prefilter.js';
import { ContextKeeper, type CauseFinder, type EventContext } from '../../src/pipeline/context.js';
import { RecentMap } from '../../src/pipeline/recent-map.js';
import { RecordStage } from '../../src/pipeline/parser-stage.js';
import { chunkScanner } from '../../src/pipeline/scan.js';
import { Selector } from '../../src/pipeline/selector.js';
import { excerptOf, Extractor } from '../../src/extract/index.js';
import { redact } from '../../src/extract/redact.js';
import { TextMemo } from '../../src/extract/text-memo.js';
import { DETAIL_LENGTH, findCode } from '../../src/extract/rules.js';
import { categoryOf, loadRegistry } from '../../src/registry/index.js';
import { OutcomeRules } from '../../src/extract/outcome.js';
import { terminalText } from '../../src/sinks/terminal-text.js';
import { contextJson } from '../../src/store/context-migration.js';
import { countByHour, hourOf } from '../../src/store/store.js';
import type { AuthingEvent, LogRecord } from '../../src/types.js';
import { SHARED, same } from '../helpers.js';

/** expect(actual).toBe(expected), run only when Object.is says they differ. */
function sameValue(actual: unknown, expected: unknown, message?: string): void {
  if (!Object.is(actual, expected)) expect(actual, message).toBe(expected);
}

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

describe('the year of year-less stamps', () => {
  // The rule as it reads, each stamp on its own (the tracker answers a stamp of the day before it from memory).
  const longWay = (year: number, notAfter: number | undefined, stamps: readonly (readonly [number, number])[]): number[] => {
    let y = year;
    let lastMonth = 0;
    return stamps.map(([month, day]) => {
      if (!lastMonth) {
        if (notAfter !== undefined) while (Date.UTC(y, month - 1, day) > notAfter) y -= 1;
      } else if (month < lastMonth - 6 && (notAfter === undefined || Date.UTC(y + 1, month - 1, day) <= notAfter)) y += 1;
      lastMonth = month;
      return notAfter !== undefined && Date.UTC(y, month - 1, day) > notAfter ? y - 1 : y;
    });
  };
  // Runs of one day (most records share the day before them), rollovers, clocks set back and forward, and month 00.
  const day = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 31 }));
  const stamps = fc.array(fc.tuple(day, fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 40 }).map((runs) => runs.flatMap(([d, n]) => Array<readonly [number, number]>(n).fill(d)));
  const notAfter = fc.option(fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) }), { nil: undefined });

  it('is the year each stamp gets on its own, for runs of one day, rollovers, clocks set back and forward, and month 00', () => {
    fc.assert(
      fc.property(stamps, notAfter, (xs, na) => {
        const t = new YearTracker(2026, na);
        expect(xs.map(([m, d]) => t.yearFor(m, d))).toEqual(longWay(2026, na, xs));
      }),
      { numRuns: 400 },
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
    for (const lf of LINE_FORMATS) for (const l of lines) same(lf.fields(l), lf.re.exec(l)?.groups ?? null, `${lf.name}: ${l}`);
    fc.assert(
      fc.property(line, (l) => {
        for (const lf of LINE_FORMATS) same(lf.fields(l), lf.re.exec(l)?.groups ?? null);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hourly counts of a batch', () => {
  // Events as a batch has them: a few hours (and undated ones), codes, tags (NUL and look-alikes among them) and outcomes, repeated.
  const event = fc.record({
    time: fc.oneof(fc.constant(null), fc.constantFrom('2026-03-17T16:13:40.332Z', '2026-03-17T16:59:59.999Z', '2026-03-17T17:00:00.000Z', '2025-12-31T23:00:01.000Z')),
    code: fc.constantFrom(1, 2005, 1640, 2333, 10009),
    tag: fc.constantFrom('Authing', 'Authing ', 'authing', 'Guard\u0000x', 'Guard', ''),
    outcome: fc.constantFrom('failed', 'canceled', 'error', 'success'),
  });

  it('gives every (hour, code, tag, outcome) its number of events, rows in order of first appearance, as a joined-key count does', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), (es) => {
        const want = new Map<string, [string, number, string, string, number]>();
        for (const e of es) {
          const key = JSON.stringify([hourOf(e.time), e.code, e.tag, e.outcome]);
          const row = want.get(key);
          if (row) row[4]++;
          else want.set(key, [hourOf(e.time), e.code, e.tag, e.outcome, 1]);
        }
        expect(countByHour(es as AuthingEvent[])).toEqual([...want.values()]);
      }),
      { numRuns: 300 },
    );
    expect(countByHour([{ time: '2026-03-17T16:13:40.332Z', code: 1, tag: 'a', outcome: 'failed' }, { time: null, code: 1, tag: 'a', outcome: 'failed' }, { time: '2026-03-17T16:59:00.000Z', code: 1, tag: 'a', outcome: 'failed' }] as AuthingEvent[])).toEqual([
      ['2026-03-17T16', 1, 'a', 'failed', 2],
      ['', 1, 'a', 'failed', 1],
    ]);
  });
});

describe('the stored context', () => {
  it('is the JSON array of the lines, [] for none kept before the event, NULL with --context 0', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 6 }), (lines) => {
      expect(contextJson({ context: lines })).toBe(JSON.stringify(lines));
    }));
    expect(contextJson({ context: [] })).toBe('[]');
    expect(contextJson({})).toBeNull();
  });
});

describe('stored tags and details', () => {
  const reg = loadRegistry();
  // Tags users have, secrets and terminal escapes in some; many more distinct ones than the memo keeps.
  const tags = ['Authing', 'AuthingGuard', 'token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', 'a@b.example.com', 'x\x1b]52;c;AAAA\x07', 'password: hunter22', 'Guard', '13812345678'];
  const tag = fc.oneof(fc.constantFrom(...tags), fc.string({ maxLength: 12 }), fc.nat({ max: 9999 }).map((n) => `tag${n}`), fc.constant('k'.repeat(300) + ' secret=abcdef'));
  const messages = ['Authing login failed, code=2005 message=Network error', 'Authing onError: {"code":1640,"message":"x","apiKey":"s3cr3t-value"}', 'Auth Failed, onError errorCode = 1 errorMsg = access_denied token=abc'];
  const record = (t: string, message: string, line: number): LogRecord => ({ time: '2026-03-17T16:13:40.332Z', pid: 1, tid: 1, level: 'E', tag: t, message, format: 'threadtime', line });

  it('are redacted and escaped for every event, the first time a text is seen and every time after, also past the memo\'s size', () => {
    for (const noRedact of [false, true]) {
      const ex = new Extractor(reg, { noRedact });
      const long = (t: string) => terminalText(noRedact ? t : redact(t));
      let line = 0;
      const check = (t: string, m: string) => {
        const e = ex.extract(record(t, m, ++line));
        const found = findCode(ex.rules, t, m);
        sameValue(e === null, found === null);
        if (!e || !found) return;
        sameValue(e.tag, long(t));
        sameValue(e.detail, found.detail === null ? null : long(found.detail).slice(0, DETAIL_LENGTH));
      };
      fc.assert(fc.property(tag, fc.constantFrom(...messages), (t, m) => check(t, m)), { numRuns: 300 });
      // past the memo's 1024 texts: it starts again, and the secrets are still redacted
      for (let i = 0; i < 5000; i++) check(i % 7 === 0 ? tags[i % tags.length]! : `Tag${i}`, messages[i % messages.length]!);
      expect(ex.extract(record(tags[2]!, messages[0]!, ++line))!.tag).toBe(noRedact ? tags[2] : 'token=[jwt]');
    }
  });
});

describe('a memo of a function of a message', () => {
  it('gives make(text) for every text, repeated and ever-new, long ones, past its size and while it rests', () => {
    const made: string[] = [];
    const make = (t: string) => (made.push(t), `${t.length}:${t.toUpperCase()}`);
    const memo = new TextMemo(make, { size: 8, maxChars: 20, rest: 5 });
    const text = fc.oneof(fc.constantFrom('a', 'retry 1000 ms', 'retry 2000 ms', 'x'.repeat(20), 'x'.repeat(21)), fc.string({ maxLength: 24 }));
    fc.assert(fc.property(fc.array(text, { maxLength: 60 }), (ts) => {
      for (const t of ts) sameValue(memo.get(t), `${t.length}:${t.toUpperCase()}`);
    }), { numRuns: 300 });
    // a repeated text is made once while the memo holds it; a full memo of texts that did not repeat rests, then tries again
    made.length = 0;
    const m2 = new TextMemo(make, { size: 8, maxChars: 20, rest: 5 });
    for (let i = 0; i < 4; i++) m2.get('same');
    expect(made).toEqual(['same']);
    // the first full memo had hits (it only starts again); the second had none (it rests)
    for (let i = 0; i < 17; i++) m2.get(`new ${i}`);
    made.length = 0;
    for (let i = 0; i < 5; i++) m2.get('same');
    expect(made).toEqual(['same', 'same', 'same', 'same', 'same']);
    m2.get('same');
    m2.get('same');
    expect(made.length).toBe(6);
  });
});

describe('events of messages seen before', () => {
  const reg = loadRegistry();
  // Messages users have: repeated ones (a retry loop) with secrets, line breaks, escapes and long tails, and ever-new ones.
  const repeated = [
    'Authing login failed, code=2005 message=Network error',
    'Authing onError: {"code":1640,"message":"x","apiKey":"s3cr3t-value"}',
    'Auth Failed, onError errorCode = 1 errorMsg = access_denied token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
    'loginDone: errCode = 10009 errMessage = Login failed\n\tat cn.authing.Guard.login(Guard.java:12)\x1b]52;c;AAAA\x07',
    `Authing login failed, code=2333 message=${'x'.repeat(990)} password=hunter22`,
    `Authing login failed, code=2333 message=${'y '.repeat(700)}`,
    'Authing login failed, code=2005 message=call 13812345678 or a@b.example.com',
    // the same to their last characters
    'Authing login failed, code=2005 message=Network error, will retry the request in 1000 ms',
    'Authing login failed, code=2005 message=Network error, will retry the request in 2000 ms',
  ];
  const fresh = (i: number) => `Authing login failed, code=${2000 + (i % 900)} message=request ${i} user${i}@example.com`;
  const message = fc.oneof(fc.constantFrom(...repeated), fc.nat({ max: 1_000_000 }).map(fresh), fc.string({ maxLength: 40 }).map((t) => `Authing login failed, code=2005 ${t}`));
  // Tags users have, the signature tags (whose rules differ), and ever-new ones: more per message than are kept.
  const tags = ['Authing', 'Github', 'QQ', 'WeCom', 'okhttp.OkHttpClient', 'AuthingGuard: token=abc'];
  const tag = fc.oneof(fc.constantFrom(...tags), fc.nat({ max: 40 }).map((n) => `Tag${n}`));
  const record = (m: string, line: number, t = 'Authing'): LogRecord => ({ time: '2026-03-17T16:13:40.332Z', pid: 1, tid: 1, level: 'E', tag: t, message: m, format: 'threadtime', line });
  const outcomes = new OutcomeRules();

  it('have the code, fields, outcome and excerpt their message and tag give, for repeated and ever-new messages and tags, past the memo\'s size and while it rests', () => {
    for (const noRedact of [false, true]) {
      const ex = new Extractor(reg, { noRedact });
      let line = 0;
      const check = (m: string, t = 'Authing') => {
        const rec = record(m, ++line, t);
        const e = ex.extract(rec);
        const found = findCode(ex.rules, t, m);
        sameValue(e === null, found === null);
        sameValue(ex.finds(rec), found !== null);
        if (!e || !found) return false;
        const category = categoryOf(reg, found.code);
        same([e.code, e.method, e.category, e.outcome], [found.code, found.method, category, outcomes.outcomeOf(reg.codes.get(found.code), category, m)]);
        sameValue(e.detail, found.detail === null ? null : terminalText(noRedact ? found.detail : redact(found.detail)).slice(0, DETAIL_LENGTH));
        sameValue(e.excerpt, excerptOf(m, 240, noRedact));
        return true;
      };
      fc.assert(fc.property(message, tag, (m, t) => void check(m, t)), { numRuns: 300 });
      // one message under more tags than are kept for it
      for (let i = 0; i < 40; i++) check(repeated[1]!, i % 2 ? `Tag${i}` : tags[i % tags.length]);
      // a retry loop, then ever-new messages (the memo fills without a hit and rests), then the loop again
      for (let i = 0; i < 3000; i++) sameValue(check(repeated[i % repeated.length]!), true);
      for (let i = 0; i < 3000; i++) sameValue(check(fresh(i)), true);
      for (let i = 0; i < 3000; i++) sameValue(check(i % 3 ? repeated[i % repeated.length]! : fresh(i)), true);
      const jwt = ex.extract(record(repeated[2]!, ++line))!.excerpt;
      expect(jwt).toBe(noRedact ? repeated[2] : 'Auth Failed, onError errorCode = 1 errorMsg = access_denied token=[jwt]');
    }
  });
});

describe('the pids whose last events are kept', () => {
  it('are the cap most recently set, oldest first, as a list moved and cut at each set gives, for runs of many new keys and repeated ones', () => {
    // pids as a capture has them: a few busy processes, bursts of new ones (more than the cap), returns of old ones
    const key = fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5000 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.array(key, { maxLength: 400 }), (cap, keys) => {
        const m = new RecentMap<number, number>(cap);
        let list: [number, number][] = [];
        keys.forEach((k, i) => {
          m.set(k, i);
          list = [...list.filter(([x]) => x !== k), [k, i] as [number, number]].slice(-cap);
          sameValue(m.get(k), i);
        });
        expect(m.keys()).toEqual(list.map(([k]) => k));
        for (const [k, v] of list) sameValue(m.get(k), v);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the look-back of an event whose lines the Parser all saw', () => {
  // Real lines of the one-line layouts, each given one of a few pids (so that a pid's lines often stand
  // within 64 lines of each other), most made candidates, some events; junk, CRs, cut lines and a line
  // of another layout now and then between.
  const read = (dir: string, name: string) => readFileSync(join(SHARED, 'corpus', dir, name), 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  const layouts = [
    read('labeled', 'dev-threadtime.log').filter((l) => /^\d\d-\d\d \S+\s+\d+\s+\d+ [VDIWEF] /.test(l)),
    read('labeled', 'dev-brief.log').filter((l) => /^[VDIWEF]\/[^(]*\(\s*\d+\): /.test(l)),
    read('labeled', 'dev-time.log').filter((l) => /^\d\d-\d\d \S+ [VDIWEF]\/[^(]*\(\s*\d+\): /.test(l)),
    read('real', 'andlogview__parsers-logcat_thread.txt').filter((l) => /^[VDIWEF]\(\s*\d+:\s*\d+\) /.test(l)),
    read('real', 'andlogview__parsers-logcat_process.txt').filter((l) => /^[VDIWEF]\(\s*\d+\) .*\)$/.test(l)),
  ];
  const pad = (n: number) => String(n).padStart(5);
  /** The line with `pid` (its tid beside it) and `tail` added to its message. */
  const edit = (line: string, pid: number, tail: string) =>
    line
      .replace(/^(\d\d-\d\d \S+)\s+\d+\s+\d+/, (_m, t: string) => `${t} ${pad(pid)} ${pad(pid + 7)}`)
      .replace(/^((?:\d\d-\d\d \S+ )?[VDIWEF]\/[^(]*\()\s*\d+\)/, (_m, a: string) => `${a}${pad(pid)})`)
      .replace(/^([VDIWEF]\(\s*)\d+(:\s*)\d+\)/, (_m, a: string, b: string) => `${a.trimEnd()}${pad(pid)}${b.trimEnd()}${pad(pid + 1)})`)
      .replace(/^([VDIWEF]\()\s*\d+\)/, (_m, a: string) => `${a}${pad(pid)})`)
      .replace(/(  \(\S+\))?$/, (tag: string) => tail + tag);
  const tails = [' Authing', ' Authing login failed, code=2005 message=x', ' AuthRepository token=abc', ' java.net.UnknownHostException: Authing'];
  // dense: every line a candidate, as in a retry loop; else one in three
  const line = (layout: number, dense: boolean) =>
    fc.oneof(
      { weight: dense ? 600 : 14, arbitrary: fc.tuple(fc.constantFrom(...layouts[layout]!), dense ? fc.integer({ min: 1000, max: 1200 }) : fc.constantFrom(100, 1000, 4672, 10001, 77), fc.constantFrom(...(dense ? tails : [...tails, '', '', '', '', '', '', '', '']))).map(([l, pid, tail]) => edit(l, pid, tail)) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...layouts.flat()), fc.constantFrom(...tails)).map(([l, tail]) => edit(l, 4672, tail)) },
      { weight: 1, arbitrary: fc.constantFrom('Authing junk without a header', '', '--------- beginning of main', 'x'.repeat(90) + ' Authing') },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...layouts[layout]!), fc.nat()).map(([l, at]) => edit(l, 4672, '').slice(0, 10 + (at % 40)) + ' Authing') },
    );
  const capture = fc
    .tuple(fc.integer({ min: 0, max: layouts.length - 1 }), fc.boolean())
    .chain(([layout, dense]) => fc.tuple(fc.array(fc.tuple(line(layout, dense), fc.boolean()), { minLength: 1, maxLength: 300, size: 'max' }), fc.nat({ max: 3 })));

  /** Each event's context through the real Selector and Parser, the capture in `frames` frames; not `seen`: every look-back read back. */
  let skipped = 0;
  const contexts = (text: string, frames: number, maxLine: number, seen: boolean, causes: CauseFinder = bundledCauses(), size = 50): [number, EventContext][] => {
    const keeper = new ContextKeeper({ size, causes, tz: 'UTC', maxLine: seen ? maxLine : 0 });
    const out: [number, EventContext][] = [];
    const stage = new RecordStage({ year: 2026, tz: 'UTC' }, 'threadtime', (r) => {
      if (r.message.includes('code=')) out.push([r.line, keeper.eventContext(r, r.message)]);
      keeper.observe(r);
    });
    const selector = new Selector(stage, { scanner: chunkScanner(candidateNeedles([])), maxLine, everyLine: false, startLine: 0, window: keeper.window });
    const buf = Buffer.from(text);
    let from = 0;
    for (let f = 1; f <= frames + 1; f++) {
      let to = f > frames ? buf.length : buf.indexOf(10, Math.floor((buf.length * f) / (frames + 1))) + 1;
      if (to <= from) to = from;
      if (f > frames) to = buf.length;
      const chunk = Buffer.from(buf.subarray(from, to));
      void selector.take({ kind: 'lines', chunk: { buf: chunk, end: chunk.length, offset: from, overlong: 0, next: to } });
      from = to;
    }
    selector.end();
    skipped += keeper.readBacksSkipped;
    return out;
  };

  it('gives every event the context and cause the read-back gives, for dense and sparse mixes of layouts, pids, junk and frames', { timeout: 180_000 }, () => {
    let events = 0;
    fc.assert(
      // lines cut at the line limit too (the Parser then saw less than the read-back reads)
      fc.property(capture, fc.constantFrom(1 << 20, 1 << 20, 48, 90), ([ls, frames], maxLine) => {
        const text = ls.map(([l, cr]) => l + (cr ? '\r' : '')).join('\n') + '\n';
        const fast = contexts(text, frames, maxLine, true);
        same(fast, contexts(text, frames, maxLine, false));
        events += fast.length;
      }),
      { numRuns: 300 },
    );
    // both ways were taken many times
    expect(events).toBeGreaterThan(2000);
    expect(skipped).toBeGreaterThan(500);
  });
  // The lines a read-back parses: the newest `size`, and older ones only where a cause may show.
  // Cause lines without a needle (the Parser never sees them, only read-backs do), one coloured inside.
  const causeTails = [' java.net.SocketTimeoutException: connect timed out', ' Unable to resolve host "api.example.org": No address', ' javax.net.\x1B[31mssl.SSLHandshakeException\x1B[0m: x', ' iat claim before now', ' upload result. 503 message: busy'];
  const onePid = fc.tuple(
    fc.integer({ min: 0, max: layouts.length - 1 }),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 19 }), fc.boolean()), { minLength: 1, maxLength: 400, size: 'max' }),
  ).map(([layout, ls]) => {
    const rows = layouts[layout]!;
    // one process (adb logcat --pid), an event now and then, causes and plain lines between
    // (a line cut short holds the pid's digits but is no record: the lines before it are then all parsed)
    const one = (at: number, kind: number) =>
      kind === 5 ? edit(rows[at % rows.length]!, 4672, '').slice(0, 10 + (at % 40)) : edit(rows[at % rows.length]!, 4672, kind === 0 ? tails[1]! : kind <= 3 ? causeTails[at % causeTails.length]! : kind === 4 ? tails[at % tails.length]! : '');
    return ls.map(([at, kind, cr]) => one(at, kind) + (cr ? '\r' : '')).join('\n') + '\n';
  });
  it('parses only the newest lines and those that may show a cause, and gives each event what parsing every line gives (one process, any --context)', { timeout: 180_000 }, () => {
    let ruledOut = 0;
    let events = 0;
    const matcher = bundledCauses();
    // the read-back as it was: every line parsed
    const everyLine: CauseFinder = { inText: (t, c) => matcher.inText(t, c), inBoth: (t) => matcher.inBoth(t), mayBeInLine: () => true, lineCheck: null };
    const counted: CauseFinder = {
      lineCheck: matcher.lineCheck,
      inText: (t, c) => matcher.inText(t, c),
      inBoth: (t) => matcher.inBoth(t),
      mayBeInLine: (l) => {
        const may = matcher.mayBeInLine(l);
        if (!may) ruledOut++;
        return may;
      },
    };
    fc.assert(
      fc.property(onePid, fc.nat({ max: 3 }), fc.constantFrom(0, 1, 5, 50), (text, frames, size) => {
        const fast = contexts(text, frames, 1 << 20, false, counted, size);
        same(fast, contexts(text, frames, 1 << 20, false, everyLine, size));
        events += fast.length;
      }),
      { numRuns: 200 },
    );
    expect(events).toBeGreaterThan(2000);
    // lines were left unparsed (a read-back that parsed them all, as before, asks nothing)
    expect(ruledOut).toBeGreaterThan(10_000);
  });
});

describe('the line check of causes', () => {
  it("passes every sample line of the bundled causes read before an event, and rules out a plain line", () => {
    const m = new CauseMatcher();
    for (const e of loadCauses()) if (e.scope !== 'message') expect(m.mayBeInLine(e.sample), e.name).toBe(true);
    expect(m.mayBeInLine('03-17 08:00:00.000  1702  2395 I ActivityManager: Start proc 4672:com.example/u0a1 for activity')).toBe(false);
  });
  it('says yes to every line when a pattern read before an event may match a message but not its line', () => {
    for (const p of ['^Caused by: ', 'timeout$', '(?<=: )x', 'a(?=b)', 'x(?!y)', '\\Bfoo', '(?<name>x)', '[a^]']) {
      expect(substringSafe(p), p).toBe(false);
      const m = new CauseMatcher([{ name: 'x', patterns: [p], source: 'test', sample: 'x' }]);
      expect(m.mayBeInLine('03-17 08:00:00.000  1702  2395 I Tag: nothing here')).toBe(true);
    }
    for (const p of ['java\\.net\\.UnknownHostException', '\\biat\\b[^\\n]{0,40}', '\\^caret', 'cost \\$5']) expect(substringSafe(p), p).toBe(true);
    // a pattern of scope `message` is not read before an event: its anchor does not matter
    const m = new CauseMatcher([{ name: 'm', patterns: ['^x'], source: 'test', sample: 'x', scope: 'message' }, { name: 'y', patterns: ['yy'], source: 'test', sample: 'yy' }]);
    expect(m.mayBeInLine('I Tag: x')).toBe(false);
    expect(m.mayBeInLine('I Tag: yy')).toBe(true);
  });
});
