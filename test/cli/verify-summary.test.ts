/**
 * What --json-summary and the summary say of each source (issue 19, adversarial pass): a real
 * capture without a candidate line was reported with no layout at all (formats: []), and a PNG
 * skipped as not a log was given a text encoding and "MIXED line endings".
 */
import { appendFileSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SHARED, query, runCli, storedRows, tempDir } from '../helpers.js';

const HUAWEI = readFileSync(join(SHARED, 'corpus', 'real', 'andlogview__huawei_p10_log_snippet.log'), 'utf8');

interface Source { name: string; status: string; format: string | null; formats?: string[]; encoding?: string; lineEnding?: string }

describe('per-source facts in the summary', () => {
  it('names the detected layout of a capture without an Authing line, in every encoding and line ending', () => {
    const dir = tempDir();
    const lf = HUAWEI.replace(/\r\n/g, '\n');
    writeFileSync(join(dir, 'crlf.log'), HUAWEI);
    writeFileSync(join(dir, 'u16.log'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lf.replace(/\n/g, '\r\r\n'), 'utf16le')]));
    const r = runCli(['--db', join(dir, 't.db'), '--json-summary', 'crlf.log', 'u16.log'], { cwd: dir });
    expect(r.status).toBe(0);
    const sources = (JSON.parse(r.stdout) as { sources: Source[] }).sources;
    expect(sources.map((s) => [s.name, s.status, s.format, s.formats, s.encoding, s.lineEnding])).toEqual([
      ['crlf.log', 'read', 'threadtime', ['threadtime'], 'utf-8', 'cr-lf'],
      ['u16.log', 'read', 'threadtime', ['threadtime'], 'utf-16le', 'cr-cr-lf'],
    ]);
  });

  it('gives a skipped PNG no text encoding and no line endings', () => {
    const dir = tempDir();
    // A PNG signature, an IHDR-like chunk and compressed noise: mostly non-text bytes, with some CR and LF.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), deflateSync(Buffer.from(HUAWEI.repeat(20))), Buffer.from('\r\n\n\r')]);
    writeFileSync(join(dir, 'shot.png'), png);
    const r = runCli(['--db', join(dir, 't.db'), '--json-summary', 'shot.png'], { cwd: dir });
    const [s] = (JSON.parse(r.stdout) as { sources: Source[] }).sources;
    expect([s!.status, s!.encoding, s!.lineEnding]).toEqual(['not-a-log', 'binary', undefined]);
    const text = runCli(['--db', join(dir, 't2.db'), 'shot.png'], { cwd: dir });
    expect(text.stderr).not.toMatch(/line endings/);
    expect(text.stderr).toMatch(/^authing-triage: shot\.png: not a log \(PNG image, \d+% non-text bytes\); skipped$/m);
  });
});

describe('the bytes the summary says were read', () => {
  const CAPTURE = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
  const bytesOf = (stdout: string): [number, number] => {
    const j = JSON.parse(stdout) as { bytes: number; sources: { bytes: number }[] };
    return [j.bytes, j.sources[0]!.bytes];
  };

  it("are the input's size when its last line has no newline (511, not 512), from a file and stdin; appended, each event is counted once", () => {
    const dir = tempDir();
    const f = join(dir, 'cut.log');
    // 511 bytes: two whole lines and the head of a third, no newline after it
    writeFileSync(f, CAPTURE.subarray(0, 511));
    expect(CAPTURE[510]).not.toBe(10);
    const db = join(dir, 't.db');
    const args = ['--year', '2026', '--tz', 'UTC', '--json-summary'];
    const first = runCli(['--db', db, ...args, f]);
    expect(first.status, first.stderr).toBe(0);
    expect(bytesOf(first.stdout)).toEqual([511, 511]);
    const piped = runCli(['--db', join(dir, 'stdin.db'), ...args, '-'], { input: CAPTURE.subarray(0, 511) });
    expect(piped.status, piped.stderr).toBe(0);
    expect(bytesOf(piped.stdout)).toEqual([511, 511]);

    // the checkpoint stays before the last line: the next run reads it again, whole, with what was appended
    const done = query<{ done: number }>(db, 'SELECT bytes_done AS done FROM sources')[0]!.done;
    expect(done).toBe(CAPTURE.lastIndexOf(10, 510) + 1);
    appendFileSync(f, CAPTURE.subarray(511));
    const second = runCli(['--db', db, ...args, f]);
    expect(second.status, second.stderr).toBe(0);
    expect(bytesOf(second.stdout)).toEqual([statSync(f).size - done, statSync(f).size - done]);
    const clean = join(dir, 'clean.log');
    copyFileSync(f, clean);
    const cleanDb = join(dir, 'clean.db');
    expect(runCli(['--db', cleanDb, ...args, clean]).status).toBe(0);
    expect(storedRows(db)).toEqual(storedRows(cleanDb));
  });
});
