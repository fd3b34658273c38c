/**
 * A registry signature whose pattern repeats a repetition (adversarial pass over issue 20 item 17):
 * `(a+)+$` on a 41-character Authing line kept the process busy for eight minutes, deaf to SIGTERM.
 * Such a pattern is refused when the registry is loaded, in one line, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exponentialPattern, loadRegistry } from '../../src/registry/index.js';
import { UserError } from '../../src/errors.js';
import { BIN, errorOf, tempDir } from '../helpers.js';

const signature = (fields: Record<string, unknown>) => ({ signatures: [{ tags: ['Authing'], message: '^x', code: 10001, source: 'test', ...fields }] });

describe('registry patterns that backtrack exponentially', () => {
  it.each([
    ['message', '(a+)+$'],
    ['message', '^Login failed: (\\w+\\s?)*$'],
    ['detail', 'Msg:((?:x|y)*)*'],
    ['message', '(?<=code )(\\d+)+'],
  ])('refuses %s %s with a one-line usage error naming the field', (field, pattern) => {
    const file = join(tempDir(), 'r.json');
    writeFileSync(file, JSON.stringify(signature({ [field]: pattern })));
    const error = errorOf(() => loadRegistry([file]));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toBe(
      `${file}: signatures[0].${field}: a repetition inside a repetition, like (a+)+ or (\\w+\\s?)*, can take exponential time on one log line; repeat a plain character class instead, like [\\w\\s]*`,
    );
  });

  it('accepts the bundled signatures and patterns of one level of repetition, with lookbehind', () => {
    for (const s of loadRegistry().signatures) {
      expect(exponentialPattern(s.message)).toBe(false);
      if (s.detail) expect(exponentialPattern(s.detail)).toBe(false);
    }
    const file = join(tempDir(), 'ok.json');
    writeFileSync(file, JSON.stringify(signature({ message: '(?<=failed )code=(\\d+)', codeGroup: 1, detail: 'Msg:(.*)$' })));
    expect(loadRegistry([file]).signatures[0]!.message).toBe('(?<=failed )code=(\\d+)');
  });

  // The hostile line takes exponential time: 60 s bounds that run (30 s was within 4x of one start of the bin, 8.7 s, in a loaded full-suite run).
  it('ends a run with such a registry at once, exit 2, instead of hanging on the hostile line', { timeout: 180_000 }, () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'r.json'), JSON.stringify(signature({ message: '(a+)+$' })));
    writeFileSync(join(dir, 'x.log'), `03-17 16:13:40.100  4672  4672 E Authing : ${'a'.repeat(40)}b code=2333\n`);
    const r = spawnSync(process.execPath, [BIN, '--db', join(dir, 't.db'), '--registry', 'r.json', 'x.log'], { cwd: dir, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'authing-triage: r.json: signatures[0].message: a repetition inside a repetition, like (a+)+ or (\\w+\\s?)*, can take exponential time on one log line; repeat a plain character class instead, like [\\w\\s]*',
    ]);
  });
});
