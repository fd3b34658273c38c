// Prints "<passed> <failed>" from vitest's JSON report (argv[2]) and vitest's exit status (argv[3]).
// Failed = failed tests + test files that failed outside any test (load error, a hook that threw);
// at least 1 when vitest exited non-zero or wrote no report. Files that failed that way are named on stderr.
import { readFileSync } from 'node:fs';

const [file, status] = [process.argv[2], Number(process.argv[3] ?? 0)];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`ci: no vitest JSON report at ${file} (${e.code ?? e.message})`);
  console.log('0 1');
  process.exit(0);
}
let failed = report.numFailedTests ?? 0;
for (const f of report.testResults ?? []) {
  if (f.status === 'failed' && !f.assertionResults.some((t) => t.status === 'failed')) {
    failed += 1;
    console.error(`ci: ${f.name} failed outside its tests: ${(f.message || 'a hook or the file itself failed').split('\n')[0]}`);
  }
}
const skipped = report.numPendingTests ?? 0;
if (skipped) console.error(`ci: ${skipped} test(s) skipped`);
if (status !== 0 && failed === 0) failed = 1;
console.log(`${report.numPassedTests ?? 0} ${failed}`);
