/**
 * Labels on sources: `key=value` pairs that say where a capture came from (device, android, app,
 * build, host). Given with `--label` or the config key `labels`, or found automatically (a
 * bugreport's header, `watch`'s adb, `--label-from-path`); an explicit one wins over a found one.
 * Values come from logs and paths, so they are hostile input: redacted like excerpts, stripped of
 * control characters, bounded in length.
 */
import { UserError } from '../errors.js';
import { isSecretKey, redact } from '../extract/redact.js';
import { BEYOND_C0_UNSAFE, terminalText } from '../sinks/terminal-text.js';

/** Labels of one source, key -> value. */
export type Labels = Record<string, string>;

/** A label key: lower case, a letter first (it is also the name in `--by label:KEY`). */
export const LABEL_KEY = /^[a-z][a-z0-9_]*$/;
/** Longest key and value kept: a label names a device or a version, not a paragraph. */
export const MAX_LABEL_KEY = 40;
export const MAX_LABEL_VALUE = 120;
/** Labels a source can carry: a source with more is somebody's mistake, not a description. */
export const MAX_LABELS = 32;

// C0, and what terminal-text.ts escapes beyond it (DEL, C1, bidi overrides, line separators): a label is printed on
// terminals and pages, where these reorder or break what a report shows.
const CONTROL = new RegExp(String.raw`[\u0000-\u001f${BEYOND_C0_UNSAFE}]+`, 'g');

/** Why a key is no label key, or null. */
export function badLabelKey(key: string): string | null {
  if (!LABEL_KEY.test(key)) return 'a key is a lower-case letter then letters, digits or _ (e.g. device, app_version)';
  if (key.length > MAX_LABEL_KEY) return `a key has at most ${MAX_LABEL_KEY} characters`;
  return null;
}

/**
 * A value as stored: controls to spaces, trimmed, redacted, cut to MAX_LABEL_VALUE; '' when nothing is left. Under a
 * key that names a secret (`--label password=…`), the whole value (it was redacted as if it had no key, and stored).
 */
export function labelValue(raw: string, key = ''): string {
  const text = raw.replace(CONTROL, ' ').trim();
  const clean = text && isSecretKey(key) ? '[redacted]' : redact(text);
  return clean.length > MAX_LABEL_VALUE ? clean.slice(0, MAX_LABEL_VALUE).trimEnd() : clean;
}

/** A flag's text in an error: redacted (a mistyped `--label token=…` must not print the token) and escaped. */
function shown(item: string): string {
  return terminalText(JSON.stringify(redact(item)));
}

/** Parses `--label KEY=VALUE` flags (and the config's list form); `what` names the origin in errors. */
export function parseLabelFlags(list: readonly string[], what = '--label'): Labels {
  const out: Labels = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new UserError('usage', `${what} ${shown(item)}: expected KEY=VALUE, e.g. --label device=pixel7`);
    const key = item.slice(0, eq).trim();
    const why = badLabelKey(key);
    if (why) throw new UserError('usage', `${what} ${shown(item)}: ${JSON.stringify(key)} is not a label key; ${why}`);
    const value = labelValue(item.slice(eq + 1), key);
    if (!value) throw new UserError('usage', `${what} ${shown(item)}: the value is empty; give KEY=VALUE`);
    out[key] = value;
  }
  if (Object.keys(out).length > MAX_LABELS) throw new UserError('usage', `${what}: ${Object.keys(out).length} labels; a source carries at most ${MAX_LABELS}`);
  return out;
}

/** The config's `labels`: an object `{ "device": "pixel7" }` or a list `["device=pixel7"]`. */
export function configLabels(v: unknown, file: string): Labels {
  const what = `${file}: key "labels"`;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return parseLabelFlags(v, what);
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string' || typeof x === 'number')) {
    return parseLabelFlags(Object.entries(v).map(([k, x]) => `${k}=${x}`), what);
  }
  throw new UserError('usage', `${what}: expected an object of strings ({"device": "pixel7"}) or a list of "KEY=VALUE" strings`);
}

/**
 * The labels a source gets: found ones in order (later wins), then the explicit ones over all.
 * Found values are cleaned here (they come from logs and paths); found keys that are no label key are dropped.
 */
export function mergeLabels(explicit: Labels, ...found: (Labels | undefined)[]): Labels {
  const out: Labels = {};
  for (const f of found) {
    for (const [k, v] of Object.entries(f ?? {})) {
      if (badLabelKey(k)) continue;
      const value = labelValue(v, k);
      if (value) out[k] = value;
    }
  }
  return { ...out, ...explicit };
}

/** Labels as one JSON text, keys sorted (the form of `v_events.labels`). */
export function labelsJson(labels: Labels): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
