/**
 * The outcome of an event: `failed`, `canceled`, `error` or `success`, from the SDK's own words on
 * the line and from the code. Social-login codes (10010-10028) mean "canceled or failed", and the
 * SDK logs which one it was; a user who cancels is not an outage.
 */
import type { CodeEntry } from '../registry/index.js';
import type { Outcome } from '../types.js';

export type { Outcome } from '../types.js';
export const OUTCOMES: readonly Outcome[] = ['failed', 'canceled', 'error', 'success'];

/** A phrase the SDK logs that says how an attempt ended, with where the SDK logs it. */
interface OutcomeWords {
  pattern: string;
  outcome: Outcome;
  source: string;
}

/**
 * The SDK's words, first match wins (guard-android @e971fac, see ../shared/registry/sdk-logging.md §3).
 * Cancel words come first: the SDK prefixes even a cancel with "Auth Failed" ("Auth Failed, onCancel").
 */
export const OUTCOME_WORDS: readonly OutcomeWords[] = [
  { pattern: '\\bAuth Canceled\\b', outcome: 'canceled', source: 'social/handler/{Line,Xiaomi,KuaiShou}.java: ALog.e(TAG, "Auth Canceled")' },
  { pattern: '\\bonCancel\\b', outcome: 'canceled', source: 'social/handler/{QQ,Weibo,FaceBook,DingTalk,Baidu}.java: "Auth Failed, onCancel"' },
  { pattern: '\\bcancell?ed\\b', outcome: 'canceled', source: 'callback messages "Login by <X> canceled" (10010-10030) and "OnClick login cancelled" (10006); provider errorMsg "cancelled" (HuaWei.java:116)' },
];

/** Outcome by category when the line says nothing: the registry's category descriptions say which never reached an answer. */
export const CATEGORY_OUTCOMES: Readonly<Record<string, Outcome>> = {
  success: 'success', // "Not an error: the request succeeded" (200, 1600)
  network: 'error', // "could not reach a server"
  server: 'error', // "Authing's side failed"
};

/** Categories where the SDK reports a cancel under the same code as a failure (their descriptions say "failed or was cancelled"). */
export const CANCELABLE_CATEGORIES: readonly string[] = ['social-login', 'one-click', 'unregistered'];

type WithOutcomes = CodeEntry & { outcomes?: Outcome[] };

/** Derives outcomes; build once per run (the patterns compile here, not per line). */
export class OutcomeRules {
  /** One pattern per outcome, its words in table order: one regex test per event, not one per word. */
  private readonly groups: { outcome: Outcome; re: RegExp }[] = [...new Set(OUTCOME_WORDS.map((w) => w.outcome))].map((outcome) => ({
    outcome,
    re: new RegExp(OUTCOME_WORDS.filter((w) => w.outcome === outcome).map((w) => w.pattern).join('|'), 'i'),
  }));
  private readonly cancelable = new Set(CANCELABLE_CATEGORIES);

  /** The outcome of an event of `code` (category `category`) logged with `message`. */
  outcomeOf(entry: CodeEntry | undefined, category: string, message: string): Outcome {
    const allowed = (entry as WithOutcomes | undefined)?.outcomes;
    for (const g of this.groups) {
      // The registry's outcome kinds, when it lists them, say which words can apply to a code.
      const applies = allowed?.length ? allowed.includes(g.outcome) : this.cancelable.has(category);
      if (applies && g.re.test(message)) return g.outcome;
    }
    return codeOutcome(entry, category);
  }
}

/** The outcome a code implies when its line says nothing more: also what stored rows get on migration. */
export function codeOutcome(entry: CodeEntry | undefined, category: string): Outcome {
  const allowed = (entry as WithOutcomes | undefined)?.outcomes;
  const d = CATEGORY_OUTCOMES[category] ?? 'failed';
  if (allowed?.length && !allowed.includes(d)) return allowed.includes('failed') ? 'failed' : allowed[0]!;
  return d;
}

/** The outcome kinds a code can have: the registry's list, else what the rules above can give it. */
export function outcomeKinds(entry: CodeEntry | undefined, category: string): Outcome[] {
  const allowed = (entry as WithOutcomes | undefined)?.outcomes;
  if (allowed?.length) return [...allowed];
  const base = codeOutcome(entry, category);
  return CANCELABLE_CATEGORIES.includes(category) && base !== 'canceled' ? [base, 'canceled'] : [base];
}
