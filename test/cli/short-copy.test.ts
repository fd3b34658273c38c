/**
 * A copy of a counted file shorter than the file's head (64 KiB, or less for a smaller file) was counted again as a
 * new source: `full.log` (80 events) then its first 30,000 bytes stored 86 events and 2 sources, and 10,000 /
 * 65,535-byte snapshots 83 / 91 (an adversarial review's find; README "Exactly once" promises a shorter copy is
 * skipped). A stored head is looked up at lengths the input has, so a copy shorter than it never found its source;
 * it is now found by the hash of its first 512 bytes (sources.lead_hash) and compared with the file as any shorter
 * copy is. A copy under 512 bytes, or one that only starts like the file, is still counted as its own.
 */
import Database from 'better-sqlite3';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/sqlite.js';
import { SHARED, query, runCli, storedRows, tempDir } from '../helpers.js';

const CAPTURE = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
/** A snapshot under the 64 KiB head, cut inside a line, with events of its own (6 of the capture's 80). */
const SNAP = 30_000;

interface Summary {
  files: { read: number; skipped: number };
  sources: { name: string; status: string; skipReason?: string; note?: string }[];
}

function run(db: string, files: string[], input?: Buffer) {
  const r = runCli(['--db', db, '--year', '2026', '--tz', 'UTC', '--json-summary', ...files], input ? { input } : {});
  expect(r.status, r.stderr).toBe(0);
  return { summary: JSON.parse(r.stdout) as Summary, stderr: r.stderr };
}

const sources = (db: string): number => query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM sources')[0]!.n;

/** A folder with `full.log` (the capture, or its first `size` bytes) and `snap.log`, its first `cut` bytes; the store of one clean run of full.log. */
function setUp(cut = SNAP, size = CAPTURE.length) {
  const dir = tempDir();
  const full = join(dir, 'full.log');
  const snap = join(dir, 'snap.log');
  writeFileSync(full, CAPTURE.subarray(0, size));
  writeFileSync(snap, CAPTURE.subarray(0, cut));
  const clean = join(dir, 'clean.db');
  run(clean, [full]);
  return { dir, full, snap, want: storedRows(clean) };
}

describe('a copy shorter than the head of a file counted before', () => {
  it('is skipped as already counted after the file, in a later run or the same one, and says so as a longer copy does', () => {
    const { dir, full, snap, want } = setUp();
    const later = join(dir, 'later.db');
    run(later, [full]);
    const { summary, stderr } = run(later, [snap]);
    expect(summary.files).toMatchObject({ read: 0, skipped: 1 });
    expect(summary.sources[0]).toMatchObject({ status: 'skipped', skipReason: 'already counted', note: `the first bytes of ${full}, counted before` });
    expect(stderr).toBe(`authing-triage: ${snap}: the first bytes of ${full}, counted before\n`);
    expect(storedRows(later)).toEqual(want);

    const same = join(dir, 'same.db');
    run(same, [full, snap]);
    expect(storedRows(same)).toEqual(want);
  });

  it.each([512, 10_000, 65_535])('is skipped at %i bytes', (cut) => {
    const { dir, full, snap, want } = setUp(cut);
    const db = join(dir, 'cut.db');
    run(db, [full]);
    run(db, [snap]);
    expect(storedRows(db)).toEqual(want);
  });

  it('is skipped from stdin and gzipped, with exit 0', () => {
    const { dir, full, want } = setUp();
    const piped = join(dir, 'stdin.db');
    run(piped, [full]);
    expect(run(piped, [], CAPTURE.subarray(0, SNAP)).summary.sources[0]).toMatchObject({ skipReason: 'already counted' });
    expect(storedRows(piped)).toEqual(want);

    const gz = join(dir, 'snap.log.gz');
    writeFileSync(gz, gzipSync(CAPTURE.subarray(0, SNAP)));
    const zipped = join(dir, 'gz.db');
    run(zipped, [full]);
    expect(run(zipped, [gz]).summary.sources[0]).toMatchObject({ skipReason: 'already counted' });
    expect(storedRows(zipped)).toEqual(want);
  });

  it('is skipped when it was the whole head of a capture that has grown since: 17 events for 11 before', () => {
    // a 30 KB capture counted, snapshotted, grown to 50 KB and counted again: its head key became the 50 KB one
    const { dir, full, snap } = setUp(SNAP, SNAP);
    const db = join(dir, 'grown.db');
    run(db, [full]);
    appendFileSync(full, CAPTURE.subarray(SNAP, 50_000));
    run(db, [full]);
    const clean = join(dir, 'clean50.db');
    run(clean, [full]);
    expect(query(db, 'SELECT head_len FROM sources')).toEqual([{ head_len: 50_000 }]);
    expect(run(db, [snap]).summary.sources[0]).toMatchObject({ skipReason: 'already counted' });
    expect(storedRows(db)).toEqual(storedRows(clean));
  });

  it('of a capture first counted under 512 bytes is known once its head reaches them', () => {
    // claimed without a lead (its head was 300 bytes); extendHead gives it one when it grows past 512
    const { dir, full, snap } = setUp(SNAP, 300);
    const db = join(dir, 'tiny.db');
    run(db, [full]);
    appendFileSync(full, CAPTURE.subarray(300, 50_000));
    run(db, [full]);
    run(db, [snap]);
    expect(sources(db)).toBe(1);
    const clean = join(dir, 'clean50.db');
    run(clean, [full]);
    expect(storedRows(db)).toEqual(storedRows(clean));
    const lead = query<{ lead_hash: string }>(clean, 'SELECT lead_hash FROM sources')[0]!.lead_hash;
    expect(lead).toMatch(/^[0-9a-f]{64}$/);
    expect(query(db, 'SELECT lead_hash FROM sources')).toEqual([{ lead_hash: lead }]);
  });

  it('is counted as its own source under 512 bytes (no lead: the documented limit)', () => {
    const { dir, full, snap } = setUp(511);
    const db = join(dir, 'short.db');
    run(db, [full]);
    const { summary } = run(db, [snap]);
    expect(summary.sources[0]).toMatchObject({ status: 'read' });
    expect(sources(db)).toBe(2);
  });

  it('is skipped after a copy under 512 bytes was counted as its own source, whose head it starts with', () => {
    // the short source matched the longer copy by its head, and the copy was read on from there: on the code before,
    // 6 of full.log's events were counted a second time (stdin and a file alike)
    const { dir, full, snap } = setUp();
    const tiny = join(dir, 'tiny.log');
    writeFileSync(tiny, CAPTURE.subarray(0, 511));
    const db = join(dir, 'tiny.db');
    run(db, [full]);
    run(db, [tiny]);
    const before = storedRows(db);
    expect(sources(db)).toBe(2);
    const piped = run(db, [], CAPTURE.subarray(0, SNAP)).summary;
    expect(piped.sources[0]).toMatchObject({ status: 'skipped', skipReason: 'already counted', note: `the first bytes of ${full}, counted before` });
    const given = run(db, [snap]).summary;
    expect(given.sources[0]).toMatchObject({ status: 'skipped', skipReason: 'already counted', note: `the first bytes of ${full}, counted before` });
    expect(storedRows(db)).toEqual(before);
  });

  it('that only shares the first 512 bytes (then lines of its own) is counted in full, as its own source', () => {
    const { dir, full, want } = setUp();
    // shorter than what was counted, and the same lead: the prefix hash at its length tells it apart
    const other = join(dir, 'other.log');
    writeFileSync(other, Buffer.concat([CAPTURE.subarray(0, 512), CAPTURE.subarray(CAPTURE.length - 29_488)]));
    const alone = join(dir, 'alone.db');
    run(alone, [other]);
    const own = query<{ n: number }>(alone, 'SELECT COUNT(*) AS n FROM events')[0]!.n;
    expect(own).toBeGreaterThan(0);
    const db = join(dir, 'both.db');
    run(db, [full]);
    expect(run(db, [other]).summary.sources[0]).toMatchObject({ status: 'read' });
    expect(query(db, 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: (want[0] as unknown[]).length + own }]);
    expect(sources(db)).toBe(2);
  });
});

/** A store that counted `file` as a build of schema 8 left it: no sources.lead_hash or its index. */
function schema8Store(dir: string, file: string): string {
  const db = join(dir, 'old.db');
  run(db, [file]);
  const conn = new Database(db);
  conn.exec('DROP INDEX sources_lead; ALTER TABLE sources DROP COLUMN lead_hash');
  conn.pragma('user_version = 8');
  conn.close();
  return db;
}

describe('sources.lead_hash (schema 9)', () => {
  it('migrate gives its lead to a source the target holds without one: a short copy there is skipped', () => {
    // the target's row, of an older build (its lead NULL), was claimed before: claimSource kept it as it was
    const { dir, full, snap, want } = setUp();
    const from = join(dir, 'from.db');
    const to = join(dir, 'to.db');
    run(from, [full]);
    run(to, [full]);
    const t = new Database(to);
    t.prepare('UPDATE sources SET lead_hash = NULL').run();
    t.close();
    const m = runCli(['migrate', '--from', from, '--to', to]);
    expect(m.status, m.stderr).toBe(0);
    expect(query(to, 'SELECT lead_hash IS NOT NULL AS lead FROM sources')).toEqual([{ lead: 1 }]);
    expect(run(to, [snap]).summary.sources[0]).toMatchObject({ status: 'skipped', skipReason: 'already counted' });
    expect(storedRows(to)).toEqual(want);
  });

  it('a store of schema 8 is migrated; its old source gets its lead when read again, and what is counted after has one', () => {
    const { dir, full, want } = setUp();
    const db = schema8Store(dir, full);
    // the same file again: nothing new, and the store is migrated; the old source, read again, gets its lead then
    run(db, [full]);
    expect(query(db, 'PRAGMA user_version')).toEqual([{ user_version: SCHEMA_VERSION }]);
    expect(SCHEMA_VERSION).toBe(9);
    expect(query(db, 'SELECT lead_hash FROM sources')).toEqual(query(join(dir, 'clean.db'), 'SELECT lead_hash FROM sources'));
    expect(storedRows(db)).toEqual(want);
    // a capture counted after the migration gets its lead, and its short copy is skipped
    const next = join(dir, 'next.log');
    const nextSnap = join(dir, 'next-snap.log');
    writeFileSync(next, CAPTURE.subarray(1000));
    writeFileSync(nextSnap, CAPTURE.subarray(1000, 1000 + SNAP));
    run(db, [next]);
    expect(run(db, [nextSnap]).summary.sources[0]).toMatchObject({ skipReason: 'already counted' });
    expect(query(db, 'SELECT id, lead_hash IS NOT NULL AS lead FROM sources ORDER BY id')).toEqual([{ id: 1, lead: 1 }, { id: 2, lead: 1 }]);
  });

  it("gives an older build's source its lead when it is read again: its short copy is skipped from then on", () => {
    const { dir, full, snap, want } = setUp();
    const db = schema8Store(dir, full);
    // a nightly job's next run: the file again (nothing new), then a snapshot of it
    run(db, [full]);
    expect(run(db, [snap]).summary.sources[0]).toMatchObject({ status: 'skipped', skipReason: 'already counted' });
    expect(sources(db)).toBe(1);
    expect(storedRows(db)).toEqual(want);
  });
});
