/**
 * Lines that end in a lone CR (classic Mac line ends, or a conversion that dropped the LF) end no line: the lines up
 * to each LF were read as one record and the events in the others lost, with no word (a CR-only capture gave 1
 * event of 80, one with CR and LF in turn 48; round eighteen's exactly-once review). They are still read so, and a
 * note now says it and how to convert; CR LF, CR CR LF and LF captures, and a few CRs inside messages, say nothing.
 * Fails on the code before.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, runCli, tempDir } from '../helpers.js';

const TEXT = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8');
const LINES = TEXT.split('\n').filter((l) => l.length);

function run(name: string, text: string): { stderr: string; note: string | undefined } {
  const dir = tempDir();
  const f = join(dir, name);
  writeFileSync(f, text);
  const r = runCli(['--db', join(dir, 't.db'), '--quiet', '--json-summary', f]);
  expect(r.status, r.stderr).toBe(0);
  return { stderr: r.stderr, note: (JSON.parse(r.stdout) as { sources: { note?: string }[] }).sources[0]!.note };
}

describe('lines that end in a lone CR', () => {
  it.each([
    ['cr.log', LINES.join('\r') + '\r'],
    ['cr-then-lf.log', LINES.map((l, i) => l + (i % 2 ? '\n' : '\r')).join('')],
  ])('%s: a note on stderr and in the summary, with the way to convert', (name, text) => {
    const r = run(name, text);
    expect(r.stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}: \\d+ line\\(s\\) of its head end in a lone CR.*tr '\\\\r' '\\\\n'`));
    expect(r.note).toMatch(/end in a lone CR/);
  });

  it.each([
    ['lf.log', TEXT],
    ['crlf.log', LINES.join('\r\n') + '\r\n'],
    ['crcrlf.log', LINES.join('\r\r\n') + '\r\r\n'],
    // a hostile app's CRs inside a few messages
    ['cr-in-messages.log', LINES.map((l, i) => (i % 40 === 0 ? l.replace(': ', ': a\rb ') : l)).join('\n') + '\n'],
  ])('%s: says nothing of it', (name, text) => {
    const r = run(name, text);
    expect(r.stderr).not.toMatch(/lone CR/);
    expect(r.note ?? '').not.toMatch(/lone CR/);
  });
});
