// Copies the data files that the compiled code reads at run time into dist/.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
const files = [
  ['src/registry/signatures.json', 'dist/registry/signatures.json'],
  ['src/registry/causes.json', 'dist/registry/causes.json'],
  ['src/store/schema.sql', 'dist/store/schema.sql'],
  ['src/store/schema.pg.sql', 'dist/store/schema.pg.sql'],
  ['src/pipeline/needle-scan.wasm', 'dist/pipeline/needle-scan.wasm'],
  ['src/pipeline/needle-scan-relaxed.wasm', 'dist/pipeline/needle-scan-relaxed.wasm'],
];
for (const [from, to] of files) {
  mkdirSync(to.slice(0, to.lastIndexOf('/')), { recursive: true });
  cpSync(from, to);
}

// The registry goes in compact, each code's entry on a line of its own and last: a store keeps each entry
// as JSON.stringify gives it, and src/registry/index.ts takes these lines as that text instead of
// serializing 185 entries (340 KB) in every run that checks its store's registry (docs/performance.md).
const registry = JSON.parse(readFileSync('src/registry/codes.json', 'utf8'));
const { codes, ...rest } = registry;
const head = JSON.stringify({ ...rest, codes: [] }).slice(0, -2);
if (!head.endsWith('"codes":[')) throw new Error('src/registry/codes.json: "codes" must be its last key');
const text = `${head}\n${codes.map((c) => JSON.stringify(c)).join(',\n')}\n]}\n`;
if (!isDeepStrictEqual(JSON.parse(text), registry)) throw new Error('dist/registry/codes.json would not parse back to src/registry/codes.json');
writeFileSync('dist/registry/codes.json', text);
