/** The labeled development set: every capture ingested by the real bin gives exactly the expected events. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, query, runCli, tempDir } from '../helpers.js';

const dir = join(SHARED, 'corpus', 'labeled');
const cases = readdirSync(dir).filter((f) => f.endsWith('.expected.json'));

interface Expected {
  file: string;
  args: string[];
  total: number;
  counts: Record<string, number>;
  events: { line: number; code: number }[];
}

describe('labeled captures', () => {
  it('are present', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  it.each(cases)('%s: exactly the expected events', (name) => {
    const exp = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Expected;
    const db = join(tempDir(), 't.db');
    const r = runCli([join(dir, exp.file), '--db', db, '--quiet', ...exp.args]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = query<{ line: number; code: number }>(db, 'SELECT line, code FROM events ORDER BY line');
    expect(got).toEqual([...exp.events].sort((a, b) => a.line - b.line).map((e) => ({ line: e.line, code: e.code })));
    const counts = Object.fromEntries(query<{ code: number; n: number }>(db, 'SELECT code, SUM(count) AS n FROM counts_hourly GROUP BY code').map((r) => [String(r.code), r.n]));
    expect(counts).toEqual(exp.counts);
    expect(got.length).toBe(exp.total);
  });
});
