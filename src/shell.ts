/** Words for a command line printed to the user (a hint to run next), quoted as the shell takes them. */

/** A word as the shell takes it: quoted when it holds anything but the characters of plain paths. */
export function shellWord(s: string): string {
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  // control characters (a newline in a name) survive only in bash's $'…'
  if (/[\x00-\x1f\x7f]/.test(s)) return `$'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A path as an operand: one that starts with a dash would be read as a flag, so it is given as ./-name. */
export function shellPath(s: string): string {
  return shellWord(s.startsWith('-') ? `./${s}` : s);
}
