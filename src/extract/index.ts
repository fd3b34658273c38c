/** Records -> events: the Authing context test, the code rules, enrichment and redaction. */
import { categoryOf, type Registry } from '../registry/index.js';
import type { AuthingEvent, LogRecord } from '../types.js';
import { terminalText } from '../sinks/terminal-text.js';
import { OutcomeRules } from './outcome.js';
import { redact, redactionWindow } from './redact.js';
import { compileRules, DETAIL_LENGTH, findCode, type Rules } from './rules.js';
import { TextMemo } from './text-memo.js';

export { candidateNeedles, type Needles } from './prefilter.js';

/** Tags and details whose stored form is kept; a capture of ever-new ones starts again past this. */
const FIELD_MEMO = 1024;
/** Longest tag or detail kept by that memo, in characters (with its escaped form, at most ~3 MB for all). */
const FIELD_MEMO_CHARS = 256;
/** The memo of excerpts: 1024 messages of up to 1024 characters (at most ~2 MB of copies and excerpts). */
const EXCERPT_MEMO = { size: 1024, maxChars: 1024, rest: 1 << 16 };

/** Options of the extractor. */
export interface ExtractOptions {
  /** Extra tags that give Authing context (--tag). */
  tags?: readonly string[];
  /** Keep messages as they are (--no-redact). */
  noRedact?: boolean;
  /** Longest excerpt stored, in characters. */
  excerptLength?: number;
}

/** Turns records into events; build one per run. */
export class Extractor {
  readonly rules: Rules;
  readonly tags: readonly string[];
  private readonly outcomes = new OutcomeRules();
  /** field() of each tag and detail seen lately (a pure function of the text). */
  private readonly fields = new Map<string, string>();
  /** The excerpt of each message seen lately (a capture repeats a few messages thousands of times). */
  private readonly excerpts: TextMemo<string>;

  constructor(
    private readonly registry: Registry,
    private readonly opts: ExtractOptions = {},
  ) {
    this.tags = [...(opts.tags ?? []), ...registry.extraTags];
    this.rules = compileRules(registry.signatures, this.tags);
    const length = opts.excerptLength ?? 240;
    const noRedact = !!opts.noRedact;
    this.excerpts = new TextMemo((m) => excerptOf(m, length, noRedact), EXCERPT_MEMO);
  }

  /** True when messages are kept as they are (--no-redact): context lines are too. */
  get noRedact(): boolean {
    return !!this.opts.noRedact;
  }

  /** True when `rec` holds an event: what extract() finds, without building it (an event past --max-events is only counted). */
  finds(rec: LogRecord): boolean {
    return findCode(this.rules, rec.tag, rec.message) !== null;
  }

  /** The event a record yields, or null. */
  extract(rec: LogRecord): AuthingEvent | null {
    const found = findCode(this.rules, rec.tag, rec.message);
    if (!found) return null;
    const category = categoryOf(this.registry, found.code);
    return {
      code: found.code,
      category,
      method: found.method,
      detail: found.detail === null ? null : this.field(found.detail).slice(0, DETAIL_LENGTH),
      time: rec.time,
      pid: rec.pid,
      tid: rec.tid,
      level: rec.level,
      tag: this.field(rec.tag),
      line: rec.line,
      excerpt: this.excerpts.get(rec.message),
      outcome: this.outcomes.outcomeOf(this.registry.codes.get(found.code), category, rec.message),
      // Set later by the pipeline; named here, an event is one object of one shape (adding them made a second object per event, kept until its batch is written).
      context: undefined,
      cause: undefined,
      sourceId: undefined,
    };
  }

  /** A short stored field (tag, detail): redacted, control characters escaped, like the excerpt. */
  private field(text: string): string {
    // A capture repeats a few tags and details: each is redacted once, not once per event. Long ones
    // are not kept (memory stays bounded whatever a hostile log holds).
    if (text.length > FIELD_MEMO_CHARS) return terminalText(this.opts.noRedact ? text : redact(text));
    let out = this.fields.get(text);
    if (out === undefined) {
      if (this.fields.size >= FIELD_MEMO) this.fields.clear();
      out = terminalText(this.opts.noRedact ? text : redact(text));
      this.fields.set(text, out);
    }
    return out;
  }
}

/** The stored excerpt of a message: its first `length` characters, redacted (unless `noRedact`) and escaped. */
export function excerptOf(message: string, length: number, noRedact: boolean): string {
  // Redact before cutting, so a secret is never half-shown at the cut.
  const cutAt = redactionWindow(message, length * 4);
  const head = cutAt.includes('\n') ? cutAt.replace(/\s*\n\s*/g, ' ⏎ ') : cutAt;
  const clean = noRedact ? head : redact(head);
  const cut = clean.length > length || message.length > length * 4 ? clean.slice(0, length) + '…' : clean;
  // Stored escaped (`\e]52;…`): every report and printer shows it as text, never as a command.
  return terminalText(cut);
}
