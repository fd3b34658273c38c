// Writes, as JSON, the built-in modules loaded when the run read its first input byte (`firstByte`; null unless
// AUTHING_TRIAGE_TRACE=first-byte, whose mark in src/trace.ts is the bundle's only call of process.cpuUsage, hooked
// here: touching process.stderr would make the stream), those loaded by its exit, and the files in require's cache.
const out = process.env.AUTHING_TRIAGE_TEST_PRELOAD_OUT;
const loaded = () => process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
let firstByte = null;
const cpuUsage = process.cpuUsage;
process.cpuUsage = function (...args) {
  firstByte ??= loaded();
  return cpuUsage.apply(this, args);
};
process.on('exit', () => require('node:fs').writeFileSync(out, JSON.stringify({ firstByte, exit: loaded(), required: Object.keys(require.cache) })));
