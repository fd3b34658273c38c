#!/usr/bin/env -S node --max-semi-space-size=2
// A small young generation: the hot path's garbage is short-lived, and Node's default 16 MB
// semi-spaces only add to the peak memory (measured on 1 GB with 2 threads: 212 -> 190 MB).
import { main } from '../dist/cli/main.js';

await main();
