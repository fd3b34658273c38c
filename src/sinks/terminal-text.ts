/**
 * Text from logs, file names and registry files on its way to a terminal: every control character
 * is shown as an escape (`\e`, `\n`, `\x07`, `\u009b`), so a log cannot set the title, write the
 * clipboard (OSC 52), clear the screen, hide a link (OSC 8) or split a one-line message. Bidi
 * overrides are escaped too: they reorder what is shown. strip-ansi removes only well-formed
 * sequences and leaves bare C0/C1 bytes; escaping keeps what was there visible instead.
 */

const NAMED: Record<string, string> = { '\x1b': '\\e', '\n': '\\n', '\r': '\\r' };

/**
 * DEL, C1, the bidi embeddings/overrides/isolates, and the line and paragraph separators (a terminal may break a
 * line there): the characters beyond C0 that no printed or stored text of a log keeps as they are (a class's body).
 */
export const BEYOND_C0_UNSAFE = String.raw`\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029`;

// C0 but tab (harmless, and common in stack traces), and the others above.
const UNSAFE = new RegExp(String.raw`[\x00-\x08\x0a-\x1f${BEYOND_C0_UNSAFE}]`);
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : unicodeEscape(c);
}

/** `\uXXXX` for one UTF-16 code unit. */
function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** The text with control characters escaped; unchanged (same string) when it has none. */
export function terminalText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
}

// What JSON.stringify leaves as it is and a terminal acts on (it escapes C0 itself).
const JSON_UNSAFE = new RegExp(`[${BEYOND_C0_UNSAFE}]`);
const JSON_UNSAFE_ALL = new RegExp(JSON_UNSAFE.source, 'g');

/**
 * A value as one line of JSON that is safe on a terminal: JSON.stringify escapes C0 controls, and these
 * characters are written as `\uXXXX` escapes too (the same JSON value, read back).
 */
export function terminalJson(value: unknown): string {
  const s = JSON.stringify(value);
  return JSON_UNSAFE.test(s) ? s.replace(JSON_UNSAFE_ALL, unicodeEscape) : s;
}
