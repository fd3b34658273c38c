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
 * The name of a source as stored in `sources.name` and shown by reports and event output. The whole name is redacted,
 * each hex run replaced by a stand-in: a run that is a secret key's value (`access_token=3f2a…`), an e-mail's local
 * part (`3f2a…@example.com`) or a bearer token is redacted with its stand-in; one left standing is put back.
 */
export function sourceName(name: string, noRedact: boolean): string {
  if (noRedact) return name;
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
