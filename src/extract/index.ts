/** Records -> events: the Authing context test, the code rules, enrichment and redaction. */
import { categoryOf, type Registry } from '../registry/index.js';
import type { AuthingEvent, LogRecord, Outcome } from '../types.js';
import { terminalText } from '../sinks/terminal-text.js';
import { OutcomeRules } from './outcome.js';
import { redact, redactionWindow } from './redact.js';
import { compileRules, DETAIL_LENGTH, findCode, type Found, type Rules } from './rules.js';
import { ownCopy, TextMemo } from './text-memo.js';

export { candidateNeedles, type Needles } from './prefilter.js';

/**
 * The memo of tags and details: 1024 of up to 256 characters (with their escaped forms, at most ~3 MB); a
 * capture of ever-new ones starts it again, never resting (a tag is short, its lookup cheap).
 */
const FIELD_MEMO = { size: 1024, maxChars: 256, rest: 0 };
/** The memo of messages: 1024 of up to 1024 characters (with their excerpts and up to 16 tags each, at most ~5 MB). */
const MESSAGE_MEMO = { size: 1024, maxChars: 1024, rest: 1 << 16 };
/** Tags whose yield is kept per message (a message logged under ever-new tags is worked out again past this). */
const TAGS_PER_MESSAGE = 16;

/** What a message yields under one tag: the event's code and the fields that follow from it and the message. */
interface Yield {
  code: number;
  category: string;
  method: Found['method'];
  detail: string | null;
  outcome: Outcome;
}

/** What is known of one message (a copy of it): its yield under each tag seen with it, and its excerpt. */
interface MessageFacts {
  text: string;
  byTag: Map<string, Yield | null>;
  excerpt?: string;
}

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
  /**
   * The stored form of each tag and detail seen lately: a capture repeats a few, each redacted once, not once
   * per event. Kept as copies (TextMemo): a tag or detail is a slice of a scan job's candidate text.
   */
  private readonly fields = new TextMemo((text) => terminalText(this.opts.noRedact ? text : redact(text)), FIELD_MEMO);
  /**
   * What each message seen lately yields (a capture repeats a few messages thousands of times: the code
   * rules' expressions, the outcome words and the excerpt ran again for each event).
   */
  private readonly messages = new TextMemo<MessageFacts>((text) => ({ text, byTag: new Map() }), MESSAGE_MEMO);
  private readonly excerptLength: number;

  constructor(
    private readonly registry: Registry,
    private readonly opts: ExtractOptions = {},
  ) {
    this.tags = [...(opts.tags ?? []), ...registry.extraTags];
    this.rules = compileRules(registry.signatures, this.tags);
    this.excerptLength = opts.excerptLength ?? 240;
  }

  /** True when messages are kept as they are (--no-redact): context lines are too. */
  get noRedact(): boolean {
    return !!this.opts.noRedact;
  }

  /** True when `rec` holds an event: what extract() finds, without building it (an event past --max-events is only counted). */
  finds(rec: LogRecord): boolean {
    return this.yieldOf(this.messages.get(rec.message), rec.tag) !== null;
  }

  /** The event a record yields, or null. */
  extract(rec: LogRecord): AuthingEvent | null {
    const facts = this.messages.get(rec.message);
    const y = this.yieldOf(facts, rec.tag);
    if (!y) return null;
    return {
      code: y.code,
      category: y.category,
      method: y.method,
      detail: y.detail,
      time: rec.time,
      pid: rec.pid,
      tid: rec.tid,
      level: rec.level,
      tag: this.field(rec.tag),
      line: rec.line,
      excerpt: (facts.excerpt ??= excerptOf(facts.text, this.excerptLength, !!this.opts.noRedact)),
      outcome: y.outcome,
      // Set later by the pipeline; named here, an event is one object of one shape (adding them made a second object per event, kept until its batch is written).
      context: undefined,
      cause: undefined,
      sourceId: undefined,
    };
  }

  /** What a message yields under `tag`, worked out once per tag and message while the message is kept. */
  private yieldOf(facts: MessageFacts, tag: string): Yield | null {
    let y = facts.byTag.get(tag);
    if (y === undefined) {
      const found = findCode(this.rules, tag, facts.text);
      if (found) {
        const category = categoryOf(this.registry, found.code);
        y = {
          code: found.code,
          category,
          method: found.method,
          detail: found.detail === null ? null : this.field(found.detail).slice(0, DETAIL_LENGTH),
          outcome: this.outcomes.outcomeOf(this.registry.codes.get(found.code), category, facts.text),
        };
      } else y = null;
      // A tag too is a slice of a scan job's text: the key is a copy.
      if (facts.byTag.size < TAGS_PER_MESSAGE) facts.byTag.set(ownCopy(tag), y);
    }
    return y;
  }

  /** A short stored field (tag, detail): redacted, control characters escaped, like the excerpt. */
  private field(text: string): string {
    return this.fields.get(text);
  }
}

/** The stored excerpt of a message: its first `length` characters, redacted (unless `noRedact`) and escaped. */
export function excerptOf(message: string, length: number, noRedact: boolean): string {
  // Redact before cutting, so a secret is never half-shown at the cut.
  const cutAt = redactionWindow(message, length * 4);
  // Redacted with its newlines, then joined: joined first, `⏎` was taken for the value of `password:` and the
  // password on the next line stayed (a review's find, `-v long`, NDJSON and Studio records).
  const red = noRedact ? cutAt : redact(cutAt);
  const clean = red.includes('\n') ? red.replace(/\s*\n\s*/g, ' ⏎ ') : red;
  const cut = clean.length > length || message.length > length * 4 ? clean.slice(0, length) + '…' : clean;
  // Stored escaped (`\e]52;…`): every report and printer shows it as text, never as a command.
  return terminalText(cut);
}
