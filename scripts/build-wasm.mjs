// Assembles src/pipeline/needle-scan.wat into needle-scan.wasm beside it (committed, like the
// registry: running the tool needs no assembler), and into needle-scan-relaxed.wasm: the same text with
// relaxed SIMD's i8x16.relaxed_swizzle for i8x16.swizzle (every index is a nibble, 0-15, where the two
// agree; x86 then needs no fix-up of the index before pshufb). `node scripts/build-wasm.mjs --check`
// exits 1 when a committed binary is not what the text assembles to; the unit tests run the same check.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

export const WAT = fileURLToPath(new URL('../src/pipeline/needle-scan.wat', import.meta.url));
export const WASM = WAT.replace(/\.wat$/, '.wasm');
export const WASM_RELAXED = WAT.replace(/\.wat$/, '-relaxed.wasm');

/** The binary that the text assembles to (`relaxed`: with relaxed_swizzle). */
export async function assemble(relaxed = false) {
  const wabt = await initWabt();
  const text = readFileSync(WAT, 'utf8');
  const mod = relaxed
    ? wabt.parseWat('needle-scan.wat', text.replaceAll('(i8x16.swizzle ', '(i8x16.relaxed_swizzle '), { simd: true, relaxed_simd: true })
    : wabt.parseWat('needle-scan.wat', text, { simd: true });
  try {
    mod.validate();
    return Buffer.from(mod.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let stale = false;
  for (const [file, relaxed] of [[WASM, false], [WASM_RELAXED, true]]) {
    const bin = await assemble(relaxed);
    if (process.argv.includes('--check')) {
      const same = Buffer.compare(bin, readFileSync(file)) === 0;
      console.log(same ? `${file}: up to date` : `${file}: stale; run node scripts/build-wasm.mjs`);
      stale ||= !same;
    } else {
      writeFileSync(file, bin);
      console.log(`wrote ${file} (${bin.length} bytes)`);
    }
  }
  if (stale) process.exit(1);
}
