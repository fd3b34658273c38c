/**
 * The head's checks a small run makes before its first byte is scanned (src/sources/encoding.ts):
 * they decide from the fewest bytes they can (round six, docs/performance.md), and decide what they
 * decided before, on real captures damaged at random places.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectEncoding, nonTextShare, notALog, textHead, type HeadEncoding, type TextHead } from '../../src/sources/encoding.js';
import { SHARED } from '../helpers.js';

const REAL = join(SHARED, 'corpus', 'real');
/** The real captures' first 64 KiB (the head the reader checks). */
const heads = readdirSync(REAL)
  .filter((f) => /\.(log|txt)$/.test(f))
  .map((f) => readFileSync(join(REAL, f)).subarray(0, 64 * 1024));

/** Where the NULs of `bytes` are: on the first byte of each code unit or the second, by the 5% and a quarter rule. */
function nulSideOf(bytes: number[]): 'utf-16le' | 'utf-16be' | null {
  const nuls = (side: number) => bytes.filter((b, i) => b === 0 && i % 2 === side).length;
  const [first, second] = [nuls(0), nuls(1)];
  const least = Math.max(4, (bytes.length / 2) * 0.05);
  if (second >= least && first * 4 <= second) return 'utf-16le';
  if (first >= least && second * 4 <= first) return 'utf-16be';
  return null;
}

/**
 * The encoding by the rule detectEncoding states, written independently: a BOM, else a BOM further in with no NUL
 * before it and its order's NULs after it (a junk head), else the NULs of the first 64 KiB (an even count of bytes)
 * counted on the even and the odd offsets, at least 5% of the code units (and 4) on one side and at most a quarter
 * of that on the other.
 */
function countedEncoding(head: Buffer): HeadEncoding {
  const starts = (...b: number[]) => b.every((x, i) => head[i] === x);
  if (starts(0xef, 0xbb, 0xbf)) return { encoding: 'utf-8', bom: 3, junk: 0 };
  if (starts(0xff, 0xfe)) return { encoding: 'utf-16le', bom: 2, junk: 0 };
  if (starts(0xfe, 0xff)) return { encoding: 'utf-16be', bom: 2, junk: 0 };
  const sample = [...head.subarray(0, Math.min(head.length, 64 * 1024) & ~1)];
  if (sample.length < 4 || !sample.includes(0)) return { encoding: 'utf-8', bom: 0, junk: 0 };
  for (let k = 1; k + 1 < sample.length && sample[k - 1] !== 0 && sample[k] !== 0; k++) {
    const enc = sample[k] === 0xff && sample[k + 1] === 0xfe ? 'utf-16le' : sample[k] === 0xfe && sample[k + 1] === 0xff ? 'utf-16be' : null;
    if (enc && nulSideOf(sample.slice(k + 2, k + 2 + ((sample.length - k - 2) & ~1))) === enc) return { encoding: enc, bom: 2, junk: k };
  }
  return { encoding: nulSideOf(sample) ?? 'utf-8', bom: 0, junk: 0 };
}

/** A real head with NULs, junk or a UTF-16 copy put in at random places. */
const damagedHead = fc
  .record({
    which: fc.nat(),
    cut: fc.nat(),
    nuls: fc.array(fc.nat(), { maxLength: 3000 }),
    junk: fc.uint8Array({ maxLength: 4096 }),
    at: fc.nat(),
    utf16: fc.constantFrom(null, 'utf16le' as const, 'utf16be' as const),
    // a junk head without NULs and a BOM before the UTF-16 copy (a shell's lines before PowerShell's output)
    lead: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b.map((x) => x || 0x41)))),
  })
  .map(({ which, cut, nuls, junk, at, utf16, lead }) => {
    const real = heads[which % heads.length]!;
    let head = Buffer.from(real.subarray(0, cut % (real.length + 1)));
    if (utf16) head = Buffer.from(head.toString('latin1'), 'utf16le');
    if (utf16 === 'utf16be') head.swap16();
    if (utf16 && lead) head = Buffer.concat([lead, Buffer.from(utf16 === 'utf16le' ? [0xff, 0xfe] : [0xfe, 0xff]), head]);
    const pos = head.length ? at % head.length : 0;
    head = Buffer.concat([head.subarray(0, pos), junk, head.subarray(pos)]);
    for (const n of nuls) if (head.length) head[n % head.length] = 0;
    return head;
  });

describe('detectEncoding', () => {
  it('gives what counting every NUL of the head gives, on real heads with NULs, junk and UTF-16 put in (and on the heads as they are)', () => {
    expect(heads.length).toBeGreaterThan(5);
    for (const head of heads) expect(detectEncoding(head)).toEqual(countedEncoding(head));
    fc.assert(
      fc.property(damagedHead, (head) => {
        const got = detectEncoding(head);
        // A head of UTF-8 lines, then a line that starts as UTF-16 (PowerShell's `>>` after a UTF-8 tool's `>`), is
        // read line by line (MixedDecoder): UTF-8 from its first byte, whatever the NULs after that line say. The
        // count of NULs, this test's reference, knows no such head. The promise there: the bytes before the first
        // NUL's line hold a line end, and nothing else is claimed (it failed on [0A 00 FF FE] in a CI run).
        if (got.mixed) {
          expect(got).toEqual({ encoding: 'utf-8', bom: 0, junk: 0, mixed: true });
          expect(head.subarray(0, head.indexOf(0)).includes(10), 'a mixed head has a line end before its first NUL').toBe(true);
          return;
        }
        expect(got).toEqual(countedEncoding(head));
      }),
      { numRuns: 600 },
    );
  });
});

/** A TextHead whose UTF-8 bytes count how often they are read. */
function watchedHead(head: Buffer): { th: TextHead; reads: () => number } {
  let reads = 0;
  const real = textHead(head);
  const utf8 = new Proxy(real.utf8, {
    get(target, key) {
      if (typeof key === 'string' && (key === 'length' || /^\d+$/.test(key))) reads++;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { th: { ...real, utf8 }, reads: () => reads };
}

describe('notALog', () => {
  it('decides a head that holds a logcat line and no magic without reading its bytes', () => {
    const head = heads[0]!;
    const { th, reads } = watchedHead(head);
    expect(notALog(head, th, true)).toBe(null);
    expect(reads()).toBe(0);
  });

  it('still measures the share where it decides or is said: a PNG with a logcat line, a binary head without one', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(96, 0x01)]);
    // 0x89 is not UTF-8 and the 96 bytes of 0x01 are control bytes: 97 of 100
    expect(notALog(png, textHead(png), true)).toBe('not a log (PNG image, 97% non-text bytes); skipped');
    const binary = Buffer.alloc(100, 0x02);
    expect(notALog(binary, textHead(binary), false)).toBe('not a log (binary, 100% non-text bytes); skipped');
    const text = Buffer.from('no logcat line here, but text\n'.repeat(4));
    expect(notALog(text, textHead(text), false)).toBe(null);
  });

  it('reads a log behind a file magic: mostly text where a layout fits (it was skipped whole, 80 of 80 events lost)', () => {
    const log = Buffer.from('03-17 16:13:46.187  4672  4672 E SocialLoginButton: loginDone: errCode = 2005 errMessage = Too many requests\n'.repeat(8));
    for (const magic of [[0x89, 0x50, 0x4e, 0x47], [0x47, 0x49, 0x46, 0x38, 0x39, 0x61], [0x7f, 0x45, 0x4c, 0x46]]) {
      const head = Buffer.concat([Buffer.from(magic), Buffer.from('\n'), log]);
      expect(notALog(head, textHead(head), true)).toBe(null);
      // the same head where no layout fits is still what its magic says
      expect(notALog(head, textHead(head), false)).toMatch(/^not a log \(.+\); skipped$/);
    }
  });

  it('gives what measuring the share first gives, on real heads with junk put in, with and without a fitting line', () => {
    fc.assert(
      fc.property(damagedHead, fc.boolean(), (head, fits) => {
        const th = textHead(head);
        const share = nonTextShare(th);
        const pct = `${Math.floor(share * 100)}% non-text bytes`;
        const magic = [[0x89, 0x50, 0x4e, 0x47], [0x25, 0x50, 0x44, 0x46, 0x2d], [0xff, 0xd8, 0xff], [0x47, 0x49, 0x46, 0x38], [0x7f, 0x45, 0x4c, 0x46]].some((m) => m.every((b, i) => head[i] === b));
        const got = notALog(head, th, fits);
        if (magic && !(fits && share < 0.3)) expect(got).toMatch(new RegExp(`^not a log \\(.+, ${pct}\\); skipped$`));
        else expect(got).toBe(!fits && share >= 0.3 ? `not a log (binary, ${pct}); skipped` : null);
      }),
      { numRuns: 300 },
    );
  });
});
