// Counts the RegExps built whose source has the layouts' time stamp with plain groups (src/parse/formats.ts's numbered patterns).
const out = process.env.AUTHING_TRIAGE_TEST_PRELOAD_OUT;
let n = 0;
const Native = RegExp;
globalThis.RegExp = new Proxy(Native, {
  construct(t, a, nt) {
    if (String(a[0] && a[0].source !== undefined ? a[0].source : a[0]).includes('(?:(?:(\\d{4})-)?(\\d\\d)-')) n++;
    return Reflect.construct(t, a, nt);
  },
});
process.on('exit', () => require('node:fs').writeFileSync(out, String(n)));
