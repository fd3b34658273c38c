/**
 * Redaction of secrets and personal data in every field of an event that is stored or shown
 * (excerpt, detail, tag). A value is redacted whole: a quoted one to its closing quote, an unquoted
 * one to the next separator, a header's value to the end of the line, a JWT wherever it stands.
 * The texts are short (an excerpt window is 960 characters), so each rule runs in bounded time.
 */

/** Each rule runs only when its cheap test passes on the text (or its lower-case copy). */
type Rule = [test: (text: string, lower: string) => boolean, re: RegExp, replacement: string | ((...m: string[]) => string)];

/** Names of keys whose value is a secret: any key containing one of these (accessToken, x-api-key, connect.sid). */
// (and the one-time codes of a sign-in: Authing's API sends an SMS code as `passCode`; `smsCode`, `verifyCode`, `otp`)
// (and an OAuth or Alipay authorization code, Authing's TOTP (`totp`), MFA and recovery codes, a captcha's answer, a PIN, PHP's session)
const SECRET_KEY = String.raw`(?:token|passw(?:or)?d|passcode|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|credential|authorization|cookie|session[_-]?id|sessionid|\bsid|ticket|verifier|sms[_-]?code|verif(?:y|ication)[_-]?code|\botp\b|totp|otp[_-]?code|mfa[_-]?code|recovery[_-]?code|auth[_-]?code|captcha|pin[_-]?code|phpsessid)`;
const SECRET_KEY_IN = new RegExp(SECRET_KEY, 'i');
/**
 * Names of keys whose value identifies a person's device or WeChat account (`openid`, `unionid`, `deviceId`, `imei`,
 * `androidId`, `idfa`, `oaid`): personal data, no secret, but hidden as a secret key's value is, in the same wrappers.
 * Not in SECRET_KEY, which isSecretKey also answers for labels: a label is the user's own (`--label device_id=…`, to
 * group sources by it), where a password never is.
 * A key's name ends with one of these (`wxOpenId`, `x-device-id`, `imei1`): `openid-configuration`, `deviceIdle` and
 * `device_id_type` name something else.
 */
const PERSONAL_KEY = String.raw`(?:(?:open|union|device|android)[_-]?id|(?<![a-z])(?:imei|idfa|oaid))(?![a-z]|[_-][a-z])`;
/** The keys whose value is redacted whole: secret or personal. The rules of keys run only on a text that holds one's name. */
const VALUE_KEY = `(?:${SECRET_KEY}|${PERSONAL_KEY})`;
const VALUE_KEY_IN = new RegExp(VALUE_KEY, 'i');

/**
 * Whether a key's value is a small number under a personal key (no secret's): Android's input events print the index of
 * the input device as `deviceId=3` (`deviceId=-1`: none), on every touch; no device or person is known by one.
 */
function smallNumberUnderPersonalKey(word: string, value: string): boolean {
  return /^-?\d{1,4}$/.test(value) && !SECRET_KEY_IN.test(word);
}

/** Whether a key's name says its value is a secret (a label `password`, `api_token`, `pin_code`). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_IN.test(key);
}
/**
 * A whole word (`[\w.-]+`) holding a secret or personal key's name, taken at once (a lookahead and a back-reference: an atomic
 * group), so that a line of `token` repeated cannot make the engine try every split of it. It is group 2 of the
 * patterns it is put in.
 */
const SECRET_WORD = String.raw`(?<![\w.-])(?=[\w.-]*?${VALUE_KEY})(?=([\w.-]+))\2`;

/**
 * Between a key and its value: `:` or `=`, or their full-width forms (Chinese text: `password：…`). Non-ASCII
 * characters as escapes: see the header rule's note. Escaped and encoded separators are the next rules'.
 */
const KEY_SEPARATOR = String.raw`[:=\uff1a\uff1d]`;
/** `:` or `=` escaped as Gson writes them (`\u003a`, `\u003d`) or percent-encoded, once or more (`%3A`, `%253D`). */
const ENCODED_SEPARATOR = String.raw`(?:\\u003[da]|%(?:25)*3[da])`;

/** Chinese names of secret keys (密码, 口令, 令牌, 密钥, 秘钥) and of an SMS code (验证码), as escapes. */
const CJK_SECRET_KEY = String.raw`(?:\u5bc6\u7801|\u53e3\u4ee4|\u4ee4\u724c|\u5bc6\u94a5|\u79d8\u94a5|\u79c1\u94a5|\u9a8c\u8bc1\u7801)`;
/**
 * Words before a Chinese key that keep it a key (短信验证码, 手机验证码, 新密码, 旧密码, 原密码, 用户密码, 登录密码, 动态口令, 访问令牌,
 * 确认密码, 邮箱验证码, 图形验证码, 支付密码), as escapes; any other (发送验证码：code=2005, 重置密码：2004) makes it a label.
 */
const CJK_KEY_PREFIX = String.raw`(?:\u77ed\u4fe1|\u624b\u673a|\u65b0|\u65e7|\u539f|\u7528\u6237|\u767b\u5f55|\u52a8\u6001|\u8bbf\u95ee|\u786e\u8ba4|\u90ae\u7bb1|\u56fe\u5f62|\u652f\u4ed8)`;
const CJK_SECRET_HINT = new RegExp(CJK_SECRET_KEY);

/** A bare value: to the next blank or separator (`&` and `%` are part of it). */
// (and at Chinese text's full-width comma, full stop, semicolon, enumeration comma, brackets, ! and ?:
// 验证码：123456，错误码：2333 and 令牌：null（code：2004）)
const BARE_CHAR = String.raw`[^\s,;"'}<>\uff0c\u3002\uff1b\u3001\uff08\uff09\uff01\uff1f\u3010\u3011\u300c\u300d]`;
const BARE = `${BARE_CHAR}+`;
// (also quoted as Gson writes a quote, `\u0022` and `\u0027`, and in full-width quotes, U+201C and U+201D)
const QUOTED = String.raw`\\"(?:(?!\\").)*(?:\\"|$)|\\'(?:(?!\\').)*(?:\\'|$)|\\u0022(?:(?!\\u0022).)*(?:\\u0022|$)|\\u0027(?:(?!\\u0027).)*(?:\\u0027|$)|\u201c[^\u201d]*(?:\u201d|$)|\u300c[^\u300d]*(?:\u300d|$)|\u3010[^\u3011]*(?:\u3011|$)|"(?:[^"\\]|\\.)*(?:"|$)|'(?:[^'\\]|\\.)*(?:'|$)`;
/**
 * A value: escaped-quoted (JSON in a JSON string), double- or single-quoted (each may be cut at the
 * end), or bare, not one an earlier rule already replaced. A bare value followed by `: x` or ` = x`
 * (or ending in `:` before a blank) takes that too: in `onGetTokenError: api_key: x` and
 * `onGetTokenError: appSecret = x` the first key's value holds the second.
 */
/**
 * (Not a value an earlier rule replaced, `[redacted]`, nor an object or array: the keys inside are redacted on their own;
 * but a `[jwt]` the value goes on after is the value's start: `password=eyJ…!REST` kept `!REST`, the review's find.)
 */
const valueOf = (bare: string): string =>
  String.raw`(?!\{|\[(?!jwt\]${BARE_CHAR}))(${QUOTED}|${bare}(?:(?:(?<=[:=])\s+|\s*[:=]\s*)(?:${QUOTED}|${bare}))*)`;
const VALUE = valueOf(BARE);
/** Under a Chinese key a bare value ends at Chinese text too: 验证码：123456已过期 (a code is digits or Latin letters). */
const CJK_VALUE = valueOf(BARE.replace(']+', String.raw`\u4e00-\u9fff]+`));

const quotedLike = (value: string): string => {
  if (value.startsWith('\u201c')) return '\u201c[redacted]\u201d';
  if (value.startsWith('\u300c')) return '\u300c[redacted]\u300d';
  if (value.startsWith('\u3010')) return '\u3010[redacted]\u3011';
  const q = /^(?:\\?["']|\\u002[27])/.exec(value)?.[0];
  return q ? `${q}[redacted]${q}` : '[redacted]';
};

/**
 * Words that make a message's `code` a one-time code sent to the user (an SMS or e-mail code, an OTP): `sms sent,
 * code=482913` was stored as an event of code 482913, its excerpt and the context lines after it showing the code.
 */
const ONE_TIME_CONTEXT = /sms|otp|one[- ]?time|verif|passcode|\u9a8c\u8bc1\u7801|\u77ed\u4fe1|\u52a8\u6001\u7801/i;

/** A one-time code: six digits (Authing's error codes have 3 to 5 digits, or 7: none has 6) where ONE_TIME_CONTEXT says so. */
export function isOneTimeCode(message: string, value: string): boolean {
  return /^\d{6}$/.test(value) && ONE_TIME_CONTEXT.test(message);
}

/**
 * A class of the digits listed (`0-9`, `1-9`, `89`) in their ASCII and full-width forms (U+FF10-FF19, as escapes):
 * Chinese input methods type ID numbers and phones full-width (`１１０１０１…`).
 */
const anyWidth = (digits: string): string => `[${digits}${digits.replace(/\d/g, (d) => `\\uff1${d}`)}]`;
const DIGIT = anyWidth('0-9');
/** A resident ID number's birth date (a year of 18xx to 20xx, a month, a day) and what may stand between its groups. */
const ID_CENTURY = `(?:${anyWidth('1')}${anyWidth('89')}|${anyWidth('2')}${anyWidth('0')})`;
const ID_YEAR = `${ID_CENTURY}${DIGIT}{2}`;
/** (an area code's first digit is no 0) */
const ID_AREA = `${anyWidth('1-9')}${DIGIT}{5}`;
const ID_MONTH = `(?:${anyWidth('0')}${anyWidth('1-9')}|${anyWidth('1')}${anyWidth('0-2')})`;
const ID_DAY = `(?:${anyWidth('0')}${anyWidth('1-9')}|${anyWidth('12')}${DIGIT}|${anyWidth('3')}${anyWidth('01')})`;
/** (also a full-width blank or hyphen, as between a phone's groups) */
const ID_GAP = String.raw`[ \u00a0\u3000\uff0d-]`;
/** What no ID number stands next to: a letter or digit, ASCII or full-width. */
const NOT_NUMBER_EDGE = String.raw`[\dA-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]`;
/** The check character: a digit, or X in either case, each also full-width (U+FF38, U+FF58 for X). */
const ID_CHECK_CHAR = String.raw`[\dXx\uff10-\uff19\uff38\uff58]`;
/** GB 11643's weights of an ID number's first 17 digits, and the check character of each remainder mod 11. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
/**
 * The ID rule's replacement: an 18-digit number with a birth date in place is one whole; one written in groups only
 * when its check character is right (`request-id 100234-20240105-0042`, `sizes 262144 19900101 1234` have a date in
 * place too, and were [id-card]: a review's find). A real ID number always has its check character right.
 */
function idCard(m: string): string {
  // (a full-width character is its ASCII form + 0xFEE0)
  const d = m.replace(/[\uff10-\uff19\uff38\uff58]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/[^\dXx]/g, '');
  if (d.length === m.length) return '[id-card]';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (d.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === d[17]!.toUpperCase() ? '[id-card]' : m;
}
/** Keys that name a resident ID number (身份证, 证件, as escapes), before an old 15-digit one. */
const ID_KEY = String.raw`(?:\u8eab\u4efd\u8bc1|\u8bc1\u4ef6|id[_-]?card|id[_-]?(?:no|num(?:ber)?)\b|cert(?:ificate)?[_-]?(?:no|num(?:ber)?)|identity[_-]?(?:card|no|num(?:ber)?))`;
/** The 15-digit rule runs only on a text that holds such a key somewhere. */
const ID_KEY_IN = new RegExp(ID_KEY, 'i');

/** A phone number's digit, ASCII or full-width, and what may stand between its groups (blank, `-`, NBSP, full-width blank or hyphen). */
const PHONE_DIGIT = DIGIT;
/** An e-mail's domain after its `@`: labels, then a top-level domain of letters or in punycode (`xn--fiqs8s` for 中国). */
const EMAIL_DOMAIN = String.raw`(?:[A-Za-z0-9-]+\.)+(?:xn--[A-Za-z0-9-]+|[A-Za-z]{2,})`;
/**
 * A non-ASCII letter or digit of a script written with blanks between words (not Han, kana or Hangul), for `u`
 * patterns: next to an address it is part of a word (`müller@`), where Chinese text runs on into one with no blank.
 */
const WORD_LETTER = String.raw`(?![\x00-\x7f\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}])[\p{L}\p{M}\p{N}]`;
/** EMAIL_DOMAIN with labels of letters and digits of any script (`exämple.de`, `例子.公司`), an ASCII top-level domain first. */
const UNICODE_EMAIL_DOMAIN = String.raw`(?:[\p{L}\p{M}\p{N}-]+\.)+(?:xn--[A-Za-z0-9-]+|[A-Za-z]{2,}(?!${WORD_LETTER})|[\p{L}\p{M}]{2,})`;
const NON_ASCII = /[^\x00-\x7f]/;
const PHONE_GAP = String.raw`[- \u00a0\u3000\uff0d]`;
/**
 * A mobile number's first group (1, then 3 to 9, then a digit), also in brackets as forms write it: `(138) 1234 5678`, with
 * up to three blanks (ASCII, NBSP, full-width) inside each bracket or none: `( 138 ) 1234 5678`, `（  138  ）`.
 */
const MOBILE_PREFIX = `${anyWidth('1')}${anyWidth('3-9')}${PHONE_DIGIT}`;
const PHONE_BLANK = String.raw`[ \u00a0\u3000]`;
/** (bounded, so that a phone stays within what the window's cut looks at around it: NUMBER_SPAN, numbersCut) */
const BRACKET_BLANKS = `${PHONE_BLANK}{0,3}`;
const MOBILE_FIRST = String.raw`(?:${MOBILE_PREFIX}|[(\uff08]${BRACKET_BLANKS}${MOBILE_PREFIX}${BRACKET_BLANKS}[)\uff09])`;
/** China's country code, 86, its digits ASCII or full-width (`＋８６`, `（＋８６）`, `００８６` as an input method types them). */
const CN_CODE = `${anyWidth('8')}${anyWidth('6')}`;

// mainland China resident ID numbers (GB 11643: 6-digit area, birth date, 3-digit sequence, check digit or X), before
// phones cut them; also written in groups as forms and apps show them, a blank, NBSP or `-` between (6-8-4
// `110101 19900307 6632`, 6-4-4-4, 4-4-4-4-2 `1101 0119 9003 0766 32`), with the same birth date in its place; digits,
// blanks and hyphens also full-width
const ID_RULE: Rule = [
  () => true,
  new RegExp(
    `(?<!${NOT_NUMBER_EDGE})(?:${ID_AREA}${ID_YEAR}${ID_MONTH}${ID_DAY}${DIGIT}{3}|${ID_AREA}${ID_GAP}${ID_YEAR}${ID_MONTH}${ID_DAY}${ID_GAP}${DIGIT}{3}` +
      `|${ID_AREA}${ID_GAP}${ID_YEAR}${ID_GAP}${ID_MONTH}${ID_DAY}${ID_GAP}${DIGIT}{3}|${anyWidth('1-9')}${DIGIT}{3}${ID_GAP}${DIGIT}{2}${ID_CENTURY}${ID_GAP}${DIGIT}{2}${ID_MONTH}${ID_GAP}${ID_DAY}${DIGIT}{2}${ID_GAP}${DIGIT})${ID_CHECK_CHAR}(?!${NOT_NUMBER_EDGE})`,
    'g',
  ),
  idCard,
];
// and the old 15-digit ones (6-digit area, birth date as YYMMDD, 3-digit sequence) only under a key that names one
// (身份证, 证件, idCard, id_no, certNo …): fifteen digits alone are as often an order, a trace or a device id
const ID15_RULE: Rule = [
  (t) => ID_KEY_IN.test(t),
  new RegExp(String.raw`(${ID_KEY}[^\d\uff10-\uff19\n]{0,24}?)(?<!${NOT_NUMBER_EDGE})${ID_AREA}${DIGIT}{2}${ID_MONTH}${ID_DAY}${DIGIT}{3}(?!${NOT_NUMBER_EDGE})`, 'gi'),
  '$1[id-card]',
];
/** Whether a number passes the Luhn check, as every payment card's does. */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    const d = (digits.charCodeAt(i) - 48) * (double ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 === 0;
}
/**
 * A payment card's number: a network's prefix and one of its lengths (Visa 4: 13, 16, 19; Mastercard 51-55 and
 * 2221-2720: 16; American Express 34, 37: 15; UnionPay 62, JCB 3528-3589, Discover 6011, 644-649, 65: 16 to 19), and the
 * Luhn check. A time stamp in epoch milliseconds, microseconds or nanoseconds (1…, 13, 16 or 19 digits) has no such prefix.
 */
function isCardNumber(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  const fits =
    digits[0] === '4'
      ? n === 13 || n === 16 || n === 19
      : (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)
        ? n === 16
        : p2 === 34 || p2 === 37
          ? n === 15
          : p2 === 62 || p2 === 65 || p4 === 6011 || (p4 >= 6440 && p4 <= 6499) || (p4 >= 3528 && p4 <= 3589)
            ? n >= 16 && n <= 19
            : false;
  return fits && luhn(digits);
}
// payment card numbers: 13 to 19 digits in one run, or in groups of four apart by one blank or `-` (the same between
// each: `4111 1111 1111 1111`, a 19-digit UnionPay card 4-4-4-4-3), or American Express's 4-6-5, groups not inside a
// longer run of groups of four (a dump of numbers); only when isCardNumber says so, so that order numbers, trace ids and
// time stamps stay. After the ID numbers (a resident ID of Gansu starts with 62), before the phones (which would take a
// part of one).
const CARD_RULE: Rule = [
  () => true,
  /(?<![\w.])[2-6]\d{12,18}(?!\w|\.\d)|(?<![\w.]|\d{4}[- ])(?:[2-6]\d{3}([- ])\d{4}\1\d{4}(?:\1\d{4})?(?:\1\d{1,4})?|3[47]\d{2}([- ])\d{6}\2\d{5})(?!\w|[- ]\d|\.\d)/g,
  (m: string) => (isCardNumber(m.replace(/\D/g, '')) ? '[card]' : m),
];
// mainland China mobile numbers, optionally with +86, and other international numbers. A dot next to one is
// a sentence's end or a key's (`to 13812345678.`, `user.13812345678`); a dot between digits is a decimal or a
// version, which is no phone.
// The country code also as `0086` or `(+86)`; groups also apart by an NBSP (U+00A0) or a full-width blank or hyphen;
// digits also full-width (U+FF10-FF19: `１３８１２３４５６７８`, Chinese input methods), each as an escape, the country
// code's too (`（＋８６）13812345678` kept `（＋８６）` before `[phone]`); the first group also in brackets, ASCII or
// full-width, up to three blanks inside them or none (`tel (138) 1234-5678`, `（138）1234 5678`, `tel (  138  ) 1234 5678`), the country code's brackets too (`( +86 ) 138…`).
const MOBILE_RULE: Rule = [
  () => true,
  new RegExp(String.raw`(?<!${PHONE_DIGIT}|\d\.)(?:(?:[+\uff0b]|${anyWidth('0')}{2})?${CN_CODE}${PHONE_GAP}?|[(\uff08]${BRACKET_BLANKS}[+\uff0b]?${CN_CODE}${BRACKET_BLANKS}[)\uff09]${PHONE_GAP}?)?${MOBILE_FIRST}${PHONE_GAP}?${PHONE_DIGIT}{4}${PHONE_GAP}?${PHONE_DIGIT}{4}(?!${PHONE_DIGIT}|\.\d)`, 'g'),
  '[phone]',
];
// (the other international numbers: a `+`, its country code and groups, the area code also in brackets: `+1 (415)
// 555-2671`, `+44 (20) 7946 0958`; a trunk `(0)` after the country code as European numbers are written: `+44 (0)20 7946
// 0958`, `+49 (0)30 1234567`; or a one-digit area code then four pairs, as French numbers are: `+33 (0)1 23 45 67 89`,
// `+33 6 12 34 56 78`, the pairs apart)
const INTL_PHONE_RULE: Rule = [
  (t) => t.includes('+'),
  /(?<!\w|\d\.)\+\d{1,3}[- \u00a0]?(?:\(0\)[- \u00a0]?)?(?:(?:\d{2,4}|\(\d{2,4}\))[- \u00a0]?\d{3,4}[- \u00a0]?\d{3,4}|\d(?:[- \u00a0]\d{2}){4})(?!\w|\.\d)/g,
  '[phone]',
];
/** Country codes the ITU has given (E.164): 1, 7, 20, 27, 30-34, 36, 39, 40, 41, 43-49, 51-58, 60-66, 81, 82, 84, 86, 90-95, 98, and three digits under 21-29, 35, 37, 38, 42, 50, 59, 67-69, 80, 85, 87, 88, 96, 97, 99. */
const COUNTRY_CODE = /^(?:1|7|2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58]|2[1-9]\d|3[578]\d|42\d|5[09]\d|6[7-9]\d|8[0578]\d|9[679]\d)$/;
/** How many digits a national number has after its country code, where the plan fixes it (NANP, Russia, France, Spain …); elsewhere 8 to 12. */
const NATIONAL_DIGITS: Readonly<Record<string, readonly [number, number]>> = {
  1: [10, 10], 7: [10, 10], 31: [9, 9], 33: [9, 9], 34: [9, 9], 44: [9, 10], 61: [9, 9], 81: [9, 10], 86: [10, 11], 91: [10, 10],
};
/** Whether `national` (its groups, brackets and gaps) is a number under country code `cc`. */
function isNationalNumber(cc: string, national: string): boolean {
  if (!COUNTRY_CODE.test(cc)) return false;
  const n = national.replace(/\D/g, '').length;
  const [min, max] = NATIONAL_DIGITS[cc] ?? [8, 12];
  return n >= min && n <= max && cc.length + n <= 15;
}
// any other international number written in groups: a `+`, a country code and a blank or `-` (or an area code's bracket),
// a trunk `(0)` or not, then groups of digits apart by one blank or `-` (`+34 91 123 45 67`, `+31 6 12345678`, `+91 98765
// 43210`, `+7 912 345-67-89`): only when the country code is one and the national number has as many digits as its plan
// says (isNationalNumber), so that `+1 2 3 45 67 89`, `+1 (415) 555-26710` and `offset +3 1 23 45 67` stay. The forms above
// (a run, French pairs) are the international rule's.
const GROUPED_PHONE_RULE: Rule = [
  (t) => t.includes('+'),
  /(?<!\w|\d\.)\+([1-9]\d{0,2})((?:[- \u00a0](?:\(0\)[- \u00a0]?)?|(?=\())(?:\(\d{1,4}\)[- \u00a0]?|\d{1,5}[- \u00a0])(?:\d{2,8}[- \u00a0]){0,3}\d{2,8})(?!\w|\.\d|[- \u00a0]\d)/g,
  (m: string, cc: string, national: string) => (isNationalNumber(cc, national.replace(/\(0\)/, '')) ? '[phone]' : m),
];
// a North American number with its area code in brackets and no `+` (`call (415) 555-2671`, `phone=(415)555 2671`): the
// area code and the exchange each start with 2 to 9, as NANP's do, and the last four stand apart, so `(2004)`, `(415 ms)`,
// `size (415) 5552671 bytes` and `(123) 456 7890` stay; after the international rule, which takes `+1 (415) 555-2671` whole
// (also with no blank after the bracket and none between the last seven, `(415)5552671`, where a blank before them
// leaves it, `size (415) 5552671 bytes`; or apart by two `-` and no bracket, `415-555-2671`, not inside a longer run of
// groups, `1-` before it or not: `1-415-555-2671`; `request-id 4150-5552-6710`, `415-555-2671-9` stay)
const NANP_PHONE_RULE: Rule = [
  // (a `-` alone is in most lines: a date, a class name, an arrow; this much of a number is in almost none)
  (t) => t.includes('(') || /\d{3}-\d{3}-\d{4}/.test(t),
  /(?<!\w)\([2-9]\d{2}\)(?: ?[2-9]\d{2}[- ]\d{4}|[2-9]\d{6})(?!\w|\.\d)|(?<![\w.+-])(?:1-)?[2-9]\d{2}-[2-9]\d{2}-\d{4}(?![\w-]|\.\d)/g,
  '[phone]',
];

const RULES: readonly Rule[] = [
  // Header values to the end of the line: `Cookie: a=1; connect.sid=…`, `Authorization: Bearer …`.
  [
    (_, l) => l.includes('cookie') || l.includes('authorization'),
    // A header may open a quoted string (`"message": "Authorization: Bearer …"`); a quoted key
    // (`"authorization": "…"`) has its quote before the colon and is the next rule's. The line mark
    // ⏎ is written \u23ce: one non-ASCII character would make V8 hold the whole CLI bundle as UTF-16.
    // (the quote is looked for once, just after the colon: looked for after each blank the engine gave back, a
    // header followed by 100 KB of blanks took seconds, the fifth review's find)
    /(?<![\w-])((?:set-)?cookie|(?:proxy-)?authorization)(\s*:)(?!\s*\\?["'])(\s*)[^\n\u23ce]*/gi,
    '$1$2$3[redacted]',
  ],
  // The same headers percent-encoded, once or twice (`Authorization%3A%20Bearer%20x`, `Cookie%253A%2520sid%253Dx` in an
  // encoded URL or body): the value ends where the encoded string's line, parameter or quote does (`%0A`, `&`, `%26`,
  // `%22`), or at a blank. (The key rule below took `Bearer` for the value and kept the token after `%20`.)
  [
    (_, l) => l.includes('%') && (l.includes('cookie') || l.includes('authorization')),
    /(?<![\w-])((?:set-)?cookie|(?:proxy-)?authorization)(%(?:25)*3a(?:%(?:25)*20|\+)*)(?:(?!%(?:25)*(?:0[ad]|2[26]))[^\s"'<>&])+/gi,
    '$1$2[redacted]',
  ],
  // JWT-shaped tokens anywhere, whole or cut (header.payload.signature, `userToken_eyJ…`), in base64url or in standard
  // base64 (`+`, `/` and `=` padding, also percent-encoded: `%2B`, `%2F`, `%3D`): a segment stops at none of these. A line
  // break escaped once or twice (`\n`, `\r\n`, `\\n`) may stand either side of a dot, as Base64.DEFAULT ends each part
  // with one (`eyJ…\n.eyJ…\n.sig` kept the signature).
  [
    (t) => t.includes('eyJ'),
    /eyJ(?:[A-Za-z0-9_+/-]|%2[BbFf]){3,}(?:=|%3[Dd])*(?:(?:\\{1,2}r)?(?:\\{1,2}n)?\.(?:\\{1,2}r)?(?:\\{1,2}n)?(?:[A-Za-z0-9_+/-]|%2[BbFf])*(?:=|%3[Dd])*){0,2}/g,
    '[jwt]',
  ],
  // Authorization schemes in free text, also with the blank percent-encoded (`Bearer%20x`, `Bearer+x`, also just after
  // an encoded `=`: `auth%3DBearer%20x`, or after an encoded colon: `Bearer%3A%20x`): there the token ends where an
  // encoded parameter or line does.
  [(_, l) => l.includes('bearer') || l.includes('basic'), /\b(Bearer|Basic)\s+[^\s"'<>]{8,}/gi, '$1 [redacted]'],
  // and with a colon after the scheme, as a key (`Bearer: x`, `Bearer : x`; `Authorization: Bearer: x` is the header
  // rule's): the token whatever its length, as a key's value (`Bearer: "x"`, `{Authorization=Bearer: x, …}` keeps `, …`)
  [(_, l) => l.includes('bearer'), new RegExp(String.raw`\b(Bearer[ \t\u00a0]*:[ \t\u00a0]*)(${QUOTED}|${BARE})`, 'gi'), (_m, head, value) => head + quotedLike(value!)],
  [
    (_, l) => (l.includes('bearer') || l.includes('basic')) && (l.includes('%') || l.includes('+')),
    /(?<=^|[^A-Za-z]|%[0-9A-Fa-f]{2})(Bearer|Basic)((?:%(?:25)*3a)?(?:%(?:25)*20|\+)+)(?:(?!%(?:25)*(?:0[ad]|2[026]))[^\s"'<>&]){8,}/gi,
    '$1$2[redacted]',
  ],
  // key=value, key: value, "key":"value", \"key\":\"value\" for secret-bearing or personal keys: the whole value.
  [
    (t) => VALUE_KEY_IN.test(t),
    new RegExp(String.raw`((?:\\?["'\u201c]|\\u002[27])?${SECRET_WORD}(?:\\?["'\u201d]|\\u002[27])?\s*${KEY_SEPARATOR}\s*)${VALUE}`, 'gi'),
    (m, key, word, value) => (smallNumberUnderPersonalKey(word!, value!) ? m : key + quotedLike(value!)),
  ],
  // The same with the separator escaped as Gson writes it (`refresh_token\u003dx\u0026…`) or percent-encoded (a URL
  // inside a URL: `%3Frefresh_token%3Dx%26…`, `%22password%22%3A%22x%22`), once or twice (`%253D`, `%2526`): the value
  // ends where its escaped `&`, quote, comma or blank begins, so the parameters after it stay. After an encoded quote the
  // separator may be left plain, as encodeURI leaves `:` and `=` (`%7B%22password%22:%22x%22%7D`: kept whole before).
  // Around an encoded separator the quotes may be left raw (`"password"%3A"x"`, `'token'%3D'x'`: kept whole before), be
  // Gson's or full-width ones (`\u0027token\u0027\u003d\u0027x\u0027`, `"password"%3A“x y”`) or an encoded single quote
  // (`%27token%27%3A%27x y%27`); a value in any quote but an encoded one or Gson's `\u0022` keeps its quotes, as under a
  // plain separator. Blanks may stand around the separator, as around a plain one (`"password" %3A "x"`: kept whole
  // before), and a plain separator may follow an encoded single quote as an encoded double one (`%27token%27:x`: kept).
  // (no lookbehind for the encoded quote before a plain separator: one looking back over the blanks was tried after each
  // blank given back, and `%27token%27`, 1 MiB of blanks and `x` took 199 s)
  [
    (t, l) =>
      (l.includes('u003') || l.includes('%3') || l.includes('%253') || l.includes('%22') || l.includes('%2522') || l.includes('%27') || l.includes('%2527')) &&
      VALUE_KEY_IN.test(t),
    new RegExp(
      String.raw`((?:%(?:25)*2[27]|\\u002[27])?${SECRET_WORD}(?:%(?:25)*2[27][ \u00a0]*(?:[:=]|${ENCODED_SEPARATOR})|(?:\\u002[27]|\\?["'\u201d])?[ \u00a0]*${ENCODED_SEPARATOR})(?:%(?:25)*20|\+|[ \u00a0])*)` +
        String.raw`(?:(%(?:25)*22(?:(?!%(?:25)*22).)*(?:%(?:25)*22|$)|%(?:25)*27(?:(?!%(?:25)*27).)*(?:%(?:25)*27|$)|\\u0022(?:(?!\\u0022).)*(?:\\u0022|$))|(${QUOTED})|(?:(?!\\u00(?:2[267c]|3[ce])|%(?:25)*(?:2[026c]|3b))[^\s,;"'}<>&])+)`,
      'gi',
    ),
    (_m, key, _word, _encoded, quoted) => key + (quoted ? quotedLike(quoted) : '[redacted]'),
  ],
  // An XML element of a secret-bearing name, or named so by its `name` attribute (Android's SharedPreferences and
  // string resources: `<string name="refresh_token">x</string>`), up to its closing tag (a generic type,
  // `Call<TokenResponse> failed`, has none); also as Gson escapes the brackets.
  [
    (t, l) => (l.includes('<') || l.includes('u003c')) && VALUE_KEY_IN.test(t),
    new RegExp(
      String.raw`(<(?:(?=[\w.-]*?${VALUE_KEY})([\w.-]+)|([\w.-]+)\s+name=\\?["'](?=[\w.-]*?${VALUE_KEY})[\w.-]+\\?["'][^<>]*)>)[^<]*(?=<\/(?:\2|\3)>)` +
        String.raw`|(\\u003c(?=[\w.-]*?${VALUE_KEY})([\w.-]+)\\u003e)(?:(?!\\u003c)[^"])*(?=\\u003c\/\5\\u003e)`,
      'gi',
    ),
    (_m, xml, _a, _b, gson) => `${xml ?? gson}[redacted]`,
  ],
  // Chinese key names: 密码：x, 验证码: 123456.
  // (a whole word: 发送验证码：code=2005 and 重置密码：2004 are labels, not keys)
  [(t) => CJK_SECRET_HINT.test(t), new RegExp(String.raw`((?:\\?["'\u201c]|\\u0022)?(?:(?<![\u4e00-\u9fff])|(?<=${CJK_KEY_PREFIX}))${CJK_SECRET_KEY}\u4e3a?(?:\\?["'\u201d]|\\u0022)?\s*${KEY_SEPARATOR}\s*)${CJK_VALUE}`, 'g'), (_m, key, value) => key + quotedLike(value!)],
  // An OAuth authorization code in a URL (`cb?code=…&state=…`) is exchanged for tokens; an all-digit `code=` is an error code and stays.
  [(_, l) => l.includes('code='), /([?&#]code=)(?!\d+(?![^\s&#"'<>]))[^\s&#"'<>]+/gi, '$1[redacted]'],
  // a password in a URL's user part: `http://admin:pw@10.1.2.3:8080`, `ftp://u:p@host/`
  [(t) => t.includes('://'), /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]+@/gi, '$1[redacted]@'],
  // A one-time code in words: `sms sent, code=482913`, `your verification code is 482913`, `验证码 code: 482913`.
  [(t) => ONE_TIME_CONTEXT.test(t), /(?<![A-Za-z0-9_])(code(?:\s+is)?\s*[:=\uff1a]?\s*)(\d{6})(?!\d)/gi, '$1[redacted]'],
  // e-mail addresses
  // (from the start of a run of the local part's characters only: tried from inside one too, a long run before an
  // `@` took time growing with its square)
  // (a top-level domain also in punycode, `xn--fiqs8s` for 中国: it kept `--fiqs8s`)
  // (nor inside a word of other letters: `müller@gmx.de` kept `mü`, `li@mail.exämple.de` kept `ämple.de`; but Chinese,
  // Japanese or Korean text runs on into an address with no blank, and is no part of it: `发送至li@qq.com失败`)
  [(t) => t.includes('@'), new RegExp(String.raw`(?<![A-Za-z0-9._%+-]|${WORD_LETTER})[A-Za-z0-9._%+-]+@${EMAIL_DOMAIN}(?!${WORD_LETTER})`, 'gu'), '[email]'],
  // and an internationalized one (`josé@exämple.de`, `用户@例子.公司`): letters of any script in its local part and
  // domain, after the ASCII rule, so that an ASCII address in Chinese text keeps the text around it (here a run of
  // Chinese before the `@` or after the top-level domain cannot be told from the address, and goes with it)
  [(t) => t.includes('@') && NON_ASCII.test(t), new RegExp(String.raw`(?<![\p{L}\p{M}\p{N}._%+-])[\p{L}\p{M}\p{N}._%+-]+@${UNICODE_EMAIL_DOMAIN}`, 'gu'), '[email]'],
  // and with the @ escaped as Gson writes it (`\u0040`) or percent-encoded (`%40`): in the local part only the
  // escapes of `+ . - _`, from the start of a run or just after another escape (`login_hint%3Dzhang%40qq.com` in an
  // encoded URL: only the address), so a line of `a%40b.` repeated takes linear time (the reviews' finds)
  [(_, l) => l.includes('u0040') || l.includes('%40'), new RegExp(String.raw`(?<=^|[^A-Za-z0-9._+%-]|%(?!2[BbEeDd]|5[Ff])[0-9A-Fa-f]{2})(?:[A-Za-z0-9._+-]|%(?:2[BbEeDd]|5[Ff]))+(?:\\u0040|%40)${EMAIL_DOMAIN}`, 'gi'), '[email]'],
  // the numbers (defined above: the window's cut looks for them too, numbersCut), the ID numbers before phones cut them
  ID_RULE,
  ID15_RULE,
  CARD_RULE,
  MOBILE_RULE,
  INTL_PHONE_RULE,
  GROUPED_PHONE_RULE,
  NANP_PHONE_RULE,
  // Authing app secrets are 32 hex digits, in either case; longer hex runs are keys too
  [() => true, /(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])/g, '[secret]'],
];

/**
 * What every rule needs somewhere in the text (a superset of their cheap tests): most messages have
 * none, and one pass of this settles them (measured: redaction was 119 of the main thread's ~1000 ms on
 * a 1 GB capture). A phone number has 3 digits then 4 (maybe after a separator; ASCII or full-width) or a '+'.
 */
const ANY_RULE = /eyJ|bearer|basic|token|open[_-]?id|union[_-]?id|device[_-]?id|android[_-]?id|imei|idfa|oaid|passw|passcode|pwd|secret|key|credential|authorization|cookie|session|sid|ticket|verif|sms|one[- ]?time|captcha|mfa|recovery|auth[_-]?code|pin[_-]?code|#code=|:\/\/|\u77ed\u4fe1|\u52a8\u6001\u7801|otp|[?&]code=|@|u0040|%40|\+|[\d\uff10-\uff19]{3}[- \u00a0\u3000\uff0d]?[\d\uff10-\uff19]{4}|[0-9a-f]{32}|\u5bc6\u7801|\u53e3\u4ee4|\u4ee4\u724c|\u94a5|\u9a8c\u8bc1\u7801/i;

/** Replaces tokens, passwords, secrets, cookies, e-mails, phone and card numbers and device identifiers in `text`. */
export function redact(text: string): string {
  return ANY_RULE.test(text) ? redactEveryRule(text) : text;
}

/** redact() without the first look (its test compares the two). */
export function redactEveryRule(text: string): string {
  let out = text;
  const lower = text.toLowerCase();
  for (const [test, re, rep] of RULES) if (test(out, lower)) out = out.replace(re, rep as string);
  return out;
}

/**
 * The window of a long message that is redacted then shown: cut back to the last separator, so
 * that no value is cut in two at the window's end and then missed by its rule; and back before a
 * number that runs on across the cut (`138 1234| 5678`, `phone=1381234|5678` with no blank before):
 * cut in two, no rule knew its half, and `138 1234` showed 7 digits of a phone (the review's find).
 */
export function redactionWindow(message: string, max: number): string {
  if (message.length <= max) return message;
  const head = message.slice(0, max);
  const cut = Math.max(head.lastIndexOf(' '), head.lastIndexOf(','), head.lastIndexOf(';'), head.lastIndexOf('\n'));
  const end = cut > 0 ? cut : max;
  return head.slice(0, numberStart(message, end));
}

/** An ASCII or full-width digit. */
const isDigit = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0xff10 && c <= 0xff19);
const isBlank = (c: number): boolean => c === 0x20 || c === 0xa0 || c === 0x3000;
/** What stands between a phone's or an ID number's groups: blank, NBSP, full-width blank, hyphens, brackets, plus. */
const isNumberGap = (c: number): boolean =>
  isBlank(c) || c === 0x2d || c === 0xff0d || c === 0x28 || c === 0x29 || c === 0xff08 || c === 0xff09 || c === 0x2b || c === 0xff0b;
/** How many gap characters a number's groups may have between them (`1234 - 5678`, `(   138   ) 1234`: BRACKET_BLANKS). */
const NUMBER_GAP_MAX = 5;

/**
 * Where `end` should move back to: the start of the run of digits and gaps around it when a digit stands both just before
 * `end` and just after it (past a few gap characters; an ID number's check digit X counts, as after `end` only), else `end`.
 * Linear in the run's length.
 */
function numberStart(message: string, end: number): number {
  let after = end;
  while (after < message.length && after - end < NUMBER_GAP_MAX && isNumberGap(message.charCodeAt(after))) after++;
  const next = message.charCodeAt(after);
  if (!(isDigit(next) || ((next === 0x58 || next === 0x78 || next === 0xff38 || next === 0xff58) && after === end))) return end;
  let before = end;
  while (before > 0 && end - before < NUMBER_GAP_MAX && isNumberGap(message.charCodeAt(before - 1))) before--;
  if (before === 0 || !isDigit(message.charCodeAt(before - 1))) return end;
  let start = before;
  // (no further back than one number can reach: a longer run is several numbers, see below)
  while (start > 0 && end - start <= NUMBER_SPAN && (isDigit(message.charCodeAt(start - 1)) || isNumberGap(message.charCodeAt(start - 1)))) start--;
  if (end - start > NUMBER_SPAN) return numbersCut(message, end, before);
  // the blanks before the number stay: `call 138 1234` is cut to `call `
  while (start < end && isBlank(message.charCodeAt(start))) start++;
  return start;
}

/** The longest number a rule takes, gaps and all (an ID number as 4-4-4-4-2 is 22 characters). */
const NUMBER_SPAN = 24;
/** The rules of numbers (ID numbers, cards, phones): what a cut inside one would show part of. */
const NUMBER_RULES = [ID_RULE, ID15_RULE, CARD_RULE, MOBILE_RULE, INTL_PHONE_RULE, GROUPED_PHONE_RULE, NANP_PHONE_RULE].map(([, re]) => re);

/**
 * Where a run of digits and gaps longer than one number (`errCode = 2005 12 34 56 … 78|9`, a dump of numbers) is cut:
 * before the digits just before the cut, and before any number a rule finds across it (looked for around the cut
 * only), not at the run's start: backed off to there, the run's first number (an error code) and all the numbers
 * after it were left out of the excerpt (`errCode = …`). Bounded: the rules run on a few dozen characters.
 */
function numbersCut(message: string, end: number, before: number): number {
  let cut = before;
  while (cut > 0 && isDigit(message.charCodeAt(cut - 1))) cut--;
  const lo = Math.max(0, end - 2 * NUMBER_SPAN);
  const near = message.slice(lo, Math.min(message.length, end + 2 * NUMBER_SPAN));
  for (let moved = true; moved; ) {
    moved = false;
    for (const re of NUMBER_RULES) {
      for (const m of near.matchAll(re)) {
        const a = lo + m.index;
        if (a < cut && a + m[0].length > cut) {
          cut = a;
          moved = true;
        }
      }
    }
  }
  return cut;
}
