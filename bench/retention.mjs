#!/usr/bin/env node
// node bench/retention.mjs [--day-size 1GB] [--days 7] [--keep 3] [--store sqlite|pg]   (npm run build first)
// A simulated week of the README's nightly job on one SQLite file (or a throwaway PostgreSQL database,
// sizes by pg_total_relation_size; BENCH_PG=postgres://... for your own server): each day one capture of --day-size
// (bench/generate.mjs, its lines spread over the day), ingested, then deleted. Prints, per day, the
// events and the database size by table (dbstat), then the bytes per million events and per day of
// hourly counts, the size after a year with and without `retention: 90d`, and checks the model with
// `prune`: all but the last --keep days pruned, VACUUMed, against the size the model predicts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { generateCapture } from './generate.mjs';
import { benchDatabase } from '../scripts/pg-cluster.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'authing-triage.js');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const parseSize = (s) => {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g)?b?$/i.exec(String(s));
  if (!m) throw new Error(`--day-size ${s}: expected a size like 200MB or 1GB`);
  return Math.round(Number(m[1]) * ({ k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? '').toLowerCase()] ?? 1));
};
const out = join(root, 'bench', 'out', `retention-${arg('store', 'sqlite')}`);
const daySize = parseSize(arg('day-size', '1GB'));
const days = Number(arg('days', 7));
const keep = Number(arg('keep', 3));
const DAY = 86_400_000;
const HOUR = 3_600_000;
const first = Date.UTC(2026, 0, 1);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const mb = (n) => (n / 1e6).toFixed(1);
const pgMode = arg('store', 'sqlite') === 'pg';
let db = join(out, 'nightly.db');
let stopCluster = () => {};
if (pgMode) {
  const made = await benchDatabase('triage_retention');
  db = made.url;
  stopCluster = made.stop;
}
process.on('exit', () => stopCluster());

/** PostgreSQL: bytes of each group of tables with their indexes and TOAST (after VACUUM ANALYZE). */
async function pgSizes() {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    await c.query('VACUUM ANALYZE');
    const size = async (...tables) => {
      let n = 0;
      for (const t of tables) n += Number((await c.query('SELECT pg_total_relation_size($1::regclass) AS n', [t])).rows[0].n);
      return n;
    };
    const events = await size('events');
    const counts = await size('counts_hourly');
    const sources = await size('sources', 'contracts');
    return {
      file: Number((await c.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n),
      events, counts, sources,
      eventRows: Number((await c.query('SELECT COUNT(*) AS n FROM events')).rows[0].n),
      countRows: Number((await c.query('SELECT COUNT(*) AS n FROM counts_hourly')).rows[0].n),
    };
  } finally {
    await c.end();
  }
}

/** Bytes of the file, and of each group of tables and their indexes (dbstat). */
async function sizes() {
  if (pgMode) return pgSizes();
  const c = new Database(db);
  try {
    c.pragma('wal_checkpoint(TRUNCATE)');
    const by = Object.fromEntries(c.prepare('SELECT name, SUM(pgsize) AS n FROM dbstat GROUP BY name').raw().all());
    const group = (re) => Object.entries(by).filter(([k]) => re.test(k)).reduce((a, [, n]) => a + n, 0);
    return {
      file: statSync(db).size,
      events: group(/^(events|events_time|events_code|sqlite_autoindex_events_\d+)$/),
      counts: group(/^(counts_hourly|counts_code)$/),
      sources: group(/^(sources|contracts|sqlite_autoindex_(sources|contracts)_\d+)$/),
      eventRows: c.prepare('SELECT COUNT(*) FROM events').pluck().get(),
      countRows: c.prepare('SELECT COUNT(*) FROM counts_hourly').pluck().get(),
    };
  } finally {
    c.close();
  }
}

console.log(`# ${days} nights of ${mb(daySize)} MB, one capture a night, ${pgMode ? 'PostgreSQL' : 'SQLite'} (node ${process.version})`);
console.log(`| night | events (total) | hourly-count rows | ${pgMode ? 'database' : 'file'} MB | events+indexes MB | counts MB | sources MB |`);
console.log('|---:|---:|---:|---:|---:|---:|---:|');
let lines = 0;
for (let d = 0; d < days; d++) {
  const capture = join(out, `device-${d}.log`);
  // ~143 bytes a line: spread the night's lines over its 24 hours.
  const n = await generateCapture(capture, { bytes: daySize, seed: 100 + d, start: first + d * DAY, stepMs: DAY / (daySize / 143) });
  lines += n;
  execFileSync(process.execPath, [bin, '--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', capture], { stdio: 'inherit' });
  rmSync(capture);
  const s = await sizes();
  console.log(`| ${d + 1} | ${s.eventRows.toLocaleString('en')} | ${s.countRows.toLocaleString('en')} | ${mb(s.file)} | ${mb(s.events)} | ${mb(s.counts)} | ${mb(s.sources)} |`);
}
const s = await sizes();
const perEvent = s.events / s.eventRows;
const eventsPerDay = s.eventRows / days;
const countsPerDay = s.counts / days;
const sourcesPerDay = s.sources / days;
const perGB = 1e9 / daySize;
const year = (retainedDays) => retainedDays * eventsPerDay * perGB * perEvent + 365 * (countsPerDay * perGB + sourcesPerDay);
console.log(`
events: ${perEvent.toFixed(1)} bytes each with their indexes = ${mb(perEvent * 1e6)} MB per million events
hourly counts: ${mb(countsPerDay)} MB a night (${Math.round(s.countRows / days).toLocaleString('en')} rows); sources: ${(sourcesPerDay / 1e3).toFixed(1)} kB a night
a year at 1 GB a night (${Math.round(eventsPerDay * perGB).toLocaleString('en')} events a night; counts scaled by the size, an upper bound):
  no retention: ${mb(year(365))} MB
  retention 90d: ${mb(year(90))} MB`);

// The model against prune: keep the last `keep` nights.
const cutoff = first + (days - keep) * DAY;
const age = `${Math.floor(Date.now() / HOUR) - cutoff / HOUR}h`;
execFileSync(process.execPath, [bin, 'prune', '--db', db, '--older-than', age], { stdio: 'inherit' });
const p = await sizes();
const predicted = s.file - (days - keep) * eventsPerDay * perEvent;
console.log(`after prune --older-than ${age} (cutoff ${new Date(cutoff).toISOString()}): ${p.eventRows.toLocaleString('en')} events, file ${mb(p.file)} MB; the model says ${mb(predicted)} MB`);
