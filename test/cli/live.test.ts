/** Live mode through the real bin: NDJSON as lines arrive, queryable while running, SIGINT, --tee, filters. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, expectSameBytes, query, runCli, tempDir, exitOf, startCli, waitFor } from '../helpers.js';
import { codeOutcome } from '../../src/extract/outcome.js';
import { loadRegistry } from '../../src/registry/index.js';

const REG = loadRegistry();

const FIXTURE = join(FIXTURES, 'guard-threadtime.log');
const LINES = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
const start = startCli;

describe('live', () => {
  it('prints each event as NDJSON before the input ends, and ends with the summary line', { timeout: 180_000 }, async () => {
    const db = join(tempDir(), 'l.db');
    const c = start(['--db', db, '--json']);
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    const firstAuthing = LINES.findIndex((l) => l.includes('errCode = 2333'));
    c.stdin.write(LINES.slice(0, firstAuthing + 1).join('\n') + '\n');
    await waitFor(() => out.includes('\n'));
    const first = JSON.parse(out.split('\n')[0]!);
    expect(first).toMatchObject({ level: 50, code: 2333, category: 'password', tag: 'SocialLoginButton', method: 'key-value', line: firstAuthing + 1, source: '-', outcome: codeOutcome(REG.codes.get(2333), 'password') });
    // msg in the run's language (English here), and both languages beside it for scripts.
    expect(first.msg).toMatch(/^[^\u4e00-\u9fff]+$/);
    expect(first.messageZh).toMatch(/[\u4e00-\u9fff]/);
    expect(typeof first.time).toBe('number');
    expect(c.exitCode).toBeNull(); // still running: the event came before the input ended
    c.stdin.end(LINES.slice(firstAuthing + 1).join('\n') + '\n');
    expect(await exitOf(c)).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    // Events only: the summary went to stderr (issue 23 item 12).
    expect(lines).toHaveLength(15);
    expect(lines.every((l) => typeof l.code === 'number')).toBe(true);
  });

  it('commits at least once a second, so another process sees the rows while it runs', { timeout: 180_000 }, async () => {
    const db = join(tempDir(), 'q.db');
    const c = start(['--db', db, '--quiet']);
    c.stdin.write(LINES.join('\n') + '\n');
    // Seen from this process's own connection, read-only (a poll by `report` was a run of the bin every time).
    await waitFor(() => {
      try {
        return query<{ n: number }>(db, 'SELECT (SELECT COALESCE(SUM(count), 0) FROM counts_hourly) AS n')[0]!.n === 15;
      } catch {
        return false; // the run has not made the file or its schema yet
      }
      // stdin stays open: a run that commits only at the end never gets there. The deadline bounds that run, not
      // the timer's period: 5 s, start-up included, was within 3x of a start on a loaded machine.
    }, 30_000, 'the 15 events counted while stdin is open');
    expect(c.exitCode).toBeNull();
    c.stdin.end();
    expect(await exitOf(c)).toBe(0);
  });

  it('on SIGINT commits what was read, exits 130, and leaves exact counts', { timeout: 180_000 }, async () => {
    const db = join(tempDir(), 's.db');
    const c = start(['--db', db, '--json']);
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    const half = LINES.findIndex((l) => l.includes('createDevice'));
    c.stdin.write(LINES.slice(0, half + 1).join('\n') + '\n');
    await waitFor(() => out.includes('"code":1577'));
    c.kill('SIGINT');
    expect(await exitOf(c)).toBe(130);
    const seen = out.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.code !== undefined).length;
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: seen }]);
    expect(query(db, 'SELECT SUM(count) AS n FROM counts_hourly')).toEqual([{ n: seen }]);
    // the whole capture again: the part already counted is recognised, the rest is added
    const again = runCli(['--db', db, '--quiet', '-'], { input: LINES.join('\n') + '\n' });
    expect(again.status).toBe(0);
    expect(query(db, 'SELECT SUM(count) AS n FROM counts_hourly')).toEqual([{ n: 15 }]);
  });

  it('--tee passes every input line through unchanged', () => {
    const db = join(tempDir(), 't.db');
    const input = readFileSync(FIXTURE);
    const r = runCli(['--db', db, '--tee', '--quiet'], { input });
    expect(r.status).toBe(0);
    expectSameBytes(Buffer.from(r.stdout), input, 'the --tee output');
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 15 }]);
  });

  it('ends quietly when stdout closes (| head)', () => {
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `set -o pipefail; cat "${FIXTURE}" "${FIXTURE}" | "${process.execPath}" "${BIN}" --db "${join(tempDir(), 'h.db')}" --json --quiet | head -2`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('filters what is shown by --level, --category, --code and --only-tag, live and batch alike, and stores every event', () => {
    const count = (...args: string[]) => {
      const db = join(tempDir(), 'f.db');
      const r = runCli(['--db', db, '--json', FIXTURE, ...args]);
      expect(r.status).toBe(0);
      expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 15 }]);
      const shown = new Map<number, number>();
      for (const l of r.stdout.trim().split('\n')) shown.set(JSON.parse(l).code, (shown.get(JSON.parse(l).code) ?? 0) + 1);
      return [...shown].sort((a, b) => a[0] - b[0]);
    };
    expect(count('--category', 'network')).toEqual([[10001, 2]]);
    expect(count('--code', '1636', '--code', '2004')).toEqual([[1636, 1], [2004, 1]]);
    expect(count('--only-tag', 'Guardian')).toEqual([[401, 1], [1636, 1]]);
    expect(count('--level', 'W', '--category', 'session', '--category', 'permission')).toEqual([[401, 1]]);
    const live = runCli(['--db', join(tempDir(), 'f.db'), '--json', '--category', 'network'], { input: readFileSync(FIXTURE) });
    expect(live.stdout.trim().split('\n').map((l) => JSON.parse(l).code)).toEqual([10001, 10001]);
  });

  it('renders events with pino-pretty in the terminal layout when --live is given', () => {
    const r = runCli(['--db', join(tempDir(), 'p.db'), '--live', '--quiet', FIXTURE]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    // The message in one language: English here, whatever language the registry's first source used.
    expect(lines[0]).toMatch(/^\[\d\d:13:40\.332\] ERROR: 2333 \[password\] [^\u4e00-\u9fff]+ {2}SocialLoginButton: loginDone: errCode = 2333/);
    expect(r.stdout).toMatch(/^ {4}what to do: Check whether the phone has a network signal/m);
    expect(r.stdout.match(/what to do: Check whether the phone/g)).toHaveLength(1); // only the first time 10001 appears
  });
});
