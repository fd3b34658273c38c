/** Config files, flags over config, `config`, and --fail-on. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, query, runCli, tempDir } from '../helpers.js';

const FIXTURE = join(FIXTURES, 'guard-threadtime.log');
const LABELED_TAG = join(FIXTURES, '..', '..', 'shared', 'corpus', 'labeled', 'dev-threadtime-tag.log');

describe('config file', () => {
  it('is found in the working directory and sets db and tags; flags add to and override it', { timeout: 180_000 }, () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ db: 'from-config.db', tags: ['MainActivity'] }));
    const r = runCli([LABELED_TAG, '--quiet'], { cwd: dir });
    expect(r.status).toBe(0);
    const withTag = query<{ n: number }>(join(dir, 'from-config.db'), 'SELECT COUNT(*) AS n FROM events')[0]!.n;
    const plain = runCli([LABELED_TAG, '--quiet', '--config', '/dev/null', '--db', join(dir, 'plain.db')], { cwd: dir });
    expect(plain.status).toBe(2); // /dev/null is not JSON: a clear usage error
    const noCfg = tempDir();
    runCli([LABELED_TAG, '--quiet', '--db', join(noCfg, 'n.db')], { cwd: noCfg });
    const without = query<{ n: number }>(join(noCfg, 'n.db'), 'SELECT COUNT(*) AS n FROM events')[0]!.n;
    expect(withTag).toBeGreaterThan(without);
    const flagged = runCli([FIXTURE, '--quiet', '--db', join(dir, 'flag.db')], { cwd: dir });
    expect(flagged.status).toBe(0);
    expect(query(join(dir, 'flag.db'), 'SELECT COUNT(*) AS n FROM events')).toEqual([{ n: 15 }]);
  });

  it('sets the records of context kept with each event (key "context"); --context wins; out of range is one line, exit 2', () => {
    const dir = tempDir();
    const ctx = join(FIXTURES, 'context-causes.log');
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ context: 2 }));
    const longest = (db: string) => query<{ n: number }>(db, 'SELECT MAX(json_array_length(context)) AS n FROM events')[0]!.n;
    expect(runCli([ctx, '--quiet', '--db', 'c.db'], { cwd: dir }).status).toBe(0);
    expect(longest(join(dir, 'c.db'))).toBe(2);
    expect(runCli([ctx, '--quiet', '--db', 'f.db', '--context', '7'], { cwd: dir }).status).toBe(0);
    expect(longest(join(dir, 'f.db'))).toBe(7);
    writeFileSync(join(dir, '.authing-triage.json'), JSON.stringify({ context: 51 }));
    const bad = runCli([ctx, '--quiet', '--db', 'b.db'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^authing-triage: .*\.authing-triage\.json: key "context": 51 is not a whole number from 0 to 50 \(records kept before each event\)\n$/);
  });

  it('is reported by `config` with where each setting came from', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'authing-triage.config.json'), JSON.stringify({ tags: ['A'], tz: 'UTC' }));
    const r = runCli(['config', '--format', 'json', '--tag', 'B', '--db', 'x.db'], { cwd: dir });
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.db).toEqual({ value: 'x.db', from: 'flag' });
    expect(s.tags.value).toEqual(['A', 'B']);
    expect(s.tags.from).toMatch(/^config .*authing-triage\.config\.json \+ flag$/);
    expect(s.tz.value).toBe('UTC');
    expect(s.redact).toEqual({ value: true, from: 'default' });
  });

  it('rejects an unknown key or a wrong type in one line with exit 2', () => {
    const dir = tempDir();
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ tags: 'MainActivity' }));
    const r = runCli(['config', '--config', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`authing-triage: ${f}: key "tags": expected an array of strings\n`);
    writeFileSync(f, JSON.stringify({ dbb: 'x' }));
    expect(runCli(['report', '--config', f]).stderr).toMatch(/key "dbb": unknown; allowed keys: db, tags/);
  });
});

describe('--fail-on', () => {
  it('exits 1 with the reason when this run crosses a threshold', () => {
    const db = join(tempDir(), 'a.db');
    const r = runCli([FIXTURE, '--db', db, '--quiet', '--fail-on', 'network>1', '--fail-on', 'total>100', '--fail-on', 'unregistered>0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('authing-triage: alert: network>1 (this run: 2)\nauthing-triage: alert: unregistered>0 (this run: 1)\n');
  });
  it('exits 0 when no threshold is crossed, counting only this run', () => {
    const db = join(tempDir(), 'a.db');
    runCli([FIXTURE, '--db', db, '--quiet']);
    const again = runCli([FIXTURE, '--db', db, '--quiet', '--fail-on', 'total>0']);
    expect(again.status).toBe(0);
    expect(again.stderr).toBe('');
  });
  it('rejects an expression it cannot read', () => {
    const r = runCli([FIXTURE, '--db', join(tempDir(), 'a.db'), '--fail-on', 'networks>1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/"networks" is not total, a code or a category/);
  });
});
