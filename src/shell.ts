/** Words for a command line printed to the user (a hint to run next), quoted as the shell takes them. */

import { BEYOND_C0_UNSAFE } from './sinks/terminal-text.js';

/** A word as the shell takes it: quoted when it holds anything but the characters of plain paths. */
export function shellWord(s: string): string {
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  // Control characters (a newline in a name), and the C1 and bidi characters a terminal acts on or reorders, survive
  // only as escapes in bash's $'…': printed raw they would act, and escaped by terminalText inside '…' they would
  // paste as other text.
  if (SPECIAL.test(s)) return `$'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(SPECIAL_ALL, escape)}'`;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const SPECIAL = new RegExp(String.raw`[\x00-\x1f${BEYOND_C0_UNSAFE}]`);
const SPECIAL_ALL = new RegExp(SPECIAL.source, 'g');

/**
 * A character as bash's `$'…'` escapes: its UTF-8 bytes as `\xHH`. Not `\uHHHH`, which bash turns into the character
 * only in a locale that has it: pasted where LANG is unset (cron, `env -i`, a C locale), `$'\u202e'` stayed the six
 * characters `\u202E`, another tag (a fresh-clone CI run's find).
 */
function escape(c: string): string {
  return [...Buffer.from(c, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}
