// Writes test/durations.json (each test file's time in ms, longest first) from a vitest JSON report
// (argv[2], default .tmp/vitest.json, which .ci/run writes): the order test/sequencer.ts runs files in.
// Run it after a CI run on the two-core machine when files are added or their weight changes.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const report = JSON.parse(readFileSync(process.argv[2] ?? resolve(root, '.tmp', 'vitest.json'), 'utf8'));
// Each file by its path in the repository (test/...), whichever clone wrote the report: a report of
// another clone (a fresh one in /tmp) keyed by its path from this one matched no file, and the
// sequencer then ran every file in name order.
const inRepo = (name) => {
  const path = name.split('\\').join('/');
  return path.slice(path.lastIndexOf('/test/') + 1);
};
const rows = report.testResults
  .map((f) => [inRepo(f.name), Math.round((f.endTime - f.startTime) / 100) * 100])
  .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
writeFileSync(resolve(root, 'test', 'durations.json'), JSON.stringify(Object.fromEntries(rows), null, 2) + '\n');
console.log(`test/durations.json: ${rows.length} files`);
