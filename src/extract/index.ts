/** Records -> events: the Authing context test, the code rules, enrichment and redaction. */
import { categoryOf, type Registry } from '../registry/index.js';
import type { AuthingEvent, LogRecord } from '../types.js';
import { terminalText } from '../sinks/terminal-text.js';
import { OutcomeRules } from './outcome.js';
import { redact, redactionWindow } from './redact.js';
import { compileRules, DETAIL_LENGTH, findCode, type Rules } from './rules.js';

export { candidateNeedles, type Needles } from './prefilter.js';

/** Tags and details whose stored form is kept; a capture of ever-new ones starts again past this. */
const FIELD_MEMO = 1024;
/** Longest tag or detail kept by that memo, in characters (with its escaped form, at most ~3 MB for all). */
const FIELD_MEMO_CHARS = 256;
/** Excerpts kept by message; a capture of ever-new messages starts again past this. */
const EXCERPT_MEMO = 1024;
/** Longest message whose excerpt is kept, in characters (the memo holds at most ~2 MB of copies and excerpts). */
const EXCERPT_MEMO_CHARS = 1024;
/** Events whose excerpts are made without the memo after a memo's worth of messages seldom repeated. */
const EXCERPT_MEMO_REST = 1 << 16;

/**
 * A copy of `text` that holds none of the string it was cut from. A message is a slice of a scan job's
 * candidate text (256 Ki characters): a memo keyed by the slice would keep every such job alive.
 * Appending makes a pair, and slicing that pair copies it whole into a string of its own.
 */
function ownCopy(text: string): string {
  return (text + ' ').slice(0, -1);
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
  private readonly excerptLength: number;
  private readonly outcomes = new OutcomeRules();
  /** field() of each tag and detail seen lately (a pure function of the text). */
  private readonly fields = new Map<string, string>();
  /**
   * excerptOf() of messages seen lately: a capture repeats a few messages thousands of times (the
   * bench's 1 GB capture: 67 excerpts for 71,250 events), and each excerpt was a redaction's first
   * look, a cut and an escape (~2 µs an event, profiled). Keys and values are copies (ownCopy).
   */
  private readonly excerpts = new Map<string, string>();
  /** Excerpts made without the memo before it is tried again (it rests after a full memo saved little). */
  private excerptPause = 0;
  /** Excerpts the memo gave since it last started again. */
  private excerptHits = 0;

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
      excerpt: this.memoExcerpt(rec.message),
      outcome: this.outcomes.outcomeOf(this.registry.codes.get(found.code), category, rec.message),
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

  /** The excerpt of `message`, from the memo when the message was seen lately. */
  private memoExcerpt(message: string): string {
    if (message.length > EXCERPT_MEMO_CHARS) return this.excerpt(message);
    if (this.excerptPause > 0) {
      this.excerptPause--;
      return this.excerpt(message);
    }
    const known = this.excerpts.get(message);
    if (known !== undefined) {
      this.excerptHits++;
      return known;
    }
    if (this.excerpts.size >= EXCERPT_MEMO) {
      // Messages that seldom repeat (a request id in each) would pay a copy and an insert per event for
      // little: when a full memo saved less than one excerpt in eight, it rests for a while, then tries again.
      if (this.excerptHits * 8 < EXCERPT_MEMO) this.excerptPause = EXCERPT_MEMO_REST;
      this.excerpts.clear();
      this.excerptHits = 0;
      return this.excerpt(message);
    }
    const own = ownCopy(message);
    const out = this.excerpt(own);
    this.excerpts.set(own, out);
    return out;
  }

  private excerpt(message: string): string {
    return excerptOf(message, this.excerptLength, !!this.opts.noRedact);
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
