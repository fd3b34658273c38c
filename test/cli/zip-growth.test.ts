/**
 * A bugreport zip whose logcat entry is read while it is still being written, then again once it has grown (a
 * nightly job over a folder a device dumps into): each run's checkpoint stays before the entry's unfinished last
 * line, so the grown entry resumes there and the store ends as one clean run of the last zip. The entry's last line
 * used to get a newline added, so a run committed past a line the entry had not finished: the grown entry was then
 * a new source (99 events for 80), and a line cut at `errCode = 20` was counted as code 20 (an exactly-once
 * review's find). Fails on the code before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, prng, query, runCli, storedRows, tempDir, writeZip } from '../helpers.js';

const LOG = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'));
const FULL = Buffer.concat([
  Buffer.from('== dumpstate: 2026-03-17 16:20:00\n------ SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v) ------\n'),
  LOG,
  Buffer.from("------ 0.512s was the duration of 'SYSTEM LOG' ------\n"),
]);
const ENTRY = 'bugreport-x.txt';

async function ingestZip(dir: string, db: string, content: Buffer): Promise<void> {
  const zip = join(dir, 'b.zip');
  await writeZip(zip, { [ENTRY]: content });
  const r = runCli(['--db', db, '--quiet', '--year', '2026', '--tz', 'UTC', zip]);
  expect(r.status, r.stderr).toBe(0);
}

describe('a bugreport zip whose logcat entry grows between runs', () => {
  it('cut within the dashes of the line that closes its section, a small entry: one source, one clean run', async () => {
    // its filtered text inside the 64 KiB head: a part of the closing line passed on changed the head (6 events for 3)
    const lines = LOG.toString('utf8').split('\n');
    const small = Buffer.from(`== dumpstate: 2026-03-17 16:20:00\n------ SYSTEM LOG (logcat -v threadtime -d *:v) ------\n${[93, 333, 1691].map((i) => lines[i]).join('\n')}\n------ 0.5s was the duration of 'SYSTEM LOG' ------\n`);
    const close = small.indexOf("------ 0.5s");
    const dir = tempDir();
    const clean = join(dir, 'clean.db');
    await ingestZip(dir, clean, small);
    expect(query(clean, 'SELECT count(*) AS n FROM events')[0]).toMatchObject({ n: 3 });
    for (const k of [1, 3, 6, 7]) {
      const db = join(dir, `cut-${k}.db`);
      await ingestZip(dir, db, small.subarray(0, close + k));
      await ingestZip(dir, db, small);
      expect(query(db, 'SELECT count(*) AS n FROM sources'), `${k} dashes`).toEqual([{ n: 1 }]);
      expect(storedRows(db), `${k} dashes`).toEqual(storedRows(clean));
    }
  });

  it('ends as one clean run of the last zip, cut inside a code and at random bytes', async () => {
    const dir = tempDir();
    const clean = join(dir, 'clean.db');
    await ingestZip(dir, clean, FULL);
    const rand = prng(20261202);
    const inCode = FULL.indexOf('errCode = 2005') + 'errCode = 20'.length;
    for (const cuts of [[inCode], [inCode, FULL.length - 20], [1, 2, 3].map(() => Math.floor(rand() * FULL.length)).sort((a, b) => a - b)]) {
      const db = join(dir, `grown-${cuts.join('-')}.db`);
      for (const cut of cuts) await ingestZip(dir, db, FULL.subarray(0, cut));
      await ingestZip(dir, db, FULL);
      expect(query(db, 'SELECT count(*) AS n FROM sources'), `cuts ${cuts}`).toEqual([{ n: 1 }]);
      expect(storedRows(db), `cuts ${cuts}`).toEqual(storedRows(clean));
    }
  });
});
