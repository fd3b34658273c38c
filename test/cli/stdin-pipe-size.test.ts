/**
 * The pipe on stdin enlarged (src/sources/pipe-size.ts): once the reader thread finds the pipe full (a bulk
 * writer: `cat FILE | authing-triage`), it starts a perl child that inherits fd 0 and sets the pipe's capacity
 * to what the kernel allows an unprivileged process (up to 1 MiB); AUTHING_TRIAGE_TRACE=stdin says what fcntl
 * returned, or why the pipe stayed as it was. The events
 * stay the file path's, with perl or without it, and a live writer's burst after the pipe grew is shown
 * when the pipe goes quiet, not when the next line comes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, exitOf, query, runCli, same, tempDir, waitFor } from '../helpers.js';
import { runCliOnPipe, startCliOnFifo } from '../stdin.js';

const FIXED = ['--year', '2026', '--tz', 'UTC'];
const THREADTIME = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
const ANDROID = readFileSync(join(SHARED, 'corpus', 'loghub', 'Android_2k.log'));

/** What the kernel lets an unprivileged process ask for, capped where pipe-size.ts caps it. */
const EXPECTED_PIPE = Math.min(1 << 20, Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8').trim()));

/** Real captures spliced and repeated to several MiB (more than the pipe holds), CR LF, the last line cut. */
function damagedCapture(): Buffer {
  const text = Buffer.concat(Array.from({ length: 4 }, () => [THREADTIME, ANDROID]).flat());
  const crlf = Buffer.from(text.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
  return crlf.subarray(0, crlf.length - 37);
}

/** Every stored event of a database and its counts by hour. */
function stored(db: string): { events: unknown[]; counts: unknown[] } {
  return {
    events: query(db, 'SELECT line, code, time, tag, pid, excerpt, outcome, context, cause FROM events ORDER BY line'),
    counts: query(db, 'SELECT hour, code, tag, outcome, count FROM counts_hourly ORDER BY hour, code, tag, outcome'),
  };
}

/** The file given as a path: what a run on stdin must store. */
function asFile(input: Buffer): ReturnType<typeof stored> {
  const dir = tempDir();
  const [file, db] = [join(dir, 'capture.log'), join(dir, 'file.db')];
  writeFileSync(file, input);
  const r = runCli(['--db', db, '--quiet', ...FIXED, file]);
  expect(r.status, r.stderr).toBe(0);
  return stored(db);
}

/** A directory holding `cat` alone: a PATH without perl. */
function pathWithoutPerl(): string {
  const dir = join(tempDir(), 'bin');
  mkdirSync(dir);
  const cat = spawnSync('/bin/sh', ['-c', 'command -v cat'], { encoding: 'utf8' }).stdout.trim();
  symlinkSync(cat, join(dir, 'cat'));
  return dir;
}

describe('the pipe on stdin', () => {
  it('is enlarged to what the kernel allows when cat fills it, and the damaged capture counts what the file path counts', { timeout: 180_000 }, () => {
    const input = damagedCapture();
    const want = asFile(input);
    expect(want.events.length).toBeGreaterThan(0);
    for (const threads of ['1', '2']) {
      const db = join(tempDir(), 's.db');
      const r = runCliOnPipe(['--db', db, '--quiet', '--threads', threads, ...FIXED], input, { AUTHING_TRIAGE_TRACE: 'stdin' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`authing-triage: trace: stdin: pipe holds ${EXPECTED_PIPE} bytes\n`);
      same(stored(db), want, `${threads} threads`);
    }
  });

  it('stays as it is when perl is not on PATH, and the run counts the same', { timeout: 180_000 }, () => {
    const input = damagedCapture();
    const want = asFile(input);
    const db = join(tempDir(), 's.db');
    const r = runCliOnPipe(['--db', db, '--quiet', ...FIXED], input, { AUTHING_TRIAGE_TRACE: 'stdin', PATH: pathWithoutPerl() });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^authing-triage: trace: stdin: pipe left at its size \(perl: .*ENOENT.*\)$/m);
    expect(r.stderr).not.toContain('pipe holds');
    same(stored(db), want);
  });

  it('shows the events of a burst larger than the default pipe once the enlarged pipe goes quiet, before the next line', { timeout: 180_000 }, async () => {
    // The burst alone, as a file: its events, in order.
    const want = asFile(THREADTIME).events.length;
    expect(want).toBeGreaterThan(0);
    expect(THREADTIME.length).toBeGreaterThan(1 << 16);
    expect(THREADTIME.length).toBeLessThan(EXPECTED_PIPE);
    const run = startCliOnFifo(['--db', join(tempDir(), 'l.db'), '--json', ...FIXED], { AUTHING_TRIAGE_TRACE: 'stdin' });
    let [out, err] = ['', ''];
    run.child.stdout.on('data', (d) => (out += d));
    run.child.stderr.on('data', (d) => (err += d));
    try {
      // 2 MiB of lines without events at once: the reader finds the pipe full, and it is enlarged.
      const noise = Buffer.concat(Array.from({ length: Math.ceil((2 << 20) / ANDROID.length) }, () => ANDROID)).toString('latin1');
      run.write(noise);
      await waitFor(() => err.includes('pipe holds'), 30_000, 'the pipe to be enlarged');
      // One write of more than 64 KiB, then nothing: a single read takes it all.
      run.write(THREADTIME.toString('latin1'));
      await waitFor(() => out.split('\n').length - 1 >= want, 30_000, `the burst's ${want} events`);
      expect(run.child.exitCode).toBeNull();
      run.end();
      expect(await exitOf(run.child)).toBe(0);
      expect(out.trim().split('\n')).toHaveLength(want);
    } finally {
      run.end();
    }
  });
});
