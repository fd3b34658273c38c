/**
 * Issue 19 through the real bin: labeled captures re-terminated, re-encoded and junk-headed still give
 * exactly their events; `parse` and `--json-summary` give one unparsed count; inputs that are not
 * logs are skipped and said; the summary reports each source's formats, encoding and line endings.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, SHARED, killDelays, killMidway, killedMidwayWithin, query, runCli, tempDir, watchStore } from '../helpers.js';

const labeled = join(SHARED, 'corpus', 'labeled');
const exp = JSON.parse(readFileSync(join(labeled, 'dev-threadtime.expected.json'), 'utf8')) as { file: string; args: string[]; events: { line: number; code: number }[] };
const text = readFileSync(join(labeled, exp.file), 'utf8');
const expected = [...exp.events].sort((a, b) => a.line - b.line);

function utf16(t: string, enc: 'le' | 'be', bom: boolean): Buffer {
  const b = Buffer.from((bom ? '\uFEFF' : '') + t, 'utf16le');
  if (enc === 'be') b.swap16();
  return b;
}

/** Ingests one file and returns the run's JSON summary and the stored events. */
function ingest(file: string, db = join(tempDir(), 't.db'), extra: string[] = []) {
  const r = runCli([file, '--db', db, '--json-summary', '--threads', '1', ...exp.args, ...extra]);
  return { r, summary: r.stdout ? JSON.parse(r.stdout) : null, events: query<{ line: number; code: number }>(db, 'SELECT line, code FROM events ORDER BY line'), db };
}

describe('a labeled capture, damaged as users damage it, gives exactly its events', () => {
  const cases: [string, () => Buffer, string, string][] = [
    ['CR CR LF', () => Buffer.from(text.replace(/\n/g, '\r\r\n')), 'utf-8', 'cr-cr-lf'],
    ['CR LF', () => Buffer.from(text.replace(/\n/g, '\r\n')), 'utf-8', 'cr-lf'],
    ['UTF-16LE with a BOM', () => utf16(text, 'le', true), 'utf-16le', 'lf'],
    ['UTF-16LE without a BOM', () => utf16(text, 'le', false), 'utf-16le', 'lf'],
    ['UTF-16BE with a BOM, CR LF', () => utf16(text.replace(/\n/g, '\r\n'), 'be', true), 'utf-16be', 'cr-lf'],
  ];
  const junkLines = Array.from({ length: 700 }, (_, i) => Buffer.from([1, 0xff, 0xfe, 2, 0x80 + (i % 64), 0x80, 0x1f, 0x7f, 3]).toString('latin1'));
  const withJunk = (): Buffer => {
    const lines = text.split('\n');
    return Buffer.concat([Buffer.from(lines[0] + '\n'), Buffer.from(junkLines.join('\n') + '\n', 'latin1'), Buffer.from(lines.slice(1).join('\n'))]);
  };
  let damaged: { r: ReturnType<typeof runCli>; summary: { sources: { name: string }[] }; events: Map<string, { line: number; code: number }[]> } | undefined;
  /**
   * Every damaged file of this block (each its own content, so its own source) read by one run: its
   * summary and its stored events by file. One run of the CLI instead of one a case.
   */
  const damagedRun = () => {
    if (damaged) return damaged;
    const dir = tempDir();
    const files = [...cases.map(([, make], i) => [`case-${i}.txt`, make()] as const), ['junk.txt', withJunk()] as const].map(([name, bytes]) => {
      writeFileSync(join(dir, name), bytes);
      return join(dir, name);
    });
    const db = join(dir, 't.db');
    const r = runCli([...files, '--db', db, '--json-summary', '--threads', '1', ...exp.args]);
    const events = new Map<string, { line: number; code: number }[]>();
    for (const src of query<{ id: number; name: string }>(db, 'SELECT id, name FROM sources')) {
      events.set(src.name, query<{ line: number; code: number }>(db, 'SELECT line, code FROM events WHERE source_id = ? ORDER BY line', src.id));
    }
    damaged = { r, summary: r.stdout ? JSON.parse(r.stdout) : { sources: [] }, events };
    return damaged;
  };
  const fileOf = (name: string): string => damagedRun().summary.sources.map((x) => x.name).find((n) => basename(n) === name) ?? name;

  it.each(cases.map((c, i) => [...c, i] as const))('%s', (_name, _make, encoding, lineEnding, i) => {
    const { r, summary, events } = damagedRun();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const f = fileOf(`case-${i}.txt`);
    expect(events.get(f)).toEqual(expected);
    expect(summary.sources.find((x) => x.name === f)).toMatchObject({ format: 'threadtime', formats: ['threadtime'], encoding, lineEnding, unparsed: 0 });
  });

  it('with 700 lines of binary junk after the first line (more than the detection sample): every event, on its line moved by the junk lines', () => {
    const { r, events } = damagedRun();
    expect(r.status).toBe(0);
    expect(events.get(fileOf('junk.txt'))).toEqual(expected.map((e) => ({ line: e.line > 1 ? e.line + 700 : e.line, code: e.code })));
  });

  it('a UTF-16 capture killed at random points and read again gives exactly its events once (8 trials)', { timeout: 300_000 }, async () => {
    const dir = tempDir();
    const f = join(dir, 'killed.txt');
    // Three copies (was six, 4.1 MB): a build whose UTF-16 checkpoint is the decoded UTF-8 offset instead of
    // the file's (decodedLineChunks' `next` patched so) fails the first trial killed after a commit, as at six.
    writeFileSync(f, utf16(text.repeat(3), 'le', true));
    const t0 = Date.now();
    const clean = ingest(f, join(dir, 'clean.db'), ['--batch-size', '50']);
    const cleanMs = Date.now() - t0;
    expect(clean.events).toHaveLength(expected.length * 3);
    let seed = 19;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const delays = killDelays(rand, cleanMs, 0.8, 100);
    let killedMidway = 0;
    for (let trial = 0; trial < 8; trial++) {
      // Every other trial as soon as another connection sees a random number of stored events (just
      // after a commit, where a checkpoint at the wrong byte shows); the rest at a random time. Timed
      // alone, a loaded suite let 6 of 8 trials finish first (CI of bc034aa: "expected 2 to be greater than 2");
      // a trial whose run ended before its kill is made again (helpers.killedMidwayWithin), its re-run checked too.
      const midway = await killedMidwayWithin(3, async (attempt) => {
        const db = join(dir, `k${trial}-${attempt}.db`);
        const child = spawn(process.execPath, [BIN, f, '--db', db, '--quiet', '--threads', '1', '--batch-size', '50'], { stdio: 'ignore' });
        if (trial % 2) await watchStore(db, child, { events: 1 + Math.floor(rand() * clean.events.length * 0.8) });
        else await new Promise((r) => setTimeout(r, delays.next()));
        const killed = await killMidway(child);
        if (!killed && trial % 2 === 0) delays.finishedFirst();
        const again = ingest(f, db, ['--batch-size', '50']);
        expect(again.r.status).toBe(0);
        expect(again.events).toEqual(clean.events);
        return killed;
      });
      if (midway) killedMidway++;
    }
    expect(killedMidway, 'trials killed midway within 3 attempts').toBe(8);
  });

  it('a UTF-16 capture appended to is resumed at the right byte: no event lost or counted twice', () => {
    const dir = tempDir();
    const f = join(dir, 'growing.txt');
    const lines = text.split('\n');
    const half = Math.floor(lines.length / 2);
    writeFileSync(f, utf16(lines.slice(0, half).join('\n') + '\n', 'le', true));
    const db = join(dir, 't.db');
    const first = ingest(f, db);
    expect(first.summary.sources[0].status).toBe('read');
    appendFileSync(f, utf16(lines.slice(half).join('\n'), 'le', false));
    const second = ingest(f, db);
    expect(second.summary.sources[0].status).toBe('resumed');
    expect(second.events).toEqual(expected);
    expect(ingest(f, db).summary.sources[0]).toMatchObject({ status: 'skipped', skipReason: 'already counted' });
  });
});

describe('one unparsed count for parse and --json-summary', () => {
  it('counts the lines that could hold an event and fit no layout, the same in both', () => {
    const lines = text.split('\n').slice(0, 200);
    // vendor noise: two lines that could hold an event (they carry "uth"), three that could not
    const noisy = [lines[0], 'nt logctl_get(): open authing switch fail', ...lines.slice(1, 100), 'binder: 1234 oauth transaction failed', '  <6>[  12.3] kernel', 'xyz', '\t  ', 'abc', ...lines.slice(100)].join('\n') + '\n';
    const f = join(tempDir(), 'noisy.log');
    writeFileSync(f, noisy);
    const p = runCli(['parse', f]);
    expect(p.status).toBe(0);
    const parseCount = p.stderr.split('\n').filter((l) => l.endsWith(': unparsed line')).length;
    expect(parseCount).toBe(2);
    const { summary } = ingest(f);
    expect(summary.unparsed).toBe(2);
    expect(summary.sources[0].unparsed).toBe(2);
  });
  const REAL = readdirSync(join(SHARED, 'corpus', 'real')).filter((f) => !/PROVENANCE|golden/.test(f)).map((name) => join(SHARED, 'corpus', 'real', name));
  let realCounts: { parse: Map<string, number>; ingest: Map<string, number> } | undefined;
  /**
   * The unparsed count of each real capture from one `parse` and one ingest of them all (each file
   * its own source, counted apart): two runs of the CLI instead of two per capture.
   */
  const countsOfReal = () => {
    if (realCounts) return realCounts;
    const parsed = runCli(['parse', ...REAL]);
    expect(parsed.status, parsed.stderr).toBe(0);
    const parse = new Map(REAL.map((f) => [f, 0]));
    for (const l of parsed.stderr.split('\n')) {
      const m = /^authing-triage: (.*):\d+: unparsed line$/.exec(l);
      if (m) parse.set(m[1]!, parse.get(m[1]!)! + 1);
    }
    const db = join(tempDir(), 'real.db');
    const r = runCli([...REAL, '--db', db, '--json-summary', '--threads', '1', ...exp.args]);
    expect(r.status, r.stderr).toBe(0);
    const sources = (JSON.parse(r.stdout) as { sources: { name: string; unparsed: number }[] }).sources;
    expect(sources.map((x) => x.name).sort()).toEqual([...REAL].sort());
    realCounts = { parse, ingest: new Map(sources.map((x) => [x.name, x.unparsed])) };
    return realCounts;
  };
  it.each(REAL.map((f) => [basename(f), f]))('%s: parse and --json-summary give the same count', (_name, f) => {
    const { parse, ingest: ingested } = countsOfReal();
    expect(parse.has(f)).toBe(true);
    expect(ingested.get(f)).toBe(parse.get(f));
  });
  it('counts the same on a multi-line layout (Studio v1), where every line is read', () => {
    const v1 = readFileSync(join(SHARED, 'corpus', 'real', 'issue-excerpt__firebase-firebase-android-sdk-1565__android-studio-v1.txt'), 'utf8');
    const f = join(tempDir(), 'studio.txt');
    writeFileSync(f, 'AuthClient junk before the first record\n' + v1);
    const p = runCli(['parse', f]);
    expect(p.stderr.split('\n').filter((l) => l.endsWith(': unparsed line'))).toEqual([`authing-triage: ${f}:1: unparsed line`]);
    expect(ingest(f).summary.sources[0]).toMatchObject({ unparsed: 1, format: 'studio', formats: ['studio'] });
  });
});

describe('silent fallbacks are said, inputs that are not logs are skipped', () => {
  it('skips a PNG and a PDF with one line each, counts them, stores no source, and reads the log beside them', () => {
    const dir = tempDir();
    const png = join(dir, 'screen.png');
    const pdf = join(dir, 'report.pdf');
    const log = join(dir, 'capture.log');
    writeFileSync(png, Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(3000, 0x9c)]));
    writeFileSync(pdf, Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), Buffer.alloc(3000, 0x02)]));
    writeFileSync(log, text);
    const db = join(dir, 't.db');
    const r = runCli([png, pdf, log, '--db', db, '--json-summary']);
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `authing-triage: ${png}: not a log (PNG image, 99% non-text bytes); skipped`,
      `authing-triage: ${pdf}: not a log (PDF document, 99% non-text bytes); skipped`,
    ]);
    const s = JSON.parse(r.stdout);
    expect(s.files).toEqual({ read: 1, resumed: 0, skipped: 0, failed: 0, taken: 0, notLog: 2 });
    expect(s.sources.map((x: { status: string; skipReason?: string }) => [x.status, x.skipReason ?? null])).toEqual([['not-a-log', 'not a log'], ['not-a-log', 'not a log'], ['read', null]]);
    expect(query(db, 'SELECT name FROM sources')).toEqual([{ name: log }]);
    const human = runCli([png, '--db', join(dir, 'u.db')]);
    // Not one of the inputs the line counts: after it, not inside "from … inputs".
    expect(human.stderr).toMatch(/^0 events in 0 lines \(0\.0 MB\) from 0 read inputs in \d+\.\d\d s; 1 skipped: not a log$/m);
    const parsed = runCli(['parse', pdf]);
    expect([parsed.status, parsed.stdout, parsed.stderr]).toEqual([0, '', `authing-triage: ${pdf}: not a log (PDF document, 99% non-text bytes); skipped\n`]);
  });
  it('says when a text file fits no logcat layout and is read as raw lines', () => {
    const f = join(tempDir(), 'unity.txt');
    writeFileSync(f, 'Unity player log\nInitialize engine version: 2021.3\nAuthingManager: login failed code 2333\n');
    const r = runCli([f, '--db', join(tempDir(), 't.db'), '--quiet']);
    expect(r.stderr).toBe(`authing-triage: ${f}: no logcat layout fits; read as raw lines, tags unknown\n`);
    const p = runCli(['parse', f]);
    expect(p.stderr).toBe(`authing-triage: ${f}: no logcat layout fits; read as raw lines, tags unknown\n`);
  });
  it('reports each source\'s formats when a capture switches layout', () => {
    const f = join(tempDir(), 'switch.txt');
    writeFileSync(f, text.split('\n').slice(0, 50).join('\n') + '\n[ 03-17 16:20:00.000  1234: 1250 E/AuthClient ]\n{"code":2333}\n\n');
    const { summary } = ingest(f);
    expect(summary.sources[0]).toMatchObject({ format: 'threadtime', formats: ['threadtime', 'long'], encoding: 'utf-8', lineEnding: 'lf' });
  });
  it('the human summary has a line for each source read in a way worth knowing', () => {
    const dir = tempDir();
    const f = join(dir, 'ps.txt');
    writeFileSync(f, utf16(text.replace(/\n/g, '\r\n'), 'be', true));
    const plain = join(dir, 'plain.log');
    writeFileSync(plain, text);
    const r = runCli([f, plain, '--db', join(dir, 't.db')]);
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines.filter((l) => l.startsWith('  /'))).toEqual([`  ${f}: UTF-16BE; CR LF line endings`]);
  });
});
