/**
 * Lines that end in a lone CR (classic Mac line ends, or a conversion that dropped the LF) end no line: the lines up
 * to each LF were read as one record and the events in the others lost, with no word (a CR-only capture gave 1
 * event of 80, one with CR and LF in turn 48; round eighteen's exactly-once review). Such a capture is now not read:
 * one line says why and how to convert it, exit 3, and the converted file then counts what one clean run of the
 * capture does, nothing twice. CR LF, CR CR LF and CR CR CR LF captures, and a progress bar's CRs inside a message,
 * are read as before. Fails on the code before.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, runCli, storedRows, tempDir } from '../helpers.js';

const TEXT = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8');
const LINES = TEXT.split('\n').filter((l) => l.length);

function run(db: string, f: string): { status: number | null; stderr: string } {
  const r = runCli(['--db', db, '--quiet', '--year', '2026', f]);
  return { status: r.status, stderr: r.stderr };
}

describe('lines that end in a lone CR', () => {
  it.each([
    ['cr.log', LINES.join('\r') + '\r'],
    ['cr-then-lf.log', LINES.map((l, i) => l + (i % 2 ? '\n' : '\r')).join('')],
  ])('%s: not read, one line with the way to convert, exit 3; converted, one clean run', (name, text) => {
    const dir = tempDir();
    const f = join(dir, name);
    writeFileSync(f, text);
    const db = join(dir, 't.db');
    const r = run(db, f);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}: \\d+ of its first lines end in a lone CR.*nothing was read; convert the line ends \\(tr '\\\\r' '\\\\n'`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // converted as it says, the file counts what one clean run of the capture does
    const lf = join(dir, `${name}.lf`);
    writeFileSync(lf, text.replace(/\r\n?/g, '\n'));
    expect(run(db, lf).status).toBe(0);
    const clean = join(dir, 'clean.db');
    const cf = join(dir, 'clean.log');
    writeFileSync(cf, LINES.join('\n') + '\n');
    expect(run(clean, cf).status).toBe(0);
    expect(storedRows(db).slice(0, 2)).toEqual(storedRows(clean).slice(0, 2));
  });

  it.each([
    ['lf.log', TEXT],
    ['crlf.log', LINES.join('\r\n') + '\r\n'],
    ['crcrlf.log', LINES.join('\r\r\n') + '\r\r\n'],
    ['crcrcrlf.log', LINES.join('\r\r\r\n') + '\r\r\r\n'],
    // a hostile app's CRs inside a few messages, and a progress bar's in one
    ['cr-in-messages.log', LINES.map((l, i) => (i % 40 === 0 ? l.replace(': ', ': a\rb ') : i === 7 ? `${l} 1%\r8%\r16%\r24%\r32%\r40%\r48%\r56%\r64%\r72%\r80%\r99%` : l)).join('\n') + '\n'],
  ])('%s: read as before, nothing said of it', (name, text) => {
    const dir = tempDir();
    const f = join(dir, name);
    writeFileSync(f, text);
    const r = run(join(dir, 't.db'), f);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/lone CR/);
  });
});
