// What `import Database from 'better-sqlite3'` gives inside the CLI's bundle (scripts/bundle.mjs).
// better-sqlite3's JavaScript is bundled, so V8's code cache holds it (outside, its ten files were
// compiled, and their package.json looked up, at every start), and its addon is loaded by path: the
// `bindings` package it asks otherwise builds an Error to read its caller's file from the stack and
// tries up to 13 paths. Its JavaScript and its addon must be of one version: when the installed
// package is another version than the bundle's (a newer 12.x that npm chose), the installed package
// is loaded as Node would load it, JavaScript and addon both.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const addon = require('better-sqlite3-addon');

/** The installed better-sqlite3's folder: in this package's node_modules (a stat), else where require finds it. */
function installedDir() {
  const own = join(__dirname, '..', 'node_modules', 'better-sqlite3');
  return existsSync(join(own, 'package.json')) ? own : dirname(require.resolve('better-sqlite3/package.json'));
}

const dir = installedDir();
if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version === BUNDLED_VERSION) {
  addon.path = join(dir, 'build', 'Release', 'better_sqlite3.node');
  module.exports = require(BUNDLED_LIB);
} else {
  module.exports = require('better-sqlite3');
}
