// Start-up (npm run bench -- startup): the CPU and wall time of short runs, beside `node -e 0`, the
// floor any Node CLI pays, measured in the same run. Each row runs once to warm the page cache and
// the code cache (src/launch.ts), then `runs` times; CPU is user + system of the child (bash's `times`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'fixtures', 'guard-threadtime.log');

/** Seconds of `0m0.123s`. */
const secs = (t) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

/** One run of a shell command: its children's CPU seconds (user + system) and the wall seconds. */
function once(shell, env) {
  // --norc: else bash reads ~/.bashrc when started with a socket for stdin and SHLVL < 2 (see run.mjs's measure)
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `${shell} > /dev/null 2>&1; s=$?; times; exit $s`], { encoding: 'utf8', env: { ...process.env, ...env } });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${shell} failed (${r.status}): ${r.stderr.slice(-300)}`);
  // `times` prints the shell's user and system time, then its children's
  const [user, sys] = r.stdout.trim().split('\n').at(-1).split(/\s+/).map(secs);
  return { cpu: user + sys, wall };
}

/**
 * One run with AUTHING_TRIAGE_TRACE=first-byte (src/trace.ts): the bin's own marks, in ms since its
 * process started, wall and CPU, when the first input byte was read and when the first range was scanned.
 */
function marks(shell, env) {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `${shell} 2>&1 >/dev/null`], { encoding: 'utf8', env: { ...process.env, ...env, AUTHING_TRIAGE_TRACE: 'first-byte' } });
  if (r.status !== 0) throw new Error(`${shell} failed (${r.status}): ${r.stdout.slice(-300)}`);
  const at = (what) => {
    const m = new RegExp(`first byte ${what} at ([\\d.]+) ms, ([\\d.]+) ms of CPU`).exec(r.stdout);
    if (!m) throw new Error(`${shell}: no "first byte ${what}" mark in ${JSON.stringify(r.stdout.slice(-300))}`);
    return { wall: Number(m[1]) / 1000, cpu: Number(m[2]) / 1000 };
  };
  return { read: at('read'), scanned: at('scanned') };
}

const stats = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return { min: s[0], median: s[(s.length - 1) >> 1] };
};

/**
 * The start-up rows: `node -e 0`, `--version`, a 180-line ingest into a fresh database, the same
 * without the code cache, and that ingest's time to its first byte read and scanned; `bin` another
 * checkout's bin to compare with.
 */
export function startupBench({ runs = 5, bin = join(root, 'bin', 'authing-triage.js') } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'authing-triage-startup-'));
  const db = join(dir, 's.db');
  const fresh = () => ['', '-wal', '-shm'].forEach((x) => rmSync(db + x, { force: true }));
  const cases = [
    ['node -e 0 (baseline)', 'node -e 0', {}],
    ['authing-triage --version', `"${bin}" --version`, {}],
    ['authing-triage FILE (180 lines, 15 events)', `"${bin}" --quiet --db "${db}" "${fixture}"`, {}],
    ['the same, AUTHING_TRIAGE_NO_CACHE=1', `"${bin}" --quiet --db "${db}" "${fixture}"`, { AUTHING_TRIAGE_NO_CACHE: '1' }],
  ];
  try {
    const rows = cases.map(([label, shell, env]) => {
      fresh();
      once(shell, env);
      const got = [];
      for (let i = 0; i < runs; i++) {
        fresh();
        got.push(once(shell, env));
      }
      return { label, runs, cpu: stats(got.map((g) => g.cpu)), wall: stats(got.map((g) => g.wall)) };
    });
    // Start-up to the first byte: the small file's run again, timed by its own marks (issue 25: < 120 ms)
    const ingest = `"${bin}" --quiet --db "${db}" "${fixture}"`;
    fresh();
    marks(ingest, {});
    const got = [];
    for (let i = 0; i < runs; i++) {
      fresh();
      got.push(marks(ingest, {}));
    }
    for (const what of ['read', 'scanned']) {
      const label = `the same to its first byte ${what} (AUTHING_TRIAGE_TRACE=first-byte)`;
      rows.push({ label, runs, cpu: stats(got.map((g) => g[what].cpu)), wall: stats(got.map((g) => g[what].wall)) });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the start-up rows as a table, with each row's CPU beyond the baseline's and its ratio to it. */
export function printStartup(rows) {
  const base = rows[0];
  const ms = (s) => (s * 1000).toFixed(0);
  console.log('| start-up | runs | CPU ms min | CPU ms median | wall ms min | wall ms median | CPU beyond `node -e 0` (median) | × baseline CPU (median) | × baseline wall (min) | × baseline wall (median) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.label} | ${r.runs} | ${ms(r.cpu.min)} | ${ms(r.cpu.median)} | ${ms(r.wall.min)} | ${ms(r.wall.median)} | ${r === base ? '–' : ms(r.cpu.median - base.cpu.median)} | ${(r.cpu.median / base.cpu.median).toFixed(2)} | ${(r.wall.min / base.wall.min).toFixed(2)} | ${(r.wall.median / base.wall.median).toFixed(2)} |`);
  }
  console.log('(The first-byte rows are the bin\'s own marks: ms since its process started, and its CPU so far; the other rows time the whole process from outside.)');
}
