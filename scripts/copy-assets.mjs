// Copies the data files that the compiled code reads at run time into dist/.
import { cpSync, mkdirSync } from 'node:fs';
const files = [
  ['src/registry/codes.json', 'dist/registry/codes.json'],
  ['src/registry/signatures.json', 'dist/registry/signatures.json'],
  ['src/registry/causes.json', 'dist/registry/causes.json'],
  ['src/store/schema.sql', 'dist/store/schema.sql'],
  ['src/store/schema.pg.sql', 'dist/store/schema.pg.sql'],
  ['src/pipeline/needle-scan.wasm', 'dist/pipeline/needle-scan.wasm'],
];
for (const [from, to] of files) {
  mkdirSync(to.slice(0, to.lastIndexOf('/')), { recursive: true });
  cpSync(from, to);
}
