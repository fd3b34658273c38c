// Assembles src/pipeline/needle-scan.wat into needle-scan.wasm beside it (committed, like the
// registry: running the tool needs no assembler). `node scripts/build-wasm.mjs --check` exits 1 when
// the committed binary is not what the text assembles to; the unit tests run the same check.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

export const WAT = fileURLToPath(new URL('../src/pipeline/needle-scan.wat', import.meta.url));
export const WASM = WAT.replace(/\.wat$/, '.wasm');

/** The binary that the text assembles to. */
export async function assemble() {
  const wabt = await initWabt();
  const mod = wabt.parseWat('needle-scan.wat', readFileSync(WAT, 'utf8'), { simd: true });
  try {
    mod.validate();
    return Buffer.from(mod.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bin = await assemble();
  if (process.argv.includes('--check')) {
    const same = Buffer.compare(bin, readFileSync(WASM)) === 0;
    console.log(same ? `${WASM}: up to date` : `${WASM}: stale; run node scripts/build-wasm.mjs`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(WASM, bin);
  console.log(`wrote ${WASM} (${bin.length} bytes)`);
}
