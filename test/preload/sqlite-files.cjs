// Writes the files of better-sqlite3 and bindings the run loaded, relative to the node_modules they came from.
const out = process.env.AUTHING_TRIAGE_TEST_PRELOAD_OUT;
process.on('exit', () =>
  require('node:fs').writeFileSync(
    out,
    JSON.stringify(
      Object.keys(require.cache)
        .filter((f) => /node_modules[\\/](better-sqlite3|bindings)[\\/]/.test(f))
        .map((f) => f.replace(/^.*node_modules[\\/]/, '').split('\\').join('/'))
        .sort(),
    ),
  ),
);
