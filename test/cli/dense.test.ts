/**
 * Bounded memory at any density (issue 18 defect 2): a capture where every line is an Authing event
 * (a QA device in a retry loop) goes through with the default threads, gives exactly the events the
 * extractor finds on each line, and peaks under 200 MB RSS. Before, a 16 MiB range of such lines
 * built ~16 MB of candidate text in a scan worker limited to 24 MB: "Worker terminated due to
 * reaching memory limit".
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { parseText } from '../../src/parse/records.js';
import { loadRegistry } from '../../src/registry/index.js';
import { BIN, SHARED, query, tempDir } from '../helpers.js';

/** A digest of "line:code" lines, one per event in line order (one hash of one string: 330,000 events). */
const digestOf = (lines: string): string => createHash('sha256').update(lines).digest('hex');

/**
 * The real capture's lines that yield an event, repeated with their pids varied until `bytes`;
 * returns the code each line yields, from the extractor run on the capture's line (the pid is not
 * part of the match).
 */
function denseCapture(file: string, bytes: number, seed: number): number[] {
  const ex = new Extractor(loadRegistry());
  const eventful = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8')
    .split('\n')
    .map((l) => [l, parseText(l, { year: 2026, tz: 'UTC' }).records.map((r) => ex.extract(r)).find((e) => e !== null)?.code] as const)
    .filter((x): x is readonly [string, number] => x[1] !== undefined);
  expect(eventful.length).toBeGreaterThan(20);
  // Each line is its template with the pid replaced: the stamp before the pid and the rest after it, split once
  // per template (a replace() on each of the 330,000 lines was most of this test's own CPU).
  const parts = eventful.map(([template, code]) => {
    const m = /^(\S+ \S+)\s+\d+/.exec(template)!;
    return [`${m[1]} `, template.slice(m[0].length), code] as const;
  });
  const out: string[] = [];
  const codes: number[] = [];
  let size = 0;
  let x = seed;
  while (size < bytes) {
    x = (x * 1103515245 + 12345) >>> 0;
    const [stamp, rest, code] = parts[x % parts.length]!;
    const line = `${stamp}${String(1000 + (x % 9000)).padStart(5)}${rest}`;
    out.push(line);
    codes.push(code);
    size += line.length + 1;
  }
  writeFileSync(file, out.join('\n') + '\n');
  return codes;
}

/**
 * Runs the bin as a user does (its own `#!` line sets Node's flags) under /usr/bin/time: exit code,
 * peak RSS in MB, and a digest of the stored (line, code) pairs.
 */
function run(db: string, args: string[], input?: Buffer): { status: number | null; stderr: string; rssMb: number; events: number; digest: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '__rss %M', BIN, '--db', db, '--quiet', ...args], { encoding: 'utf8', env: { ...process.env, AUTHING_TRIAGE_DB: '' }, input, maxBuffer: 64 << 20 });
  const rssMb = Number(/__rss (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  // SQLite joins the pairs: no JavaScript object per stored event.
  const [stored] = r.status === 0 ? query<{ n: number; pairs: string | null }>(db, "SELECT COUNT(*) AS n, group_concat(line || ':' || code || char(10), '' ORDER BY line) AS pairs FROM events") : [];
  return { status: r.status, stderr: r.stderr.replace(/__rss \d+\n?/, ''), rssMb, events: stored?.n ?? 0, digest: digestOf(stored?.pairs ?? '') };
}

describe('a dense capture (every line an Authing event)', () => {
  it('goes through with the default threads, with exactly the events of the extractor on each line, under 200 MB peak RSS', () => {
    const dir = tempDir();
    const file = join(dir, 'dense.log');
    // 36 MB through stdin fails on 925433b^ as 70 MB in ranges did (peak RSS 219 MB), at half the CPU.
    const codes = denseCapture(file, 36e6, 18);
    // The expected events come from the generator (each line's code), not from a --threads 1 run of
    // the capture: that second ingest was a third of this test's time.
    // Through stdin: the reader thread hands its buffers to the scan threads, whatever the size (a plain
    // file this small is read on the main thread, which never had the bug).
    const many = run(join(dir, 'many.db'), ['--threads', '2'], readFileSync(file));
    expect(many.stderr).toBe('');
    expect(many.status).toBe(0);
    expect(many.events).toBe(codes.length);
    expect(many.digest).toBe(digestOf(codes.map((code, i) => `${i + 1}:${code}\n`).join('')));
    expect(many.rssMb).toBeLessThan(200);
  }, 400_000);
});
