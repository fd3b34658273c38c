/** Labels: --label parsing, merging, --label-from-path patterns and a bugreport's header lines. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bugreportLineLabels } from '../../src/labels/bugreport-labels.js';
import { configLabels, labelsJson, labelValue, mergeLabels, parseLabelFlags, MAX_LABEL_VALUE } from '../../src/labels/labels.js';
import { compilePathLabels } from '../../src/labels/path-labels.js';
import { UserError } from '../../src/errors.js';

describe('label flags', () => {
  it('parses KEY=VALUE pairs, the last of a key winning, values kept past the first =', () => {
    expect(parseLabelFlags(['device=pixel7', 'app=1.4.2', 'app=1.4.3', 'query=a=b'])).toEqual({ device: 'pixel7', app: '1.4.3', query: 'a=b' });
  });

  it('refuses keys outside [a-z][a-z0-9_]* and over 40 characters as usage errors (exit 2)', () => {
    for (const bad of ['Device=x', '_x=1', '1x=1', 'dev-ice=1', 'dé=1', '=x', `${'k'.repeat(41)}=1`]) {
      let err: unknown;
      try {
        parseLabelFlags([bad]);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(UserError);
      expect((err as UserError).exitCode).toBe(2);
    }
    expect(parseLabelFlags([`${'k'.repeat(40)}=1`])).toEqual({ ['k'.repeat(40)]: '1' });
  });

  it('cleans any value: no control characters, redacted, at most 120 characters', { timeout: 180_000 }, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (raw) => {
        const v = labelValue(raw);
        expect(v.length).toBeLessThanOrEqual(MAX_LABEL_VALUE);
        expect(/[\u0000-\u001f\u007f-\u009f]/.test(v)).toBe(false);
        // Stored values are cleaned already: cleaning again changes nothing.
        expect(labelValue(v)).toBe(v);
      }),
      { numRuns: 300, seed: 26 },
    );
    expect(labelValue('  bob@example.com\u001b[31m  ')).toBe('[email] [31m');
  });

  it('redacts the whole value under a key that names a secret (`--label password=X` was stored raw: round twenty)', () => {
    expect(parseLabelFlags(['password=hunter2LBL', 'api_token=T0K3N', 'device=pixel7'])).toEqual({ password: '[redacted]', api_token: '[redacted]', device: 'pixel7' });
    expect(mergeLabels({}, { pin_code: '1234', app: '1.4.3' })).toEqual({ pin_code: '[redacted]', app: '1.4.3' });
  });

  it("reads the config's labels as an object or a list, and refuses anything else", () => {
    expect(configLabels({ device: 'pixel7', build: 12 }, 'c.json')).toEqual({ device: 'pixel7', build: '12' });
    expect(configLabels(['device=pixel7'], 'c.json')).toEqual({ device: 'pixel7' });
    expect(() => configLabels('device=pixel7', 'c.json')).toThrow('c.json: key "labels": expected an object of strings');
    expect(() => configLabels({ device: { nested: 1 } }, 'c.json')).toThrow(UserError);
  });

  it('merges found labels under the explicit ones, dropping found keys that are no label key', () => {
    expect(mergeLabels({ device: 'lab' }, { device: 'panther', android: '14' }, { Bad: 'x', build: ' B1 ' })).toEqual({ device: 'lab', android: '14', build: 'B1' });
    expect(labelsJson({ z: '1', a: '"q"' })).toBe('{"a":"\\"q\\"","z":"1"}');
  });
});

describe('--label-from-path', () => {
  const seg = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/).filter((s) => s !== '.' && s !== '..');

  it('gives each placeholder its segment, under any folder above and for absolute or relative paths', () => {
    const match = compilePathLabels('device-logs/{device}/{date}/*');
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 4 }), seg, seg, seg, fc.boolean(), (above, device, date, file, absolute) => {
        const path = `${absolute ? '/' : ''}${[...above, 'device-logs', device, date, file].join('/')}`;
        expect(match(path)).toEqual({ device, date });
        // One folder too many, or a file straight in the device folder: no match, no labels.
        expect(match(`${[...above, 'device-logs', device, date, 'extra', file].join('/')}`)).toEqual({});
        expect(match(`${[...above, 'device-logs', device, file].join('/')}`)).toEqual({});
      }),
      { numRuns: 200, seed: 2026 },
    );
  });

  it('matches placeholders inside a segment, globs beside them, and a path that names another folder not at all', () => {
    expect(compilePathLabels('{host}-{day}.log*')('/var/log/ci-7-2026-03-17.log.gz')).toEqual({ host: 'ci', day: '7-2026-03-17' });
    expect(compilePathLabels('**/{app}/logcat-*.txt')('exports/shop/1.4.3/logcat-a.txt')).toEqual({ app: '1.4.3' });
    expect(compilePathLabels('/srv/{device}/*')('/srv/pixel7/a.log')).toEqual({ device: 'pixel7' });
    expect(compilePathLabels('/srv/{device}/*')('/other/srv/pixel7/a.log')).toEqual({});
    expect(compilePathLabels('device-logs/{device}/*')('my-device-logs/pixel7/a.log')).toEqual({});
    expect(compilePathLabels('logs/{device}/*')('C:\\data\\logs\\mi11\\a.log')).toEqual({ device: 'mi11' });
  });

  it('refuses a pattern without placeholders, with a bad or repeated name, or an open brace', () => {
    for (const [p, why] of [
      ['logs/*', 'no {name} placeholder'],
      ['logs/{Device}/*', '{Device} is not a label key'],
      ['logs/{d}/{d}/*', '{d} appears twice'],
      ['logs/{device/*', 'an unclosed or empty brace'],
    ] as const) {
      expect(() => compilePathLabels(p), p).toThrow(why);
    }
  });
});

describe("a bugreport's header lines", () => {
  it('reads device, android and build from the Build fingerprint line dumpstate writes', () => {
    expect(bugreportLineLabels("Build fingerprint: 'google/panther/panther:14/UQ1A.240205.004/11269751:user/release-keys'")).toEqual({ device: 'panther', android: '14', build: 'UQ1A.240205.004' });
    expect(bugreportLineLabels("Build fingerprint: 'Xiaomi/venus/venus:13/TKQ1.220829.002/V14.0.3.0.TKBCNXM:user/release-keys'")).toEqual({ device: 'venus', android: '13', build: 'TKQ1.220829.002' });
    expect(bugreportLineLabels('[ro.product.model]: [Pixel 7]')).toEqual({ device: 'Pixel 7' });
  });

  it('gives nothing for other lines, an unknown fingerprint or an empty model', () => {
    for (const line of ["Build fingerprint: 'unknown'", 'Build: UQ1A.240205.004', '[ro.product.model]: []', '[ro.product.brand]: [google]', 'Bootloader: x']) {
      expect(bugreportLineLabels(line), line).toBeNull();
    }
  });
});
