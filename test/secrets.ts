/** Secrets of every kind in the wrappers logs put them in (issue 20 item 15), for the redaction tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { redact } from '../src/extract/redact.js';
import { SHARED } from './helpers.js';

/** Messages of a real capture (the text after "tag: "), the texts secrets are put into. */
export const MESSAGES = readFileSync(join(SHARED, 'corpus', 'labeled', 'dev-threadtime.log'), 'utf8')
  .split('\n')
  .map((l) => /^\S+ \S+\s+\d+\s+\d+ \w [^:]*: (.*)$/.exec(l)?.[1])
  .filter((m): m is string => !!m);

const chars = (alphabet: string, min: number, max: number) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** What a bare value may hold: no blank, no separator; `&` and `%` are part of it. */
const BARE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+-./=?@[]^_`|~';
/** What a quoted value may hold besides those: blanks, commas, semicolons, braces. */
const QUOTED = BARE.replace("'", '') + ' ,;:{}<>';

const jwt = fc
  .tuple(chars(B64URL, 8, 700), chars(B64URL, 8, 1200), chars(B64URL, 0, 90), fc.integer({ min: 0, max: 2 }))
  .map(([h, p, s, parts]) => ['eyJ' + h, 'eyJ' + p, s].slice(0, parts + 1).join('.'));
const bare = chars(BARE, 6, 40).filter((v) => !v.startsWith('['));
const quoted = chars(QUOTED, 6, 40).filter((v) => v.trim().length > 0);
const key = fc.constantFrom('password', 'passwd', 'pwd', 'access_token', 'userToken', 'refreshToken', 'id_token', 'client_secret', 'appSecret', 'api_key', 'x-api-key', 'apiKey', 'credential', 'sessionId', 'connect.sid', 'ticket');
const hex = fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: 32, maxLength: 32 }).map((a) => a.join(''));
const email = fc.tuple(chars('abcdefghijklmnopqrstuvwxyz0123456789._+-', 1, 16), chars('abcdefghijklmnopqrstuvwxyz', 2, 12), fc.constantFrom('com', 'cn', 'io', 'com.cn')).map(([u, d, t]) => `${u}a@${d}.${t}`);
const phone = fc.tuple(fc.constantFrom('', '+86', '+86 ', '86-'), fc.integer({ min: 3, max: 9 }), fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom('', ' ', '-')).map(([cc, second, rest, sep]) => {
  const d = `1${second}${String(rest).padStart(9, '0')}`;
  return `${cc}${d.slice(0, 3)}${sep}${d.slice(3, 7)}${sep}${d.slice(7)}`;
});

/** A secret and the text around it: [secret, wrapped]. */
export const wrappedSecret: fc.Arbitrary<[string, string]> = fc.oneof(
  jwt.chain((t) => fc.constantFrom(t, `userToken_${t}`, `"credential":"${t}"`, `token=${t}`, `Bearer ${t}`, `id=${t},`).map((w) => [t, w] as [string, string])),
  fc.tuple(key, bare, fc.constantFrom('=', ': ', ' = ', ':')).map(([k, v, sep]) => [v, `${k}${sep}${v}`] as [string, string]),
  fc.tuple(key, bare).map(([k, v]) => [v, `https://core.authing.cn/cb?state=1&${k}=${v}`] as [string, string]),
  fc.tuple(key, quoted, fc.constantFrom('"', "'")).map(([k, v, q]) => [v, `{${q}${k}${q}: ${q}${v}${q}, ${q}code${q}: 2005}`] as [string, string]),
  fc.tuple(key, quoted.map((v) => v.replaceAll('"', '')).filter((v) => v.trim().length > 0)).map(([k, v]) => [v, `{\\"${k}\\":\\"${v}\\"}`] as [string, string]),
  fc.tuple(bare, fc.constantFrom('Cookie: a=1; connect.sid=', 'Set-Cookie: sid=', 'Authorization: Bearer ', 'authorization: Basic ', 'cookie: SESSION=')).map(([v, h]) => [v, `${h}${v}; Path=/`] as [string, string]),
  hex.chain((h) => fc.constantFrom(h, `appSecret_${h}`, `"secret":"${h}"`, `(${h})`).map((w) => [h, w] as [string, string])),
  email.map((e) => [e, `user ${e} failed`] as [string, string]),
  phone.map((p) => [p, `phone=${p}`] as [string, string]),
  phone.map((p) => [p, `手机号 ${p} 已绑定`] as [string, string]),
);


/**
 * Redaction leaves no secret of `wrapped` ([secret, its text]) at any position of a real message, nor
 * inside a JSON response body's message, as the SDK logs it (fast-check).
 */
export function expectNoSecretLeft(wrapped: fc.Arbitrary<[string, string]>, params: { numRuns: number; seed: number }): void {
  fc.assert(
    fc.property(fc.constantFrom(...MESSAGES), wrapped, fc.nat(), (message, [secret, w], at) => {
      fc.pre(!message.includes(secret));
      const pos = at % (message.length + 1);
      const text = `${message.slice(0, pos)} ${w} ${message.slice(pos)}`;
      expect(redact(text)).not.toContain(secret);
      expect(redact(`{"code": 2020, "message": "${text.replaceAll('"', "'")}"}`)).not.toContain(secret);
    }),
    params,
  );
}
