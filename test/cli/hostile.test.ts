/**
 * Hostile input (issue 20): each input is built the way the report built it, at random sizes and
 * positions, from a real labeled capture; every run must end inside a bound, in one line, with
 * the exit code of the table, and count exactly what one clean run counts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIN, SHARED, query, runCli, tempDir } from '../helpers.js';

const LABELED = join(SHARED, 'corpus', 'labeled');
const CAPTURE = readFileSync(join(LABELED, 'dev-threadtime.log'), 'utf8');
const EXPECTED = JSON.parse(readFileSync(join(LABELED, 'dev-threadtime.expected.json'), 'utf8')) as { total: number };
const LINES = CAPTURE.split('\n').filter((l) => l.length);

/** The capture with `extra` lines put in at `at` (0..lines). */
function spliced(at: number, ...extra: string[]): string {
  const lines = [...LINES];
  lines.splice(Math.min(at, lines.length), 0, ...extra);
  return lines.join('\n') + '\n';
}

const events = (db: string): number => query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM events')[0]!.n;

/** Runs the CLI, killed after `ms` (a hang is a failure, not a wait). */
function runBounded(args: string[], ms: number, opts: { cwd?: string } = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: ms, killSignal: 'SIGKILL', cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '' }, maxBuffer: 64 << 20 });
}

describe('unbounded cost', () => {
  it('reads a line of `{"code":1,` repeated to 1 MB under an Authing tag in linear time (item 13)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LINES.length }), fc.integer({ min: 60_000, max: 100_000 }), (at, repeat) => {
        const dir = tempDir();
        const log = join(dir, 'nested.log');
        writeFileSync(log, spliced(at, `03-17 16:13:38.811  1702  2395 E Authing : response ${'{"code":1,'.repeat(repeat)}`));
        const db = join(dir, 't.db');
        // The quadratic walk took 26 s at 300 KB and 296 s at 1 MB; linear is well under a second.
        const r = runBounded(['--db', db, '--quiet', '--threads', '1', log], 60_000);
        expect(r.signal).toBeNull();
        expect(r.status).toBe(0);
        expect(events(db)).toBe(EXPECTED.total + 1);
        expect(query<{ code: number; method: string }>(db, "SELECT code, method FROM events WHERE excerpt LIKE 'response%'")).toEqual([{ code: 1, method: 'json' }]);
      }),
      { numRuns: 2 },
    );
  });
});
