/**
 * One compiled pattern per logcat output layout (AOSP liblog/logprint.cpp, see
 * ../shared/corpus/logcat-formats.md) and per Android Studio copy layout.
 */
import type { FormatName, Level } from '../types.js';

/** Fields of one header as matched, before the time is resolved. */
export interface HeaderFields {
  Y?: string; M?: string; D?: string; h?: string; mi?: string; s?: string; f?: string;
  E?: string; EF?: string; Z?: string;
  L?: string; uid?: string; pid?: string; tid?: string; tag?: string; msg?: string;
}

// Time: `[YYYY-]MM-DD hh:mm:ss[.fff|.ffffff|.fffffffff][ +zzzz]`, or epoch/monotonic `secs.fff`.
const TS = String.raw`(?:(?:(?<Y>\d{4})-)?(?<M>\d\d)-(?<D>\d\d) (?<h>\d\d):(?<mi>\d\d):(?<s>\d\d)(?:\.(?<f>\d{1,9}))?|(?<E>\d+)\.(?<EF>\d{1,9}))(?: (?<Z>[+-]\d{4}))?`;
const LVL = String.raw`(?<L>[VDIWEFSA?])`;
// brief/time/process/thread put an optional `uid:` before the pid inside the parentheses.
const UIDPID = String.raw`\(\s*(?:(?<uid>[^:()\s]+):\s*)?(?<pid>\d+)`;

/** A line format: a name and the pattern of one line. `long` has a header pattern instead. */
export interface LineFormat {
  name: FormatName;
  re: RegExp;
  /** The header fields of a line of this layout, or null: `re` matched with numbered groups. */
  fields: (line: string) => HeaderFields | null;
  /** Where a line of another layout may switch the parser to this one: its fields, when they are that sure (default `fields`). */
  switchFields?: (line: string) => HeaderFields | null;
}

/** The fields of HeaderFields, in the order fieldsOf reads them. */
const FIELD_NAMES = ['Y', 'M', 'D', 'h', 'mi', 's', 'f', 'E', 'EF', 'Z', 'L', 'uid', 'pid', 'tid', 'tag', 'msg'] as const;

/**
 * `re` with its named groups made plain, and where each field's group is (0: the layout has none).
 * A named group makes V8 build a dictionary object of the groups on every match: the parser's largest
 * garbage, and twice the match time on a capture where every line is a record (measured).
 */
function numbered(re: RegExp): { plain: RegExp; at: Uint8Array } {
  const names: string[] = [];
  const plain = new RegExp(re.source.replace(/\(\?<([A-Za-z]+)>/g, (_, n: string) => (names.push(n), '(')), re.flags);
  // Every group of these patterns is named or non-capturing; a plain one would shift the numbers.
  if (new RegExp(`${plain.source}|`).exec('')!.length - 1 !== names.length) throw new Error(`unnamed capturing group in ${re.source}`);
  const at = new Uint8Array(FIELD_NAMES.length);
  names.forEach((n, i) => {
    const k = FIELD_NAMES.indexOf(n as (typeof FIELD_NAMES)[number]);
    if (k < 0) throw new Error(`unknown field ${n} in ${re.source}`);
    at[k] = i + 1;
  });
  return { plain, at };
}

/** The HeaderFields of a match of a `numbered` pattern: one object shape for every layout. */
function fieldsOf(m: RegExpExecArray, at: Uint8Array): HeaderFields {
  const g = pick;
  return { Y: g(m, at[0]!), M: g(m, at[1]!), D: g(m, at[2]!), h: g(m, at[3]!), mi: g(m, at[4]!), s: g(m, at[5]!), f: g(m, at[6]!), E: g(m, at[7]!), EF: g(m, at[8]!), Z: g(m, at[9]!), L: g(m, at[10]!), uid: g(m, at[11]!), pid: g(m, at[12]!), tid: g(m, at[13]!), tag: g(m, at[14]!), msg: g(m, at[15]!) };
}

/** Group i of a match, or undefined for 0 (no such group in the layout). */
function pick(m: RegExpExecArray, i: number): string | undefined {
  return i ? m[i] : undefined;
}

/**
 * A LineFormat of this name and pattern. Its numbered pattern is made at the first `fields` call: every
 * run loads this module (the ingest command's flags name the layouts), and making all eight at load cost
 * ~1.5 ms of each `report`, `explain` or `sql` run, which parses no line. One closure throughout (not
 * one that replaces itself), so that the parser's call of `fields` keeps a single target.
 */
function lineFormatOf(name: FormatName, re: RegExp): LineFormat {
  let n: ReturnType<typeof numbered> | undefined;
  return {
    name,
    re,
    fields: (line) => {
      n ??= numbered(re);
      const m = n.plain.exec(line);
      return m ? fieldsOf(m, n.at) : null;
    },
  };
}

// Android Studio (Electric Eel+) columns: `YYYY-MM-DD hh:mm:ss.mmm pid-tid tag process P  msg`.
// The level column is followed by two spaces; more belong to the message (`D    plugin 1: …`).
// A tag may hold single spaces (`Guard Login`); the columns are padded with runs of them.
const STUDIO_V2 = new RegExp(String.raw`^${TS}\s+(?<pid>\d+)-(?<tid>\d+)\s+(?<tag>\S+(?: \S+){0,7}?)\s+\S+\s+${LVL}(?: {1,2}(?<msg>.*))?$`, 's');

/**
 * The same view under its other formatting options (Android Studio's `com.android.tools.idea.logcat.messages`:
 * TimestampFormat, ProcessThreadFormat, TagFormat, AppNameFormat, LevelFormat): the stamp as date and time or time
 * only (`hh:mm:ss.mmm `, the Compact view's: no date, so no stored time), then, each one optional, pid and tid
 * (`%5d-%-5d `) or the pid alone (`%-5d `), the tag padded to 24 columns (blank when "hide repeated tags" hid a
 * tag equal to the line before's: STUDIO_HIDDEN_TAG), the package, the process name; then ` P  msg` (two spaces, which
 * keeps a `-v year` threadtime line, `… 12345 12350 E Tag: msg`, out), after a space that ends a padded column (a tag
 * `Plan A` is not a level; an app's `12:00:41.200 login failed for user A` is no header: an adversarial review found
 * such a line switching a raw capture to this layout, and its lines after it joined as one record). Groups: 1-7 the
 * stamp, 8 the pid column's lead, 9 pid, 10 tid, 11 the pad after them, 12 the columns before the level, 13 the level, 14 the message.
 */
const STUDIO_V2_COLUMNS = /^(?:(\d{4})-(\d\d)-(\d\d) )?(\d\d):(\d\d):(\d\d)\.(\d{3}) (?:( *)(\d+)(?:-(\d+))?( +))?((?:.*? )?) ([VDIWEFSA])  (.*)$/s;

/** A Studio line's tag under "hide repeated tags": the parser puts the tag of the record before (RecordParser). */
export const STUDIO_HIDDEN_TAG = '\u0000hidden';

/** Studio's narrowest tag column: TagFormat's least maxLength (10) and its space. */
const STUDIO_MIN_TAG_COLUMN = 11;
/** Studio's default tag column: maxLength 23 and its space. */
const STUDIO_TAG_COLUMN = 24;

/** The HeaderFields of a Studio line under other formatting options (STUDIO_V2_COLUMNS), or null. */
function studioColumns(line: string): HeaderFields | null {
  const m = STUDIO_V2_COLUMNS.exec(line);
  if (!m) return null;
  const mid = m[12]!;
  // The pad after the pid column is `%-5d `'s own, and the blank tag column when a tag was hidden; without the pid
  // column the hidden tag's blank starts the columns before the level.
  const last = m[10] ?? m[9];
  const pad = last !== undefined ? m[11]!.length - (Math.max(0, 5 - last.length) + 1) : 0;
  let tag: string | undefined;
  if (pad >= STUDIO_MIN_TAG_COLUMN || (last === undefined && /^ {11}/.test(mid))) tag = STUDIO_HIDDEN_TAG;
  else if (pad !== 0) return null;
  else if (mid === '') tag = undefined;
  // the default column (the package's may follow), else what comes before a run of spaces
  else if (mid.length >= STUDIO_TAG_COLUMN && mid[STUDIO_TAG_COLUMN - 1] === ' ') tag = mid.slice(0, STUDIO_TAG_COLUMN - 1).trimEnd();
  else tag = mid.split(/ {2,}/)[0]!.trimEnd();
  return { Y: m[1], M: m[2], D: m[3], h: m[4], mi: m[5], s: m[6], f: m[7], E: undefined, EF: undefined, Z: undefined, L: m[13], uid: undefined, pid: m[9], tid: m[10], tag, msg: m[14] };
}

/** Studio's column layout: its default columns as STUDIO_V2 reads them, the others as studioColumns does. */
function studioV2Format(): LineFormat {
  const strict = lineFormatOf('studio-v2', STUDIO_V2);
  return {
    name: 'studio-v2',
    // for tests of a line only: its groups are never read (STUDIO_V2_COLUMNS has no names, so STUDIO_V2's are not doubled)
    re: new RegExp(`(?:${STUDIO_V2.source})|(?:${STUDIO_V2_COLUMNS.source})`, 's'),
    // a hidden tag first: the default pattern would read such a line's package as its tag (and `D  A user…` as level A)
    fields: (line) => {
      const c = studioColumns(line);
      return c?.tag === STUDIO_HIDDEN_TAG ? c : (strict.fields(line) ?? c);
    },
    // a raw or other capture switches to these columns on the default layout, or on a line with its pid column
    switchFields: (line) => {
      const c = studioColumns(line);
      return c?.pid !== undefined && c.tag === STUDIO_HIDDEN_TAG ? c : (strict.fields(line) ?? (c?.pid !== undefined ? c : null));
    },
  };
}

/**
 * The one-line layouts. Each pattern has the flag `s`: a line is one line already (the Framer cut it at its
 * newline), and without it `.` would match no CR, U+2028 or U+2029 inside it, so a record whose message held
 * one (an app's text, or a hostile one hiding an event) fell to `raw`: no time, pid or tag.
 */
export const LINE_FORMATS: readonly LineFormat[] = [
  // `%s %s%5d %5d %c %-8.*s: ` (uid, when present, is a word before the pid)
  lineFormatOf('threadtime', new RegExp(String.raw`^\s*${TS}\s+(?:(?<uid>\S+)\s+)?(?<pid>\d+)\s+(?<tid>\d+) ${LVL} (?<tag>.*?)\s*:(?: (?<msg>.*))?$`, 's')),
  // `%s %c/%-8.*s(%s%5d): `
  lineFormatOf('time', new RegExp(String.raw`^\s*${TS} ${LVL}\/(?<tag>.*?)${UIDPID}\)(?:: (?<msg>.*)|:?)$`, 's')),
  // Android Studio (up to Dolphin) copy: `MM-DD hh:mm:ss.mmm pid-tid/package P/Tag: msg`
  lineFormatOf('studio', new RegExp(String.raw`^${TS} (?<pid>\d+)-(?<tid>\d+)\/\S* ${LVL}\/(?<tag>.*?): (?<msg>.*)$`, 's')),
  // Android Studio (Electric Eel+) columns: `YYYY-MM-DD hh:mm:ss.mmm pid-tid tag process P  msg`, and the other
  // columns its Logcat view's formatting options give (studioV2Format).
  studioV2Format(),
  // `%c/%-8.*s(%s%5d): `
  lineFormatOf('brief', new RegExp(String.raw`^${LVL}\/(?<tag>.*?)${UIDPID}\)(?:: (?<msg>.*)|:?)$`, 's')),
  // `%c(%s%5d) ` ... `  (%.*s)`; before thread: with the uid modifier `(uid:pid)` looks like thread's `(pid:tid)`
  lineFormatOf('process', new RegExp(String.raw`^${LVL}${UIDPID}\) (?<msg>.*)  \((?<tag>.*)\)$`, 's')),
  // `%c(%s%5d:%5d) `
  lineFormatOf('thread', new RegExp(String.raw`^${LVL}${UIDPID}:\s*(?<tid>\d+)\)(?: (?<msg>.*))?$`, 's')),
  // `%c/%-8.*s: `
  lineFormatOf('tag', new RegExp(String.raw`^${LVL}\/(?<tag>.*?)\s*:(?: (?<msg>.*))?$`, 's')),
];

/** `[ %s %s%5d:%5d %c/%-8.*s ]` opens a `long` entry; the message follows until a blank line. */
export const LONG_HEADER = new RegExp(String.raw`^\[\s+${TS}\s+(?:(?<uid>[^\s:]+):\s*)?(?<pid>\d+):\s*(?<tid>\d+) ${LVL}\/(?<tag>.*?)\s*\]$`, 's');

/**
 * Lines that are not entries: buffer dividers (Android Studio copies indent them), Studio's process
 * banners, adb chatter, logd notices.
 */
export const NON_ENTRY = /^\s*(?:-{9} (?:beginning of|switch to) |-{4,} PROCESS (?:STARTED|ENDED) \(|- waiting for device -|\* daemon |logcat: |read: unexpected EOF)/;

/**
 * Android Studio (Electric Eel+) banner between a process's records: `---- PROCESS STARTED (8468) for
 * package x ----`, as the issue quotes it, or with Studio's 28 dashes either side.
 */
export const PROCESS_BANNER = /^\s*-{4,} PROCESS (?:STARTED|ENDED) \((?<pid>\d+)\) for package (?<pkg>\S+) -{4,}\s*$/;

/** Formats whose records may span lines (message lines or continuation lines under a header). */
export const MULTI_LINE_FORMATS: ReadonlySet<FormatName> = new Set<FormatName>(['long', 'studio', 'studio-v2']);

const byName = new Map<FormatName, LineFormat>(LINE_FORMATS.map((f) => [f.name, f]));

/** The line format with this name, or undefined for `long` and `raw`. */
export function lineFormat(name: FormatName): LineFormat | undefined {
  return byName.get(name);
}

/**
 * A pid or tid as stored: a whole number a double holds exactly, else none. A damaged line's 20-digit pid, or a JSON
 * log's 1.5 or "7", is no process id; as a number past 2^53 it failed PostgreSQL's bigint (every run of the source
 * stopped there, an adversarial review) and was rounded by SQLite.
 */
export function processId(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
}

/** Maps a priority letter to a Level; `A` (Android Studio's assert) is `F`. */
export function toLevel(c: string | undefined): Level | null {
  if (!c) return null;
  return c === 'A' ? 'F' : (c as Level);
}

/** All format names a user may force with --input-format. */
export const FORMAT_NAMES: readonly FormatName[] = [...LINE_FORMATS.map((f) => f.name), 'long', 'raw', 'binary', 'ndjson', 'studio-json'];
