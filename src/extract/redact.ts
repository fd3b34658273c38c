/** Redaction of secrets and personal data in the message excerpts that are stored and shown. */

/** Each rule runs only when its cheap test passes on the text (or its lower-case copy). */
type Rule = [test: (text: string, lower: string) => boolean, re: RegExp, replacement: string];

const SECRET_KEYS = ['token', 'password', 'passwd', 'pwd', 'secret', 'api_key', 'apikey', 'authorization', 'cookie', 'session'];

const RULES: readonly Rule[] = [
  // JWTs (header.payload.signature, base64url)
  [(t) => t.includes('eyJ'), /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[jwt]'],
  // Authorization: Bearer xxx
  [(_, l) => l.includes('bearer') || l.includes('basic'), /\b(Bearer|Basic)\s+[A-Za-z0-9._~+\/=-]{8,}/gi, '$1 [redacted]'],
  // key=value, key: value, "key":"value" for secret-bearing keys
  [
    (_, l) => SECRET_KEYS.some((k) => l.includes(k)),
    /((?:["']?)(?:access_?token|id_?token|refresh_?token|token|password|passwd|pwd|secret|app_?secret|client_?secret|api_?key|authorization|cookie|session_?id)(?:["']?)\s*[:=]\s*)(["']?)[^\s"',&;}]+/gi,
    '$1$2[redacted]',
  ],
  // e-mail addresses
  [(t) => t.includes('@'), /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, '[email]'],
  // mainland China mobile numbers, optionally with +86, and other international numbers
  [() => true, /(?<![\w.])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![\w.])/g, '[phone]'],
  [(t) => t.includes('+'), /(?<![\w.])\+\d{1,3}[- ]?\d{2,4}[- ]?\d{3,4}[- ]?\d{3,4}(?![\w.])/g, '[phone]'],
  // Authing app secrets are 32 hex digits
  [() => true, /\b[0-9a-f]{32}\b/g, '[secret]'],
];

/**
 * What every rule needs somewhere in the text (a superset of their cheap tests): most messages have
 * none, and one pass of this settles them (measured: redaction was 119 of the main thread's ~1000 ms on
 * a 1 GB capture). A phone number has 3 digits then 4 (maybe after a separator) or a '+'.
 */
const ANY_RULE = /eyJ|bearer|basic|token|passw|pwd|secret|api_?key|authorization|cookie|session|@|\+|\d{3}[- ]?\d{4}|[0-9a-f]{32}/i;

/** Replaces tokens, passwords, secrets, e-mails and phone numbers in `text`. */
export function redact(text: string): string {
  return ANY_RULE.test(text) ? redactEveryRule(text) : text;
}

/** redact() without the first look (its test compares the two). */
export function redactEveryRule(text: string): string {
  let out = text;
  const lower = text.toLowerCase();
  for (const [test, re, rep] of RULES) if (test(out, lower)) out = out.replace(re, rep);
  return out;
}

/** Control characters (other than tab) are shown as U+FFFD so a log cannot drive a terminal. */
export function stripControls(text: string): string {
  return text.replace(/[\x00-\x08\x0B-\x1F\x7F-\x9F]/g, '\uFFFD');
}
