/**
 * Exactly once under real conditions (issue 20 items 1, 2, 3, 4, 6): the store after any sequence of
 * runs, kills and appends equals one clean run of the final bytes. Inputs are real labeled captures,
 * damaged at random sizes and positions (seeded): over-long last lines, appends cut mid-line and
 * mid-entry, heads that collide, a file rewritten under a threaded run, SIGKILL at random points.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { parseText } from '../../src/parse/records.js';
import { loadRegistry } from '../../src/registry/index.js';
import { BIN, SHARED, killMidway, killedMidwayWithin, prng, query, runCli, tempDir, trialsHere, waitFor } from '../helpers.js';

const LABELED = join(SHARED, 'corpus', 'labeled');
const capture = (name: string): Buffer => readFileSync(join(LABELED, name));
const COMMON = ['--quiet', '--year', '2026', '--tz', 'UTC'];

type Stored = { events: [number, number][]; counts: Record<string, number> };

/** What a database holds: (line, code) of every event, and the hourly counts summed per code. */
function stored(db: string): Stored {
  return {
    events: query<{ line: number; code: number }>(db, 'SELECT line, code FROM events ORDER BY source_id, line').map((e) => [e.line, e.code]),
    counts: Object.fromEntries(query<{ code: number; n: number }>(db, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code ORDER BY code').map((r) => [String(r.code), r.n])),
  };
}

function ingest(db: string, args: string[], input?: Buffer): { status: number | null; stderr: string } {
  return runCli(['--db', db, ...COMMON, ...args], { input });
}

const cleanRuns = new Map<string, Stored>();
/**
 * One clean run of these bytes into a fresh database. The property tests compare many trials with
 * the clean run of the same whole capture: it is made once per content and name.
 */
function clean(bytes: Buffer, name = 'clean.log'): Stored {
  const key = `${name}:${createHash('sha256').update(bytes).digest('hex')}`;
  const known = cleanRuns.get(key);
  if (known) return known;
  const dir = tempDir();
  const f = join(dir, name);
  writeFileSync(f, bytes);
  const db = join(dir, 'clean.db');
  const r = ingest(db, [f]);
  expect(r.status, r.stderr).toBe(0);
  const result = stored(db);
  cleanRuns.set(key, result);
  return result;
}

/**
 * The clean run of `copies` copies of `bytes` after `blankLines` empty lines, from the clean run of `bytes`
 * alone: each copy's events at its own lines, the hourly counts times the copies. A test's input made of
 * copies of a capture needs no clean run of its own (two to four spawns of the bin, 20 MB in one); and
 * where a copy's events differed from the capture's, the comparison would say so.
 */
function cleanCopies(bytes: Buffer, copies: number, blankLines = 0): Stored {
  // Each copy starts on a line of its own only when the one before ends with its newline.
  expect(bytes[bytes.length - 1]).toBe(0x0a);
  const one = clean(bytes);
  let lines = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) lines++;
  const events: [number, number][] = [];
  for (let k = 0; k < copies; k++) for (const [line, code] of one.events) events.push([blankLines + k * lines + line, code]);
  return { events, counts: Object.fromEntries(Object.entries(one.counts).map(([code, n]) => [code, n * copies])) };
}

describe('an over-long last line (item 1)', () => {
  it('is counted once however many runs, on a plain file, a .gz and stdin', () => {
    const rnd = prng(1);
    for (const newline of [true, false]) {
      const long = Buffer.alloc(Math.floor((1.05 + rnd() * 1.5) * 1024 * 1024), 'x');
      const bytes = Buffer.concat([capture('dev-threadtime.log'), long, Buffer.from(newline ? '\n' : '')]);
      // The long line holds no event: the clean answer is the capture's own.
      const want = cleanCopies(capture('dev-threadtime.log'), 1);
      expect(want.events.length).toBeGreaterThan(50);
      const dir = tempDir();
      const plain = join(dir, 't.log');
      const gz = join(dir, 't.log.gz');
      writeFileSync(plain, bytes);
      writeFileSync(gz, gzipSync(bytes));
      for (const [how, args, input] of [['plain', [plain]], ['gzip', [gz]], ['stdin', [], bytes]] as [string, string[], Buffer?][]) {
        const db = join(dir, `${how}-${newline}.db`);
        // a second run re-reads what the first left (a checkpoint before the cut line) or skips it
        for (let run = 1; run <= 2; run++) {
          const r = ingest(db, args, input);
          expect(r.status, `${how}, run ${run}: ${r.stderr}`).toBe(0);
          expect(stored(db), `${how}, run ${run}`).toEqual(want);
        }
        // the checkpoint is past the cut line when it has its newline, before it when it has not
        const [src] = query<{ bytes_done: number }>(db, 'SELECT bytes_done FROM sources');
        expect(src!.bytes_done, how).toBe(newline ? bytes.length : bytes.length - long.length);
      }
    }
  }, 300_000);
});

describe('a run that ends inside a line or an entry (item 2)', () => {
  it('reads it again after the append and finds what a clean run finds (threadtime and -v long, cut at random bytes)', () => {
    // cf79bea^ (checkpoints past incomplete records) fails the first of these seeded cases;
    // 6 in CI keep some spread of cut points and captures (24 and then 12 took 2 spawns each).
    const runs = trialsHere('partial last lines', 6, 4);
    fc.assert(
      fc.property(fc.constantFrom('dev-threadtime.log', 'dev-long.log', 'dev-brief.log'), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (name, where, inAuthingLine) => {
        const bytes = capture(name);
        // Cut inside an Authing line or entry (where an event is lost when it goes wrong), or anywhere.
        let cut = Math.max(1, Math.floor(where * bytes.length));
        if (inAuthingLine) {
          const text = bytes.toString('latin1');
          const hits = [...text.matchAll(/code[:= ]/g)].map((m) => m.index);
          cut = hits[Math.floor(where * hits.length)]! + 2;
        }
        const dir = tempDir();
        const f = join(dir, 'grow.log');
        const db = join(dir, 'g.db');
        writeFileSync(f, bytes.subarray(0, cut));
        expect(ingest(db, [f]).status).toBe(0);
        appendFileSync(f, bytes.subarray(cut));
        expect(ingest(db, [f]).status).toBe(0);
        expect(stored(db)).toEqual(clean(bytes));
      }),
      { numRuns: runs, seed: 2026113002 },
    );
  }, 300_000);
});

describe('two inputs whose first bytes are equal (item 3)', () => {
  it('are two sources, each counted in full, whatever the length of the common preamble', () => {
    const rnd = prng(3);
    for (let i = 0; i < 2; i++) {
      // bugreports open with long blank preambles: equal well past the 64 KiB head
      const preamble = Buffer.from('\n'.repeat(64 * 1024 + Math.floor(rnd() * 200_000)));
      const a = Buffer.concat([preamble, capture('dev-threadtime.log')]);
      const b = Buffer.concat([preamble, capture('dev-time.log')]);
      const dir = tempDir();
      const fa = join(dir, 'a.txt');
      const fb = join(dir, 'b.txt');
      writeFileSync(fa, a);
      writeFileSync(fb, i === 0 ? b : gzipSync(b));
      const db = join(dir, 'ab.db');
      expect(ingest(db, [fa]).status).toBe(0);
      const r = ingest(db, [fb]);
      expect(r.status, r.stderr).toBe(0);
      const wa = cleanCopies(capture('dev-threadtime.log'), 1, preamble.length);
      const wb = cleanCopies(capture('dev-time.log'), 1, preamble.length);
      const both = stored(db);
      expect(both.events).toEqual([...wa.events, ...wb.events]);
      expect(query(db, 'SELECT COUNT(*) AS n FROM sources')).toEqual([{ n: 2 }]);
      // a re-run of both adds nothing
      expect(ingest(db, [fa, fb]).status).toBe(0);
      expect(stored(db)).toEqual(both);
    }
  }, 300_000);
});

describe('a file rewritten during a threaded read (item 4)', () => {
  it('fails that source in one line with exit 3, keeps only what it had read before, and the next run counts the new content', async () => {
    const dir = tempDir();
    const f = join(dir, 'live.log');
    // a third of the lines are Authing lines: the main thread is busy for seconds
    const tt = capture('dev-threadtime.log');
    const original = Buffer.concat(Array.from({ length: 60 }, () => tt));
    // The new content, 2 MB (was 10): what the next run reads in full. c0b6689 (cf79bea^) still keeps
    // reading after the rewrite and exits 0 (2 of 2 runs), as with 10 MB.
    const replacement = Buffer.concat(Array.from({ length: 6 }, () => capture('dev-time.log')));
    writeFileSync(f, original);
    const other = join(dir, 'other.log');
    writeFileSync(other, replacement);
    const db = join(dir, 'live.db');
    const child = spawn(process.execPath, [BIN, '--db', db, ...COMMON, '--threads', '2', '--batch-size', '200', f], { env: { ...process.env, AUTHING_TRIAGE_DB: '', AUTHING_TRIAGE_RANGE_BYTES: String(1 << 20) } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // 'close', not 'exit': the stderr read below is all there then
    const exit = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
    // as soon as a first batch is committed, overwrite the file in place (what `cp other live.log` does)
    await waitFor(() => {
      try {
        return query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM events')[0]!.n > 0;
      } catch {
        return false;
      }
    }, 60_000);
    copyFileSync(other, f);
    expect(await exit).toBe(3);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/live\.log: changed while being read \(.*\); nothing after byte \d+ was kept: run again/);
    // what was kept came from the original bytes, each event once
    const kept = stored(db);
    const first = new Set(cleanCopies(tt, 60).events.map(([l, c]) => `${l}:${c}`));
    expect(kept.events.length).toBeGreaterThan(0);
    for (const [l, c] of kept.events) expect(first.has(`${l}:${c}`)).toBe(true);
    expect(Object.values(kept.counts).reduce((a, b) => a + b, 0)).toBe(kept.events.length);
    // the next run counts the file as it is now, in full
    const again = ingest(db, ['--threads', '2', f]);
    expect(again.status, again.stderr).toBe(0);
    const now = query<{ line: number; code: number }>(db, 'SELECT line, code FROM events WHERE source_id = (SELECT MAX(id) FROM sources) ORDER BY line').map((e) => [e.line, e.code]);
    expect(now).toEqual(cleanCopies(capture('dev-time.log'), 6).events);
  }, 300_000);
});

describe('-v long under SIGKILL (item 6)', () => {
  it('loses no entry when a run is killed after a commit made while an entry was open', async () => {
    // Every entry yields an event, so an entry whose header a checkpoint passed would be missing.
    const text = capture('dev-long.log').toString('utf8');
    const ex = new Extractor(loadRegistry());
    const entries = text.split(/\n(?=\[ )/).filter((e) => parseText(e, { year: 2026, tz: 'UTC' }).records.some((r) => ex.extract(r) !== null));
    expect(entries.length).toBeGreaterThan(20);
    const one = Buffer.from(entries.map((e) => e.trimEnd() + '\n\n').join(''));
    // 1 MB: the second trial is killed past its first 300 KB, with room to run on (a commit per event).
    // cf79bea^ (c0b6689) fails at this size as at 3 MB and 0.5 MB: a commit's checkpoint passed the open entry.
    const copies = Math.ceil(1e6 / one.length);
    const whole = Buffer.concat(Array.from({ length: copies }, () => one));
    const want = cleanCopies(one, copies);
    for (let trial = 0; trial < 2; trial++) {
      // Killed mid-run, not after its end: else the re-run would have nothing to resume. A starved watcher can see
      // the offset only after the run's end (asserted at once, that failed the test): the trial is made again.
      const midway = await killedMidwayWithin(3, async () => {
        const dir = tempDir();
        const f = join(dir, 'long.log');
        writeFileSync(f, whole);
        const db = join(dir, 'long.db');
        const child = spawn(process.execPath, [BIN, '--db', db, ...COMMON, '--threads', '1', '--batch-size', '1', f], { env: { ...process.env, AUTHING_TRIAGE_DB: '' }, stdio: 'ignore' });
        await waitFor(() => {
          try {
            return (query<{ b: number }>(db, 'SELECT MAX(bytes_done) AS b FROM sources')[0]?.b ?? 0) > trial * 3e5 || child.exitCode !== null;
          } catch {
            return child.exitCode !== null;
          }
        }, 60_000, `a checkpoint past byte ${trial * 3e5}`);
        const killed = await killMidway(child);
        const again = ingest(db, [f]);
        expect(again.status, again.stderr).toBe(0);
        expect(stored(db)).toEqual(want);
        return killed;
      });
      expect(midway, 'killed mid-run within 3 attempts').toBe(true);
    }
  }, 300_000);
});

describe('runs, SIGKILLs and appends in any order (items 2 and 6)', () => {
  it('leave the store equal to one clean run of the final bytes (threadtime and -v long)', async () => {
    const runs = process.env.CI ? 10 : 4;
    process.stderr.write(`kill/append sequences: ${runs} runs\n`);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('dev-threadtime.log', 'dev-long.log'),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.option(fc.integer({ min: 0, max: 900 }), { nil: null })), { minLength: 1, maxLength: 4 }),
        async (name, steps) => {
          const whole = Buffer.concat([capture(name), capture(name), capture(name)]);
          const cuts = [...new Set(steps.map(([p]) => Math.floor(p * whole.length)))].sort((a, b) => a - b);
          const dir = tempDir();
          const f = join(dir, 'k.log');
          const db = join(dir, 'k.db');
          writeFileSync(f, '');
          let at = 0;
          for (let i = 0; i < cuts.length; i++) {
            appendFileSync(f, whole.subarray(at, cuts[i]));
            at = cuts[i]!;
            if (at === 0) continue;
            const killAfter = steps[i]?.[1] ?? null;
            const child = spawn(process.execPath, [BIN, '--db', db, ...COMMON, '--batch-size', '25', f], { env: { ...process.env, AUTHING_TRIAGE_DB: '' }, stdio: 'ignore' });
            const exit = new Promise<void>((r) => child.once('exit', () => r()));
            if (killAfter !== null) setTimeout(() => child.kill('SIGKILL'), killAfter);
            await exit;
          }
          appendFileSync(f, whole.subarray(at));
          const last = ingest(db, [f]);
          expect(last.status, last.stderr).toBe(0);
          expect(stored(db)).toEqual(cleanCopies(capture(name), 3));
        },
      ),
      { numRuns: runs, seed: 2026113006 },
    );
  }, 300_000);
});
