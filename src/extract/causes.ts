/**
 * Causes: the known failure signatures (registry/causes.json) found in an event's context or its own
 * message, named as the event's `cause` (dns, timeout, tls, ...). Data, not code: each entry has its
 * patterns, its source and a sample line that test/unit/causes.test.ts checks.
 */
import { readFileSync } from 'node:fs';
import { distFile } from '../assets.js';
import { TextMemo } from './text-memo.js';

/** One entry of causes.json. */
export interface CauseEntry {
  /** The cause's name; `{1}` takes the first capture of the pattern that matched (`http-{1}` -> http-503). */
  name: string;
  patterns: string[];
  /** Where the signature's text comes from. */
  source: string;
  /** A log line the entry must match. */
  sample: string;
  /** The cause `sample` gives, when it is not `name` itself (a templated name). */
  sampleCause?: string;
  /** `message`: read in the event's own message only (a status line is the cause of its own event, not of later ones). */
  scope?: 'message';
}

/** The bundled causes, in the order they are tried. */
export function loadCauses(): CauseEntry[] {
  return (JSON.parse(readFileSync(distFile('registry/causes.json'), 'utf8')) as { causes: CauseEntry[] }).causes;
}

/** Compiled causes: each pattern once, tried in the file's order. */
export class CauseMatcher {
  private readonly rules: { name: string; re: RegExp; messageOnly: boolean }[];
  /** Every pattern in one: most lines match none, and one test settles them. */
  private readonly any: RegExp;
  /**
   * The patterns read in a line before an event (not of scope `message`), in one, when each is sure to
   * match a whole line wherever it matches the line's message: null when one is not (mayBeInLine then
   * always says yes).
   */
  private readonly inLineRe: RegExp | null;
  /** inBoth() of each event message seen lately: a capture repeats a few messages thousands of times. */
  private readonly both = new TextMemo((text) => this.bothOf(text), { size: 1024, maxChars: 1024, rest: 1 << 16 });

  constructor(entries: readonly CauseEntry[] = loadCauses()) {
    this.rules = entries.flatMap((e) => e.patterns.map((p) => ({ name: e.name, re: new RegExp(p), messageOnly: e.scope === 'message' })));
    this.any = new RegExp(this.rules.map((r) => `(?:${r.re.source})`).join('|'));
    const context = this.rules.filter((r) => !r.messageOnly);
    this.inLineRe = context.every((r) => substringSafe(r.re.source)) ? new RegExp(context.map((r) => `(?:${r.re.source})`).join('|') || '(?!)') : null;
  }

  /**
   * False only when no record parsed from `line` (a one-line record, decorations stripped) can show a
   * cause as a line before an event: its message is a part of the line, so a pattern that matches the
   * message matches the line. Lets a read-back parse only the lines that may show one (a capture of one
   * process read back 64 lines an event, each parsed; docs/performance.md, round fifteen).
   */
  mayBeInLine(line: string): boolean {
    return this.inLineRe === null || this.inLineRe.test(line);
  }

  /** mayBeInLine's pattern, for the scan threads that leave out the lines it rules out (lookback.ts); null: none is ruled out. */
  get lineCheck(): string | null {
    return this.inLineRe?.source ?? null;
  }

  /** The cause one text shows, or null; `context`: a line before the event (entries of scope `message` are not read). */
  inText(text: string, context = false): string | null {
    if (!this.any.test(text)) return null;
    for (const { name, re, messageOnly } of this.rules) {
      if (context && messageOnly) continue;
      const m = re.exec(text);
      if (m) return causeName(name, m);
    }
    return null;
  }

  /**
   * What one text shows read both ways in one pass (an event's own message is also a context line of
   * the pid's next event): `[as a context line, as the event's own message]`. The two differ only when
   * an entry of scope `message` matches first.
   */
  inBoth(text: string): readonly [context: string | null, message: string | null] {
    return this.both.get(text);
  }

  /** inBoth() made again. */
  private bothOf(text: string): readonly [context: string | null, message: string | null] {
    if (!this.any.test(text)) return NO_CAUSE;
    let message: string | null | undefined;
    for (const { name, re, messageOnly } of this.rules) {
      const m = re.exec(text);
      if (!m) continue;
      const cause = causeName(name, m);
      message ??= cause;
      if (!messageOnly) return [cause, message];
    }
    return [null, message ?? null];
  }

  /** The event's cause: the first signature in its context, nearest line first, else in its own message. */
  causeOf(context: readonly string[], message: string): string | null {
    for (let i = context.length - 1; i >= 0; i--) {
      const c = this.inText(context[i]!, true);
      if (c) return c;
    }
    return this.inText(message);
  }
}

/** A rule's name for its match: `http-{1}` takes the status the pattern caught. */
function causeName(name: string, m: RegExpExecArray): string {
  return name.includes('{1}') ? name.replace('{1}', m[1] ?? '') : name;
}

/**
 * True when a pattern that matches a record's message surely matches the whole line the message was cut
 * from: no anchor (`^`, `$`), lookaround or `\B`, which read what is beside the match. `\b` is kept: in
 * every one-line layout a message follows a space and ends the line or comes before a space, so a word
 * boundary at its ends is one in the line too. Escaped characters are literals; anything unclear
 * (a `^` inside a class but first, a named group) counts as not safe, which costs speed, never a cause.
 */
export function substringSafe(source: string): boolean {
  const s = source.replace(/\\[\s\S]/g, (e) => (e === '\\B' ? '^' : 'x')).replaceAll('[^', '[');
  return !/[\^$]|\(\?</.test(s) && !/\(\?[=!]/.test(s);
}

/** A text that shows no cause, either way. */
const NO_CAUSE = [null, null] as const;

let bundled: CauseMatcher | undefined;

/** The matcher of the bundled causes, compiled once per process. */
export function bundledCauses(): CauseMatcher {
  return (bundled ??= new CauseMatcher());
}
