/**
 * A shorter copy of a file counted before (a snapshot of a capture still being written, a copy cut short) was
 * counted again, as a new source, when it came after the file: `full.log` then `pre.log` stored 112 events where
 * one clean run of `full.log` stores 80 (round seventeen's adversarial review; README: "a copied, renamed, rotated
 * or gzipped file counts nothing twice"). It is now known for the first bytes of the file it was copied from,
 * which still holds what was counted, and skipped as already counted. A file that only starts the same is counted.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SHARED, query, runCli, tempDir } from '../helpers.js';

const CAPTURE = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
/** A cut inside a line, past the 64 KiB head and before the end. */
const CUT = Math.floor(CAPTURE.length / 2) + 17;

function rows(db: string): unknown[] {
  return query(db, 'SELECT line, code, time, tag, excerpt FROM events ORDER BY line, code');
}

interface Summary {
  files: { skipped: number };
  sources: { name: string; skipReason?: string; note?: string }[];
}

function run(db: string, files: string[], input?: Buffer) {
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', '--json-summary', ...files], input ? { input } : {});
  expect(r.status, r.stderr).toBe(0);
  return { summary: JSON.parse(r.stdout) as Summary, stderr: r.stderr };
}

function setUp() {
  const dir = tempDir();
  const full = join(dir, 'full.log');
  const pre = join(dir, 'pre.log');
  writeFileSync(full, CAPTURE);
  writeFileSync(pre, CAPTURE.subarray(0, CUT));
  const clean = join(dir, 'clean.db');
  run(clean, [full]);
  return { dir, full, pre, want: rows(clean) };
}

describe('a shorter copy of a file counted before', () => {
  it('is skipped as already counted after the file, in a later run or the same one, plain or gzipped', () => {
    const { dir, full, pre, want } = setUp();
    expect(want.length).toBeGreaterThan(50);
    const later = join(dir, 'later.db');
    run(later, [full]);
    const { summary, stderr } = run(later, [pre]);
    expect(rows(later)).toEqual(want);
    expect(summary.sources[0]).toMatchObject({ skipReason: 'already counted' });
    expect(stderr).toContain('pre.log: the first bytes of');

    const same = join(dir, 'same.db');
    run(same, [full, pre]);
    expect(rows(same)).toEqual(want);

    const gz = join(dir, 'pre.log.gz');
    writeFileSync(gz, gzipSync(CAPTURE.subarray(0, CUT)));
    const zipped = join(dir, 'zipped.db');
    run(zipped, [full]);
    run(zipped, [gz]);
    expect(rows(zipped)).toEqual(want);
    expect(query(zipped, 'SELECT COUNT(*) AS n FROM sources')).toEqual([{ n: 1 }]);
  });

  it('from stdin is skipped too, with exit 0', () => {
    const { dir, full, want } = setUp();
    const db = join(dir, 'stdin.db');
    run(db, [full]);
    run(db, [], CAPTURE.subarray(0, CUT));
    expect(rows(db)).toEqual(want);
  });

  it('is still known once the file it was copied from has grown', () => {
    const { dir, full, pre, want } = setUp();
    const db = join(dir, 'grown.db');
    run(db, [full]);
    appendFileSync(full, CAPTURE.subarray(0, 4096));
    run(db, [pre]);
    expect(rows(db)).toEqual(want);
  });

  it("takes the run's labels onto the source, and a run that would read more of it names the file to give", () => {
    const { dir, full, pre, want } = setUp();
    const db = join(dir, 'labels.db');
    run(db, [full]);
    const r = runCli(['--db', db, '--year', '2026', '--tz', 'UTC', '--label', 'device=pixel7', '--tag', 'MainActivity', pre]);
    expect(r.status, r.stderr).toBe(0);
    expect(rows(db)).toEqual(want);
    expect(query(db, 'SELECT source_id, key, value FROM source_labels')).toEqual([{ source_id: 1, key: 'device', value: 'pixel7' }]);
    expect(r.stderr).toMatch(/pre\.log: the run's --tag \/ --registry settings would read .*full\.log again, not this copy of its first bytes: give .*full\.log to do it/);
  });

  it('is known when the file was named relative to another folder: by the absolute path it was read from', () => {
    // the original read as `cap.log` from its folder, the copy given from another (a nightly job's cd, then a look
    // at a snapshot): 107 events for 80 before schema 8, the stored name leading nowhere (round eighteen's review)
    const { dir, want } = setUp();
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a', 'cap.log'), CAPTURE);
    writeFileSync(join(dir, 'b', 'snap.log'), CAPTURE.subarray(0, CUT));
    const db = join(dir, 'rel.db');
    const first = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', 'cap.log'], { cwd: join(dir, 'a') });
    expect(first.status, first.stderr).toBe(0);
    expect(query(db, 'SELECT name, path FROM sources')).toEqual([{ name: 'cap.log', path: join(dir, 'a', 'cap.log') }]);
    const { summary } = run(db, [join('b', 'snap.log')].map((f) => join(dir, f)));
    expect(summary.sources[0]).toMatchObject({ skipReason: 'already counted' });
    expect(rows(db)).toEqual(want);
  });

  it('a file that only starts the same (past the head) is counted in full, as its own source', () => {
    const { dir, full, want } = setUp();
    // the copy's first CUT bytes, then lines of its own: shorter than what was counted, not a copy of it
    const lines = CAPTURE.toString('utf8').split('\n');
    const other = join(dir, 'other.log');
    const tail = lines.slice(-40).join('\n') + '\n';
    writeFileSync(other, Buffer.concat([CAPTURE.subarray(0, CAPTURE.lastIndexOf(10, CUT) + 1), Buffer.from(tail)]));
    const alone = join(dir, 'alone.db');
    run(alone, [other]);
    const db = join(dir, 'both.db');
    run(db, [full]);
    run(db, [other]);
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: want.length + rows(alone).length }]);
  });
});
