/**
 * A batch of events as it crosses to the store's writer thread (writer-thread.ts): each event's numbers in
 * one Float64Array, the lengths of its strings in one Int32Array (both transferred, not copied), and every
 * string of the batch joined into one string, which postMessage copies as one flat block. No event object
 * and no string of an event is cloned one by one: round eight's writer thread lost on its transport
 * (structured clone of objects, an array of strings ~9 µs an event; docs/performance.md, rounds eight and ten).
 * A JavaScript string crosses as its UTF-16 code units, so a lone surrogate (an excerpt cut inside a pair)
 * comes back as it was. Only the fields the store writes cross (SqliteStore.writeBatch): not the category.
 */
import type { AuthingEvent, Level, Method, Outcome } from '../types.js';

/** A packed batch: `count` events, `nums` NUMS numbers each, `lens` the lengths of STRS strings each (-1: null), `text` the strings joined. */
export interface PackedEvents {
  count: number;
  nums: Float64Array;
  lens: Int32Array;
  text: string;
}

/** An event as the writer thread gets it back: what writeBatch reads, and the index it had in its batch. */
export type WrittenEvent = Pick<AuthingEvent, 'code' | 'line' | 'time' | 'method' | 'detail' | 'pid' | 'tid' | 'level' | 'tag' | 'excerpt' | 'outcome' | 'context' | 'cause'> & { index: number };

/** Numbers an event: line, code, pid, tid (NaN: null), and the method, level and outcome as their index in the lists below. */
const NUMS = 7;
/** Strings an event at most: time, detail, tag, excerpt, context (its JSON), cause; and method, level, outcome when not listed. */
const STRS = 9;
/** The values of method, level and outcome (types.ts), sent as their index: no string to join, copy or slice for them. */
const METHODS: readonly Method[] = ['signature', 'json', 'key-value'];
const LEVELS: readonly Level[] = ['V', 'D', 'I', 'W', 'E', 'F', 'S', '?'];
const OUTCOMES: readonly Outcome[] = ['failed', 'canceled', 'error', 'success'];
/** An index that says "the value follows among the strings" (not listed), and one that says null. */
const LISTED_NOT = -2;
const NULL = -1;

/** Packs `events` (read, not changed); the typed arrays are the batch's own, to be transferred. */
export function packEvents(events: readonly AuthingEvent[]): PackedEvents {
  const count = events.length;
  const nums = new Float64Array(count * NUMS);
  const lens = new Int32Array(count * STRS);
  const parts: string[] = [];
  let n = 0;
  let s = 0;
  // Unrolled: a closure per string cost more than the strings (a call each, 1.6 M a dense run).
  for (let i = 0; i < count; i++) {
    const e = events[i]!;
    nums[n++] = e.line;
    nums[n++] = e.code;
    nums[n++] = e.pid ?? NaN;
    nums[n++] = e.tid ?? NaN;
    let k = METHODS.indexOf(e.method);
    nums[n++] = k < 0 ? LISTED_NOT : k;
    if (k < 0) (lens[s++] = e.method.length), parts.push(e.method);
    k = e.level === null ? NULL : LEVELS.indexOf(e.level);
    nums[n++] = k === -1 && e.level !== null ? LISTED_NOT : k;
    if (k === -1 && e.level !== null) (lens[s++] = e.level.length), parts.push(e.level);
    k = OUTCOMES.indexOf(e.outcome);
    nums[n++] = k < 0 ? LISTED_NOT : k;
    if (k < 0) (lens[s++] = e.outcome.length), parts.push(e.outcome);
    let v: string | null | undefined = e.time;
    if (v === null) lens[s++] = NULL;
    else (lens[s++] = v.length), parts.push(v);
    v = e.detail;
    if (v === null) lens[s++] = NULL;
    else (lens[s++] = v.length), parts.push(v);
    parts.push(e.tag);
    lens[s++] = e.tag.length;
    parts.push(e.excerpt);
    lens[s++] = e.excerpt.length;
    const c = e.context;
    if (c === undefined) lens[s++] = NULL;
    else {
      v = c.length === 0 ? '[]' : JSON.stringify(c);
      lens[s++] = v.length;
      parts.push(v);
    }
    v = e.cause;
    if (v === null || v === undefined) lens[s++] = NULL;
    else (lens[s++] = v.length), parts.push(v);
  }
  return { count, nums, lens, text: parts.join('') };
}

/** The events of a packed batch, in order, each with the fields it was packed with (a cause packed as none is null). */
export function unpackEvents(p: PackedEvents): WrittenEvent[] {
  const { nums, lens, text, count } = p;
  const out: WrittenEvent[] = new Array(count);
  let at = 0;
  let s = 0;
  const str = (): string | null => {
    const len = lens[s++]!;
    if (len < 0) return null;
    at += len;
    return text.slice(at - len, at);
  };
  for (let i = 0, n = 0; i < count; i++, n += NUMS) {
    // in packEvents' order: the unlisted values first, then the strings
    const m = nums[n + 4]!;
    const method = m === LISTED_NOT ? (str() as Method) : METHODS[m]!;
    const l = nums[n + 5]!;
    const level = l === LISTED_NOT ? (str() as Level) : l === NULL ? null : LEVELS[l]!;
    const o = nums[n + 6]!;
    const outcome = o === LISTED_NOT ? (str() as Outcome) : OUTCOMES[o]!;
    const time = str();
    const detail = str();
    const tag = str()!;
    const excerpt = str()!;
    const context = str();
    const cause = str();
    const pid = nums[n + 2]!;
    const tid = nums[n + 3]!;
    out[i] = {
      index: i, line: nums[n]!, code: nums[n + 1]!, time, method, detail, pid: Number.isNaN(pid) ? null : pid, tid: Number.isNaN(tid) ? null : tid, level, tag, excerpt, outcome,
      // JSON.stringify(JSON.parse(json)) is json again for the array of strings it was made from
      context: context === null ? undefined : context === '[]' ? [] : (JSON.parse(context) as string[]),
      cause,
    };
  }
  return out;
}

/** The buffers of a packed batch, to transfer with it. */
export function packedBuffers(p: PackedEvents): ArrayBuffer[] {
  return [p.nums.buffer as ArrayBuffer, p.lens.buffer as ArrayBuffer];
}
