/**
 * A capture whose end is in another encoding than its head (UTF-8 with UTF-16 appended, as PowerShell's `>>` writes
 * after another tool's `>`, or the reverse) was decoded whole as its head says, and that part read as no lines: 29
 * events of 80, and nothing said (round seventeen's exactly-once review). Then it was said, in one line, on stderr
 * and in the summary's warnings. Now it is read line by line in the encoding each line's start shows: its 80 events,
 * and no warning (mixed-encoding-count.test.ts holds the rows to one run in one encoding, and resumed runs to one
 * clean run); a file of one encoding, either, says nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, runCli, tempDir } from '../helpers.js';

const TEXT = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8');
const LINES = TEXT.split('\n');
const HEAD = LINES.slice(0, 1200).join('\n') + '\n';
const REST = LINES.slice(1200).join('\n');

interface Source {
  warnings?: string[];
  events: number;
  encoding?: string;
  encodings?: string[];
}

function run(name: string, bytes: Buffer): { stderr: string; warnings: string[]; events: number; source: Source } {
  const dir = tempDir();
  const f = join(dir, name);
  writeFileSync(f, bytes);
  const r = runCli(['--db', join(dir, 't.db'), '--quiet', '--json-summary', f]);
  expect(r.status, r.stderr).toBe(0);
  const summary = JSON.parse(r.stdout) as { sources: Source[] };
  const source = summary.sources[0]!;
  return { stderr: r.stderr, warnings: source.warnings ?? [], events: source.events, source };
}

/** A source's encoding fields from one run over `bytes` on stdin. */
function viaStdin(bytes: Buffer): Pick<Source, 'encoding' | 'encodings'> {
  const r = runCli(['--db', join(tempDir(), 't.db'), '--quiet', '--json-summary', '-'], { input: bytes });
  expect(r.status, r.stderr).toBe(0);
  const { encoding, encodings } = (JSON.parse(r.stdout) as { sources: Source[] }).sources[0]!;
  return { encoding, encodings };
}

describe('a capture whose end is in another encoding', () => {
  it('UTF-16LE with a BOM, then UTF-8 appended: all 80 events read, nothing to say', () => {
    const r = run('u16-then-u8.log', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEAD, 'utf16le'), Buffer.from(REST, 'utf8')]));
    expect(r.events).toBe(80);
    expect(r.stderr).not.toMatch(/look UTF/);
    expect(r.warnings).toEqual([]);
  });

  it('UTF-8, then UTF-16LE appended without a BOM: all 80 events read, nothing to say', () => {
    const r = run('u8-then-u16.log', Buffer.concat([Buffer.from(HEAD, 'utf8'), Buffer.from(REST, 'utf16le')]));
    expect(r.events).toBe(80);
    expect(r.stderr).not.toMatch(/look UTF/);
    expect(r.warnings).toEqual([]);
  });

  it('a file of one encoding says nothing of it: UTF-8, UTF-16LE with a BOM, UTF-16BE without one', () => {
    const be = Buffer.from(TEXT, 'utf16le');
    be.swap16();
    for (const [name, bytes] of [['u8.log', Buffer.from(TEXT, 'utf8')], ['le.log', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')])], ['be.log', be]] as const) {
      const r = run(name, bytes);
      expect(r.stderr, name).not.toMatch(/look UTF/);
      expect(r.warnings, name).toEqual([]);
    }
  });
});

describe("--json-summary's encoding of a capture in more than one", () => {
  // It named the head's encoding: `utf-8` for UTF-8 then UTF-16LE (the file, stdin), `utf-16le` for a short UTF-8 head
  // then a BOM (read as a junk head before it), as if the rest were in it.
  const le = (s: string): Buffer => Buffer.from(s, 'utf16le');
  const bomLe = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), le(s)]);
  const short = LINES.slice(0, 20).join('\n') + '\n';
  const cases: [string, Buffer, string[]][] = [
    ['UTF-8, then UTF-16LE without a BOM', Buffer.concat([Buffer.from(HEAD, 'utf8'), le(REST)]), ['utf-8', 'utf-16le']],
    ['20 lines of UTF-8, then UTF-16LE with a BOM', Buffer.concat([Buffer.from(short, 'utf8'), bomLe(LINES.slice(20).join('\n'))]), ['utf-8', 'utf-16le']],
    ['UTF-16LE with a BOM, then UTF-8', Buffer.concat([bomLe(HEAD), Buffer.from(REST, 'utf8')]), ['utf-16le', 'utf-8']],
  ];

  it.each(cases)('%s: `mixed`, and `encodings` in the order read (a file, stdin)', (name, bytes, encodings) => {
    const r = run('mixed.log', bytes);
    expect(r.events, name).toBe(80);
    expect([r.source.encoding, r.source.encodings], name).toEqual(['mixed', encodings]);
    expect(viaStdin(bytes), `${name}, stdin`).toEqual({ encoding: 'mixed', encodings });
  });

  it('a capture in one encoding names it, with no `encodings`: UTF-8, UTF-16LE with a BOM', () => {
    for (const [enc, bytes] of [['utf-8', Buffer.from(TEXT, 'utf8')], ['utf-16le', bomLe(TEXT)]] as const) {
      const r = run('one.log', bytes);
      expect([r.source.encoding, r.source.encodings], enc).toEqual([enc, undefined]);
    }
  });

  it('the text summary on stderr names them in order', () => {
    const dir = tempDir();
    const f = join(dir, 'mixed.log');
    writeFileSync(f, Buffer.concat([Buffer.from(HEAD, 'utf8'), le(REST)]));
    const r = runCli(['--db', join(dir, 't.db'), f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain(`${f}: encodings UTF-8 -> UTF-16LE\n`);
  });
});
