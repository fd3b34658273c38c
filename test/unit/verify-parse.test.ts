/**
 * Android Studio (Electric Eel+) copies whose tag holds a space (adversarial pass over issue 19):
 * the record was not recognised, so it joined the record before it as a continuation line and its
 * Authing event was lost. Lines from the real v2 excerpt in ../shared/corpus/real, with tags of
 * one to four words put in at random places.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseText } from '../../src/parse/records.js';
import { SHARED } from '../helpers.js';

const V2 = readFileSync(join(SHARED, 'corpus', 'real', 'issue-excerpt__auth0-react-native-auth0-1001__android-studio-v2.txt'), 'utf8').split('\n').filter(Boolean);
const UTC = { year: 2025, tz: 'UTC' };

/** A v2 line as Studio pads it: tag to 23 columns, process to 36, level, two spaces, message. */
const v2Line = (tag: string, msg: string, pid = 4672) => `2025-01-28 10:55:40.101 ${String(pid).padStart(5)}-${String(pid).padEnd(5)} ${tag.padEnd(23)} ${'com.example.app'.padEnd(36)} E  ${msg}`;

describe('Studio v2 tags with spaces', () => {
  it('reads a record whose tag holds a space as its own record, with the tag whole', () => {
    const text = [V2[0], v2Line('Guard Login', 'Guardian failed. 403 message:{"statusCode":403,"apiCode":2333}'), V2[1]].join('\n') + '\n';
    const { records } = parseText(text, UTC);
    expect(records.map((r) => [r.line, r.tag, r.format])).toEqual([
      [1, 'EGL_emulation', 'studio-v2'],
      [2, 'Guard Login', 'studio-v2'],
      [3, 'EGL_emulation', 'studio-v2'],
    ]);
    expect(records[0]!.message).toBe('app_time_stats: avg=698.16ms min=6.81ms max=8081.52ms count=12');
    expect(records[1]!.message).toBe('Guardian failed. 403 message:{"statusCode":403,"apiCode":2333}');
  });

  it('keeps every record of the excerpt with its fields when spaced tags are spliced in (fast-check)', () => {
    // Words of two or more characters: a one-letter word that is a level letter (`Guard A`) makes
    // the columns ambiguous, and the first reading (the shortest tag) is kept.
    const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.]{1,7}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '))), { minLength: 1, maxLength: 6 }), (inserts) => {
        const lines = [...V2];
        const want = V2.map((_, i) => ({ orig: i }) as { orig?: number; tag?: string });
        for (const [at, tag] of inserts) {
          const pos = at % (lines.length + 1);
          lines.splice(pos, 0, v2Line(tag, `login failed code=2333 (${tag})`));
          want.splice(pos, 0, { tag });
        }
        const { records } = parseText(lines.join('\n') + '\n', UTC);
        const base = parseText(V2.join('\n') + '\n', UTC).records;
        expect(records).toHaveLength(lines.length);
        records.forEach((r, i) => {
          const w = want[i]!;
          if (w.tag !== undefined) expect([r.tag, r.message, r.pid, r.level]).toEqual([w.tag, `login failed code=2333 (${w.tag})`, 4672, 'E']);
          else expect({ ...r, line: 0 }).toEqual({ ...base[w.orig!]!, line: 0 });
        });
      }),
      { numRuns: 200, seed: 19 },
    );
  });
});
