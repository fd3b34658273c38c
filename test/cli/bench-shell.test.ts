/**
 * The bench's shells read no rc file. bash started with a socket for stdin (a child_process pipe) and
 * SHLVL below 2 reads ~/.bashrc (its rshd rule), and a pyenv set-up there was timed with every row
 * (`node -e 0` at ~540 ms instead of ~65). `npm run build` first: the start-up rows run the bin.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, removeTempDirs, tempDir } from '../helpers.js';

afterAll(removeTempDirs);

it("times the start-up rows in a bash that reads no ~/.bashrc, whatever SHLVL says", () => {
  const home = tempDir();
  const marker = join(home, 'bashrc-ran');
  writeFileSync(join(home, '.bashrc'), `echo ran >> "${marker}"\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.SHLVL;
  delete env.BASH_ENV;
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'run.mjs'), 'startup', '--runs', '1'], { encoding: 'utf8', env });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('node -e 0 (baseline)');
  expect(existsSync(marker)).toBe(false);
});
