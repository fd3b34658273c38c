#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=20
// A small young generation: the hot path's garbage is short-lived, and Node's default 16 MB
// semi-spaces only add to the peak memory (measured on 1 GB with 2 threads: 212 -> 190 MB).
// --heap-growing-percent=20: V8 grows the old generation by a fifth at a time (no hard limit, so
// nothing runs out of memory); with each event's context kept, a 36 MB capture where every line is an
// event peaked at 206-211 MB without it, 173-181 MB with it. It replaces --optimize-for-size, which
// held the peak at 165-168 MB but cost 17-25% more time there and at start-up, and ~0.4 s of CPU per
// GB on a plain capture (twice the full collections, and less optimised code).
// The CLI is one CommonJS bundle (scripts/bundle.mjs), compiled from V8's code cache when an earlier
// run left one (src/launch.ts): both cut the start-up every run pays (docs/performance.md).
// This file is CommonJS too (bin/package.json), and so is the launcher it loads (dist/launch.cjs): an
// ES module entry starts Node's ES module loader (its resolver, fs/promises, readline), which nothing
// after it uses: 46 M instructions of a short run, about a tenth of the bin's own (docs/performance.md).
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { runBundle } = require('../dist/launch.cjs');

// main() sets the exit code itself; a rejection here is a bug, and Node prints it as it would an uncaught error.
runBundle(pathToFileURL(join(__dirname, '..', 'dist', 'authing-triage.cjs'))).main();
