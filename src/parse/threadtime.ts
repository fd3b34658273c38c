/**
 * The threadtime layout (`adb logcat -v threadtime`, logcat's default) read by char codes: where a line's
 * fields are, as formats.ts's pattern finds them, without the pattern's match array and the sixteen
 * substrings it cuts (the parser's largest garbage where every line is an event: docs/performance.md,
 * round eleven). It answers only for the plain shape, `[YYYY-]MM-DD hh:mm:ss[.f] pid tid L tag: msg`
 * with runs of spaces between the columns; anything else (a uid, a zone, tabs, leading blanks, a CR or
 * a Unicode line separator anywhere, over-long numbers) it leaves to the pattern, which then decides.
 */

/** Index in the spans of the year's first digit, or -1 (no year). */
export const T_YEAR = 0;
/** Index of the month's first digit: day, hour, minute and second follow at +3, +6, +9 and +12. */
export const T_MONTH = 1;
/** Index of the fraction's first digit, or -1 (none); T_FRAC_END is where it ends. */
export const T_FRAC = 2;
export const T_FRAC_END = 3;
export const T_PID = 4;
export const T_PID_END = 5;
export const T_TID = 6;
export const T_TID_END = 7;
/** Index of the level letter; the tag starts two characters after it. */
export const T_LEVEL = 8;
export const T_TAG_END = 9;
/** Index of the message's first character, or -1 (the line ends at the tag's colon). */
export const T_MSG = 10;
/** Length of a spans array. */
export const T_SPANS = 11;

/** Digits of a pid or tid read as a number by char codes: beyond 15 a double would round as Number() of the text does not. */
const MAX_ID_DIGITS = 15;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A character of the pattern's `\s` (ECMAScript WhiteSpace and LineTerminator). */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The priority letters of LVL in formats.ts. */
function isLevel(c: number): boolean {
  // V D I W E F S A ?
  return c === 86 || c === 68 || c === 73 || c === 87 || c === 69 || c === 70 || c === 83 || c === 65 || c === 63;
}

/** True when `line[at, at + 2)` are two digits. */
function isTwoDigitsAt(line: string, at: number): boolean {
  return isDigit(line.charCodeAt(at)) && isDigit(line.charCodeAt(at + 1));
}

/**
 * Fills `spans` (T_SPANS long) with where the fields of a plain threadtime line are and returns true; false
 * when the line is not of that plain shape (the pattern may still match it: ask it).
 */
export function threadtimeSpans(line: string, spans: Int32Array): boolean {
  const n = line.length;
  // `(?:(\d{4})-)?`: four digits and a dash are a year (without it the month's dash would be a digit)
  const year = n > 4 && isTwoDigitsAt(line, 0) && isTwoDigitsAt(line, 2) && line.charCodeAt(4) === 45;
  const m = year ? 5 : 0;
  if (n < m + 14) return false;
  // MM-DD hh:mm:ss
  if (!isTwoDigitsAt(line, m) || line.charCodeAt(m + 2) !== 45 || !isTwoDigitsAt(line, m + 3) || line.charCodeAt(m + 5) !== 32) return false;
  if (!isTwoDigitsAt(line, m + 6) || line.charCodeAt(m + 8) !== 58 || !isTwoDigitsAt(line, m + 9) || line.charCodeAt(m + 11) !== 58 || !isTwoDigitsAt(line, m + 12)) return false;
  let i = m + 14;
  let frac = -1;
  let fracEnd = -1;
  if (line.charCodeAt(i) === 46) {
    frac = i + 1;
    fracEnd = frac;
    while (fracEnd < n && isDigit(line.charCodeAt(fracEnd))) fracEnd++;
    if (fracEnd === frac || fracEnd - frac > 9) return false;
    i = fracEnd;
  }
  // one space at least, then the pid's digits (where ` +hhmm`, a zone, or a uid would be: the pattern's)
  if (line.charCodeAt(i) !== 32) return false;
  while (line.charCodeAt(i) === 32) i++;
  const pid = i;
  while (i < n && isDigit(line.charCodeAt(i))) i++;
  const pidEnd = i;
  if (pidEnd === pid || pidEnd - pid > MAX_ID_DIGITS || line.charCodeAt(i) !== 32) return false;
  while (line.charCodeAt(i) === 32) i++;
  const tid = i;
  while (i < n && isDigit(line.charCodeAt(i))) i++;
  const tidEnd = i;
  // `(\d+) L ` (a letter where the tid is, or a third number, would be the uid's shape: the pattern's)
  if (tidEnd === tid || tidEnd - tid > MAX_ID_DIGITS || line.charCodeAt(i) !== 32 || !isLevel(line.charCodeAt(i + 1)) || line.charCodeAt(i + 2) !== 32) return false;
  const level = i + 1;
  const tag = i + 3;
  // (the pattern's `.` matches a CR or U+2028 inside a line too: its flag `s`, formats.ts)
  // `(.*?)\s*:(?: (.*))?$`: the first colon followed by a space or the end; the tag ends where the blanks before it start
  let colon = line.indexOf(':', tag);
  while (colon >= 0 && colon + 1 < n && line.charCodeAt(colon + 1) !== 32) colon = line.indexOf(':', colon + 1);
  if (colon < 0) return false;
  let tagEnd = colon;
  while (tagEnd > tag && isSpace(line.charCodeAt(tagEnd - 1))) tagEnd--;
  spans[T_YEAR] = year ? 0 : -1;
  spans[T_MONTH] = m;
  spans[T_FRAC] = frac;
  spans[T_FRAC_END] = fracEnd;
  spans[T_PID] = pid;
  spans[T_PID_END] = pidEnd;
  spans[T_TID] = tid;
  spans[T_TID_END] = tidEnd;
  spans[T_LEVEL] = level;
  spans[T_TAG_END] = tagEnd;
  spans[T_MSG] = colon + 1 === n ? -1 : colon + 2;
  return true;
}

/** The number the digits of `line[from, to)` say (at most MAX_ID_DIGITS of them). */
export function digitsValue(line: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (line.charCodeAt(i) - 48);
  return v;
}
