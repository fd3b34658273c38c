/**
 * Retention (issue 21): `prune --older-than` deletes old events and keeps the hourly counts and the
 * sources, so every report over a window older than the cutoff answers as before, old archives are
 * still not counted again, and a re-read under a new contract does not bring pruned events back;
 * on SQLite and PostgreSQL alike. Also `--all`, and the `retention` config key.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED, pgDatabase, pgQuery, query, runCli, tempDir } from '../helpers.js';

const HOUR = 3_600_000;
const TAGGED = join(SHARED, 'corpus', 'labeled', 'dev-threadtime-tag.log');
/** The cutoff of the tests: midnight between two days of captures (each day's lines are at 16:13-16:15). */
const CUTOFF = '2026-03-15T00:00:00.000Z';
/** `--older-than` that puts the cutoff at CUTOFF now. */
const age = () => `${Math.floor(Date.now() / HOUR) - Date.parse(CUTOFF) / HOUR}h`;

let logs: string;

beforeAll(() => {
  // Six days of one device: the real capture, each copy dated one day later (distinct content).
  logs = join(tempDir(), 'logs');
  mkdirSync(logs);
  const text = readFileSync(TAGGED, 'utf8');
  for (let d = 12; d <= 17; d++) writeFileSync(join(logs, `device-03-${d}.log`), text.replace(/^03-17 /gm, `03-${d} `));
});

/** A new store, and a copy of one no run is using (a closed SQLite store is one file). */
type Store = { name: string; target: () => Promise<string>; copy: (db: string) => Promise<string> };
const STORES: Store[] = [
  {
    name: 'SQLite',
    target: async () => join(tempDir(), 'p.db'),
    copy: async (db) => {
      const to = join(tempDir(), 'p.db');
      copyFileSync(db, to);
      return to;
    },
  },
  { name: 'PostgreSQL', target: () => pgDatabase(), copy: (url) => pgDatabase(url) },
];

const cli = (db: string, ...args: string[]) => {
  const r = runCli([...args, '--db', db]);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};
const rows = async (db: string, sql: string): Promise<Record<string, unknown>[]> => (db.startsWith('postgres') ? pgQuery(db, sql) : query(db, sql));
const eventsAfter = (db: string) => rows(db, `SELECT s.name, e.line, e.code, e.time FROM events e JOIN sources s ON s.id = e.source_id WHERE e.time >= '${CUTOFF}' ORDER BY 1, 2`);

/** Every row of the events and hourly counts, in one order. */
const storedRows = async (db: string) => [
  await rows(db, 'SELECT source_id, line, code, time FROM events ORDER BY source_id, line, code'),
  await rows(db, 'SELECT hour, code, tag, source_id, outcome, count FROM counts_hourly ORDER BY hour, code, tag, source_id, outcome'),
];

/** Reports over windows that end at or before the cutoff, and over all time. */
const OLD_REPORTS = [
  ['report', '--by', 'day', 'category', '-f', 'json', '--until', '2026-03-15'],
  ['report', '--by', 'code', '-f', 'json', '--since', '2026-03-12', '--until', '2026-03-15'],
  ['report', '--by', 'hour', '-f', 'json', '--until', '2026-03-15T00:00:00Z'],
  ['report', '--by', 'source', 'code', '-f', 'json', '--since', '2026-03-13T16:00:00Z', '--until', '2026-03-14T17:00:00Z'],
  ['report', '--by', 'category', '-f', 'json'],
  ['sql', "SELECT day, category, count FROM v_daily WHERE day < '2026-03-15' ORDER BY day, category", '-f', 'json'],
];
/** The outputs of the first `n` of OLD_REPORTS (each one a run of the CLI), without each row's latest event id: the events before the cutoff are gone, their counts are not. */
const answers = (db: string, n = OLD_REPORTS.length) => OLD_REPORTS.slice(0, n).map((args) => cli(db, ...args).stdout.replace(/,\n\s*"latestEvent": (?:\d+|null)/g, ''));

let taggedRun: string | undefined;
/** The six days read once with --tag MainActivity into a fresh SQLite store (read only; made once for both stores). */
const freshTagged = (): string => {
  if (!taggedRun) {
    taggedRun = join(tempDir(), 'fresh.db');
    cli(taggedRun, '--quiet', '--tz', 'UTC', '--tag', 'MainActivity', logs);
  }
  return taggedRun;
};

let unpruned: string[] | undefined;
/**
 * The old-window answers of a store holding one run over the six days, before any prune: what every
 * test's answers after its prune and re-reads must equal, on either store. Asked once, of the first
 * store made (reports leave a store as it was): SQLite and PostgreSQL answer alike (postgres.test.ts),
 * so PostgreSQL's answers after its prunes are held to the same outputs.
 */
const unprunedAnswers = (db: string): string[] => (unpruned ??= answers(db));

describe.each(STORES)('prune on $name', (store) => {
  let ingested: string | undefined;
  let pruned: Promise<{ db: string; result: unknown }> | undefined;
  /**
   * A store holding one run over the six days, as each test starts from: the run is made once per
   * store, and each test prunes a copy of it (the same rows; a third of the ingests).
   */
  const ingestedOnce = async (): Promise<string> => {
    if (!ingested) {
      const db = await store.target();
      cli(db, '--quiet', '--tz', 'UTC', logs);
      ingested = db;
    }
    return ingested;
  };
  /** A copy of that store, for a test to change. */
  const ingestedStore = async (): Promise<string> => store.copy(await ingestedOnce());
  /** The old-window answers before any prune (above), of this store's first run if none were asked yet. */
  const before = async (): Promise<string[]> => unprunedAnswers(await ingestedOnce());
  /**
   * A copy of the ingested store pruned at the cutoff, and what `prune --json` printed: the prune is run
   * once per store, and each test that starts from it takes a copy of its own.
   */
  const prunedStore = async (): Promise<{ db: string; result: unknown }> => {
    pruned ??= (async () => {
      const db = await ingestedStore();
      return { db, result: JSON.parse(cli(db, 'prune', '--older-than', age(), '--json').stdout) };
    })();
    const { db, result } = await pruned;
    return { db: await store.copy(db), result };
  };

  it('keeps every report answer over windows older than the cutoff, and the events after it', { timeout: 180_000 }, async () => {
    const old = await before();
    expect(JSON.parse(old[0]!).reduce((a: number, r: { count: number }) => a + r.count, 0)).toBe(3 * 60);
    const after = await eventsAfter(await ingestedOnce());
    expect(after).toHaveLength(3 * 60);

    const { db, result: r } = await prunedStore();
    expect(r).toMatchObject({ before: CUTOFF, events: 3 * 60, counts: 0 });
    expect(await rows(db, `SELECT COUNT(*) AS n FROM events WHERE time < '${CUTOFF}'`)).toEqual([{ n: 0 }]);
    expect(await eventsAfter(db)).toEqual(after);
    expect(answers(db)).toEqual(old);

    // The pruned archives are still known: a re-run adds nothing. Every stored row stays as it was, so the
    // reports (pure reads of these rows, compared just above) answer as before without running them again.
    const stored = await storedRows(db);
    const again = JSON.parse(cli(db, '--tz', 'UTC', logs, '--json-summary').stdout);
    expect(again.files).toMatchObject({ read: 0, skipped: 6 });
    expect(again.events).toBe(0);
    expect(await storedRows(db)).toEqual(stored);
  });

  it('a re-read under a wider contract after a prune adds the new events after the cutoff only, never a pruned one again', { timeout: 180_000 }, async () => {
    // The four old-window reports a re-read could change (the two all-time ones gain its new events),
    // as the store answered them before the prune (the test above shows a prune leaves them so).
    const old = (await before()).slice(0, 4);
    const { db } = await prunedStore();
    const s = JSON.parse(cli(db, '--tz', 'UTC', '--tag', 'MainActivity', logs, '--json-summary').stdout);
    // Two MainActivity events a day; only the three days after the cutoff get them.
    expect(s.events).toBe(3 * 2);
    expect(answers(db, 4)).toEqual(old);
    expect(await eventsAfter(db)).toEqual(query(freshTagged(), `SELECT s.name, e.line, e.code, e.time FROM events e JOIN sources s ON s.id = e.source_id WHERE e.time >= '${CUTOFF}' ORDER BY 1, 2`));
    const counted = await rows(db, 'SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT SUM(count) FROM counts_hourly) AS counted');
    expect(counted).toEqual([{ events: 3 * 62, counted: 3 * 60 + 3 * 62 }]);
  });

  it('--all drops the hourly counts before the cutoff too, and leaves the later ones', { timeout: 180_000 }, async () => {
    const db = await ingestedStore();
    const later = cli(db, 'report', '--by', 'day', 'code', '-f', 'json', '--since', '2026-03-15').stdout;
    const r = JSON.parse(cli(db, 'prune', '--older-than', age(), '--all', '--json').stdout);
    expect(r.events).toBe(3 * 60);
    expect(r.counts).toBeGreaterThan(0);
    expect(JSON.parse(cli(db, 'report', '--by', 'code', '-f', 'json', '--until', '2026-03-15').stdout)).toEqual([]);
    expect(cli(db, 'report', '--by', 'day', 'code', '-f', 'json', '--since', '2026-03-15').stdout).toBe(later);
    expect(await rows(db, 'SELECT COUNT(*) AS n FROM sources')).toEqual([{ n: 6 }]);
  });
});

describe('retention', () => {
  it('the config key applies prune at the end of each ingest, and VACUUM gives the space back', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ retention: age(), tz: 'UTC' }));
    const db = join(dir, 'r.db');
    const r = runCli(['--db', db, logs], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`retention: pruned .*r\\.db: 180 events before ${CUTOFF.replace(/\./g, '\\.')}; hourly counts kept; space given back \\(VACUUM\\)`));
    expect(query(db, 'SELECT COUNT(*) AS events, (SELECT SUM(count) FROM counts_hourly) AS counted FROM events')).toEqual([{ events: 180, counted: 360 }]);
    expect(query(db, 'PRAGMA freelist_count')).toEqual([{ freelist_count: 0 }]);
  });

  it('rejects an age it cannot read in one line, exit 2', () => {
    const r = runCli(['prune', '--older-than', 'ninety days', '--db', join(tempDir(), 'x.db')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('authing-triage: --older-than "ninety days": expected an age of at least an hour, like 90d, 12w, 36h or 1y\n');
  });
});
