/**
 * Redaction of personal data and credentials the first pass did not generate (issue 20 item 15,
 * adversarial pass): mainland China resident ID numbers, PKCE code verifiers and OAuth
 * authorization codes in redirect URLs, at random positions of real log messages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/extract/redact.js';
import { expectNoSecretLeft } from '../secrets.js';

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
/** An 18-character resident ID: area code, birth date, sequence, check digit or X (GB 11643). */
const idCard = fc
  .tuple(fc.integer({ min: 110000, max: 659999 }), fc.date({ min: new Date('1920-01-01'), max: new Date('2019-12-31'), noInvalidDate: true }), digits(3, 3), fc.constantFrom(...'0123456789Xx'))
  .map(([area, born, seq, check]) => `${area}${born.toISOString().slice(0, 10).replaceAll('-', '')}${seq}${check}`);
const token = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~.'), minLength: 8, maxLength: 64 }).filter((v) => /[A-Za-z]/.test(v));

/** [secret, text around it]: the wrappers an app's log puts these in. */
const wrapped: fc.Arbitrary<[string, string]> = fc.oneof(
  idCard.chain((id) => fc.constantFrom(`身份证 ${id} 校验失败`, `"idCard":"${id}"`, `id_card=${id}&name=x`, `(${id})`).map((w) => [id, w] as [string, string])),
  token.chain((t) => fc.constantFrom(`"code_verifier":"${t}"`, `codeVerifier=${t}`, `code_verifier: ${t}`).map((w) => [t, w] as [string, string])),
  token.chain((t) => fc.constantFrom(`myapp://callback?code=${t}&state=1`, `https://x.authing.cn/oidc/auth?state=2&code=${t}`, `redirect ?code=${t}#frag`).map((w) => [t, w] as [string, string])),
);

describe('redaction of ID numbers, code verifiers and authorization codes', () => {
  it.each([
    ['user 身份证 11010119900307123X 手机 15012345678', 'user 身份证 [id-card] 手机 [phone]'],
    ['{"idCard":"110101199003071234","mobile":"13912345678"}', '{"idCard":"[id-card]","mobile":"[phone]"}'],
    ['{"code_verifier":"CV_SECRET_uuuu"} codeVerifier=abc123XYZ', '{"code_verifier":"[redacted]"} codeVerifier=[redacted]'],
    ['callback https://x.authing.cn/cb?code=AUTHCODE_SECRET_vvvv&state=S', 'callback https://x.authing.cn/cb?code=[redacted]&state=S'],
    // An error code in a query string is what the extractor reads: it stays.
    ['GET /api?code=2333&x=1 failed code=2004', 'GET /api?code=2333&x=1 failed code=2004'],
    // Numbers that are not ID numbers (no birth date inside) stay.
    ['ts=1700000000000123 order 123456789012345678', 'ts=1700000000000123 order 123456789012345678'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });

  it('leaves none of them at any position of a real message (fast-check)', () => {
    expectNoSecretLeft(wrapped, { numRuns: 1500, seed: 23 });
  });
});
