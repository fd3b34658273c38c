// Writes whether the built-in module $AUTHING_TRIAGE_TEST_PRELOAD_ARG was loaded.
const out = process.env.AUTHING_TRIAGE_TEST_PRELOAD_OUT;
const name = `NativeModule ${process.env.AUTHING_TRIAGE_TEST_PRELOAD_ARG}`;
process.on('exit', () => require('node:fs').writeFileSync(out, String(process.moduleLoadList.includes(name))));
