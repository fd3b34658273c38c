import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { categoryOf, entryJson, loadRegistry, parseCodes, type CodeEntry, type LocalList, type LocalText } from '../../src/registry/index.js';
import { codeText } from '../../src/registry/text.js';
import { ROOT, errorOf, tempDir } from '../helpers.js';

// The registry's sources live in the repository (registry/README.md), so these tests need nothing beside it.
const SOURCES = join(ROOT, 'registry', 'sources');
const reg = loadRegistry();
const apiCodes = JSON.parse(readFileSync(join(SOURCES, 'api-codes.json'), 'utf8')) as { code: number; code_kind: string; api_version: string; message_en?: string; message_zh?: string }[];
const sdkCodes = JSON.parse(readFileSync(join(SOURCES, 'android-sdk-codes.json'), 'utf8')) as { code: number; constant: string }[];
const seed = readFileSync(join(SOURCES, 'seeds', '000_5a13725b34ed5219.txt'), 'utf8');
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const FIELDS = ['message', 'description', 'causes', 'actions'] as const;
const entries = [...reg.codes.values()].sort((a, b) => a.code - b.code);

/** Every text of an entry as [where, language, text], e.g. ['2333 causes.en[1]', 'en', '...']. */
function texts(e: CodeEntry): [string, 'en' | 'zh', string][] {
  const out: [string, 'en' | 'zh', string][] = [];
  for (const field of FIELDS) {
    const f = e.text?.[field] as LocalText | LocalList | undefined;
    for (const lang of ['en', 'zh'] as const) {
      const v = f?.[lang];
      for (const [i, t] of (Array.isArray(v) ? v : v === undefined ? [] : [v]).entries()) out.push([`${e.code} ${field}.${lang}${Array.isArray(v) ? `[${i}]` : ''}`, lang, t]);
    }
  }
  return out;
}

/** Writes a JSON file into a copy of registry/text. */
function copy(dir: string, name: string, data: unknown): void {
  writeFileSync(join(dir, name), JSON.stringify(data));
}
/** Rewrites a file of a copy of registry/text. */
function edit(dir: string, name: string, change: (text: string) => string): void {
  const before = readFileSync(join(dir, name), 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(join(dir, name), after);
}

/** The files a `source` names: "FILE: detail" parts joined by " + ", after "translated from xx: " or "authored; based on ". */
function sourceFiles(source: string): string[] | undefined {
  const m = /^(?:translated from (?:en|zh): |authored; based on )?(.+)$/s.exec(source)!;
  const files = m[1]!.split(' + ').map((part) => /^([\w./-]+\.(?:json|md|txt))(?::|$)/.exec(part)?.[1]);
  return files.every((f) => f !== undefined) ? (files as string[]) : undefined;
}

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

describe("the build's codes.json (dist/, one entry a line)", () => {
  it('parses to the source registry, and gives each entry as the JSON a store keeps: JSON.stringify of it', () => {
    const built = readFileSync(join(ROOT, 'dist', 'registry', 'codes.json'), 'utf8');
    const data = parseCodes(built);
    expect(data).toEqual(JSON.parse(readFileSync(join(ROOT, 'src', 'registry', 'codes.json'), 'utf8')));
    expect(data.codes.length).toBeGreaterThan(100);
    // an entry's line, taken as its JSON: misread lines would give one entry another's text
    expect(data.codes.filter((c) => entryJson(c) !== JSON.stringify(c)).map((c) => c.code)).toEqual([]);
    expect(built.split('\n')[1]).toBe(`${JSON.stringify(data.codes[0])},`);
  });
});

describe('the registry text', () => {
  it('is exactly what the sources in the repository build (npm run registry)', () => {
    const out = join(tempDir(), 'codes.json');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-registry.mjs'), '--out', out], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(ROOT, 'src', 'registry', 'codes.json'), 'utf8'));
  });

  it.each([
    ['a code given text twice', (dir: string) => copy(dir, 'twice.json', { entries: [{ codes: [10013], causes: { en: ['x'], zh: ['某'], source: '{v2}' } }] }), /^build-registry: twice\.json entries\[0\]: code 10013 already has text in social-login\.json entries\[0\]$/],
    ['a placeholder without a value', (dir: string) => edit(dir, 'flow.json', (t) => t.replace('"{m}"', '"{nope}"')), /^build-registry: flow\.json entries\[4\] message: no value for \{nope\}$/],
    ['text for a code no source has', (dir: string) => copy(dir, 'extra.json', { entries: [{ codes: [424242], message: { en: 'x', zh: '某', source: '{v2}' } }] }), /^build-registry: extra\.json entries\[0\] has text for 424242, which no source has$/],
    ['a code without a message in both languages', (dir: string) => edit(dir, 'api-v3.json', (t) => t.replace(/^ *"message": \{ "en": "\{m\}".*\n/m, '')), /^build-registry: api-v3\.json entries\[0\]: code 1300 has no message in both languages in the sources; give "message" in the text file$/],
  ])('refuses %s with one line naming the file and entry', (_what, damage, expected) => {
    const dir = join(tempDir(), 'text');
    cpSync(join(ROOT, 'registry', 'text'), dir, { recursive: true });
    damage(dir);
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-registry.mjs'), '--text', dir, '--out', join(dir, 'codes.json')], { encoding: 'utf8', cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().replaceAll(`${relative(ROOT, dir)}/`, '')).toMatch(expected);
    expect(existsSync(join(dir, 'codes.json'))).toBe(false);
  });

  it('gives every code a message, description, causes and actions in English and Chinese, each with a source', () => {
    const missing = (e: CodeEntry): string | undefined => {
      for (const field of FIELDS) {
        const f = e.text?.[field] as LocalText | LocalList | undefined;
        if (!f?.source) return `${field}.source`;
        for (const lang of ['en', 'zh'] as const) {
          const v = f[lang];
          if (Array.isArray(v) ? v.length === 0 || v.some((t) => !t.trim()) : !v?.trim()) return `${field}.${lang}`;
        }
        if (Array.isArray(f.en) && f.en.length !== (f.zh as string[]).length) return `${field}: ${f.en.length} en vs ${(f.zh as string[]).length} zh items`;
      }
      return undefined;
    };
    const first = entries.map((e) => [e.code, missing(e)] as const).find(([, m]) => m);
    expect(first && `code ${first[0]}: ${first[1]}`, 'the first code and field missing').toBeUndefined();
    expect(entries.length).toBeGreaterThanOrEqual(185);
  });

  it('keeps Chinese out of the English texts and gives Chinese in the Chinese texts', () => {
    const all = entries.flatMap(texts);
    expect(all.find(([, lang, t]) => lang === 'en' && CJK.test(t))).toBeUndefined();
    expect(all.find(([, lang, t]) => lang === 'zh' && !CJK.test(t))).toBeUndefined();
  });

  it('names, for every field, a file of registry/sources or says it is translated or authored from one', () => {
    const bad: string[] = [];
    for (const e of entries) {
      for (const field of FIELDS) {
        const source = e.text?.[field]?.source;
        if (source === undefined) continue;
        const files = sourceFiles(source);
        if (!files || !files.every((f) => existsSync(join(SOURCES, f)))) bad.push(`${e.code} ${field}: ${source}`);
      }
    }
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it('accepts only sources that name an existing file', () => {
    expect(sourceFiles('api-codes.json: Authing/docs-v3 docs/reference/error-code.md@18e80fc9')).toEqual(['api-codes.json']);
    expect(sourceFiles('translated from zh: guard-android.md: Const.java')).toEqual(['guard-android.md']);
    expect(sourceFiles('authored; based on seeds/000_5a13725b34ed5219.txt: 10001 + sdk-logging.md')).toEqual(['seeds/000_5a13725b34ed5219.txt', 'sdk-logging.md']);
    expect(sourceFiles('authored')).toBeUndefined();
    expect(sourceFiles('the docs')).toBeUndefined();
  });

  it('keeps the sources\' disagreements out of the text, in their own field', () => {
    const e1636 = reg.codes.get(1636)!;
    expect(e1636.disagreements!.join(' ')).toMatch(/企业（应用下配置的） MFA/);
    for (const e of entries) expect(texts(e).find(([, , t]) => /sources disagree|note:/.test(t))).toBeUndefined();
  });

  it('names every category in English and Chinese', () => {
    expect(Object.keys(reg.categoryNames).sort()).toEqual(Object.keys(reg.categories).sort());
    for (const [id, n] of Object.entries(reg.categoryNames)) {
      expect(id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(CJK.test(n.en), `${id} en`).toBe(false);
      expect(CJK.test(n.zh), `${id} zh`).toBe(true);
    }
    expect(reg.categoryNames['social-login']).toEqual({ en: 'Social login', zh: '社会化登录' });
  });

  it('gives every code its outcome kinds, canceled and failed apart for the social logins', () => {
    for (const e of entries) expect(e.outcomes?.length, `${e.code} outcomes`).toBeGreaterThan(0);
    expect(reg.codes.get(10013)!.outcomes).toEqual(['failed', 'canceled']);
    expect(reg.codes.get(10006)!.outcomes).toEqual(['canceled']);
    expect(reg.codes.get(200)!.outcomes).toEqual(['success']);
    expect(reg.codes.get(2333)!.outcomes).toEqual(['error']);
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
  it('shows an override file\'s own words for the field it sets, in its language, and the bundled text otherwise', () => {
    const f = write({ codes: [{ code: 10001, message: 'Our proxy is down' }, { code: 2333, category: 'account' }] });
    const r = loadRegistry([f]);
    // (the bundled text was dropped whole for this: the file's words are shown over it, field by field, instead)
    expect(codeText(r.codes.get(10001), 'en').message).toBe('Our proxy is down');
    expect(codeText(r.codes.get(10001), 'zh').message).toBe('网络错误');
    expect(r.codes.get(10001)!.message).toBe('Our proxy is down');
    expect(r.codes.get(2333)!.text!.message.zh).toBe('用户名或密码错误');
    expect(loadRegistry().codes.get(10001)!.text!.message.en).toBe('Network error');
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
    const err = errorOf(() => loadRegistry([f]));
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message.startsWith(`${f}: `)).toBe(true);
    expect((err as UserError).message).toMatch(re);
    expect((err as UserError).message).not.toContain('\n');
  });
});
