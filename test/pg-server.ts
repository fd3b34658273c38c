/**
 * Vitest global set-up: a real PostgreSQL server for the tests of the PostgreSQL store.
 * AUTHING_TRIAGE_TEST_PG=postgres://... uses a server you run; otherwise a throwaway cluster is
 * made with the Debian package's initdb in a temporary folder, on a free loopback port, and
 * removed at the end. Tests ask for a fresh database each with `pgDatabase()` in helpers.ts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) {
    throw new Error('the PostgreSQL tests need a server: install the Debian package postgresql (apt-get install postgresql), or set AUTHING_TRIAGE_TEST_PG=postgres://user@host/db');
  }
  return join(root, versions[0]!, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.AUTHING_TRIAGE_TEST_PG) {
    project.provide('pgUrl', process.env.AUTHING_TRIAGE_TEST_PG);
    return undefined;
  }
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'triage-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  // initdb and postgres refuse to run as root: run them as the package's postgres user then.
  const asServer = (cmd: string, args: string[]) =>
    process.getuid?.() === 0 ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  const port = await freePort();
  asServer('initdb', ['-D', data, '-A', 'trust', '-U', 'triage', '-E', 'UTF8', '--locale=C', '--no-sync']);
  asServer('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`, 'start']);
  project.provide('pgUrl', `postgres://triage@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      asServer('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
