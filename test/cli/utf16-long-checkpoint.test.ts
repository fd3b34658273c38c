/**
 * A UTF-16 capture in the `-v long` layout (what PowerShell's `adb logcat -v long > file` writes) checkpoints where its
 * UTF-8 form does: at the header line of the entry still open, as that line's offset in the UTF-16 file. Before, a
 * decoded read mapped only each chunk's end back to a file offset, and a `-v long` entry is open at every chunk end: a
 * complete run left bytes_done and lines_done at 0, every later run read the whole file again, and a run killed midway
 * had nothing to resume from. The store after run/append/run and after kill/run must equal one clean run of the final
 * bytes (events with their context, hourly counts, the source's progress); the run after the first reads only from the
 * checkpoint (its `--json-summary` bytes, which count the input's bytes, not the UTF-8 text they decode to).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, SHARED, killMidway, killedMidwayWithin, prng, query, runCli, runOnBytes, storedRows, tempDir, waitFor } from '../helpers.js';

/** The labeled `-v long` capture (CJK text in some entries), in UTF-8. */
const U8 = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-long.log'));
const COMMON = ['--year', '2026', '--tz', 'UTC', '--context', '3'];

/** UTF-8 text as UTF-16 with a BOM, LE or BE. */
function utf16(u8: Buffer, be: boolean): Buffer {
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(u8.toString('utf8'), 'utf16le')]);
  return be ? Buffer.from(le).swap16() : le;
}

/** The offset in the UTF-16 form (with its BOM) of UTF-8 offset `o`, a line start. */
const mapped = (u8: Buffer, o: number): number => 2 + 2 * u8.subarray(0, o).toString('utf8').length;

interface Progress {
  bytes_done: number;
  lines_done: number;
}
const progress = (db: string): Progress => query<Progress>(db, 'SELECT bytes_done, lines_done FROM sources')[0]!;

/** A run of the bin with --json-summary: its summary's bytes and events. */
function run(db: string, args: string[], input?: Buffer): { bytes: number; events: number; status: string } {
  const r = runCli(['--db', db, '--quiet', '--json-summary', ...COMMON, ...args], input ? { input } : {});
  expect(r.status, r.stderr).toBe(0);
  const s = JSON.parse(r.stdout) as { sources: { bytes: number; events: number; status: string }[] };
  return s.sources[0]!;
}

/** One clean run of `bytes` (one thread) into a fresh store: its stored rows. */
function cleanRows(bytes: Buffer): unknown[] {
  return storedRows(runOnBytes(bytes, [...COMMON, '--threads', '1'], 'clean.log').db);
}

describe('a UTF-16 capture in the -v long layout', () => {
  it('checkpoints a complete run where its UTF-8 form does, and a re-run reads only from there (LE and BE)', () => {
    const dir = tempDir();
    const f8 = join(dir, 'u8.log');
    writeFileSync(f8, U8);
    const db8 = join(dir, 'u8.db');
    run(db8, [f8]);
    const want = progress(db8);
    // the last entry is open at the end: the checkpoint is at its header
    expect(want.bytes_done).toBeGreaterThan(U8.length * 0.9);
    expect(want.bytes_done).toBeLessThan(U8.length);
    expect(U8.toString('utf8', want.bytes_done, want.bytes_done + 3)).toBe('[ 0');
    for (const be of [false, true]) {
      const all = utf16(U8, be);
      const f = join(dir, `u16-${be ? 'be' : 'le'}.log`);
      writeFileSync(f, all);
      const db = join(dir, `u16-${be ? 'be' : 'le'}.db`);
      const first = run(db, [f]);
      expect(progress(db), be ? 'BE' : 'LE').toEqual({ bytes_done: mapped(U8, want.bytes_done), lines_done: want.lines_done });
      // the input's bytes, as for a UTF-8 file (the UTF-8 text's were counted)
      expect(first.bytes, 'bytes of the first run').toBe(all.length);
      // the same events as the UTF-8 form's, context included
      expect(storedRows(db).slice(0, 2)).toEqual(storedRows(db8).slice(0, 2));
      // a re-run reads the open entry again, nothing before it, and stores nothing
      const again = run(db, [f]);
      expect(again.bytes, 'bytes of the re-run').toBe(all.length - mapped(U8, want.bytes_done));
      expect(again.events).toBe(0);
      expect(progress(db)).toEqual({ bytes_done: mapped(U8, want.bytes_done), lines_done: want.lines_done });
    }
  }, 120_000);

  it('after a run of a part, an append and a run again: one clean run, the second run reading from the checkpoint (file and stdin)', () => {
    const rnd = prng(2026_12_17);
    for (const [be, how] of [[false, 'file'], [true, 'file'], [false, 'stdin']] as const) {
      const all = utf16(U8, be);
      const want = cleanRows(all);
      for (let k = 0; k < 2; k++) {
        // anywhere past the first fifth: inside an entry, a line, a code unit
        const cut = Math.floor(all.length * (0.2 + 0.75 * rnd()));
        const dir = tempDir();
        const db = join(dir, 'g.db');
        const what = `${be ? 'BE' : 'LE'}, ${how}, cut at ${cut} of ${all.length}`;
        let second: { bytes: number };
        if (how === 'stdin') {
          run(db, [], all.subarray(0, cut));
          const done = progress(db).bytes_done;
          expect(done, what).toBeGreaterThan(cut * 0.9);
          second = run(db, [], all);
          expect(second.bytes, what).toBe(all.length - done);
        } else {
          const f = join(dir, 'g.log');
          writeFileSync(f, all.subarray(0, cut));
          run(db, ['--threads', '1', f]);
          const done = progress(db).bytes_done;
          expect(done, what).toBeGreaterThan(cut * 0.9);
          expect(done, what).toBeLessThanOrEqual(cut);
          appendFileSync(f, all.subarray(cut));
          second = run(db, [f]);
          expect(second.bytes, what).toBe(all.length - done);
        }
        expect(storedRows(db), what).toEqual(want);
      }
    }
  }, 300_000);

  it('after a run killed midway and a run again: one clean run, resumed from the checkpoint', async () => {
    // four copies: a run long enough to be killed at a few points (a commit per event)
    const all = utf16(Buffer.concat([U8, U8, U8, U8]), false);
    const want = cleanRows(all);
    for (const share of [0.2, 0.5, 0.8]) {
      const midway = await killedMidwayWithin(3, async () => {
        const dir = tempDir();
        const f = join(dir, 'k.log');
        writeFileSync(f, all);
        const db = join(dir, 'k.db');
        const child = spawn(process.execPath, [BIN, '--db', db, '--quiet', ...COMMON, '--threads', '1', '--batch-size', '1', f], { env: { ...process.env, AUTHING_TRIAGE_DB: '' }, stdio: 'ignore' });
        await waitFor(() => {
          try {
            return (query<{ b: number }>(db, 'SELECT MAX(bytes_done) AS b FROM sources')[0]?.b ?? 0) > share * all.length || child.exitCode !== null;
          } catch {
            return child.exitCode !== null;
          }
        }, 120_000, `a checkpoint past ${share} of the file`);
        const killed = await killMidway(child);
        const done = progress(db).bytes_done;
        const again = run(db, [f]);
        if (killed) {
          expect(done, `killed at ${share}`).toBeGreaterThan(share * all.length);
          expect(again.bytes, `killed at ${share}`).toBe(all.length - done);
        }
        expect(storedRows(db), `killed at ${share}`).toEqual(want);
        return killed;
      });
      expect(midway, `killed past ${share} of the file within 3 attempts`).toBe(true);
    }
  }, 300_000);
});
