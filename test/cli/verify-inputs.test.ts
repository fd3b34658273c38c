/**
 * A quoted glob reaches each file once (issue 23 item 4, adversarial pass): tinyglobby follows a
 * symlinked folder, and a hard link names the same file twice; neither may list an input twice.
 */
import { copyFileSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SHARED, runCli, tempDir } from '../helpers.js';

const LABELED = join(SHARED, 'corpus', 'labeled');
const total = (f: string): number => (JSON.parse(readFileSync(join(LABELED, f.replace('.log', '.expected.json')), 'utf8')) as { total: number }).total;

describe('a glob over folders with links', () => {
  it('reads each file once when a symlinked folder and a hard link reach it again', () => {
    const root = tempDir();
    const srv = join(root, 'srv');
    mkdirSync(join(srv, 'a', 'b'), { recursive: true });
    mkdirSync(join(srv, 'c'));
    copyFileSync(join(LABELED, 'dev-time.log'), join(srv, 'a', 'dev-time.log'));
    copyFileSync(join(LABELED, 'dev-brief.log'), join(srv, 'a', 'b', 'dev-brief.log'));
    writeFileSync(join(srv, 'c', 'x.log.gz'), gzipSync(readFileSync(join(LABELED, 'dev-threadtime.log'))));
    symlinkSync('../a', join(srv, 'c', 'link'));
    linkSync(join(srv, 'a', 'dev-time.log'), join(srv, 'c', 'hard.log'));
    const db = join(root, 't.db');
    const r = runCli(['--db', db, '--json-summary', 'srv/**/*'], { cwd: root });
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout) as { files: { read: number; skipped: number }; events: number; sources: { name: string; status: string }[] };
    expect(s.sources.map((x) => [x.name, x.status])).toEqual([
      ['srv/a/b/dev-brief.log', 'read'],
      ['srv/a/dev-time.log', 'read'],
      ['srv/c/x.log.gz', 'read'],
    ]);
    expect(s.files).toMatchObject({ read: 3, skipped: 0 });
    expect(s.events).toBe(total('dev-time.log') + total('dev-brief.log') + total('dev-threadtime.log'));
  });
});

describe('a .gz whose deflate data is corrupt', () => {
  it('fails that input in one line with exit 3 and reads the others (it ended with exit 13 and no message)', () => {
    const root = tempDir();
    // A gzip header, then bytes that are not deflate data; beside it a good capture.
    writeFileSync(join(root, 'broken.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.from('e-not-gzip')]));
    copyFileSync(join(LABELED, 'dev-time.log'), join(root, 'good.log'));
    const db = join(root, 't.db');
    const r = runCli(['--db', db, 'broken.gz', 'good.log'], { cwd: root });
    expect(r.status).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('authing-triage:'));
    expect(lines).toEqual(['authing-triage: broken.gz: corrupt gzip data (invalid code lengths set); skipped']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toContain(`${total('dev-time.log')} events in`);
  });
});
