/**
 * `sql` reads its rows as it writes them (json, csv, md to a pipe or a file): a result of millions of rows, or a query
 * that never ends, was read whole into memory before the first byte was written (an adversarial hunt: 1.6 GB after
 * 30 s, and `| head -1` could not end it), and Ctrl-C or SIGTERM inside SQLite's step was not seen. The text written is
 * byte for byte what the whole result gave before, across its pages.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, exitOf, runCli, startCli, tempDir, waitFor } from '../helpers.js';

const ENDLESS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i, 'row ' || i AS s FROM n";
const rowsOf = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT ${n}) SELECT i, 'v' || i AS s, i * 0.5 AS h, CASE WHEN i % 7 = 0 THEN NULL ELSE '=x,"y"|<b>' END AS t FROM n`;

function store(): string {
  const db = join(tempDir(), 's.db');
  const r = runCli(['--db', db, '--quiet', join(FIXTURES, 'guard-threadtime.log')]);
  expect(r.status, r.stderr).toBe(0);
  return db;
}

describe('sql streams its rows', () => {
  it('an endless query read to its first lines: the run ends when its reader does (it held every row first)', async () => {
    const db = store();
    for (const format of ['csv', 'json', 'md']) {
      const child = startCli(['sql', '--db', db, ENDLESS, '-f', format]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // the reader stops after its first lines, as `| head -3` does
        if (out.split('\n').length > 3) child.stdout.destroy();
      });
      // Before: nothing was written until the query ended (never), the child grew without bound until killed here.
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, 20_000, `sql -f ${format} to end once its reader stopped`);
      expect(child.exitCode, format).toBe(0);
      expect(out.split('\n').length).toBeGreaterThan(3);
    }
  });

  it('SIGTERM and Ctrl-C end it with exit 130, and a cut --out file is removed', async () => {
    const db = store();
    const dir = tempDir();
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const out = join(dir, `endless-${signal}.csv`);
      const child = startCli(['sql', '--db', db, ENDLESS, '-f', 'csv', '-o', out]);
      // rows are being written
      await waitFor(() => existsSync(out) && readFileSync(out).length > 100_000, 20_000, 'rows in the --out file');
      child.kill(signal);
      expect(await exitOf(child), signal).toBe(130);
      expect(existsSync(out), `${signal}: a cut report left behind`).toBe(false);
    }
  });

  it('the text is the whole result\'s, byte for byte, on every page boundary, in every format', () => {
    const db = store();
    for (const n of [0, 1, 999, 1000, 1001, 2500]) {
      // the reference: the same rows rendered at once by the library the CLI's whole-result path uses
      const rows = Array.from({ length: n }, (_, k) => {
        const i = k + 1;
        return { i, s: `v${i}`, h: i * 0.5, t: i % 7 === 0 ? null : '=x,"y"|<b>' };
      });
      const json = runCli(['sql', '--db', db, rowsOf(n), '-f', 'json']);
      expect(json.status, json.stderr).toBe(0);
      expect(json.stdout, `json, ${n} rows`).toBe(JSON.stringify(rows, null, 2) + '\n');
      const csv = runCli(['sql', '--db', db, rowsOf(n), '-f', 'csv']);
      const csvWant = ['i,s,h,t', ...rows.map((r) => `${r.i},${r.s},${r.h},${r.t === null ? '' : `"'=x,""y""|<b>"`}`)].join('\r\n') + '\r\n';
      expect(csv.stdout, `csv, ${n} rows`).toBe(csvWant);
      const md = runCli(['sql', '--db', db, rowsOf(n), '-f', 'md']);
      const mdWant = ['| i | s | h | t |', '| --- | --- | --- | --- |', ...rows.map((r) => `| ${r.i} | ${r.s} | ${r.h} | ${r.t === null ? '' : '=x,"y"\\|\\<b\\>'} |`)].join('\n') + '\n';
      expect(md.stdout, `md, ${n} rows`).toBe(mdWant);
      // and to a file, mode 600
      const out = join(tempDir(), 'rows.json');
      expect(runCli(['sql', '--db', db, rowsOf(n), '-f', 'json', '-o', out]).status).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(json.stdout);
    }
  });
  it('an SQL error in the first page leaves an existing --out file as it was, as the whole result\'s read did (it was removed)', () => {
    const db = store();
    // json('bad') fails at row 501, inside the first page of 1,000 rows
    const failing = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 2500) SELECT CASE WHEN i > 500 THEN json('bad') ELSE i END AS v FROM n";
    for (const format of ['csv', 'json', 'md']) {
      const out = join(tempDir(), `report.${format}`);
      writeFileSync(out, 'the report of yesterday\n');
      const r = runCli(['sql', '--db', db, failing, '-f', format, '-o', out]);
      expect(r.status, format).toBe(2);
      expect(r.stderr).toContain('SQL error: malformed JSON');
      // before: truncated when the rows began, then removed as a cut output
      expect(existsSync(out) ? readFileSync(out, 'utf8') : 'removed', format).toBe('the report of yesterday\n');
    }
    // a result of no rows still makes its file, as before
    const none = join(tempDir(), 'none.csv');
    expect(runCli(['sql', '--db', db, 'SELECT 1 AS a WHERE 0', '-f', 'csv', '-o', none]).status).toBe(0);
    expect(readFileSync(none, 'utf8')).toBe('a\r\n');
  });
});
