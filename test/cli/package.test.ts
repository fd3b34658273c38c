/** The npm package: what is inside, and that it installs globally and runs every command. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, ROOT, pgDatabase, runCli, tempDir } from '../helpers.js';

// npm may reach the registry: it gets back the certificates the workers run without (test/child-env.ts).
const npm = (args: string[], cwd = ROOT) => spawnSync('npm', args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...inject('npmEnv'), npm_config_update_notifier: 'false' } });

describe('npm pack', () => {
  // One real pack serves both tests: its --json lists the same files as a dry run.
  // dist/ is built already (pretest): packing it again with `prepare` would only run tsc twice.
  let dir: string;
  let tgz: string;
  let packed: string[];
  beforeAll(() => {
    dir = tempDir();
    const pack = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir]);
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tgz = info!.filename;
    packed = info!.files.map((f) => f.path).sort();
  }, 180_000);

  it('holds only what is needed', () => {
    const files = packed;
    for (const f of ['bin/authing-triage.js', 'bin/package.json', 'dist/launch.cjs', 'dist/authing-triage.cjs', 'dist/scan-worker.cjs', 'dist/registry/codes.json', 'dist/registry/signatures.json', 'dist/store/schema.sql', 'dist/store/schema.pg.sql', 'dist/store/new.db', 'dist/pipeline/needle-scan.wasm', 'package.json', 'README.md', 'LICENSE', 'SECURITY.md', 'CHANGELOG.md']) {
      expect(files).toContain(f);
    }
    for (const f of files) {
      expect(f).toMatch(/^(bin\/|dist\/[a-z-]+\.cjs$|dist\/.*\.(json|sql|wasm)$|dist\/store\/new\.db$|docs\/[a-z-]+\.md$|(package\.json|README\.md|LICENSE|SECURITY\.md|CHANGELOG\.md)$)/);
    }
  });

  it('installs globally from the tarball and runs --version and each command', { timeout: 600_000 }, async () => {
    expect(readdirSync(dir)).toContain(tgz);
    const prefix = join(dir, 'prefix');
    // Without scripts, npm does not compile better-sqlite3 again (minutes on two cores): the addon this
    // checkout built for this Node goes in its place when the versions match, so the installed bin loads
    // a real SQLite all the same; another version (a newer 12.x on the registry) is built as a user's would be.
    const inst = npm(['install', '-g', '--prefix', prefix, join(dir, tgz), '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], dir);
    expect(inst.status, inst.stderr).toBe(0);
    const sqlite = join('node_modules', 'better-sqlite3');
    const installed = join(prefix, 'lib', 'node_modules', 'authing-triage');
    const version = (root: string) => (JSON.parse(readFileSync(join(root, sqlite, 'package.json'), 'utf8')) as { version: string }).version;
    if (version(installed) === version(ROOT)) {
      const addon = join(sqlite, 'build', 'Release', 'better_sqlite3.node');
      mkdirSync(dirname(join(installed, addon)), { recursive: true });
      copyFileSync(join(ROOT, addon), join(installed, addon));
    } else {
      const rebuild = npm(['rebuild', 'better-sqlite3', '--foreground-scripts'], installed);
      expect(rebuild.status, rebuild.stderr).toBe(0);
    }
    const bin = join(prefix, 'bin', 'authing-triage');
    const run = (...args: string[]) => spawnSync(bin, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', AUTHING_TRIAGE_DB: '' } });
    const pkg = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(run('--version').stdout.trim()).toBe(pkg);
    const db = join(dir, 'g.db');
    expect(run('--db', db, '--quiet', join(FIXTURES, 'guard-threadtime.log')).status).toBe(0);
    // one sql run for the latest social-login event and the stored count
    const [social] = JSON.parse(run('sql', '--db', db, "SELECT (SELECT MAX(id) FROM v_events WHERE category = 'social-login') AS id, (SELECT COUNT(*) FROM events) AS n", '--format', 'json').stdout) as { id: number; n: number }[];
    expect(social!.n).toBe(15);
    expect(JSON.parse(run('report', '--db', db, '--by', 'category', '--format', 'json').stdout)[0]).toEqual({ category: 'social-login', count: 3, latestEvent: social!.id });
    expect(run('show', String(social!.id), '--db', db).stdout).toMatch(/^event \d+ \(1:\d+\)/);
    expect(run('explain', '1636').stdout).toMatch(/^1636 {2}Skip to mfa validation/);
    expect(JSON.parse(run('codes', '--category', 'sms', '--format', 'json').stdout)[0].code).toBe(10008);
    expect(run('parse', join(FIXTURES, 'guard-threadtime.log')).stdout.split('\n').length).toBe(181);
    expect(run('config', '--format', 'json').status).toBe(0);
    expect(run('completion').stdout).toContain('authing-triage');
    expect(run('watch', '--help').stdout).toMatch(/--package/);
    // PostgreSQL's driver comes with the package: migrate there, then report from it.
    const url = await pgDatabase();
    expect(run('migrate', '--from', db, '--to', url).status).toBe(0);
    expect(JSON.parse(run('report', '--db', url, '--by', 'category', '--format', 'json').stdout)[0]).toEqual({ category: 'social-login', count: 3, latestEvent: social!.id });
  });
});

describe('help and mistakes', () => {
  // Every command's --help (exit 0, examples, the exit codes) and the completion script: test/cli/newcomer.test.ts, item 11.
  it('suggests the nearest flag or command', () => {
    expect(runCli(['report', '--sinse', '2d']).stderr).toBe('authing-triage: unknown flag --sinse: did you mean --since? (see authing-triage report --help)\n');
    expect(runCli(['reprot', '--db', join(tempDir(), 'x.db')]).stderr).toMatch(/^authing-triage: reprot: no such file or directory; did you mean the command "authing-triage report"\?$/m);
  });
});
