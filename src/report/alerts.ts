/** `--fail-on EXPR` thresholds over the events of one run: `network>100`, `unregistered>0`, `total>=1000`, `10001>5`. */
import { UserError } from '../errors.js';
import type { RunTally } from './summary.js';

/** A parsed threshold. */
export interface Threshold {
  text: string;
  subject: { kind: 'total' } | { kind: 'category'; name: string } | { kind: 'code'; code: number };
  op: '>' | '>=' | '<' | '<=' | '==';
  limit: number;
}

const OPS = { '>': (a: number, b: number) => a > b, '>=': (a: number, b: number) => a >= b, '<': (a: number, b: number) => a < b, '<=': (a: number, b: number) => a <= b, '==': (a: number, b: number) => a === b };

const THRESHOLD = /^\s*([A-Za-z][\w-]*|-?\d+)\s*(>=|<=|==|>|<)\s*(\d+)\s*$/;

/** Throws when `text` is no threshold at all; `where` names the flag or a config file's key. */
export function checkThresholdSyntax(text: string, where = '--fail-on'): RegExpExecArray {
  const m = THRESHOLD.exec(text);
  if (!m) throw new UserError('usage', `${where} ${JSON.stringify(text)}: expected NAME>N, where NAME is total, a category or a code (e.g. network>100, unregistered>0, 10001>=5)`);
  return m;
}

/** Parses one --fail-on expression; `categories` are the known category names. */
export function parseThreshold(text: string, categories: readonly string[], where = '--fail-on'): Threshold {
  const m = checkThresholdSyntax(text, where);
  const [, name, op, limit] = m;
  let subject: Threshold['subject'];
  if (name === 'total') subject = { kind: 'total' };
  else if (/^-?\d+$/.test(name!)) subject = { kind: 'code', code: Number(name) };
  else if (categories.includes(name!)) subject = { kind: 'category', name: name! };
  else throw new UserError('usage', `${where} ${JSON.stringify(text)}: "${name}" is not total, a code or a category (${categories.join(', ')})`);
  return { text: text.trim(), subject, op: op as Threshold['op'], limit: Number(limit) };
}

/** The thresholds crossed by this run, each with the count that crossed it. */
export function crossed(thresholds: readonly Threshold[], tally: RunTally): { threshold: Threshold; count: number }[] {
  return thresholds
    .map((t) => {
      const count = t.subject.kind === 'total' ? tally.total : t.subject.kind === 'category' ? (tally.byCategory.get(t.subject.name) ?? 0) : (tally.byCode.get(t.subject.code) ?? 0);
      return { threshold: t, count };
    })
    .filter(({ threshold: t, count }) => OPS[t.op](count, t.limit));
}
