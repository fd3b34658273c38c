/**
 * `--since` / `--until` values: a date that is not in the calendar (2026-02-30, which Date.parse takes for
 * March 2) or a time of day out of range is a usage error, not another time (round seventeen's review).
 */
import { describe, expect, it } from 'vitest';
import { parseWhen } from '../../src/cli/when.js';

describe('parseWhen', () => {
  it.each(['2026-02-30', '2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-03-17T24:00:00Z', '2026-03-17 16:61', '2026-03-17T16:00:60Z'])('refuses %s', (v) => {
    expect(() => parseWhen(v, '--since', 0)).toThrow(/--since .*expected a duration like 24h or 7d, or a time like/);
  });

  it.each([
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2026-02-28', '2026-02-28T00:00:00.000Z'],
    ['2026-03-17T16:00:00Z', '2026-03-17T16:00:00.000Z'],
    ['2026-03-17 23:59:59', '2026-03-17T23:59:59.000Z'],
    ['2026-03-17T08:00+08:00', '2026-03-17T00:00:00.000Z'],
  ])('takes %s as %s', (v, want) => {
    expect(new Date(parseWhen(v, '--since', 0)).toISOString()).toBe(want);
  });

  it('takes a duration back from now', () => {
    expect(parseWhen('7d', '--since', 10 * 86_400_000)).toBe(3 * 86_400_000);
  });
});
