/**
 * parallel.ts denseInput: whether a large plain file is dense with candidate lines everywhere it samples
 * (then it is read on the main thread). At most one candidate line per 2 KiB in any window, a stretch
 * without candidates, a window inside one long line, or bytes before the resume point: each decides as
 * the rule says.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { candidateNeedles } from '../../src/extract/index.js';
import { denseInput } from '../../src/pipeline/parallel.js';
import { DEFAULT_MAX_LINE } from '../../src/sources/chunks.js';
import { tempDir } from '../helpers.js';

const needles = candidateNeedles([]);
/** A threadtime line of about `width` bytes: an Authing one (a candidate) or another app's. */
const line = (i: number, authing: boolean, width = 1000): string => {
  const head = `03-17 16:13:38.${String(i % 1000).padStart(3, '0')}  1702  2395 ${authing ? 'E SocialLoginButton: loginDone: errCode = 2333 errMessage = ' : 'D WindowManager: printFreezingDisplayLogs '}`;
  return head + 'x'.repeat(Math.max(0, width - head.length - 1)) + '\n';
};
/** A file of `n` lines of ~`width` bytes where line i is a candidate when `candidate(i)`; its path and size. */
function file(n: number, candidate: (i: number) => boolean, width = 1000): { path: string; size: number } {
  const text = Array.from({ length: n }, (_, i) => line(i, candidate(i), width)).join('');
  const path = join(tempDir(), 'f.log');
  writeFileSync(path, text);
  return { path, size: Buffer.byteLength(text) };
}
const dense = (f: { path: string; size: number }, start = 0) => denseInput(f.path, start, f.size, needles, DEFAULT_MAX_LINE);

afterEach(() => {
  delete process.env.AUTHING_TRIAGE_DENSE_BYTES;
});

describe('denseInput', () => {
  it('is true when every window holds a candidate line per 2 KiB or more, false at fewer', () => {
    expect(dense(file(4000, () => true))).toBe(true);
    // lines of 1,000 bytes: one in two a candidate is one per 2,000 bytes; one in three, one per 3,000
    expect(dense(file(4000, (i) => i % 2 === 0))).toBe(true);
    expect(dense(file(4000, (i) => i % 3 === 0))).toBe(false);
    expect(dense(file(4000, () => false))).toBe(false);
  });

  it('is false when a stretch of the file has no candidate (a burst at the head, or a quiet middle)', () => {
    expect(dense(file(8000, (i) => i < 1000))).toBe(false);
    expect(dense(file(8000, (i) => i < 3000 || i > 4500))).toBe(false);
  });

  it('is false when a window lies inside one line longer than the window', () => {
    // 4 MB of candidates with a 2 MB line in the middle: windows are ~0.85 MB apart, so two fall inside it
    const text = Array.from({ length: 4000 }, (_, i) => line(i, true, i === 2000 ? 2_000_000 : 1000)).join('');
    const path = join(tempDir(), 'long.log');
    writeFileSync(path, text);
    expect(dense({ path, size: Buffer.byteLength(text) })).toBe(false);
    expect(dense(file(6000, () => true))).toBe(true);
  });

  it('looks only past the resume point', () => {
    const f = file(8000, (i) => i >= 4000);
    expect(dense(f)).toBe(false);
    expect(dense(f, 4000 * 1000 + 17)).toBe(true);
  });

  it('is never true with AUTHING_TRIAGE_DENSE_BYTES=0, and follows another figure given there', () => {
    const f = file(4000, (i) => i % 3 === 0);
    process.env.AUTHING_TRIAGE_DENSE_BYTES = '0';
    expect(dense(file(4000, () => true))).toBe(false);
    process.env.AUTHING_TRIAGE_DENSE_BYTES = '4096';
    expect(dense(f)).toBe(true);
  });
});
