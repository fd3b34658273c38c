// Counts the whole-file reads (fs.readFileSync) of files named $AUTHING_TRIAGE_TEST_PRELOAD_ARG.
const fs = require('node:fs');
const read = fs.readFileSync;
const tail = `/${process.env.AUTHING_TRIAGE_TEST_PRELOAD_ARG}`;
const out = process.env.AUTHING_TRIAGE_TEST_PRELOAD_OUT;
let n = 0;
fs.readFileSync = function (p, ...rest) {
  if (String(p).endsWith(tail)) n++;
  return read.call(this, p, ...rest);
};
process.on('exit', () => fs.writeFileSync(out, String(n)));
