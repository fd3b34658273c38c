/**
 * Lines that end in a lone CR (classic Mac line ends, or a conversion that dropped the LF) end no line: the lines up
 * to each LF were read as one record and the events in the others lost, with no word (a CR-only capture gave 1
 * event of 80, one with CR and LF in turn 48; round eighteen's exactly-once review). A capture with no LF at all is
 * now not read (it would be one record): one line says how to convert it, exit 3, and the converted file then counts
 * what one clean run does, nothing twice. So is one where a quarter of the lines end so (read, then converted as the
 * note said, it counted 58 + 80 events of an 80-event capture: round twenty's review); with fewer such lines it is
 * read, and a note says how many and the first (a tenth of them lost 13 of 80 events unsaid). Each LF-ended line counts once, so one hostile message full of CRs gets nothing refused or
 * said; CR LF, CR CR LF, CR CR CR LF and LF CR captures and a progress bar's CRs are read as before. The first two
 * cases fail on the code before.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, runCli, storedRows, tempDir } from '../helpers.js';

const TEXT = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8');
const LINES = TEXT.split('\n').filter((l) => l.length);
const BRIEF = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-brief.log'), 'utf8').split('\n').filter((l) => l.length);

function run(db: string, f: string): { status: number | null; stderr: string } {
  const r = runCli(['--db', db, '--quiet', '--year', '2026', f]);
  return { status: r.status, stderr: r.stderr };
}
function write(name: string, text: string): { dir: string; f: string; db: string } {
  const dir = tempDir();
  const f = join(dir, name);
  writeFileSync(f, text);
  return { dir, f, db: join(dir, 't.db') };
}
/** The rows one clean run of these LF-ended lines stores. */
function cleanRows(dir: string, lines: string[]): unknown[] {
  const f = join(dir, 'clean.log');
  writeFileSync(f, lines.join('\n') + '\n');
  const db = join(dir, 'clean.db');
  expect(run(db, f).status).toBe(0);
  return storedRows(db).slice(0, 2);
}

describe('lines that end in a lone CR', () => {
  it.each([
    ['cr.log', LINES],
    // `-v process` lines, which start with their level and pid
    ['cr-process.log', BRIEF.map((l) => l.replace(/^([VDIWEFA])\/([^(]*)\( *(\d+)\): (.*)$/, '$1( $3) $4  ($2)'))],
  ])('%s, no LF at all: not read, one line with the way to convert, exit 3; converted, one clean run', (name, lines) => {
    const { dir, f, db } = write(name, lines.join('\r') + '\r');
    const r = run(db, f);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}: its lines end in a lone CR and none in an LF .*nothing was read; convert the line ends \\(tr '\\\\r' '\\\\n'`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // converted as it says, the file counts what one clean run of the capture does
    const lf = join(dir, `${name}.lf`);
    writeFileSync(lf, lines.join('\n') + '\n');
    expect(run(db, lf).status).toBe(0);
    expect(storedRows(db).slice(0, 2)).toEqual(cleanRows(dir, lines));
  });

  it('CR and LF in turn: not read, exit 3; converted as it says, one clean run, nothing counted twice', () => {
    const { dir, f, db } = write('cr-then-lf.log', LINES.map((l, i) => l + (i % 2 ? '\n' : '\r')).join(''));
    const r = run(db, f);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/cr-then-lf\.log: \d+ of its first lines hold a lone CR where a logcat record starts \(the first: line 1\).*nothing was read; convert the line ends/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // the review's sequence: before, the damaged file was read (58 of 80 events) and the converted one counted 80 more
    const lf = join(dir, 'cr-then-lf.log.lf');
    writeFileSync(lf, readFileSync(f, 'latin1').replace(/\r/g, '\n'), 'latin1');
    expect(run(db, lf).status).toBe(0);
    expect(storedRows(db).slice(0, 2)).toEqual(cleanRows(dir, LINES));
  });

  it('a file read with a note that grows past the refusal is read on, said: refused, its converted copy counted it again', () => {
    // 2 lone CRs in the first 60 lines (a note), then one line in three: the next run refused it, and the convert
    // command it gave counted the first part's events again, 10 of 7 (the review of this round's diff)
    const first = LINES.slice(0, 60).map((l, i) => l + (i === 5 || i === 20 ? '\r' : '\n')).join('');
    const rest = LINES.slice(60, 300).map((l, i) => l + (i % 3 === 0 ? '\r' : '\n')).join('');
    const { dir, f, db } = write('growing.log', first);
    expect(run(db, f).status).toBe(0);
    appendFileSync(f, rest);
    const r = run(db, f);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/growing\.log: \d+ of its first lines hold a lone CR .*read on, as it was read before \(a converted copy would count its events again\)/);
    // what one run of the whole file, were it read as it is, stores
    const whole = join(dir, 'whole.db');
    const wf = join(dir, 'whole.log');
    writeFileSync(wf, first + rest);
    expect(run(whole, wf).status).toBe(3);
  });

  it('a tenth of the lines so: read, and a note names how many and the first (the events after them were lost unsaid)', () => {
    const { f, db } = write('some-cr.log', LINES.map((l, i) => l + (i % 10 === 9 ? '\r' : '\n')).join(''));
    const r = run(db, f);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`some-cr\\.log: \\d+ of its first lines hold a lone CR where a logcat record starts \\(the first: line 10\\), which ends no line here: the record after it is read as part of that line, and an event in it is not counted`));
  });

  it('one hostile message full of CRs before record starts: read as before, nothing said', () => {
    const hostile = `03-17 16:13:39.000  4850  4850 I EvilApp: x${'\rI/'.repeat(400)}`;
    const { dir, f, db } = write('hostile.log', [...LINES.slice(0, 5), hostile, ...LINES.slice(5)].join('\n') + '\n');
    const r = run(db, f);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/lone CR/);
    expect(storedRows(db)[1]).toEqual(cleanRows(dir, LINES)[1]);
  });

  it.each([
    ['lf.log', TEXT],
    ['crlf.log', LINES.join('\r\n') + '\r\n'],
    ['crcrlf.log', LINES.join('\r\r\n') + '\r\r\n'],
    ['crcrcrlf.log', LINES.join('\r\r\r\n') + '\r\r\r\n'],
    ['lfcr.log', LINES.map((l) => `${l}\n\r`).join('')],
    // a hostile app's CRs inside a few messages, and a progress bar's in one
    ['cr-in-messages.log', LINES.map((l, i) => (i % 40 === 0 ? l.replace(': ', ': a\rb ') : i === 7 ? `${l} 1%\r8%\r16%\r24%\r32%\r40%\r48%\r56%\r64%\r72%\r80%\r99%` : l)).join('\n') + '\n'],
  ])('%s: read as before, nothing said of it', (name, text) => {
    const { f, db } = write(name, text);
    const r = run(db, f);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/lone CR/);
  });
});
