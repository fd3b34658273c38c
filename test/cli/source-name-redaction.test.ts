/**
 * A support team names a capture after the user it came from (`caps/alice@example.com/13812345678.log`): the phone
 * number and the e-mail address were stored verbatim in `sources.name` and `sources.path`, and shown by every report
 * and by the events' `source`. A source's name is now redacted as event text is (unless --no-redact), and a path that
 * holds what redaction hides is not stored (pipeline/source-name.ts): its shorter copy is then counted on its own,
 * the fallback README's "Exactly once" documents, while re-runs and appends of the file itself count nothing twice.
 */
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, query, runCli, storedRows, tempDir, writeZip } from '../helpers.js';

const CAPTURE = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
const PHONE = '13812345678';
const EMAIL = 'alice@example.com';
/** A cut inside a line, past the 64 KiB head and before the end (as earlier-copy.test.ts cuts). */
const CUT = Math.floor(CAPTURE.length / 2) + 17;

/** A capture in a folder named by the user's e-mail, the file by their phone: the name and what it is stored as. */
function capture(bytes: Buffer = CAPTURE): { dir: string; file: string; stored: string } {
  const dir = tempDir();
  mkdirSync(join(dir, 'caps', EMAIL), { recursive: true });
  const file = join(dir, 'caps', EMAIL, `${PHONE}.log`);
  writeFileSync(file, bytes);
  return { dir, file, stored: join(dir, 'caps', '[email]', '[phone].log') };
}

function ingest(db: string, args: string[]) {
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return r;
}

function report(db: string, ...args: string[]) {
  const r = runCli(['report', '--db', db, ...args]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const sources = (db: string) => query<{ name: string; path: string | null }>(db, 'SELECT name, path FROM sources ORDER BY id');

describe("an input's name that holds a phone number and an e-mail address", () => {
  it('is stored redacted, with no path, and shown so by report --by source in JSON and on the terminal', () => {
    const { dir, file, stored } = capture();
    const db = join(dir, 't.db');
    ingest(db, [file]);
    expect(sources(db)).toEqual([{ name: stored, path: null }]);
    const json = JSON.parse(report(db, '--by', 'source', '--format', 'json')) as { source: string }[];
    expect(json.map((r) => r.source)).toEqual([stored]);
    const text = report(db, '--by', 'source');
    expect(text).toContain('[email]/[phone].log');
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(EMAIL);
    // the name as given still finds it
    const where = JSON.parse(report(db, '--by', 'source', '--format', 'json', '--where', `source=${file}`)) as { source: string }[];
    expect(where.map((r) => r.source)).toEqual([stored]);
  });

  it("is redacted in the HTML report's sources and in each --json event's source", () => {
    const { dir, file, stored } = capture();
    const db = join(dir, 't.db');
    const run = runCli(['--db', db, '--year', '2026', '--tz', 'UTC', '--json', file]);
    expect(run.status, run.stderr).toBe(0);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { source: string });
    expect(events.length).toBeGreaterThan(50);
    expect([...new Set(events.map((e) => e.source))]).toEqual([stored]);

    const html = join(dir, 'report.html');
    const h = runCli(['report', '--db', db, '--format', 'html', '--out', html]);
    expect(h.status, h.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('[email]/[phone].log');
    expect(page).not.toContain(PHONE);
    expect(page).not.toContain(EMAIL);
  });

  it('gives --label-from-path labels redacted in the store and the report', () => {
    // (labels.ts redacted found label values before this change too: this guards it beside the name)
    const { dir, file, stored } = capture();
    const db = join(dir, 't.db');
    ingest(db, ['--label-from-path', 'caps/{user}/{phone}.log', file]);
    expect(query(db, 'SELECT key, value FROM source_labels ORDER BY key')).toEqual([
      { key: 'phone', value: '[phone]' },
      { key: 'user', value: '[email]' },
    ]);
    expect(JSON.parse(report(db, '--by', 'label:user', '--format', 'json'))).toEqual([{ 'label:user': '[email]', count: expect.any(Number), latestEvent: expect.any(Number) }]);
    expect(sources(db)).toEqual([{ name: stored, path: null }]);
  });

  it('is stored and shown verbatim under --no-redact', () => {
    const { dir, file } = capture();
    const db = join(dir, 't.db');
    ingest(db, ['--no-redact', file]);
    expect(sources(db)).toEqual([{ name: file, path: file }]);
    const json = JSON.parse(report(db, '--by', 'source', '--format', 'json')) as { source: string }[];
    expect(json.map((r) => r.source)).toEqual([file]);
  });

  it('counts nothing twice on a re-run and an appended re-run: the store equals one clean run of the final bytes', () => {
    const { dir, file, stored } = capture(CAPTURE.subarray(0, CUT));
    const db = join(dir, 't.db');
    ingest(db, [file]);
    ingest(db, [file]);
    appendFileSync(file, CAPTURE.subarray(CUT));
    const appended = ingest(db, ['--json-summary', file]);
    // the name as given on stderr and in the run's own summary: the user typed it (run-ingest.ts)
    expect((JSON.parse(appended.stdout) as { sources: { name: string; status: string }[] }).sources).toMatchObject([{ name: file, status: 'resumed' }]);

    const clean = join(dir, 'clean.log');
    copyFileSync(file, clean);
    const cleanDb = join(dir, 'clean.db');
    ingest(cleanDb, [clean]);
    expect(storedRows(db)).toEqual(storedRows(cleanDb));
    expect(sources(db)).toEqual([{ name: stored, path: null }]);
  });

  it("has a shorter copy counted as a source of its own: the original's path is not stored to compare it with", () => {
    const { dir, file, stored } = capture();
    const db = join(dir, 't.db');
    ingest(db, [file]);
    const pre = join(dir, 'pre.log');
    writeFileSync(pre, CAPTURE.subarray(0, CUT));
    ingest(db, [pre]);
    expect(sources(db)).toEqual([
      { name: stored, path: null },
      { name: pre, path: pre },
    ]);
  });

  it('names no redacted path as the file to give, for a source an earlier --no-redact run stored with its path', () => {
    const { dir, file } = capture();
    const db = join(dir, 't.db');
    ingest(db, ['--no-redact', file]);
    const pre = join(dir, 'pre.log');
    writeFileSync(pre, CAPTURE.subarray(0, CUT));
    const r = runCli(['--db', db, '--year', '2026', '--tz', 'UTC', '--tag', 'MainActivity', pre]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `pre.log: the run's --tag / --registry settings would read ${join(dir, 'caps', '[email]', '[phone].log')} again, not this copy of its first bytes: ` +
        'give the file it was counted from (its path is not shown: it holds what redaction hides) to do it',
    );
    expect(r.stderr).not.toContain(PHONE);
    expect(r.stderr).not.toContain(EMAIL);
  });
});

describe('names redaction leaves alone, and sources that share a name', () => {
  it("keeps a build's commit folder and a hash-named file as they are, with their path", () => {
    // a run of 32+ hex digits is `[secret]` in event text; in a path it is a commit or a content hash (source-name.ts)
    const dir = tempDir();
    const folder = join(dir, 'builds', '3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, 'd41d8cd98f00b204e9800998ecf8427e.log');
    writeFileSync(file, CAPTURE);
    const db = join(dir, 't.db');
    ingest(db, [file]);
    expect(sources(db)).toEqual([{ name: file, path: file }]);
  });

  it('keeps no hex run that is a secret key\'s value, a bearer token or an e-mail\'s local part', () => {
    // the hex-run exception kept these whole: `access_token=` alone was redacted (to nothing), the run put back after it
    const hex = 'd41d8cd98f00b204e9800998ecf8427e';
    const dir = tempDir();
    const db = join(dir, 't.db');
    const names = [`access_token=${hex}.log`, `${hex}@example.com.log`, `Authorization: Bearer ${hex}.log`];
    for (const [i, n] of names.entries()) {
      const folder = join(dir, `c${i}`);
      mkdirSync(folder, { recursive: true });
      // each its own content: one source each
      writeFileSync(join(folder, n), Buffer.concat([Buffer.from(`-- capture ${i}\n`), CAPTURE]));
      ingest(db, [join(folder, n)]);
    }
    const stored = sources(db);
    expect(stored.map((s) => s.name.slice(dir.length))).toEqual(['/c0/access_token=[redacted]', '/c1/[email]', '/c2/Authorization: [redacted]']);
    for (const s of stored) {
      expect(s.name).not.toContain(hex);
      expect(s.path).toBeNull();
    }
  });

  it("ends a secret key's value at the folder's end: each file of a `sid=…` folder keeps its own name", () => {
    // the value ran on to the name's end: `caps/sid=abc123/app.log` and `…/main.log` were both `caps/sid=[redacted]`,
    // one row of report --by source, and no file name
    const dir = tempDir();
    const folder = join(dir, 'caps', 'sid=abc123');
    mkdirSync(folder, { recursive: true });
    const db = join(dir, 't.db');
    for (const [i, n] of ['app.log', 'main.log'].entries()) {
      writeFileSync(join(folder, n), Buffer.concat([Buffer.from(`-- capture ${i}\n`), CAPTURE]));
      ingest(db, [join(folder, n)]);
    }
    const names = [join(dir, 'caps', 'sid=[redacted]', 'app.log'), join(dir, 'caps', 'sid=[redacted]', 'main.log')];
    expect(sources(db)).toEqual(names.map((name) => ({ name, path: null })));
    const json = JSON.parse(report(db, '--by', 'source', '--format', 'json')) as { source: string }[];
    expect(json.map((r) => r.source).sort()).toEqual(names);
    expect(report(db, '--by', 'source')).not.toContain('abc123');
  });

  it('ends it at a backslash too (a Windows-style name), and keeps a value that holds a / to its own folder', () => {
    // `\` is a name's character on Linux: a file named as a Windows path, given relative to its folder
    const dir = tempDir();
    const db = join(dir, 't.db');
    const windows = 'caps\\sid=abc123\\app.log';
    writeFileSync(join(dir, windows), Buffer.concat([Buffer.from('-- capture w\n'), CAPTURE]));
    const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', windows], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    // a base64 token's `/` is a folder's end in a path: what follows it is a folder of its own, shown
    mkdirSync(join(dir, 'token=ab', 'cd'), { recursive: true });
    writeFileSync(join(dir, 'token=ab', 'cd', 'app.log'), Buffer.concat([Buffer.from('-- capture t\n'), CAPTURE]));
    const t = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', 'token=ab/cd/app.log'], { cwd: dir });
    expect(t.status, t.stderr).toBe(0);
    expect(sources(db).map((s) => s.name)).toEqual(['caps\\sid=[redacted]\\app.log', 'token=[redacted]/cd/app.log']);
  });

  it('redacts a token or a password in a folder after a /, relative, with ./, absolute, and in a zip\'s path and its entry\'s', async () => {
    // (a guard: stored so before this test too, checked by hand against the build before it)
    const dir = tempDir();
    const db = join(dir, 't.db');
    const files = ['logs/token=abc123/app.log', 'logs/password=hunter2/x.log', 'logs/passwd:hunter2/y.log'];
    for (const [i, f] of files.entries()) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), Buffer.concat([Buffer.from(`-- capture ${i}\n`), CAPTURE]));
    }
    mkdirSync(join(dir, 'zips', 'api_key=xyz789'), { recursive: true });
    const zip = join(dir, 'zips', 'api_key=xyz789', 'bug.zip');
    await writeZip(zip, { 'secret=s3cr3t/bugreport-1.txt': '------ SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v) ------\n' + CAPTURE.toString('utf8') });
    const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', files[0]!, `./${files[1]}`, join(dir, files[2]!), zip], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(sources(db)).toEqual([
      { name: 'logs/token=[redacted]/app.log', path: null },
      { name: './logs/password=[redacted]/x.log', path: null },
      { name: join(dir, 'logs/passwd:[redacted]/y.log'), path: null },
      { name: join(dir, 'zips/api_key=[redacted]/bug.zip!secret=[redacted]/bugreport-1.txt'), path: null },
    ]);
    const text = report(db, '--by', 'source', '--format', 'json');
    for (const secret of ['abc123', 'hunter2', 'xyz789', 's3cr3t']) expect(text).not.toContain(secret);
  });

  it("gives each source its own events in the HTML report's sources, where two share a name (stdin's '-')", () => {
    const dir = tempDir();
    const db = join(dir, 't.db');
    const lines = CAPTURE.toString('utf8').split('\n');
    const half = Math.floor(lines.length / 2);
    // two pipes of different bytes: two sources, both named '-'
    for (const part of [lines.slice(0, half), lines.slice(half)]) {
      const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC'], { input: part.join('\n') + '\n' });
      expect(r.status, r.stderr).toBe(0);
    }
    const each = query<{ name: string; n: number }>(db, 'SELECT s.name AS name, COUNT(e.id) AS n FROM sources s JOIN events e ON e.source_id = s.id GROUP BY s.id ORDER BY s.id');
    expect(each.map((r) => r.name)).toEqual(['-', '-']);
    expect(each[0]!.n).not.toBe(each[1]!.n);
    const html = join(dir, 'report.html');
    const h = runCli(['report', '--db', db, '--format', 'html', '--out', html]);
    expect(h.status, h.stderr).toBe(0);
    const table = /<table id="sources">[\s\S]*?<\/table>/.exec(readFileSync(html, 'utf8'))![0];
    const shown = [...table.matchAll(/<tr><td class="src">-<\/td><td class="num">([\d,]+)<\/td>/g)].map((m) => Number(m[1]!.replaceAll(',', '')));
    expect(shown.sort((a, b) => a - b)).toEqual(each.map((r) => r.n).sort((a, b) => a - b));
  });
});
