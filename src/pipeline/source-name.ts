/**
 * What is stored and shown of an input's name and path. Support teams name a capture after the user it came from
 * (`user_13812345678_alice@example.com.log`, a folder per e-mail), so a name is redacted as event text is, by the same
 * rules (extract/redact.ts), unless --no-redact. A name with nothing to redact stays byte for byte what it was.
 */
import { redact } from '../extract/redact.js';

/**
 * A run of 32 or more hex digits standing alone. In event text it may be a secret (redact.ts makes it `[secret]`);
 * in a path it is a content hash or a commit (`/builds/3f2a…9c/logcat.txt`, `d41d8cd9….log`): kept, or every CI
 * build's capture would be named `/builds/[secret]/logcat.txt`, one row of `report --by source`, and keep no path.
 */
const HEX_RUN = /(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])/g;

/** A stand-in for the i-th hex run while the name is redacted: letters only (its digits as a-j), which no rule redacts standing alone. */
const standIn = (i: number): string => `qhexrunq${String(i).replace(/\d/g, (d) => String.fromCharCode(97 + Number(d)))}q`;
/** The index a stand-in's letters stand for. */
const indexOf = (letters: string): number => Number(letters.replace(/[a-j]/g, (c) => String(c.charCodeAt(0) - 97)));

/**
 * Where a name's folders and file meet: a `/`, or a `\` (a Windows-style name). Not the two slashes of `scheme://`
 * (`ftp://u:pw@host`: the password rule needs them), nor a `\` that starts an escape as event text writes it
 * (`\"`, `\'`, `\u0022`, `\u003d`: the secret-key rules read those). The separator is kept (a capture group).
 */
const SEPARATOR = /(\/(?<![A-Za-z0-9+.-]:\/(?=\/)|[A-Za-z0-9+.-]:\/\/)|\\(?!["']|u[0-9A-Fa-f]{4}))/;

/**
 * The name of a source as stored in `sources.name` and shown by reports and event output. Each folder's name and the
 * file's are redacted on their own: a secret value ends at a separator (`caps/sid=abc123/app.log` is
 * `caps/sid=[redacted]/app.log`; the value ran on to the name's end, and every file of that folder had one name). A
 * value written with a `/` in it (`token=ab/cd/app.log`) is a folder and a folder in it on disk: the first is
 * redacted, the second kept as any folder is (`token=[redacted]/cd/app.log`).
 */
export function sourceName(name: string, noRedact: boolean): string {
  if (noRedact) return name;
  const parts = name.split(SEPARATOR);
  // (odd indices are the separators)
  return parts.length === 1 ? componentName(name) : parts.map((p, i) => (i % 2 ? p : componentName(p))).join('');
}

/**
 * One folder's or file's name, redacted whole, each hex run replaced by a stand-in: a run that is a secret key's value
 * (`access_token=3f2a…`), an e-mail's local part (`3f2a…@example.com`) or a bearer token is redacted with its stand-in;
 * one left standing is put back.
 */
function componentName(name: string): string {
  const runs: string[] = [];
  const masked = name.replace(HEX_RUN, (m) => standIn(runs.push(m) - 1));
  // (a name that holds a stand-in's letters itself is redacted whole, its hex runs too)
  if (!runs.length || name.includes('qhexrunq')) return redact(name);
  return redact(masked).replace(/qhexrunq([a-j]+)q/g, (m, letters: string) => runs[indexOf(letters)] ?? m);
}

/**
 * The absolute path stored in `sources.path`, or null when redaction would change it. The path is kept only to open
 * the original again (source-match.ts: is a shorter input an earlier copy of it?), and a redacted path names no file:
 * that check would stat `[phone]` and fail anyway. So such a source keeps no path, and a shorter copy of it given
 * later is counted as a source of its own, the fallback README's "Exactly once" documents for an original that moved
 * away. Re-runs and appends are unaffected: a source is found by its head's hash, the bytes compared are the input's.
 */
export function sourcePath(path: string, noRedact: boolean): string | null {
  return sourceName(path, noRedact) === path ? path : null;
}
