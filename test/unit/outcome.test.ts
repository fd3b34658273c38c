/** The outcome of an event from the SDK's words and the code, and the run's language from the locale. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { OutcomeRules, codeOutcome, outcomeKinds } from '../../src/extract/outcome.js';
import { loadRegistry } from '../../src/registry/index.js';
import { CJK, categoryName, codeMessage, codeText, localeLang } from '../../src/registry/text.js';
import type { LogRecord } from '../../src/types.js';

const reg = loadRegistry();
const rules = new OutcomeRules();
const rec = (tag: string, message: string): LogRecord => ({ time: null, pid: 1, tid: 1, level: 'E', tag, message, format: 'threadtime', line: 1 });

describe('outcome', () => {
  // The SDK's own statements (sdk-logging.md §3) under the tags that carry them.
  it.each([
    ['KuaiShou', 'Auth Canceled', 10022, 'canceled'],
    ['Line', 'Auth Canceled', 10023, 'canceled'],
    ['QQ', 'Auth Failed, onCancel', 10013, 'canceled'],
    ['Baidu', 'Auth Failed, onCancel', 10014, 'canceled'],
    ['HuaWei', 'Auth Failed, onError errorCode = 2012 errorMsg = cancelled', 10025, 'canceled'],
    ['SocialLoginButton', 'loginDone: errCode = 10013 errMessage = Login by QQ canceled', 10013, 'canceled'],
    ['Github', 'Auth Failed, onError errorCode = 1 errorMsg = access_denied', 10018, 'failed'],
    ['Weibo', 'Auth Failed, errorMessage isauth faild!', 10012, 'failed'],
    ['KuaiShou', 'Auth Failed, code is null', 10022, 'failed'],
    ['Uploader', 'uploadFile result. 200 message:{"statusCode":200,"message":""}', 200, 'success'],
    ['SocialLoginButton', 'loginDone: errCode = 10001 errMessage = Network error', 10001, 'error'],
    ['Guardian', 'Guardian failed. 500 message:{"statusCode":500,"message":"x"}', 500, 'error'],
  ])('%s: %s -> %i %s', (tag, message, code, outcome) => {
    const e = new Extractor(reg).extract(rec(tag, message))!;
    expect({ code: e.code, outcome: e.outcome }).toEqual({ code, outcome });
  });

  it('reads a cancel word only where the code can be canceled', () => {
    // A server error whose body says "canceled" is still an error: 500 is not a login that a user cancels.
    expect(rules.outcomeOf(reg.codes.get(500), 'server', 'Guardian failed. 500 message:{"message":"request canceled"}')).toBe('error');
    expect(rules.outcomeOf(reg.codes.get(2333), 'password', 'loginDone: errCode = 2333 errMessage = canceled')).toBe(codeOutcome(reg.codes.get(2333), 'password'));
    expect(codeOutcome(reg.codes.get(2333), 'password')).not.toBe('canceled');
    expect(rules.outcomeOf(undefined, 'unregistered', 'Auth Canceled')).toBe('canceled');
  });

  it('follows the registry\'s outcome kinds when an entry lists them', () => {
    const only = { ...reg.codes.get(10013)!, outcomes: ['failed'] } as never;
    expect(rules.outcomeOf(only, 'social-login', 'Auth Failed, onCancel')).toBe('failed');
    const cancelOnly = { ...reg.codes.get(10006)!, outcomes: ['canceled'] } as never;
    expect(codeOutcome(cancelOnly, 'one-click')).toBe('canceled');
    expect(outcomeKinds(reg.codes.get(10013), 'social-login')).toEqual(['failed', 'canceled']);
    expect(outcomeKinds(reg.codes.get(200), 'success')).toEqual(['success']);
  });
});

describe('outcome, for any text around the SDK\'s words', () => {
  const noCancel = fc.string({ maxLength: 60 }).filter((t) => !/cancel/i.test(t));
  it('is canceled when a social login\'s line carries a cancel phrase, else what its code implies', () => {
    // The social-login codes the registry says can be canceled (all of them, unless an entry's outcome kinds say otherwise).
    const social = [...reg.codes.values()].filter((e) => e.category === 'social-login' && outcomeKinds(e, e.category).includes('canceled'));
    expect(social.length).toBeGreaterThan(15);
    fc.assert(
      fc.property(fc.constantFrom(...social), noCancel, fc.constantFrom('Auth Canceled', 'Auth Failed, onCancel', 'errorMsg = cancelled', 'Login by QQ canceled'), noCancel, (entry, before, phrase, after) => {
        // A word character next to the phrase would make it part of another word: keep a separator.
        const line = `${before} ${phrase} ${after}`;
        expect(rules.outcomeOf(entry, entry.category, line)).toBe('canceled');
        expect(rules.outcomeOf(entry, entry.category, `${before} ${after}`)).toBe(codeOutcome(entry, entry.category));
      }),
      { numRuns: 200 },
    );
  });
});

describe('language', () => {
  it.each([
    [{ LANG: 'zh_CN.UTF-8' }, 'zh'],
    [{ LANG: 'zh_TW' }, 'zh'],
    [{ LANG: 'zh' }, 'zh'],
    [{ LANG: 'en_US.UTF-8' }, 'en'],
    [{ LANG: 'C.UTF-8' }, 'en'],
    [{}, 'en'],
    [{ LANG: 'zhx_XX' }, 'en'],
    [{ LC_ALL: 'en_GB.UTF-8', LANG: 'zh_CN.UTF-8' }, 'en'],
    [{ LC_ALL: '', LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }, 'zh'],
    [{ LC_ALL: 'zh_CN.UTF-8', LC_MESSAGES: 'en_US.UTF-8' }, 'zh'],
  ])('%o -> %s', (env, lang) => {
    expect(localeLang(env)).toBe(lang);
  });

  it('gives a code\'s text in one language, from the contract\'s text field when there is one', () => {
    const entry = {
      ...reg.codes.get(2333)!,
      text: {
        message: { en: 'Wrong user name or password', zh: '用户名或密码错误', source: 'seed' },
        description: { en: 'd', zh: '描述', source: 'docs' },
        causes: { en: ['c1', 'c2'], zh: ['原因'], source: 'authored; based on docs' },
        actions: { en: ['a1'], zh: ['步骤'], source: 'authored; based on docs' },
      },
    };
    expect(codeText(entry, 'en')).toEqual({
      message: 'Wrong user name or password', description: 'd', causes: ['c1', 'c2'], actions: ['a1'],
      sources: { message: 'seed', description: 'docs', causes: 'authored; based on docs', actions: 'authored; based on docs' },
    });
    expect(codeText(entry, 'zh').message).toBe('用户名或密码错误');
  });

  it('shows a source\'s full-width punctuation in English as ASCII, and never takes it for Chinese', () => {
    // Authing's docs give 2205's English message as "Missing parameter：registerInClient" (a full-width colon).
    const verbatim = { code: 2205, kind: 'api-v2', category: 'client-request', message: 'Missing parameter：registerInClient' };
    expect(codeMessage(verbatim, 'en', 2205)).toBe('Missing parameter:registerInClient');
    expect(codeText(verbatim, 'zh').message).toBeNull();
    const withText = { ...verbatim, text: { message: { en: 'Missing parameter：username', zh: '缺少参数：username', source: 's' }, description: { en: 'd：x', zh: '描述', source: 's' }, causes: { en: ['c：1'], zh: ['原因'], source: 's' }, actions: { en: ['a：1'], zh: ['步骤'], source: 's' } } };
    expect(codeText(withText, 'en')).toMatchObject({ message: 'Missing parameter:username', description: 'd:x', causes: ['c:1'], actions: ['a:1'] });
    expect(codeText(withText, 'zh').message).toBe('缺少参数：username');
  });

  it('falls back to the older fields by script, and never shows the other language', () => {
    for (const e of reg.codes.values()) {
      expect(CJK.test(codeMessage(e, 'en', e.code))).toBe(false);
      expect(CJK.test(codeMessage(e, 'zh', e.code))).toBe(true);
    }
    expect(codeMessage(undefined, 'en', 77777)).toBe('unregistered code 77777');
    expect(categoryName('social-login', 'en')).toMatch(/^[\x20-\x7e]+$/);
  });
});
