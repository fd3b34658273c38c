// Bundles the CLI, the scan worker and the bin's launcher (src/launch.ts) into one CommonJS file each, beside tsc's output in dist/:
// Node then compiles one file at start-up instead of resolving and loading ~100 ES modules and
// yargs' CommonJS files one by one (measured in docs/performance.md). CommonJS, not ESM, because
// only a classic script can take V8's code cache (src/launch.ts); esbuild evaluates each
// dynamically imported module at its first import(), so the command modules stay lazy.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const yargsCjs = require.resolve('yargs');
// yargs finds its message catalogues (zh_CN for --lang zh's help) beside its own file; in the bundle
// __dirname is dist/, so the path is looked up where npm installed yargs instead: in this package's own
// node_modules, where a clone and a global install have it (a stat), else where require.resolve finds
// it (hoisted into a project's node_modules). require.resolve at every start read package.json
// "exports" through Node's ES module resolver: ~9 M instructions (~2%) of every run, for a path that
// only a translated message reads.
const LOCALES = 're(__dirname,"../locales")';
const LOCALES_AT = '(()=>{const d=require("path").join(__dirname,"..","node_modules","yargs","locales");return require("fs").existsSync(d)?d:re(require.resolve("yargs/package.json"),"../locales")})()';
// fdir (tinyglobby's walker) looks picomatch up at load time with a require esbuild cannot follow:
// a resolve and five files compiled at every start, for a glob function tinyglobby never asks fdir
// for. A plain require() is bundled: the picomatch the bundle has already.
const FDIR_PICOMATCH = '__require.resolve("picomatch");\n\tpm = __require("picomatch");';
// yargs loads node:assert at start-up for two checks of its own state that hold in every run: loading
// it costs ~11 M instructions (~2.5% of a run). The same checks, with assert's own Object.is
// comparison, load it only to throw its AssertionError when one fails.
const YARGS_ASSERT = 'var t=require("assert");';
const LAZY_ASSERT = 'var t={notStrictEqual:(a,b,m)=>{Object.is(a,b)&&require("assert").notStrictEqual(a,b,m)},strictEqual:(a,b,m)=>{Object.is(a,b)||require("assert").strictEqual(a,b,m)}};';
// yargs' index.cjs builds its singleton instance (`require('yargs').argv`) at load, on process.argv:
// a whole instance with its help, version and completion set up, which src/cli/main.ts never uses
// (it calls yargs(args) for its own): ~7 M instructions of every run (docs/performance.md, round six).
// yargs(args) still returns what it did: Argv binds the new instance's methods onto itself at each call.
const YARGS_SINGLETON = 'Argv(processArgv.hideBin(process.argv));';
// Once a named command's handler has started (report, explain, sql...: every command but the default
// ingest), yargs renders that command's whole help text (cliui, wrap-ansi and string-width over every
// flag) and keeps it, for a showHelp() after the handler fails. This CLI never calls showHelp() and its
// .fail() throws instead of printing help (src/cli/main.ts), so the text was never read: ~13 ms, ~40 M
// instructions, of every such run (docs/performance.md, round six). `--help` renders its own, as before.
// yargs' platform shim reads process.stdout.columns when it loads, for a help text: that makes the stdout
// stream at every start, and a terminal's or a pipe's loads node:tty and node:net (~5 ms before a file's
// first byte). A getter reads it when help is drawn (src/cli/output.ts leaves the streams unmade too).
const YARGS_COLUMNS = 'stdColumns:void 0!==process.stdout.columns?process.stdout.columns:null';
const LAZY_COLUMNS = 'get stdColumns(){return void 0!==process.stdout.columns?process.stdout.columns:null}';
const YARGS_CACHE_HELP = 't||r.getInternalMethods().getUsageInstance().cacheHelpMessage(),';

// better-sqlite3's JavaScript goes into the bundle, its addon loaded by path (scripts/better-sqlite3-entry.cjs
// says why): 31 M instructions, 8% of a small ingest into a new database (docs/performance.md).
const BS3_DIR = dirname(require.resolve('better-sqlite3/package.json'));
const BS3_VERSION = JSON.parse(readFileSync(join(BS3_DIR, 'package.json'), 'utf8')).version;
const BINDINGS = "require('bindings')('better_sqlite3.node')";

const result = await build({
  // launch: what bin/authing-triage.js (CommonJS, bin/package.json) requires to run the CLI's bundle;
  // an ES module there would start Node's ES module loader at every run (docs/performance.md).
  entryPoints: { 'authing-triage': 'src/cli/main.ts', 'scan-worker': 'src/pipeline/scan-worker.ts', launch: 'src/launch.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import() of what stays outside (node:child_process for the pager) becomes a require() in a promise:
  // src/launch.ts runs the bundle as a vm.Script, where a script from V8's code cache has no import().
  supported: { 'dynamic-import': false },
  // better-sqlite3 as installed, when it is not the bundled version (scripts/better-sqlite3-entry.cjs);
  // pg-native is pg's optional addon.
  external: ['better-sqlite3', 'better-sqlite3/package.json', 'pg-native', 'yargs/package.json'],
  // Every module's assets resolve from dist/ (src/assets.ts): import.meta.url is the bundle's URL.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
  plugins: [
    {
      name: 'yargs-cjs',
      setup(b) {
        // yargs' CommonJS build is one file: it loads in half the time of its ES modules.
        b.onResolve({ filter: /^yargs$/ }, () => ({ path: yargsCjs }));
        b.onLoad({ filter: /yargs[\\/]index\.cjs$/ }, (args) => {
          const src = readFileSync(args.path, 'utf8');
          if (!src.includes(YARGS_SINGLETON)) throw new Error(`${args.path}: yargs no longer says ${YARGS_SINGLETON}; update scripts/bundle.mjs`);
          return { contents: src.replace(YARGS_SINGLETON, ''), loader: 'js' };
        });
        b.onLoad({ filter: /yargs[\\/]build[\\/]index\.cjs$/ }, (args) => {
          const src = readFileSync(args.path, 'utf8');
          if (!src.includes(LOCALES)) throw new Error(`${args.path}: yargs no longer says ${LOCALES}; update scripts/bundle.mjs`);
          if (!src.includes(YARGS_ASSERT)) throw new Error(`${args.path}: yargs no longer says ${YARGS_ASSERT}; update scripts/bundle.mjs`);
          if (src.split(YARGS_CACHE_HELP).length !== 2) throw new Error(`${args.path}: yargs no longer says ${YARGS_CACHE_HELP} once; update scripts/bundle.mjs`);
          if (src.split(YARGS_COLUMNS).length !== 2) throw new Error(`${args.path}: yargs no longer says ${YARGS_COLUMNS} once; update scripts/bundle.mjs`);
          return { contents: src.replace(LOCALES, LOCALES_AT).replace(YARGS_ASSERT, LAZY_ASSERT).replace(YARGS_CACHE_HELP, '').replace(YARGS_COLUMNS, LAZY_COLUMNS), loader: 'js' };
        });
      },
    },
    {
      name: 'better-sqlite3',
      setup(b) {
        // The CLI's import (src/store/sqlite.ts); the entry's own require('better-sqlite3') stays external.
        b.onResolve({ filter: /^better-sqlite3$/ }, (args) => (args.importer.endsWith('better-sqlite3-entry.cjs') ? undefined : { path: join(import.meta.dirname, 'better-sqlite3-entry.cjs') }));
        b.onLoad({ filter: /better-sqlite3-entry\.cjs$/ }, (args) => ({
          contents: readFileSync(args.path, 'utf8').replace('BUNDLED_VERSION', JSON.stringify(BS3_VERSION)).replace('BUNDLED_LIB', JSON.stringify(join(BS3_DIR, 'lib', 'index.js'))),
          loader: 'js',
        }));
        // Where the entry puts the addon's path before the bundled JavaScript asks for it.
        b.onResolve({ filter: /^better-sqlite3-addon$/ }, () => ({ path: 'better-sqlite3-addon', namespace: 'better-sqlite3' }));
        b.onLoad({ filter: /.*/, namespace: 'better-sqlite3' }, () => ({ contents: 'module.exports = { path: "" };', loader: 'js' }));
        b.onLoad({ filter: /better-sqlite3[\\/]lib[\\/]database\.js$/ }, (args) => {
          const src = readFileSync(args.path, 'utf8');
          if (!src.includes(BINDINGS)) throw new Error(`${args.path}: better-sqlite3 no longer says ${BINDINGS}; update scripts/bundle.mjs`);
          return { contents: src.replace(BINDINGS, 'require(require("better-sqlite3-addon").path)'), loader: 'js' };
        });
      },
    },
    {
      name: 'fdir-picomatch',
      setup(b) {
        b.onLoad({ filter: /fdir[\\/]dist[\\/]index\.mjs$/ }, (args) => {
          const src = readFileSync(args.path, 'utf8');
          if (!src.includes(FDIR_PICOMATCH)) throw new Error(`${args.path}: fdir no longer loads picomatch as scripts/bundle.mjs expects; update it`);
          return { contents: src.replace(FDIR_PICOMATCH, 'pm = require("picomatch");'), loader: 'js' };
        });
      },
    },
  ],
});

// One character beyond ASCII makes V8 keep the whole source as UTF-16: twice the bytes to decode and scan.
for (const out of ['dist/authing-triage.cjs', 'dist/scan-worker.cjs']) {
  const at = readFileSync(out).findIndex((b) => b > 0x7f);
  if (at >= 0) throw new Error(`${out}: a non-ASCII byte at ${at}; write it as a \\u escape in the source`);
}

// The command modules and what they pull in stay lazy (src/cli/main.ts COMMAND_LOADERS): esbuild
// evaluates a module reached only through import() at that import(). Nothing that only report pages,
// PostgreSQL, live output, zips or the progress bar need may be reachable through static imports
// from what a plain ingest runs (the entry, the ingest command, run-ingest), or every ingest evaluates it.
// safe-regex2 (and its parser, ret) is required where a user registry's pattern is checked (src/registry/index.ts).
const LAZY = [/^src\/report\/(html|page|query)\.ts$/, /^src\/store\/postgres\.ts$/, /^node_modules\/(pg|pino-pretty|yauzl|cli-progress|safe-regex2|ret)\//];
const eager = new Set();
for (const todo = ['src/cli/main.ts', 'src/cli/commands/ingest.ts', 'src/cli/run-ingest.ts']; todo.length; ) {
  const f = todo.pop();
  if (eager.has(f)) continue;
  eager.add(f);
  for (const i of result.metafile.inputs[f]?.imports ?? []) if (i.kind !== 'dynamic-import' && !i.external) todo.push(i.path);
}
const early = [...eager].filter((f) => LAZY.some((re) => re.test(f)));
if (early.length) throw new Error(`evaluated at every start, though only some commands need them: ${early.join(', ')}`);

// BUNDLE_META=1 node scripts/bundle.mjs: what weighs in each bundle, by package.
if (process.env.BUNDLE_META) {
  for (const [out, o] of Object.entries(result.metafile.outputs)) {
    const by = {};
    for (const [f, i] of Object.entries(o.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? 'src';
      by[pkg] = (by[pkg] ?? 0) + i.bytesInOutput;
    }
    console.log(out, Object.entries(by).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}k`).join(', '));
  }
}
