/**
 * The README tour, run top to bottom in a fresh folder on a real terminal (`script`), each command's
 * output against the one the README shows (issue 23 item 2). `…` in the README stands for lines left
 * out; times and durations vary and are compared by shape.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT, tempDir } from '../helpers.js';

/** The console blocks of the README between `from` and `to`: each `$ command` with the lines it prints. */
function tourSteps(from = '## A 60-second tour', to = '**Live**'): { command: string; output: string[] }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(from);
  const tour = readme.slice(start, readme.indexOf(to, start));
  const steps: { command: string; output: string[] }[] = [];
  for (const block of tour.matchAll(/```console\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n').slice(0, -1)) {
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
      else steps.at(-1)!.output.push(line);
    }
  }
  return steps;
}

/** Times of day and durations differ from run to run: compare them by shape. */
const normal = (line: string) => line.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'TIME').replace(/in \d+\.\d\d s$/, 'in N s').trimEnd();

/** True when `actual` shows `expected`, where a `…` line stands for any lines. */
function shows(actual: string[], expected: string[]): boolean {
  let i = 0;
  for (let j = 0; j < expected.length; j++) {
    if (expected[j] === '…') {
      const next = expected[j + 1];
      if (next === undefined) return true;
      while (i < actual.length && normal(actual[i]!) !== normal(next)) i++;
      continue;
    }
    if (normal(actual[i] ?? '') !== normal(expected[j]!)) return false;
    i++;
  }
  return i === actual.length;
}

/** A fresh folder with the fixtures and an `authing-triage` on PATH, as a reader of the README has. */
function tourFolder(): { dir: string; bin: string } {
  const dir = tempDir();
  symlinkSync(FIXTURES, join(dir, 'fixtures'));
  mkdirSync(join(dir, 'bin'));
  const shim = join(dir, 'bin', 'authing-triage');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  return { dir, bin: join(dir, 'bin') };
}

/** Runs each step on a terminal (`script`) in `dir` and checks it prints what the README shows. */
function runSteps(steps: { command: string; output: string[] }[], dir: string, bin: string): void {
  for (const { command, output } of steps) {
    const r = spawnSync('script', ['-qec', `stty rows 200 cols 120; ${command}`, '/dev/null'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', AUTHING_TRIAGE_DB: '', PAGER: 'cat' },
    });
    // What the terminal shows: a line cleared (the progress bar's end) keeps only what follows.
    const printed = r.stdout.replace(/\r/g, '').replace(/\n$/, '');
    const actual = (printed ? printed.split('\n') : []).map((l) => l.split('\x1b[2K').at(-1)!.replace(/\x1b\[[\d;?]*[A-Za-z]|\x1b[78]/g, ''));
    if (output.length) expect(actual.join('\n').trim(), command).not.toBe('');
    expect(shows(actual, output), `${command}\n--- printed:\n${actual.join('\n')}\n--- README:\n${output.join('\n')}`).toBe(true);
  }
}

describe('the README tour (item 2)', () => {
  it('prints, at every step, the non-empty output the README shows', () => {
    const { dir, bin } = tourFolder();
    const steps = tourSteps();
    expect(steps.length).toBeGreaterThanOrEqual(8);
    runSteps(steps, dir, bin);
    expect(readFileSync(join(dir, 'week.html'), 'utf8')).toMatch(/data-value="15"/);
  });

  it("prints what the README's labels example shows (issue 26)", () => {
    const { dir, bin } = tourFolder();
    const steps = tourSteps('## Labels: which devices and versions fail', '## Exit codes');
    expect(steps.length).toBe(6);
    runSteps(steps, dir, bin);
  });

  it("prints what the README's worked example of labels and causes shows (issue 26)", () => {
    const { dir, bin } = tourFolder();
    const steps = tourSteps('**A worked example: "10001 rose after app 1.4.3', '## Performance');
    expect(steps.length).toBe(4);
    runSteps(steps, dir, bin);
  });
});
