/**
 * Redaction (issue 20 item 15): secrets of every kind, in every wrapper, at random positions of
 * real log messages, never survive; each case the adversarial pass found is pinned by name.
 */
import { describe, expect, it } from 'vitest';
import { redact, redactionWindow } from '../../src/extract/redact.js';
import { expectNoSecretLeft, wrappedSecret } from '../secrets.js';

describe('redaction keeps no part of a value', () => {
  it.each([
    ['password=p&ssw0rd_SECRET2 next', 'password=[redacted] next'],
    ['{"password":"correct horse battery","a":1}', '{"password":"[redacted]","a":1}'],
    ['Cookie: a=1; connect.sid=s%3Aabc.def', 'Cookie: [redacted]'],
    ['userToken_eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6ImNhcm9sQGV4YW1wbGUuY29tIn0.c2ln', 'userToken_[jwt]'],
    ['"credential":"eyJhbGciOiJIUzI1NiJ9.eyJlbWFp', '"credential":"[redacted]"'],
    ['app ABCDEF0123456789ABCDEF0123456789 ready', 'app [secret] ready'],
    ['Msg: token=abc password=xyz carol@example.com 13812345678', 'Msg: token=[redacted] password=[redacted] [email] [phone]'],
    ['{\\"password\\":\\"a b c\\"}', '{\\"password\\":\\"[redacted]\\"}'],
    ['Authorization: Bearer abcdefghijk', 'Authorization: [redacted]'],
    ['errCode = 10001 statusCode: 400', 'errCode = 10001 statusCode: 400'],
    // Found by the CLI property test: a header inside a JSON string, and a token with brackets.
    ['{"code": 2020, "message": "Authorization: Bearer 9TlS[%K50+^&*ks(m; Path=/"}', '{"code": 2020, "message": "Authorization: [redacted]'],
    ['login failed Bearer 9TlS[%K50+^&*ks(m next', 'login failed Bearer [redacted] next'],
    // Round twenty's review of secrets: Chinese keys after a word that keeps them keys, 为, 私钥, 「」 and 【】 quotes
    ['\u77ed\u4fe1\u9a8c\u8bc1\u7801\uff1a482913', '\u77ed\u4fe1\u9a8c\u8bc1\u7801\uff1a[redacted]'],
    ['\u65b0\u5bc6\u7801\uff1ahunter2NEWPW next', '\u65b0\u5bc6\u7801\uff1a[redacted] next'],
    ['\u5bc6\u7801\u4e3a\uff1aabc123', '\u5bc6\u7801\u4e3a\uff1a[redacted]'],
    ['\u79c1\u94a5: ABCDEF012', '\u79c1\u94a5: [redacted]'],
    ['\u5bc6\u7801\uff1a\u300chunter2CJKQ\u300d', '\u5bc6\u7801\uff1a\u300c[redacted]\u300d'],
    ['\u5bc6\u7801\uff1a\u3010hunter2CJKB\u3011', '\u5bc6\u7801\uff1a\u3010[redacted]\u3011'],
    ['\u91cd\u7f6e\u5bc6\u7801\uff1a2004', '\u91cd\u7f6e\u5bc6\u7801\uff1a2004'],
    // Round twenty's review of secrets: MFA and authorization codes, a URL's password
    ['{"totp":"654321","recoveryCode":"RECOV-ABCD-1234"}', '{"totp":"[redacted]","recoveryCode":"[redacted]"}'],
    ['mfaCode=112233 otpCode=445566', 'mfaCode=[redacted] otpCode=[redacted]'],
    ['alipay auth_code=ALIAUTHCODE77 authCode=X9', 'alipay auth_code=[redacted] authCode=[redacted]'],
    ['cb#code=FRAGCODE77&state=1', 'cb#code=[redacted]&state=1'],
    ['PHPSESSID=abc123def captcha=7Kx2', 'PHPSESSID=[redacted] captcha=[redacted]'],
    ['proxy http://admin:PROXYPW77@10.1.2.3:8080 down', 'proxy http://admin:[redacted]@10.1.2.3:8080 down'],
    ['ftp://u:pw@host/x', 'ftp://u:[redacted]@host/x'],
    // Round twenty: a one-time code in words (six digits after `code` where SMS, OTP or verification is said); a
    // five-digit Authing code there (10008: an SMS sent within 60 s) stays.
    ['sms sent, code=482913', 'sms sent, code=[redacted]'],
    ['Your verification code is 482913, valid 5 min', 'Your verification code is [redacted], valid 5 min'],
    ['\u77ed\u4fe1\u5df2\u53d1\u9001 code: 482913', '\u77ed\u4fe1\u5df2\u53d1\u9001 code: [redacted]'],
    ['OTP code 482913 sent', 'OTP code [redacted] sent'],
    ['send sms failed, code=10008', 'send sms failed, code=10008'],
    ['login failed, code=482913', 'login failed, code=482913'],
    // Round seventeen's review: a phone at a sentence's end or after a key's dot; a decimal or a version stays.
    ['SMS sent to 13812345678.', 'SMS sent to [phone].'],
    ['user.13812345678 x', 'user.[phone] x'],
    ['call +86 138 1234 5678.', 'call [phone].'],
    ['version 1.13812345678 and 13812345678.5', 'version 1.13812345678 and 13812345678.5'],
    // Separators written full-width, percent-encoded, as Gson's escapes or as an XML element.
    ['password：FwPass999 next', 'password：[redacted] next'],
    ['cb%3Frefresh_token%3DPctRef222 hint=dave%40example.com', 'cb%3Frefresh_token%3D[redacted] hint=[email]'],
    ['{"url":"cb?refresh_token\\u003dGsonRef111\\u0026x=1"}', '{"url":"cb?refresh_token\\u003d[redacted]\\u0026x=1"}'],
    ['token%3Dabc%26code%3D2004', 'token%3D[redacted]%26code%3D2004'],
    ['%22password%22%3A%22x7%22 next', '%22password%22%3A[redacted] next'],
    ['{\\u0022password\\u0022:\\u0022two words\\u0022}', '{\\u0022password\\u0022:\\u0022[redacted]\\u0022}'],
    ['\\u0027password\\u0027: x9 next', '\\u0027password\\u0027: [redacted] next'],
    ['\\u003cpassword\\u003ex8\\u003c/password\\u003e', '\\u003cpassword\\u003e[redacted]\\u003c/password\\u003e'],
    ['password：“SECRET WORD5” next', 'password：“[redacted]” next'],
    ['密码：x6 next', '密码：[redacted] next'],
    ['验证码: 482913', '验证码: [redacted]'],
    // and none of these is a key and its value (the second review's find: `>` was taken for a separator)
    ['onTokenRefresh->loginDone: errCode = 2333', 'onTokenRefresh->loginDone: errCode = 2333'],
    ['tokenCount > 0, session_id>=3, password >= 8 chars', 'tokenCount > 0, session_id>=3, password >= 8 chars'],
    ['<div class="token">Code 2004: x</div> 验证码错误', '<div class="token">Code 2004: x</div> 验证码错误'],
    // The fourth review's finds: Android's SharedPreferences and resources, Chinese punctuation, quoted keys, %20.
    ['<string name="refresh_token">Ab3kLm9xQ2pZ</string>', '<string name="refresh_token">[redacted]</string>'],
    ['登录失败，验证码：123456，错误码：2333，请重试', '登录失败，验证码：[redacted]，错误码：2333，请重试'],
    ['密码：hunter2。errCode=2333', '密码：[redacted]。errCode=2333'],
    ['{"密码":"hunter2"}', '{"密码":"[redacted]"}'],
    ['“password”：“hunter2” next', '“password”：“[redacted]” next'],
    ['%7B%22password%22%3A%20%22hunter2%22%7D', '%7B%22password%22%3A%20[redacted]%7D'],
    ['email=john.doe%2Btest%40gmail.com', 'email=[email]'],
    ['loginDone: Call<TokenResponse> failed, errCode = 2005', 'loginDone: Call<TokenResponse> failed, errCode = 2005'],
    ['<token> expired, code 2333', '<token> expired, code 2333'],
    // One-time codes of a sign-in under their keys (Authing's API sends an SMS code as passCode); an object value is no value.
    ['{"passCodePayload":{"phone":"13812345678","passCode":"123456"}}', '{"passCodePayload":{"phone":"[phone]","passCode":"[redacted]"}}'],
    ['smsCode=482913&phone=x verifyCode: 735104 otp=918273', 'smsCode=[redacted] verifyCode: [redacted] otp=[redacted]'],
    ['hotpatch=1 sendSmsCode failed code: 2001', 'hotpatch=1 sendSmsCode failed code: 2001'],
    // The fifth review's: a Chinese key inside a longer word is a label; full-width brackets and Chinese text end a value;
    // an escaped e-mail in an encoded URL is the address only.
    ['发送验证码：code=2005，message=验证码发送过于频繁', '发送验证码：code=2005，message=验证码发送过于频繁'],
    ['重置密码：2004 验证码错误', '重置密码：2004 验证码错误'],
    ['{"message":"验证码：123456已过期"}', '{"message":"验证码：[redacted]已过期"}'],
    ['令牌：null（code：2004）', '令牌：[redacted]（code：2004）'],
    ['return_to=https%3A%2F%2Fa.cn%2Fcb%3Ferror_code%3D2004%26login_hint%3Dzhang%40qq.com', 'return_to=https%3A%2F%2Fa.cn%2Fcb%3Ferror_code%3D2004%26login_hint%3D[email]'],
    ['{\\u0022password\\u0022:\\u0022UniPass333\\u0022}', '{\\u0022password\\u0022:\\u0022[redacted]\\u0022}'],
    ['user bob\\u0040example.com', 'user [email]'],
    ['<password>XmlPass666</password>', '<password>[redacted]</password>'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });

  it('leaves no secret of any kind, in any wrapper, at any position of a real message (fast-check)', () => {
    expectNoSecretLeft(wrappedSecret, { numRuns: 3000, seed: 20 });
  });
});

describe('redaction of hostile lines ends within a bound', () => {
  // A line of `a%40b.` repeated took 18-32 s to redact with the local part's `%` before an escaped `@` (the second
  // review's find), and a long run of local-part characters before an `@` grew with its square too; linear is a few ms.
  it.each([
    ['a%40b.', ''],
    ['a%40b.', '@x.com'],
    ['abc.', ' @x.com'],
    ['x_', '\\u0040y.com'],
    ['token%3D', ''],
    ['password\\u003d', ''],
    ['<token>', ''],
    ['\\u003ctoken\\u003e', ''],
    ['密码：', ''],
    ['%22token%22%3A%22', ''],
    ['<string name="token">', ''],
    ['“password”：', ''],
    ['"密码":"', ''],
  ])('%s repeated to 100 KB, then %s', (unit, tail) => {
    const line = unit.repeat(Math.floor(100_000 / unit.length)) + tail;
    const start = performance.now();
    redact(line);
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});

describe('a header before 100 KB of blanks', () => {
  // the quote after the colon was looked for again after each blank given back: 3-5 s (the fifth review's find)
  it.each([['Cookie:', '"'], ['Authorization:', "'"], ['Set-Cookie:', 'x']])('%s ... %s ends within a bound', (head, tail) => {
    const start = performance.now();
    expect(redact(head + ' '.repeat(99_990) + tail).startsWith(head)).toBe(true);
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});

describe('a context line', () => {
  it('redacts its tag on its own: a tag with a secret word is no key whose value begins the message', async () => {
    const { contextLine } = await import('../../src/pipeline/context.js');
    const rec = (tag: string, message: string) => ({ time: '2026-12-01T10:00:01.123Z', level: 'E' as const, tag, message, pid: 1, tid: 1, format: 'threadtime' as const, line: 1 });
    expect(contextLine(rec('TokenAuthenticator', 'errCode = 2005 errMessage = x'))).toBe('2026-12-01T10:00:01.123Z E/TokenAuthenticator: errCode = 2005 errMessage = x');
    expect(contextLine(rec('PasswordLoginButton', 'code: 2004, message: y'))).toBe('2026-12-01T10:00:01.123Z E/PasswordLoginButton: code: 2004, message: y');
    // and still redacts what the message holds, and a tag's own personal data
    expect(contextLine(rec('Auth13812345678', 'token=abc password: p4ss'))).toBe('2026-12-01T10:00:01.123Z E/Auth[phone]: token=[redacted] password: [redacted]');
  });
});

describe('the review of redaction gaps', () => {
  // Gap 1: a percent-encoded header kept its token after `%20` (the key rule took `Bearer` for the value); a
  // twice-encoded separator (`%253D`, a URL in a URL in a URL) was no separator.
  it.each([
    ['h=Authorization%3A%20Bearer%20opaqueTOKEN12345%26x%3D1', 'h=Authorization%3A%20[redacted]%26x%3D1'],
    ['h=Authorization%3A%20Bearer%20eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', 'h=Authorization%3A%20[redacted]'],
    ['x Authorization%3a%20Basic%20dXNlcjpwYXNzd29yZA%3D%3D next', 'x Authorization%3a%20[redacted] next'],
    ['Authorization%253A%2520Bearer%2520opaque12345%2526y', 'Authorization%253A%2520[redacted]%2526y'],
    ['hdr=Cookie%3A%20a%3D1%3B%20connect.sid%3Ds%253Aabc%26next%3D1', 'hdr=Cookie%3A%20[redacted]%26next%3D1'],
    ['x=auth%3DBearer%20opaque12345%26y%3D1', 'x=auth%3DBearer%20[redacted]%26y%3D1'],
    ['u=cb%3Faccess_token%253Dabc123def456%2526x%253D1', 'u=cb%3Faccess_token%253D[redacted]%2526x%253D1'],
    ['p=user%253Dbob%2526password%253Dhunter2', 'p=user%253Dbob%2526password%253D[redacted]'],
    ['https%3A%2F%2Fx.cn%2Fcb%3Faccess_token%3Dabc123def456%26state%3D1 code=2004', 'https%3A%2F%2Fx.cn%2Fcb%3Faccess_token%3D[redacted]%26state%3D1 code=2004'],
    // encodeURI's form: the quotes encoded, the separator left plain (`:`, `=`)
    ['q=%7B%22password%22:%22hunter2%22,%22code%22:2004%7D', 'q=%7B%22password%22:[redacted],%22code%22:2004%7D'],
    ['{%22access_token%22:%22opaque12345%22} code=2004', '{%22access_token%22:[redacted]} code=2004'],
    ['%2522refresh_token%2522=abc123def456&x=1', '%2522refresh_token%2522=[redacted]&x=1'],
    // and none of these is a header or a token
    ['a basic+setup failed, code=2004', 'a basic+setup failed, code=2004'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });

  // Gap 2: a JWT in standard base64 (`+`, `/`, `=` padding, or those percent-encoded) kept what followed the first of
  // them; a key's value where a JWT goes on (`password=eyJ…!REST`) kept the rest.
  it.each([
    ['tok eyJhbGci+OiJ/IUzI1NiJ9.eyJz/dWIi+OiIx==.c2ln+ZQ== end', 'tok [jwt] end'],
    ['tok eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0=.ab+c/d== end', 'tok [jwt] end'],
    ['tok eyJhbGci%2BOiJ%2FIUzI1NiJ9.eyJz%3D%3D.c2ln end', 'tok [jwt] end'],
    ['password=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx!REST next', 'password=[redacted] next'],
    ['{"password":"eyJabc.def!REST"}', '{"password":"[redacted]"}'],
    // a JWT alone under its key stays `[jwt]`
    ['token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx next', 'token=[jwt] next'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });
});

describe('resident ID numbers in groups, and old 15-digit ones under their key (the review of redaction gaps)', () => {
  it.each([
    ['身份证 110101 19900307 6632 校验失败', '身份证 [id-card] 校验失败'],
    ['id 1101 0519 4912 3100 2X end', 'id [id-card] end'],
    ['id 110101 1990 0307 6632 end', 'id [id-card] end'],
    ['id 110101-19900307-6632 end', 'id [id-card] end'],
    ['id 1101\u00a00519\u00a04912\u00a03100\u00a02x end', 'id [id-card] end'],
    ['身份证 110101900307663 end', '身份证 [id-card] end'],
    ['身份证号码：110101900307663，姓名：x', '身份证号码：[id-card]，姓名：x'],
    ['{"idCard":"110101900307663","code":2004}', '{"idCard":"[id-card]","code":2004}'],
    ['id_no=110101900307663&certNo=110101851231002', 'id_no=[id-card]&certNo=[id-card]'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });

  // the same strictness as the 18-digit rule: no birth date in its place, no key, or a time stamp, a pid, a tid, a
  // line number, hex or an Authing code is no ID number
  it.each([
    'order 110101900307663 created',
    'ts=1700000000000 pid 12345 tid 12346 line 15 code 1636 10001 2120008',
    'idCard=null at 1700000000000123',
    'idNo 110101901307663 (month 13)',
    'id 110101 19901307 663X (month 13)',
    'frames 1101 0119 9013 0766 3X',
    'hex 3f22e53a50ae11010119900307',
    'codes 110101 2005 1636 6631 10001',
    // in groups, a date in place but the check character wrong: numbers of another kind (a review's find: each was [id-card])
    'id 110101 19900307 663X (check character wrong)',
    'request-id 100234-20240105-0042',
    'sizes 262144 19900101 1234',
    'trace 1024 2019 2012 1234 56',
  ])('%s stays', (text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('phone numbers in the forms the review of redaction gaps found kept', () => {
  it.each([
    ['tel 0086 138 1234 5678 end', 'tel [phone] end'],
    ['tel +86-138-1234-5678 end', 'tel [phone] end'],
    ['tel (+86)13812345678 end', 'tel [phone] end'],
    ['tel \uff08+86\uff09138 1234 5678 end', 'tel [phone] end'],
    ['手机号 \uff11\uff13\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18 已绑定', '手机号 [phone] 已绑定'],
    ['手机号：\uff11\uff13\uff18\u3000\uff11\uff12\uff13\uff14\u3000\uff15\uff16\uff17\uff18', '手机号：[phone]'],
    ['tel 138\u00a01234\u00a05678 end', 'tel [phone] end'],
    ['tel +86\u00a0138\u00a01234\u00a05678 end', 'tel [phone] end'],
    ['tel +1\u00a0415\u00a0555\u00a02671 end', 'tel [phone] end'],
    // China Mobile's 10086 before a number is no country code; more digits, a decimal or a version are no phone
    ['call 10086 then 13812345678', 'call 10086 then [phone]'],
    ['0086 138 1234 56789 and 1.13812345678', '0086 138 1234 56789 and 1.13812345678'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });
});

describe('a number at the cut of a window (the review of redaction gaps)', () => {
  // A long message is cut to a window (4 × the excerpt's length) before it is redacted: cut at the blank inside
  // `138 1234 5678`, or inside `phone=13812345678` with no blank before, the half was no phone and showed 7 digits.
  const fill = (head: string, tail: string, to: number) => head + 'x'.repeat(to - head.length - tail.length) + tail;
  it.each([
    [fill('errCode = 2005 token=', ' call 138 1234', 958) + ' 5678 ' + 'y'.repeat(2000), 'errCode = 2005 token=[redacted] call …'],
    [fill('errCode=2005&data=eyJhbGciOiJIUzI1NiJ9.', '&phone=1381234', 960) + '5678&' + 'z'.repeat(2000), 'errCode=2005&data=[jwt]&phone=…'],
    [fill('errCode=2005&data=eyJhbGciOiJIUzI1NiJ9.', '&id=11010119900307663', 960) + 'X&' + 'z'.repeat(2000), 'errCode=2005&data=[jwt]&id=…'],
    // (its check character full-width: the second review)
    [fill('errCode=2005&data=eyJhbGciOiJIUzI1NiJ9.', '&id=11010119900307663', 960) + '\uff38&' + 'z'.repeat(2000), 'errCode=2005&data=[jwt]&id=…'],
    [fill('errCode = 2005 token=', ' tel +86 (138) 1234', 958) + ' 5678 ' + 'y'.repeat(2000), 'errCode = 2005 token=[redacted] tel …'],
    [fill('errCode = 2005 token=', ' tel \uff11\uff13\uff18 \uff11\uff12\uff13\uff14', 958) + ' \uff15\uff16\uff17\uff18 ' + 'y'.repeat(2000), 'errCode = 2005 token=[redacted] tel …'],
    // a number that ends at the cut stays whole
    [fill('errCode = 2005 token=', ' took 1234', 958) + ' ms ' + 'y'.repeat(2000), 'errCode = 2005 token=[redacted] took 1234…'],
  ])('excerpt %#', async (message, want) => {
    const { excerptOf } = await import('../../src/extract/index.js');
    expect(excerptOf(message, 240, false)).toBe(want);
  });

  it('a context line, and the window itself', async () => {
    const { contextLine } = await import('../../src/pipeline/context.js');
    const message = fill('refresh token=', ' user 139 8765', 1198) + ' 4321 ' + 'y'.repeat(2000);
    const line = contextLine({ time: '2026-12-01T10:00:01.123Z', level: 'D' as const, tag: 'OkHttp', message, pid: 1, tid: 1, format: 'threadtime' as const, line: 1 });
    expect(line).toBe('2026-12-01T10:00:01.123Z D/OkHttp: refresh token=[redacted] user ');
    expect(redactionWindow('abc 123 456 789 ' + 'q'.repeat(30), 12)).toBe('abc ');
    expect(redactionWindow('12345678901234', 5)).toBe('');
    expect(redactionWindow('code 2005 is ' + 'q'.repeat(30), 12)).toBe('code 2005');
  });

  // A run of digits and gaps longer than one number is several numbers: backed off to its start, the excerpt lost the
  // code and every number after it (`loginDone: errCode = …`); only the number at the cut (or a rule's across it) goes.
  it('a run of many numbers across the cut keeps the numbers before the one cut', async () => {
    const { excerptOf } = await import('../../src/extract/index.js');
    const dump = Array.from({ length: 400 }, (_, i) => String((i * 37) % 256)).join(' ');
    const excerpt = excerptOf('loginDone: errCode = 2005 ' + dump, 240, false);
    expect(excerpt.startsWith('loginDone: errCode = 2005 0 37 74 111 148 185 222 3 40 ')).toBe(true);
    expect(excerpt.length).toBe(241);
    const { contextLine } = await import('../../src/pipeline/context.js');
    const line = contextLine({ time: null, level: 'E' as const, tag: 'Guard', message: 'errCode = 1636 ' + dump, pid: 1, tid: 1, format: 'threadtime' as const, line: 1 });
    expect(line.startsWith('E/Guard: errCode = 1636 0 37 74 ')).toBe(true);
    // the numbers at the window's end (either side of the blank it was cut at) are left out, whole
    expect(redactionWindow('code 2005 ' + '12 '.repeat(20) + '345678 9', 42)).toBe('code 2005 ' + '12 '.repeat(9));
    // a phone or an ID number at the end of a long run, across the cut, is left out whole
    const ones = '1 '.repeat(30);
    // (and the fourth review of redaction gaps' forms)
    // (and the fifth review's: cards, grouped international numbers, NANP numbers in dashes)
    for (const num of ['138 1234 5678', '+86 138-1234-5678', '1101 0519 4912 3100 2X', '110101 19900307 6632', '+33 (0)1 23 45 67 89', '(415) 555-2671', '(  138  ) 1234 5678', '4111 1111 1111 1111', '6222 0212 3456 7890 128', '+91 98765 43210', '+31 (0)6 1234 5678', '415-555-2671', '(415)5552671']) {
      for (let at = ones.length + 1; at < ones.length + num.length; at++) {
        const w = redactionWindow(ones + num + ' tail ' + 'q'.repeat(40), at);
        expect(w.startsWith(ones.slice(0, 50)), `${num} cut at ${at}: ${w}`).toBe(true);
        expect(w.length <= ones.length, `${num} cut at ${at}: ${w}`).toBe(true);
      }
    }
  });
});

describe('the second review of redaction gaps', () => {
  // each of these was stored as it stands
  it.each([
    // a full-width check character (U+FF38, U+FF58)
    ['\u8eab\u4efd\u8bc1 11010119900307663\uff38', '\u8eab\u4efd\u8bc1 [id-card]'],
    ['\u8eab\u4efd\u8bc1 11010119900307663\uff58 end', '\u8eab\u4efd\u8bc1 [id-card] end'],
    // full-width digits, in one run (whatever its check character, as 18 ASCII digits in a run) or in groups (their check
    // characters right: 110101 19900307 6616 and 6624, 110105 19491231 002X), blanks also full-width (U+3000); an old
    // 15-digit one under its key too
    ['id \uff11\uff11\uff10\uff11\uff10\uff11\uff11\uff19\uff19\uff10\uff10\uff13\uff10\uff17\uff16\uff16\uff13\uff38 end', 'id [id-card] end'],
    ['id \uff11\uff11\uff10\uff11\uff10\uff11\uff11\uff19\uff19\uff10\uff10\uff13\uff10\uff17\uff16\uff16\uff11\uff16 end', 'id [id-card] end'],
    ['id \uff11\uff11\uff10\uff11\uff10\uff15 \uff11\uff19\uff14\uff19\uff11\uff12\uff13\uff11 \uff10\uff10\uff12\uff38 end', 'id [id-card] end'],
    ['id \uff11\uff11\uff10\uff11\uff10\uff11\u3000\uff11\uff19\uff19\uff10\uff10\uff13\uff10\uff17\u3000\uff16\uff16\uff12\uff14 end', 'id [id-card] end'],
    ['id \uff11\uff11\uff10\uff11 \uff10\uff11\uff11\uff19 \uff19\uff10\uff10\uff13 \uff10\uff17\uff16\uff16 \uff11\uff16 end', 'id [id-card] end'],
    ['\u8eab\u4efd\u8bc1\uff1a\uff11\uff11\uff10\uff11\uff10\uff11\uff19\uff10\uff10\uff13\uff10\uff17\uff16\uff16\uff13 end', '\u8eab\u4efd\u8bc1\uff1a[id-card] end'],
    // a mobile number with its first group in brackets, ASCII or full-width, also after a country code
    ['tel (138) 1234-5678 end', 'tel [phone] end'],
    ['\uff08138\uff091234 5678 end', '[phone] end'],
    ['tel (138)12345678', 'tel [phone]'],
    ['tel +86 (138) 1234 5678 end', 'tel [phone] end'],
    ['\u624b\u673a\uff1a\uff08\uff11\uff13\uff18\uff09\uff11\uff12\uff13\uff14\u3000\uff15\uff16\uff17\uff18', '\u624b\u673a\uff1a[phone]'],
    // raw quotes around a key and its value with the separator percent-encoded
    ['"password"%3A"x"', '"password"%3A"[redacted]"'],
    ['"password"%3D"x" next', '"password"%3D"[redacted]" next'],
    ["'token'%3A'x'", "'token'%3A'[redacted]'"],
    ['{"access_token"%3A"two words","code"%3A2004}', '{"access_token"%3A"[redacted]","code"%3A2004}'],
    ['"password"%3Ahunter2%26code%3D2004', '"password"%3A[redacted]%26code%3D2004'],
    ['"password"%253A"cut', '"password"%253A"[redacted]"'],
    // and Gson's, full-width or encoded single quotes there (found with the above: `“x y”` kept ` y”`)
    ['\\u0027token\\u0027\\u003d\\u0027two words\\u0027 next', '\\u0027token\\u0027\\u003d\\u0027[redacted]\\u0027 next'],
    ['"password"%3A\u201ctwo words\u201d next', '"password"%3A\u201c[redacted]\u201d next'],
    ['\u201cpassword\u201d%3D\u201cx\u201d', '\u201cpassword\u201d%3D\u201c[redacted]\u201d'],
    ['%27token%27%3A%27two%20words%27%2C%27code%27%3A2004', '%27token%27%3A[redacted]%2C%27code%27%3A2004'],
    ['\\"password\\"%3A\\"x y\\" next', '\\"password\\"%3A\\"[redacted]\\" next'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });

  // none of these is an ID number, a phone or a key's value
  it.each([
    'loginDone: errCode = 2005 code: 1636 HTTP 401 statusCode: 500',
    '03-17 16:13:46.187  4672  4689 E Auth: took 1234 ms, 262144 bytes, v1.2.3',
    'request-id 100234-20240105-0042 ip 138.1234.5678',
    // full-width groups with a date in place but the check character wrong, as the ASCII ones stay
    'id \uff11\uff11\uff10\uff11\uff10\uff11 \uff11\uff19\uff19\uff10\uff10\uff13\uff10\uff17 \uff16\uff16\uff13\uff38 end',
    'sizes \uff12\uff16\uff12\uff11\uff14\uff14 \uff11\uff19\uff19\uff10\uff10\uff11\uff10\uff11 \uff11\uff12\uff13\uff14',
    // a bracketed group of three then too few or too many digits, or a decimal after
    'f(138) 1234 567 end',
    'f(138) 1234 56789 end',
    'tel (138) 1234 5678.5',
    '(2005) 1234 5678',
    // an encoded separator after a quoted word that names no secret
    '"code"%3A"2004" "message"%3D"x"',
    // (the third review's: what looks like its new forms but is no phone nor a secret's value)
    'code: 2004, "code"%3A"2004", "code" %3A "2004", %27code%27:2004, %22code%22 : 2004',
    'HTTP/1.1 401 Unauthorized status=500 (415 ms) took 415 ms, +415 ms',
    '12-31 23:59:59.123  4672  4689 E Auth: pid=4672 tid=4689 v1.2.3 +1.2.3',
    '[1] (415) 555 x, size (415) 5552671 bytes, +1 (415) 555 end',
    'request-id 4150-5552-6710 trace +1 (415) 555-26710 +1 (415) 555-2671.5',
    'f( 138 ) 1234 567 end, ( 138 ) 1234 56789, ( 128 ) 1234 5678',
    'retry in (+86) ms, +86 1.2.3, \uff08\uff0b\uff18\uff16\uff09 ok',
    // (its leftovers': a trunk `(0)` or a blank in the country code's brackets before what is no number)
    'offset +4 (0) 20 ms, +44 (0)20 79 end, ( +86 ) ms, ( +86 ) 138 1234 567 end, +44 (0)20 7946 0958.5',
  ])('%s stays', (text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('the third review of redaction gaps', () => {
  // each of these kept its number whole or in part, or its secret's value
  it.each([
    // an international number with its area code in brackets (NANP's `(415)`, the UK's `(20)`)
    ['+1 (415) 555-2671', '[phone]'],
    ['tel +1 (415) 555-2671 end', 'tel [phone] end'],
    ['tel +44 (20) 7946 0958 end', 'tel [phone] end'],
    ['tel +1 415-555-2671, +1 (415)555-2671.', 'tel [phone], [phone].'],
    // a mobile number's first group with blanks inside its brackets, ASCII or full-width
    ['tel ( 138 ) 1234 5678', 'tel [phone]'],
    ['tel \uff08 138 \uff09 1234-5678 end', 'tel [phone] end'],
    ['\u624b\u673a\uff1a\uff08\u3000\uff11\uff13\uff18\u3000\uff09\uff11\uff12\uff13\uff14\u3000\uff15\uff16\uff17\uff18', '\u624b\u673a\uff1a[phone]'],
    // blanks around a percent-encoded separator after a quoted secret key: as `"password"%3A"x"`
    ['"password" %3A "x"', '"password" %3A "[redacted]"'],
    ['"password" %3A"two words" next', '"password" %3A"[redacted]" next'],
    ["'token'%3D 'x' next", "'token'%3D '[redacted]' next"],
    ['%22password%22 %3A %22hunter2%22%7D', '%22password%22 %3A [redacted]%7D'],
    // encoded single quotes around a secret key, then a raw separator (as encoded double quotes already were)
    ['%27token%27:x', '%27token%27:[redacted]'],
    ['{%27access_token%27:%27opaque12345%27,%27code%27:2004}', '{%27access_token%27:[redacted],%27code%27:2004}'],
    ['%2527password%2527=hunter2&x=1', '%2527password%2527=[redacted]&x=1'],
    // a country code written full-width, in brackets or not, is inside the redaction as an ASCII one is
    ['\uff08\uff0b\uff18\uff16\uff0913812345678', '[phone]'],
    ['(+86) 13812345678', '[phone]'],
    ['tel (\uff0b\uff18\uff16) 138 1234 5678 end', 'tel [phone] end'],
    ['tel \uff0b\uff18\uff16 13812345678 end', 'tel [phone] end'],
    ['tel \uff10\uff10\uff18\uff16 \uff11\uff13\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18 end', 'tel [phone] end'],
    // (its leftovers) a trunk `(0)` after the country code, as European numbers are written
    ['tel +44 (0)20 7946 0958 end', 'tel [phone] end'],
    ['tel +44 (0) 20 7946 0958, +49 (0)30 1234567.', 'tel [phone], [phone].'],
    // a blank inside the country code's brackets, as inside the first group's
    ['( +86 ) 138 1234 5678', '[phone]'],
    ['tel \uff08 \uff0b\uff18\uff16 \uff09\uff11\uff13\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18 end', 'tel [phone] end'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });
});

describe('the fourth review of redaction gaps', () => {
  // each of these was stored as it stands
  it.each([
    // a French number: country code, trunk `(0)`, a one-digit area and pairs (`+44 (0)20 7946 0958` was [phone] already)
    ['+33 (0)1 23 45 67 89', '[phone]'],
    ['tel +33 (0)1 23 45 67 89 end', 'tel [phone] end'],
    ['tel +33 1 23 45 67 89, +33 (0) 6 12 34 56 78.', 'tel [phone], [phone].'],
    ['tel +33-1-23-45-67-89 end', 'tel [phone] end'],
    // a NANP number with its area code in brackets and no `+`
    ['call (415) 555-2671 now', 'call [phone] now'],
    ['call (415) 555 2671 now', 'call [phone] now'],
    ['phone=(415)555-2671', 'phone=[phone]'],
    ['{"phone":"(415) 555-2671"} at (212)555 0187.', '{"phone":"[phone]"} at [phone].'],
    // several blanks inside a mobile number's first group's brackets (one was [phone] already), or the country code's
    ['tel (  138  ) 1234 5678', 'tel [phone]'],
    ['tel \uff08  138  \uff09 1234-5678 end', 'tel [phone] end'],
    ['tel \uff08\u3000\u3000\uff11\uff13\uff18\u3000\u3000\uff09\uff11\uff12\uff13\uff14\u3000\uff15\uff16\uff17\uff18', 'tel [phone]'],
    ['tel (  +86  ) 138 1234 5678 end', 'tel [phone] end'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });

  // (its hunt) a JWT whose parts a `\n` escape sets apart (Base64.DEFAULT ends each part with a line break) kept its signature,
  // and an e-mail under a punycode top-level domain kept that domain
  it.each([
    ['jwt eyJhbGciOiJIUzI1NiJ9\\n.eyJzdWIiOiIxIn0\\n.c2lnbmF0dXJl end', 'jwt [jwt] end'],
    ['{"id_token":"x"} jwt: eyJhbGciOiJIUzI1NiJ9.\\neyJzdWIiOiIxIn0.\\nc2lnbmF0dXJl end', '{"id_token":"[redacted]"} jwt: [jwt] end'],
    ['jwt eyJhbGciOiJIUzI1NiJ9\\r\\n.eyJzdWIiOiIxIn0\\r\\n.c2lnbmF0dXJl\\n end', 'jwt [jwt]\\n end'],
    ['{\\"msg\\":\\"eyJhbGciOiJIUzI1NiJ9\\\\n.eyJzdWIiOiIxIn0\\\\n.c2lnbmF0dXJl\\"}', '{\\"msg\\":\\"[jwt]\\"}'],
    // (a line break after a whole JWT, and the text after it, stay)
    ['at eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln\\nat com.x.Y', 'at [jwt]\\nat com.x.Y'],
    ['user bob@xn--fsqu00a.xn--fiqs8s failed', 'user [email] failed'],
    ['user bob\\u0040mail.xn--55qx5d.cn, li%40abc.xn--fiqs8s', 'user [email], [email]'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });

  // what looks like these new forms but is no phone
  it.each([
    'loginDone: errCode = 2005 (2004) code: 2004 HTTP 401 (500) statusCode: 503',
    '12-31 23:59:59.123 ( 1234) ( 1235) E Auth: took (415 ms), (415) ms, size (415) 5552671 bytes',
    '[1] (415) 555 x, (415) 555-26710, (415) 555-2671.5, 1(415) 555-2671, x(415) 555-2671, (415) 555-2671x',
    '(415) 055-2671 (015) 555-2671 (415)  555-2671 (4155) 555-2671 (415) 555--2671',
    'v1.2.3 (123) 456 7890 ab, request-id 0x7f3a(415)555 2671x, at 0x7fa1b2c3d4 (415) 555',
    '+33 (0)1 23 45 67 8, +33 (0)1 23 45 67 890, +33 (0)1 23 45 67 89.5, +1 2 3 45 67 89, offset +3 1 23 45 67, v+3 1 23 45 67 89',
    '(  138  ) 1234 567 end, (  138  ) 1234 56789, (  128  ) 1234 5678, (  2004  ) 1234 5678',
    // a line break, a dot and too little of a JWT
    'at x\\n.eyJ end, eyJ\\n.abc',
  ])('%s stays', (text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('the fifth review of redaction gaps', () => {
  // each of these was stored as it stands, or in part
  it.each([
    // a payment card's number, in one run or in groups, when a network's prefix and length and the Luhn check say so
    ['pay card 4111 1111 1111 1111 declined', 'pay card [card] declined'],
    ['card=4111-1111-1111-1111&code=2004', 'card=[card]&code=2004'],
    ['unionpay 6222021234567890128 bound, 6222 0212 3456 7890 128.', 'unionpay [card] bound, [card].'],
    ['amex 3782 822463 10005, mc 5555555555554444, {"cardNo":"2221000000000009"}', 'amex [card], mc [card], {"cardNo":"[card]"}'],
    ['jcb 3530111333300000 discover 6011-1111-1111-1117 end', 'jcb [card] discover [card] end'],
    // an e-mail address with letters of another script in its local part or domain
    ['user josé@exämple.de failed', 'user [email] failed'],
    ['\u7528\u6237@\u4f8b\u5b50.\u516c\u53f8 \u767b\u5f55\u5931\u8d25', '[email] \u767b\u5f55\u5931\u8d25'],
    ['user müller@gmx.de, li@mail.exämple.de, иван@пример.рф end', 'user [email], [email], [email] end'],
    // (Chinese text around an address stays where the address is ASCII; an address of Chinese letters takes what runs on)
    ['\u53d1\u9001\u81f3li@qq.com\u5931\u8d25\uff0c\u7528\u6237@qq.com\u5df2\u7ed1\u5b9a', '\u53d1\u9001\u81f3[email]\u5931\u8d25\uff0c[email]\u5df2\u7ed1\u5b9a'],
    // an international number in groups (Spain, the Netherlands, India, Russia, Australia, Brazil), a NANP number with
    // no blank after its bracket or in dashes
    ['tel +34 91 123 45 67, +34-612-34-56-78 end', 'tel [phone], [phone] end'],
    ['tel +31 6 12345678, +31 6 1234 5678, +31 (0)6 1234 5678 end', 'tel [phone], [phone], [phone] end'],
    ['tel +91 98765 43210, +91-98765-43210.', 'tel [phone], [phone].'],
    ['tel +7 912 345-67-89 +61 4 1234 5678 +55 11 91234-5678 end', 'tel [phone] [phone] [phone] end'],
    ['phone=(415)5552671&code=2004', 'phone=[phone]&code=2004'],
    ['call 415-555-2671 or 1-212-555-0187 now', 'call [phone] or [phone] now'],
    // a device's or WeChat's identifier under its key
    ['openid=oUpF8uMuAJO_M2pxb1Q9zNjWeS6o code=2004', 'openid=[redacted] code=2004'],
    ['{"openid":"oUpF8u","unionid":"o6_bmasd","code":2004}', '{"openid":"[redacted]","unionid":"[redacted]","code":2004}'],
    ['deviceId: R58M12ABCDE, device_id=emulator-5554 x-device-id: abc', 'deviceId: [redacted], device_id=[redacted] x-device-id: [redacted]'],
    ['imei=356938035643809 androidId=9774d56d682e549c android_id: 9774d56d682e549c', 'imei=[redacted] androidId=[redacted] android_id: [redacted]'],
    ['idfa: 6D92078A-8246-4BA4-AE5B-76104861E7DC oaid=0b8a9c2e-1f3d wxOpenId=oAbc', 'idfa: [redacted] oaid=[redacted] wxOpenId=[redacted]'],
    ['{\\"open_id\\":\\"oAbc 1\\"} <string name="android_id">9774d56d682e549c</string>', '{\\"open_id\\":\\"[redacted]\\"} <string name="android_id">[redacted]</string>'],
    ['cb%3Fdevice_id%3Dabc123%26x%3D1', 'cb%3Fdevice_id%3D[redacted]%26x%3D1'],
    // a colon after Bearer, in free text (the header rule had `Authorization: Bearer: x` already)
    ['hdr Bearer: opaqueTOKEN12345, code=2004', 'hdr Bearer: [redacted], code=2004'],
    ['auth=Bearer:xyz next, {"h":"Bearer : abc"}', 'auth=Bearer:[redacted] next, {"h":"Bearer : [redacted]"}'],
    ['headers={Authorization=Bearer: xyzTOK2, X=1} Bearer%3A%20opaqueTOKEN12345', 'headers={Authorization=[redacted], X=1} Bearer%3A%20[redacted]'],
  ])('%s', (text, want) => {
    expect(redact(text)).toBe(want);
  });

  // what looks like these but is none: an Authing code, a logcat time stamp, pids, an epoch in ms (1700000000004 passes
  // the Luhn check) or µs, a version, a card's number whose check fails, a prefix or length no network has, hex, a key
  // that names something else
  it.each([
    '12-31 23:59:59.123  4672  4689 E Auth: code: 2004 errCode = 10001 v1.2.3 at 1700000000004 (1700000000000007 us)',
    'card 4111 1111 1111 1112, 4111-1111 1111-1111, 7111111111111111111, 3782822463100051, 41111111111111111, v4111111111111111',
    'order 1234 4111 1111 1111 1111, trace 9111111111111111, 4111111111111111.5, 0x4111111111111111',
    '+1 2 3 45 67 89, +1 (415) 555-26710, +33 (0)1 23 45 67 890, +0 12 34 56 78, +21 12 34, offset +3 1 23 45 67',
    '+91 98 765 43, +34 91 123 45 6, +31 6 1234 567 end, +7 912 345-67-8, 1.2.3 + 4 5678 1234',
    'size (415) 5552671 bytes, (123)4567890, (415)5552671x, 415-555-26710, 4150-555-2671, 415-055-2671, 12-31-2026, v415-555-2671',
    'GET /.well-known/openid-configuration: 404, deviceIdle=true, device_id_type: imei, scope=openid profile, android: 14',
    // (Android's input events print the input device's index under deviceId, on every touch: the corpus's only change)
    'MotionEvent { action=ACTION_DOWN, deviceId=3, source=0x1002 }, KeyEvent { deviceId=-1 }',
    'mail li@example, a@b, @\u4f8b\u5b50, x@.de, Bearer token expired',
  ])('%s stays', (text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('the new patterns on a 1 MiB line of repeats end within a bound', () => {
  it.each([
    ['Authorization%3A%20', ''],
    ['Cookie%253A', '"'],
    ['Bearer%20', ''],
    ['Bearer+', 'x'],
    ['basic%2520', ''],
    ['eyJ+', ''],
    ['eyJ%2B', '.'],
    ['eyJa=.', ''],
    ['password=eyJabc!', ''],
    ['access_token%253D', ''],
    ['%22token%22:', ''],
    ['%2522password%2522=%22', 'x'],
    ['%2522token%2522%253A%2522', ''],
    ['110101 ', ''],
    ['1101 0119 ', '9'],
    ['身份证 1101019', ''],
    ['idCard ', '110101900307663'],
    ['0086 138 ', ''],
    ['(+86)1', ''],
    ['\uff11\uff13\uff18\u00a0', ''],
    ['+86\u00a0', '1'],
    // (the second review's patterns)
    ['\uff11\uff11\uff10\uff11\uff10\uff11 ', ''],
    ['\uff11\uff11\uff10\uff11\uff10\uff11\uff11\uff19\uff19\uff10\uff10\uff13\uff10\uff17\uff16\uff16\uff13', '\uff38'],
    ['1101011990030766\uff38', ''],
    ['\u8eab\u4efd\u8bc1 \uff11\uff11\uff10\uff11\uff10\uff11\uff19', ''],
    ['(138) 1234 ', ''],
    ['\uff08\uff11\uff13\uff18\uff09', '1'],
    ['+86 (', ''],
    ['"password"%3A"', ''],
    ["'token'%253D'", 'x'],
    ['"token"%3A', ''],
    ['%27token%27%3A%27', ''],
    ['\\u0027pwd\\u0027\\u003a\\u0027', 'x'],
    ['"password"%3A\u201c', ''],
    // (the third review's patterns)
    ['+1 (', ''],
    ['+1 (415) ', '5'],
    ['+44 (20', ')'],
    ['( ', '1'],
    ['( 138 ', ''],
    ['\uff08\u3000\uff11\uff13\uff18\u3000', ''],
    ['"password" %3A ', ''],
    ['"token" ', '%3D'],
    ['%22pwd%22 %3A %22', ''],
    ['%27token%27:', ''],
    ['%27token%27', ':'],
    ['%2527secret%2527=', 'x'],
    ['\uff08\uff0b\uff18\uff16\uff09', ''],
    ['\uff0b\uff18\uff16 ', '1'],
    ['+44 (0)', '2'],
    ['( +86 ) ', '1'],
    // (the fourth review of redaction gaps' patterns)
    ['+33 (0)1 23 ', '4'],
    ['+33 1 23 45 ', '6'],
    ['(415) 555-', '2'],
    ['(415)', '555 '],
    ['(  ', '138'],
    ['(  138  ', ''],
    ['\uff08\u3000\u3000', '\uff11'],
    ['(  +86  ', ')'],
    ['eyJabc\\n.', ''],
    ['eyJabc.\\r\\n', 'x'],
    ['a@xn--', 'b'],
    ['a%40b.xn--', ''],
    // (the fifth review of redaction gaps' patterns: digits and blanks, cards, e-mails of any script, phones, keys)
    ['1234567890', ''],
    ['4111 ', ''],
    ['4111-1111-', '1'],
    ['3782 822463 ', '1'],
    ['a@', ''],
    ['\u00e9@', '\u00e4.'],
    ['\u7528\u6237@\u4f8b\u5b50.', ''],
    ['jos\u00e9.', '@x'],
    ['m\u00fc', 'ller@gmx.de'],
    ['+34 91 ', '1'],
    ['+91-98765-', ''],
    ['+7 (', '9'],
    ['(415)', '5552671'],
    ['415-555-', ''],
    ['Bearer: ', ''],
    ['Bearer ', ':'],
    ['openid=', ''],
    ['deviceId ', ':'],
    ['"imei"%3A"', ''],
  ])('%s repeated to 1 MiB, then %s', (unit, tail) => {
    const line = unit.repeat(Math.floor(2 ** 20 / unit.length)) + tail;
    const start = performance.now();
    redact(line);
    expect(performance.now() - start).toBeLessThan(3_000);
  });
});

describe('a secret key before 1 MiB of blanks ends within a bound (the third review)', () => {
  // blanks may stand before an encoded separator, or a plain one after an encoded quote: looked back over from each blank
  // given back, `%27token%27`, 1 MiB of blanks and `x` took 199 s
  it.each([
    ['%27token%27', 'x'],
    ['%2527token%2527', ':'],
    ['%22pwd%22', '%3'],
    ['"password"', 'x'],
    ['"password" %3A', '"'],
    ['%27token%27:', '%27'],
  ])('%s ... %s', (head, tail) => {
    const start = performance.now();
    expect(redact(head + ' '.repeat(2 ** 20) + tail).startsWith(head)).toBe(true);
    expect(performance.now() - start).toBeLessThan(3_000);
  });
});

describe('the window of a 1 MiB message of digits and gaps ends within a bound', () => {
  it.each(['1 ', '1-', '\uff11\u00a0', '12'])('%s repeated', (unit) => {
    const message = unit.repeat(2 ** 19);
    const start = performance.now();
    redactionWindow(message, 960);
    redactionWindow(message, 2 ** 20 - 1);
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});
