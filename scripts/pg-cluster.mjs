// A throwaway PostgreSQL server for the tests and the benchmark: the Debian package's initdb in a
// temporary folder, a free loopback port, trust auth for the user "triage"; stop() removes it all.
// As root, the server runs as the package's postgres user (initdb and postgres refuse root).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function pgBin() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) {
    throw new Error('PostgreSQL is needed: install the Debian package postgresql (apt-get install postgresql), or give the URL of a server you run');
  }
  return join(root, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts a cluster; resolves to { url, stop }. The url names the "postgres" database. */
export async function startCluster() {
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'triage-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asServer = (cmd, args) =>
    process.getuid?.() === 0
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  const port = await freePort();
  asServer('initdb', ['-D', data, '-A', 'trust', '-U', 'triage', '-E', 'UTF8', '--locale=C', '--no-sync']);
  asServer('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`, 'start']);
  return {
    url: `postgres://triage@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        asServer('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
