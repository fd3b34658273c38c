/**
 * A `--registry` file that sets the `message` of a bundled code: what `explain`, `codes` and `report` show is the
 * user's message, and each field keeps the source it came from. Before, the bundled English message (which the
 * display prefers to `message`) was shown instead of theirs for a code such as 10001, while the store's codes
 * table held theirs; and every field of an overridden entry named the override file as its source, also the
 * description and advice it had not set (round eighteen's exactly-once review). Fails on the code before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

describe('a --registry file that sets a bundled code\'s message', () => {
  const dir = tempDir();
  const reg = join(dir, 'ours.json');
  writeFileSync(reg, JSON.stringify({ codes: [{ code: 10001, message: 'Our proxy dropped the request' }] }));

  it('explain shows it, and names the file as the message\'s source only', () => {
    const r = runCli(['explain', '--registry', reg, '10001']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('10001  Our proxy dropped the request');
    expect(r.stdout).not.toContain('Network error');
    const json = runCli(['codes', '--registry', reg, '--format', 'json']);
    expect(json.status, json.stderr).toBe(0);
    const entry = (JSON.parse(json.stdout) as { code: number; message: string; textSources: Record<string, string> }[]).find((e) => e.code === 10001)!;
    expect(entry.message).toBe('Our proxy dropped the request');
    expect(entry.textSources.message).toBe(`override ${reg}`);
    // the description and advice are the bundled ones, from the bundled sources
    expect(entry.textSources.description).toMatch(/seeds\//);
    expect(entry.textSources.actions).not.toContain('override');
  });

  it('with several files, each field names the file that set it; a Chinese message alone leaves the English one its source', () => {
    const [o1, o3, zh] = [join(dir, 'o1.json'), join(dir, 'o3.json'), join(dir, 'zh.json')] as const;
    writeFileSync(o1, JSON.stringify({ codes: [{ code: 10001, message: 'From the first file' }] }));
    writeFileSync(o3, JSON.stringify({ codes: [{ code: 10001, description: 'From the second file' }] }));
    writeFileSync(zh, JSON.stringify({ codes: [{ code: 10001, messageZh: '我们的网络说明' }] }));
    const two = runCli(['explain', '--registry', o1, '--registry', o3, '10001']);
    expect(two.status, two.stderr).toBe(0);
    expect(two.stdout).toContain(`from:        message: override ${o1}; description: override ${o3};`);
    expect(two.stdout).toContain(`overridden:  ${o1}, ${o3}`);
    const json = runCli(['codes', '--registry', zh, '--format', 'json']);
    const entry = (JSON.parse(json.stdout) as { code: number; messageZh: string; textSources: Record<string, string> }[]).find((e) => e.code === 10001)!;
    expect(entry.messageZh).toBe('我们的网络说明');
    expect(entry.textSources.message).not.toContain('override');
  });

  it('report shows it for the code\'s events', () => {
    const db = join(dir, 't.db');
    const run = runCli(['--db', db, '--quiet', '--registry', reg, join(FIXTURES, 'guard-threadtime.log')]);
    expect(run.status, run.stderr).toBe(0);
    const r = runCli(['report', '--db', db, '--registry', reg, '--since', '2000-01-01', '--by', 'code', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const row = (JSON.parse(r.stdout) as { code: number; message: string }[]).find((x) => x.code === 10001)!;
    expect(row.message).toBe('Our proxy dropped the request');
  });
});
