#!/usr/bin/env node
// npm run bench -- scan [--scan-bytes 256MB] [--size 1GB] [--runs 5]
// The scanner alone: one thread, the capture's first bytes already in the scanner's memory, scanned
// whole (lines counted, candidate lines decoded) `runs` times. Prints GB/s min and median, and the
// lines and candidates, which must be the same every run.
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture } from './generate.mjs';
import { candidateNeedles } from '../dist/extract/prefilter.js';
import { chunkScanner } from '../dist/pipeline/scan.js';
import { scanModule } from '../dist/pipeline/needle-scan.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Scans `bytes` bytes of a 1%-Authing capture in memory `runs` times; returns the timings. */
export async function scanBench({ size, bytes, runs = 5, out = join(root, 'bench', 'out') }) {
  const capture = join(out, `capture-${size}.log`);
  if (!existsSync(capture) || statSync(capture).size < size * 0.99) {
    process.stderr.write(`generating ${(size / 1e6).toFixed(0)} MB capture…\n`);
    await generateCapture(capture, { bytes: size, seed: 42 });
  }
  const scanner = chunkScanner(candidateNeedles([]));
  const want = Math.min(bytes, statSync(capture).size);
  const buf = scanner.input(want);
  const fd = openSync(capture, 'r');
  let n = 0;
  try {
    for (let r; n < want && (r = readSync(fd, buf, n, want - n, n)) > 0; ) n += r;
  } finally {
    closeSync(fd);
  }
  // whole lines only, as every chunk the scanner gets
  const end = buf.subarray(0, n).lastIndexOf(10) + 1;
  const secs = [];
  const cpu = [];
  let lines = -1;
  let candidates = 0;
  for (let i = 0; i < runs + 1; i++) {
    let found = 0;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = scanner.scan(buf, end, 4096, () => void found++);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    if (lines >= 0 && (r.lines !== lines || found !== candidates)) throw new Error(`run ${i}: ${r.lines} lines, ${found} candidates; the first run had ${lines}, ${candidates}`);
    lines = r.lines;
    candidates = found;
    // the first run warms up
    if (i > 0) {
      secs.push(s);
      cpu.push((c.user + c.system) / 1e6);
    }
  }
  const order = (a) => a.sort((x, y) => x - y);
  order(secs);
  order(cpu);
  return { kind: scanner.kind === 'simd' ? scanModule() : scanner.kind, bytes: end, lines, candidates, min: secs[0], median: secs[secs.length >> 1], cpuMin: cpu[0], cpuMedian: cpu[cpu.length >> 1] };
}

/**
 * The figures as the bench prints them; `baseline` (the whole bench's baseline row and the bytes it read)
 * adds the ratio of seconds per byte to the baseline's, min against min and median against median.
 */
export function printScan(r, baseline) {
  const gbs = (s) => (r.bytes / 1e9 / s).toFixed(2);
  const ratio = (s, b) => (baseline ? (s / r.bytes / (b / baseline.bytes)).toFixed(2) : '–');
  console.log(`scan (${r.kind}, one thread, ${(r.bytes / 1e6).toFixed(0)} MB in memory, ${r.lines.toLocaleString('en-US')} lines, ${r.candidates.toLocaleString('en-US')} candidate lines)`);
  // CPU time too: on a shared machine a run's wall time includes the time other processes had the core
  console.log(`| run | min s | median s | GB/s (min) | GB/s (median) | CPU s min | CPU s median | GB/s of CPU (min) | × baseline per byte (min) | × baseline per byte (median) |`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
  console.log(`| scanner alone | ${r.min.toFixed(3)} | ${r.median.toFixed(3)} | ${gbs(r.min)} | ${gbs(r.median)} | ${r.cpuMin.toFixed(3)} | ${r.cpuMedian.toFixed(3)} | ${gbs(r.cpuMin)} | ${ratio(r.min, baseline?.min)} | ${ratio(r.median, baseline?.secs)} |`);
}
