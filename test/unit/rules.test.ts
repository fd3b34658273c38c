import { describe, expect, it } from 'vitest';
import { Extractor } from '../../src/extract/index.js';
import { jsonCode, keyValueCode } from '../../src/extract/rules.js';
import { loadRegistry } from '../../src/registry/index.js';
import type { LogRecord } from '../../src/types.js';

const reg = loadRegistry();
const ex = new Extractor(reg);
const rec = (tag: string, message: string): LogRecord => ({ time: null, pid: 1, tid: 1, level: 'E', tag, message, format: 'threadtime', line: 7 });
const find = (tag: string, message: string, e: Extractor = ex) => {
  const ev = e.extract(rec(tag, message));
  return ev ? { code: ev.code, method: ev.method, detail: ev.detail } : null;
};

describe('signatures', () => {
  it('maps "Get public config failed" under tag Authing to 10002 with the message as detail', () => {
    expect(find('Authing', 'Get public config failed for appId: 6123 Msg:Network error')).toEqual({ code: 10002, method: 'signature', detail: 'Network error' });
  });
  it("maps a social handler's failure to the provider's code and keeps the provider's own code", () => {
    expect(find('Github', 'Auth Failed, onError errorCode = 1 errorMsg = access_denied')).toEqual({ code: 10018, method: 'signature', detail: '1' });
    expect(find('HuaWei', 'Auth Failed, onError errorCode = 2012 errorMsg = cancelled')).toEqual({ code: 10025, method: 'signature', detail: '2012' });
    expect(find('Alipay', 'Auth Failed, errorCode is: 4000,errorMessage is: 系统异常')).toEqual({ code: 10007, method: 'signature', detail: '4000' });
    expect(find('KuaiShou', 'Auth Canceled')?.code).toBe(10022);
    expect(find('QQ', 'Auth Failed, onCancel')?.code).toBe(10013);
    expect(find('Weibo', 'Auth Failed, errorMessage isauth faild!')?.code).toBe(10012);
    expect(find('Amazon', 'Auth Failed, errCode = UNKNOWN errMessageAuthorization failed')).toEqual({ code: 10028, method: 'signature', detail: 'UNKNOWN' });
    expect(find('DouYinCallBackActivity', 'Auth Failed: errorCode = -2 errorMsg = null')).toEqual({ code: 10017, method: 'signature', detail: '-2' });
    expect(find('OneClick', 'onGetTokenError:请求超时')?.code).toBe(10005);
  });
  it("passes Lark's own code through, as the SDK does", () => {
    expect(find('Lark', 'Auth Failed, errorCode is: -5,errorMessage is: 授权失败')).toEqual({ code: -5, method: 'signature', detail: '授权失败' });
  });
  it('ignores a social handler tag on any other line', () => {
    expect(find('QQ', 'login code=2004')).toBeNull();
    expect(find('Line', 'errorCode = 5')).toBeNull();
  });
});

describe('JSON body', () => {
  it('prefers code, then apiCode, then statusCode', () => {
    expect(jsonCode('{"statusCode":403,"apiCode":2333,"code":1}')?.code).toBe(1);
    expect(jsonCode('{"statusCode":403,"apiCode":2333}')?.code).toBe(2333);
    expect(jsonCode('{"statusCode":429,"message":"x"}')?.code).toBe(429);
  });
  it('accepts a numeric string and a body cut across lines', () => {
    expect(jsonCode('{"statusCode": 499, "apiCode": "2011"}')?.code).toBe(2011);
    expect(jsonCode('{"code":1703,')?.code).toBe(1703);
  });
  it('prefers the outer object over a nested one', () => {
    expect(jsonCode('{"data":{"code":5},"statusCode":400}')?.code).toBe(400);
  });
  it('takes the body code over the HTTP status of a "failed." line', () => {
    expect(find('Guardian', 'Guardian failed. 400 message:{"statusCode":403,"apiCode":2333}')).toEqual({ code: 2333, method: 'json', detail: 'apiCode' });
  });
  it('takes the HTTP status when the body has no code', () => {
    expect(find('Guard', 'getCaptcha failed. 502 message:<html><body>502 Bad Gateway</body></html>')).toEqual({ code: 502, method: 'signature', detail: 'getCaptcha failed' });
    expect(find('OIDCClient', '_getUserInfoByAccessToken failed. 401 message:{"error":"invalid_token"}')?.code).toBe(401);
  });
});

describe('key and value', () => {
  it('reads errCode, errorCode, apiCode, statusCode and code with =, :, is and is:', () => {
    expect(keyValueCode('loginDone: errCode = 2005 errMessage = x')?.code).toBe(2005);
    expect(keyValueCode('errorCode: 10001')?.code).toBe(10001);
    expect(keyValueCode('apiCode is 2333')?.code).toBe(2333);
    expect(keyValueCode('statusCode is: 400')?.code).toBe(400);
    expect(keyValueCode('callback code: 10009, message: x')?.code).toBe(10009);
    expect(keyValueCode('code=-5')?.code).toBe(-5);
  });
  it('does not read a one-time code sent to the user as an error code (it was stored as code 482913)', () => {
    expect(keyValueCode('sms sent, code=482913')).toBeNull();
    expect(keyValueCode('Authing verification code is 482913')).toBeNull();
    // an error code beside it is read; a five-digit one in an SMS message is an error code (10008: sent within 60 s)
    expect(keyValueCode('sms code=482913 failed, errCode = 2005')?.code).toBe(2005);
    expect(keyValueCode('send sms failed, code=10008')?.code).toBe(10008);
  });
  it('does not read hex ids, decimals or words that merely end in "code"', () => {
    expect(keyValueCode('auth?code=3f22e53a50ae&state=1')).toBeNull();
    expect(keyValueCode('keycode=4 down')).toBeNull();
    expect(keyValueCode('code=1.5')).toBeNull();
  });
  it('needs Authing context', () => {
    expect(find('LoginActivity', 'Authing login failed, code=10008 message=x')?.code).toBe(10008);
    expect(find('AuthRepository', 'cn.authing.guard callback code: 2921')?.code).toBe(2921);
    expect(find('MainActivity', 'onResult code:1641 message:Too many requests')).toBeNull();
  });
  it('counts app tags named with --tag', () => {
    const tagged = new Extractor(reg, { tags: ['MainActivity'] });
    expect(find('MainActivity', 'onResult code:1641 message:Too many requests', tagged)?.code).toBe(1641);
  });
});

describe('near misses yield nothing', () => {
  it.each([
    ['okhttp.OkHttpClient', '<-- 404 https://api.example.com/v1/user/267 (12ms) {"code":2004,"message":"not found"}'],
    ['ExoPlayerImplInternal', 'Playback error errorCode=2004'],
    ['MediaCodec', 'Service error code = 100'],
    ['FirebaseAuth', 'statusCode: 10001 message: network error'],
    ['HttpClient', 'response code=404 for https://cdn.example.com/1636/2004'],
    ['Authing', 'request https://567fbb.authing.cn/oidc/auth?code=3f22e53a50ae&state=8dae18'],
    ['Guard', 'no redirect found in public config. OIDC will fail'],
    ['AuthFlow', 'Guard not initialized. Call Authing.init(your authing appId) before using any Guard functionality'],
  ])('%s: %s', (tag, message) => {
    expect(find(tag, message)).toBeNull();
  });
});

describe('events', () => {
  it('carry the category, the record fields and a redacted excerpt', () => {
    const e = ex.extract({ ...rec('AuthRepository', 'cn.authing.guard callback code: 2004, user=alice@example.com access_token=abc.def'), time: '2026-03-17T16:13:52.330Z' })!;
    expect(e).toMatchObject({ code: 2004, category: 'account', method: 'key-value', tag: 'AuthRepository', line: 7, pid: 1, tid: 1, level: 'E', time: '2026-03-17T16:13:52.330Z' });
    expect(e.excerpt).toBe('cn.authing.guard callback code: 2004, user=[email] access_token=[redacted]');
  });
  it('count an unknown code as unregistered', () => {
    expect(ex.extract(rec('SocialLoginButton', 'loginDone: errCode = 77777'))?.category).toBe('unregistered');
  });
});
