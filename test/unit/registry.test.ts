import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { categoryOf, loadRegistry } from '../../src/registry/index.js';
import { SHARED, tempDir } from '../helpers.js';

const reg = loadRegistry();
const apiCodes = JSON.parse(readFileSync(join(SHARED, 'registry', 'api-codes.json'), 'utf8')) as { code: number; code_kind: string; api_version: string; message_en?: string; message_zh?: string }[];
const sdkCodes = JSON.parse(readFileSync(join(SHARED, 'registry', 'android-sdk-codes.json'), 'utf8')) as { code: number; constant: string }[];
const seed = readFileSync(join(SHARED, 'seeds', '000_5a13725b34ed5219.txt'), 'utf8');

describe('the bundled registry', () => {
  it('covers every code of the seed page, Guard\'s constants and the API tables', () => {
    const seedCodes = [...seed.matchAll(/^\|\s*(\d+)\s*\|/gm)].map((m) => Number(m[1]));
    expect(seedCodes).toEqual(expect.arrayContaining([1636, 1639, 1640, 1641, 2921, 10001, 10028]));
    for (const c of [...seedCodes, ...sdkCodes.map((c) => c.code), ...apiCodes.map((c) => c.code)]) expect(reg.codes.has(c), `code ${c}`).toBe(true);
    for (const c of [10029, 10030, 2000, 2001, 2004, 2005, 2020, 2042, 1577, 1578, 2333]) expect(reg.codes.has(c)).toBe(true);
  });

  it('gives every code exactly one category from the documented list', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    for (const e of reg.codes.values()) {
      expect(Object.keys(reg.categories)).toContain(e.category);
      expect(readme).toContain(`| \`${e.category}\` |`);
    }
  });

  it('keeps 200 as success, never an error', () => {
    expect(categoryOf(reg, 200)).toBe('success');
  });

  it('matches the source tables for specific entries', () => {
    const e10001 = reg.codes.get(10001)!;
    expect(e10001).toMatchObject({ kind: 'android-sdk', category: 'network', message: 'Network error' });
    expect(e10001.description).toMatch(/^Network request error/);
    expect(e10001.suggestion).toMatch(/^Check whether the phone has a network signal/);
    expect(e10001.docs).toMatch(/^https:\/\/docs\.authing\.cn\//);
    const v2 = apiCodes.find((c) => c.code === 2011 && c.api_version === 'v2')!;
    expect(reg.codes.get(2011)).toMatchObject({ message: v2.message_en, messageZh: v2.message_zh, category: 'config' });
    expect(reg.codes.get(429)).toMatchObject({ kind: 'status', category: 'rate-limit' });
    expect(reg.codes.get(1636)).toMatchObject({ category: 'mfa', message: 'Skip to mfa validation' });
    expect(reg.codes.get(10008)).toMatchObject({ category: 'sms', messageZh: '在 60 秒内已发送短信验证码' });
  });

  it('keeps the sources\' disagreements visible', () => {
    expect(reg.codes.get(2004)!.disagreements!.join(' ')).toMatch(/用户未找到.*用户不存在|用户不存在.*用户未找到/);
    expect(reg.codes.get(2040)!.disagreements!.join(' ')).toMatch(/人头数目限制已满/);
    expect(reg.codes.get(2034)!.disagreements!.join(' ')).toMatch(/用户名已存在/);
    expect(reg.codes.get(2004)!.kinds).toEqual(['android-sdk', 'api-v3', 'api-v2']);
  });
});

describe('user overrides', () => {
  const write = (data: unknown) => {
    const f = join(tempDir(), 'overrides.json');
    writeFileSync(f, typeof data === 'string' ? data : JSON.stringify(data));
    return f;
  };
  it('adds new codes and overrides fields of existing ones', () => {
    const f = write({ codes: [{ code: 77777, category: 'config', message: 'Our app: tenant missing' }, { code: 10001, category: 'server' }] });
    const r = loadRegistry([f]);
    expect(r.codes.get(77777)).toMatchObject({ category: 'config', message: 'Our app: tenant missing', override: f });
    expect(r.codes.get(10001)).toMatchObject({ category: 'server', message: 'Network error' });
    expect(loadRegistry().codes.get(10001)!.category).toBe('network');
  });
  it('adds signatures whose tags give Authing context', () => {
    const r = loadRegistry([write({ signatures: [{ tags: ['PayAuth'], message: '^token refresh failed', code: 77001 }] })]);
    expect(r.signatures[0]).toMatchObject({ tags: ['PayAuth'], code: 77001 });
    expect(r.extraTags).toEqual(['PayAuth']);
  });
  it.each([
    ['{ not json', /not valid JSON/],
    [{ codes: {} }, /"codes": expected an array/],
    [{ codes: [{ code: 'x' }] }, /codes\[0\]\.code: expected an integer/],
    [{ codes: [{ code: 9, category: 'nope' }] }, /codes\[0\]\.category: "nope" is not a category/],
    [{ codes: [{ code: 99999 }] }, /codes\[0\]\.category: code 99999 is new, so it needs a category/],
    [{ codes: [{ code: 1636, colour: 'red' }] }, /codes\[0\]\.colour: unknown field/],
    [{ signatures: [{ tags: ['X'], message: '(' }] }, /signatures\[0\]\.message: not a valid regular expression/],
    [{ extra: 1 }, /key "extra": unknown/],
  ])('rejects %j with one line naming the file, entry and field', (data, re) => {
    const f = write(data);
    let err: unknown;
    try {
      loadRegistry([f]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message.startsWith(`${f}: `)).toBe(true);
    expect((err as UserError).message).toMatch(re);
    expect((err as UserError).message).not.toContain('\n');
  });
});
