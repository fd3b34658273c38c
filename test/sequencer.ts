/**
 * Runs the test files longest first, by the durations of a CI run kept in test/durations.json
 * (`node .ci/durations.mjs` writes it), so that the workers of a two-core machine end together
 * instead of one idling while the other runs a long file it started last. Vitest's own order needs
 * its results cache, which a fresh clone lacks: it then sorts by file size, and dense.test.ts (62
 * lines, one 20 s test) ran among the last.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const durations = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8')) as Record<string, number>;

/** Longest known file first; a file the table does not know yet runs before all of them. */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ms = (f: TestSpecification): number => durations[relative(f.project.config.root, f.moduleId).split('\\').join('/')] ?? Infinity;
    return [...files].sort((a, b) => ms(b) - ms(a) || (a.moduleId < b.moduleId ? -1 : 1));
  }
}
