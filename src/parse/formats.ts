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
}

export const LINE_FORMATS: readonly LineFormat[] = [
  // `%s %s%5d %5d %c %-8.*s: ` (uid, when present, is a word before the pid)
  { name: 'threadtime', re: new RegExp(String.raw`^\s*${TS}\s+(?:(?<uid>\S+)\s+)?(?<pid>\d+)\s+(?<tid>\d+) ${LVL} (?<tag>.*?)\s*:(?: (?<msg>.*))?$`) },
  // `%s %c/%-8.*s(%s%5d): `
  { name: 'time', re: new RegExp(String.raw`^\s*${TS} ${LVL}\/(?<tag>.*?)${UIDPID}\)(?:: (?<msg>.*)|:?)$`) },
  // Android Studio (up to Dolphin) copy: `MM-DD hh:mm:ss.mmm pid-tid/package P/Tag: msg`
  { name: 'studio', re: new RegExp(String.raw`^${TS} (?<pid>\d+)-(?<tid>\d+)\/\S* ${LVL}\/(?<tag>.*?): (?<msg>.*)$`) },
  // Android Studio (Electric Eel+) columns: `YYYY-MM-DD hh:mm:ss.mmm pid-tid tag process P  msg`
  // The level column is followed by two spaces; more belong to the message (`D    plugin 1: …`).
  // A tag may hold single spaces (`Guard Login`); the columns are padded with runs of them.
  { name: 'studio-v2', re: new RegExp(String.raw`^${TS}\s+(?<pid>\d+)-(?<tid>\d+)\s+(?<tag>\S+(?: \S+){0,7}?)\s+\S+\s+${LVL}(?: {1,2}(?<msg>.*))?$`) },
  // `%c/%-8.*s(%s%5d): `
  { name: 'brief', re: new RegExp(String.raw`^${LVL}\/(?<tag>.*?)${UIDPID}\)(?:: (?<msg>.*)|:?)$`) },
  // `%c(%s%5d) ` ... `  (%.*s)`; before thread: with the uid modifier `(uid:pid)` looks like thread's `(pid:tid)`
  { name: 'process', re: new RegExp(String.raw`^${LVL}${UIDPID}\) (?<msg>.*)  \((?<tag>.*)\)$`) },
  // `%c(%s%5d:%5d) `
  { name: 'thread', re: new RegExp(String.raw`^${LVL}${UIDPID}:\s*(?<tid>\d+)\)(?: (?<msg>.*))?$`) },
  // `%c/%-8.*s: `
  { name: 'tag', re: new RegExp(String.raw`^${LVL}\/(?<tag>.*?)\s*:(?: (?<msg>.*))?$`) },
];

/** `[ %s %s%5d:%5d %c/%-8.*s ]` opens a `long` entry; the message follows until a blank line. */
export const LONG_HEADER = new RegExp(String.raw`^\[\s+${TS}\s+(?:(?<uid>[^\s:]+):\s*)?(?<pid>\d+):\s*(?<tid>\d+) ${LVL}\/(?<tag>.*?)\s*\]$`);

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

/** Maps a priority letter to a Level; `A` (Android Studio's assert) is `F`. */
export function toLevel(c: string | undefined): Level | null {
  if (!c) return null;
  return c === 'A' ? 'F' : (c as Level);
}

/** All format names a user may force with --input-format. */
export const FORMAT_NAMES: readonly FormatName[] = [...LINE_FORMATS.map((f) => f.name), 'long', 'raw', 'binary', 'ndjson', 'studio-json'];
