/**
 * A line over the line-length bound (1 MiB) is cut there and the rest of it dropped, so that memory stays bounded;
 * a code past the cut is not seen. Only the run summary counted such lines ("2 over-long lines cut"), naming no input
 * and no line (an earlier review's reproduction: a 1.5 MiB JSON payload whose `errCode = 2005` came after it). Now
 * the run says once per input, on stderr, the number of the first such line and how many there were, whichever way
 * the input is read: on this thread, in ranges by the scan threads, from stdin (a pipe read by the reader thread, or
 * a stream), gzip. Every case fails on the code before (no such warning).
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers.js';
import { runCliOnPipe } from '../stdin.js';

const TEXT = readFileSync(join(FIXTURES, 'guard-threadtime.log'), 'utf8');
const LINES = TEXT.split('\n').filter((l) => l.length > 0);

/** A record of the fixture's shape whose message holds `bytes` of a JSON payload before its code. */
function longRecord(bytes: number): string {
  return `03-17 16:13:46.187  4672  4672 E SocialLoginButton: loginDone: {"trace":"${'x'.repeat(bytes)}"} errCode = 2005`;
}

/** The fixture 25 times (4500 lines), with long records put in at the given (1-based) line numbers. */
function capture(long: [line: number, bytes: number][]): Buffer {
  const lines = Array.from({ length: 25 }, () => LINES).flat();
  for (const [line, bytes] of long) lines.splice(line - 1, 0, longRecord(bytes));
  return Buffer.from(lines.join('\n') + '\n');
}

const warning = (name: string, line: number, n: number): string =>
  `authing-triage: ${name}: line ${line} is longer than 1 MiB and was cut there (${n} such line(s) in all): what a line holds past its first 1 MiB, an error code too, is not read\n`;

/** Ranges of 64 KiB, and no file taken for dense: a file of 256 KiB or more is read in ranges by the scan threads. */
const RANGES = { AUTHING_TRIAGE_RANGE_BYTES: String(1 << 16), AUTHING_TRIAGE_DENSE_BYTES: '0', AUTHING_TRIAGE_TRACE: 'read' };

const MiB = 1 << 20;

describe('a line longer than 1 MiB', () => {
  // 1.1 MiB: whole in a range's read buffer, cut by the scan; 3 MiB: cut by the Framer (lineChunks, rangeChunks)
  for (const [what, first, bytes] of [['cut by the scan', 120, 1.1 * MiB], ['cut by the framer', 3000, 3 * MiB], ['on the first lines', 2, 1.5 * MiB]] as const) {
    const bytes2 = 1.2 * MiB;
    const second = first + 900;
    const data = capture([[first, Math.round(bytes)], [second, Math.round(bytes2)]]);

    /** The capture as a file, read with `--threads N`: its path and the run's stderr. */
    const readFile = (threads: number): { f: string; stderr: string } => {
      const dir = tempDir();
      const f = join(dir, 'cap.log');
      writeFileSync(f, data);
      const r = runCli(['--db', join(dir, 't.db'), '--quiet', '--year', '2026', '--threads', String(threads), f], { env: RANGES });
      expect(r.status, r.stderr).toBe(0);
      return { f, stderr: r.stderr };
    };

    it(`${what}: a file read on this thread (--threads 1) names its first such line, once`, () => {
      const { f, stderr } = readFile(1);
      expect(stderr).toContain('cap.log: this thread (--threads 1)');
      expect(stderr).toContain(warning(f, first, 2));
      expect(stderr.split('is longer than 1 MiB').length).toBe(2);
    });

    it(`${what}: a file read in ranges by the scan threads names the same line`, () => {
      const { f, stderr } = readFile(2);
      expect(stderr).toContain('cap.log: ranges on 2 threads');
      expect(stderr).toContain(warning(f, first, 2));
    });

    it(`${what}: stdin through a pipe (the reader thread), as a stream, and gzip name the same line`, () => {
      const dir = tempDir();
      const pipe = runCliOnPipe(['--db', join(dir, 'p.db'), '--quiet', '--year', '2026', '-'], data, { AUTHING_TRIAGE_TRACE: 'read' });
      expect(pipe.status, pipe.stderr).toBe(0);
      expect(pipe.stderr).toContain('-: stream jobs on');
      expect(pipe.stderr).toContain(warning('-', first, 2));
      const stream = runCli(['--db', join(dir, 's.db'), '--quiet', '--year', '2026', '-'], { input: data });
      expect(stream.status, stream.stderr).toBe(0);
      expect(stream.stderr).toContain(warning('-', first, 2));
      const gz = join(dir, 'cap.log.gz');
      writeFileSync(gz, gzipSync(data));
      const z = runCli(['--db', join(dir, 'z.db'), '--quiet', '--year', '2026', gz]);
      expect(z.status, z.stderr).toBe(0);
      expect(z.stderr).toContain(warning(gz, first, 2));
    });
  }

  it('a CR LF line of exactly 1 MiB before its CR LF is not said to be cut (only its CR is past the bound); 1 MiB + 1 byte is', () => {
    const dir = tempDir();
    const crlf = (content: number): Buffer => {
      const lines = Array.from({ length: 25 }, () => LINES).flat();
      lines.splice(119, 0, longRecord(content - longRecord(0).length));
      return Buffer.from(lines.join('\r\n') + '\r\n');
    };
    for (const [content, cut] of [[MiB, false], [MiB + 1, true]] as const) {
      const f = join(dir, `cap${content}.log`);
      writeFileSync(f, crlf(content));
      const runs = [
        runCli(['--db', join(dir, `t${content}.db`), '--year', '2026', '--threads', '1', '--json-summary', f]),
        runCli(['--db', join(dir, `r${content}.db`), '--year', '2026', '--threads', '2', '--json-summary', f], { env: RANGES }),
        runCli(['--db', join(dir, `s${content}.db`), '--year', '2026', '--json-summary', '-'], { input: crlf(content) }),
      ];
      for (const [i, r] of runs.entries()) {
        expect(r.status, r.stderr).toBe(0);
        const name = i === 2 ? '-' : f;
        if (cut) expect(r.stderr).toContain(warning(name, 120, 1));
        else expect(r.stderr).not.toContain('longer than 1 MiB');
        expect((JSON.parse(r.stdout) as { overlong: number }).overlong).toBe(cut ? 1 : 0);
      }
      expect(runs[1]!.stderr).toContain('ranges on 2 threads');
    }
  });

  it('the last line, without its newline: named too', () => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    writeFileSync(f, Buffer.from(TEXT + longRecord(1.5 * MiB)));
    const r = runCli(['--db', join(dir, 't.db'), '--quiet', '--year', '2026', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(warning(f, LINES.length + 1, 1));
  });

  it('a resumed run names the line by its number in the whole input; a run that cuts none says nothing', () => {
    const dir = tempDir();
    const f = join(dir, 'cap.log');
    const db = join(dir, 't.db');
    writeFileSync(f, TEXT);
    const clean = runCli(['--db', db, '--quiet', '--year', '2026', f]);
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stderr).not.toContain('longer than 1 MiB');
    appendFileSync(f, TEXT + longRecord(1.1 * MiB) + '\n' + TEXT);
    const r = runCli(['--db', db, '--quiet', '--year', '2026', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(warning(f, 2 * LINES.length + 1, 1));
  });
});
