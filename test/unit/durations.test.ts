/**
 * test/durations.json is the order test/sequencer.ts runs the files in, longest first. Its keys must be
 * the files' paths in the repository: written from another clone's report (.ci/durations.mjs before this
 * check), every key was `../../tmp/ci14/work/main/test/...`, no file matched, and the suite ran in name
 * order, its longest files started late on two cores.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

describe('test/durations.json', () => {
  it('names only test files of this repository, by their path from its root (node .ci/durations.mjs after a CI run rewrites it)', () => {
    const durations = JSON.parse(readFileSync(join(ROOT, 'test', 'durations.json'), 'utf8')) as Record<string, number>;
    const files = new Set(globSync('test/**/*.test.ts', { cwd: ROOT }));
    const unknown = Object.keys(durations).filter((k) => !files.has(k));
    expect(unknown).toEqual([]);
    // and it knows most of them: a file it does not know runs first, as if it were the longest
    expect(Object.keys(durations).length).toBeGreaterThanOrEqual(files.size - 5);
  });
});
