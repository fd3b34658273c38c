#!/usr/bin/env -S node --max-semi-space-size=2 --optimize-for-size
// A small young generation: the hot path's garbage is short-lived, and Node's default 16 MB
// semi-spaces only add to the peak memory (measured on 1 GB with 2 threads: 212 -> 190 MB).
// --optimize-for-size: V8 grows the old generation less eagerly (no hard limit, so nothing runs out
// of memory); with each event's context kept, a capture where every line is an event peaked at
// 205-255 MB with 2 threads, 165-168 MB with it, at about the same time (measured, 30 MB dense bench capture).
// The CLI is one CommonJS bundle (scripts/bundle.mjs), compiled from V8's code cache when an earlier
// run left one (src/launch.ts): both cut the start-up every run pays (docs/performance.md).
import { runBundle } from '../dist/launch.js';

await runBundle(new URL('../dist/authing-triage.cjs', import.meta.url)).main();
