/**
 * A code's text in one language: the registry's `text` field (message, description, causes,
 * actions in English and Chinese, each with its source) when present, else the older one-language
 * fields (`message`, `messageEn`, `messageZh`, `description`, `suggestion`), sorted by script.
 * Every printer asks here, so a run shows one language throughout.
 */
import { bundledCategoryNames, overriddenFields, type CodeEntry } from './index.js';
import { UI, type Lang, type UiStrings } from './ui-strings.js';

export { LANGS, type Lang, type UiStrings } from './ui-strings.js';

/** The registry's per-code text as the text contract gives it (`CodeEntry.text`; absent from older entries). */
type Local<T> = { en: T; zh: T; source: string };
type TextField = { message: Local<string>; description: Local<string>; causes: Local<string[]>; actions: Local<string[]> };

/** What a code says in one language; null where the registry has nothing in that language. */
export interface CodeTextIn {
  message: string | null;
  description: string | null;
  causes: string[];
  actions: string[];
  /** Where each field came from, for `explain`. */
  sources: { message?: string; description?: string; causes?: string; actions?: string };
}

/** CJK ideographs, kana, hangul and full-width forms: what an English run must not show. */
export const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/;

/** The run's language from the locale: LC_ALL, then LC_MESSAGES, then LANG (`zh*` is Chinese). */
export function localeLang(env: NodeJS.ProcessEnv = process.env): Lang {
  // POSIX: the first of these that is set and not empty wins.
  const loc = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh([_.@-]|$)/i.test(loc) ? 'zh' : 'en';
}

/** The fixed strings printers emit, in one language. */
export function ui(lang: Lang): UiStrings {
  return UI[lang];
}

type Entry = CodeEntry & { text?: TextField };

/** The older one-language field that is in this language, if any. */
function byScript(lang: Lang, ...values: (string | undefined)[]): string | null {
  // Full-width punctuation alone does not make a text Chinese: test the NFKC form.
  for (const v of values) if (v && CJK.test(v.normalize('NFKC')) === (lang === 'zh')) return v;
  return null;
}

// Printers ask once per event: each entry's text is made once per language (entries are not changed after loading).
const textCache: Record<Lang, WeakMap<CodeEntry, CodeTextIn>> = { en: new WeakMap(), zh: new WeakMap() };

/**
 * The text of a registry entry in one language, falling back to the older fields while `text` is absent.
 * English is shown in NFKC form: sources quoted verbatim carry full-width punctuation ("Missing parameter：x").
 */
export function codeText(entry: CodeEntry | undefined, lang: Lang): CodeTextIn {
  if (!entry) return { message: null, description: null, causes: [], actions: [], sources: {} };
  const hit = textCache[lang].get(entry);
  if (hit) return hit;
  const t = rawText(entry, lang);
  const out = lang === 'en' ? { ...t, message: nfkc(t.message), description: nfkc(t.description), causes: t.causes.map((c) => c.normalize('NFKC')), actions: t.actions.map((c) => c.normalize('NFKC')) } : t;
  textCache[lang].set(entry, out);
  return out;
}

const nfkc = (s: string | null): string | null => (s === null ? null : s.normalize('NFKC'));

function rawText(entry: CodeEntry, lang: Lang): CodeTextIn {
  const t = (entry as Entry).text;
  if (t) {
    const one = (x: Local<string> | undefined) => (x?.[lang] ? x[lang] : null);
    const bundled: CodeTextIn = {
      message: one(t.message),
      description: one(t.description),
      causes: t.causes?.[lang] ?? [],
      actions: t.actions?.[lang] ?? [],
      sources: { message: t.message?.source, description: t.description?.source, causes: t.causes?.source, actions: t.actions?.source },
    };
    return withOverrides(entry, lang, bundled);
  }
  const message = lang === 'zh' ? byScript('zh', entry.messageZh, entry.message) : byScript('en', entry.messageEn, entry.message);
  const description = byScript(lang, entry.description);
  const action = byScript(lang, entry.suggestion);
  return {
    message,
    description,
    causes: [],
    actions: action ? [action] : [],
    sources: { message: sourceOf(entry, message, ['message', lang === 'zh' ? 'messageZh' : 'messageEn']), description: sourceOf(entry, description, ['description']), actions: sourceOf(entry, action, ['suggestion']) },
  };
}

/**
 * The bundled text of an entry with what users' override files set in this language put over it, field by field: a
 * field they did not set, or set in the other language, keeps the bundled text of this language and its source
 * (`--lang zh` lost every bundled Chinese text of a code whose English advice a file set: an earlier review's find).
 * `messageEn` and `messageZh` are of their language; `message`, `description` and `suggestion` of their script's.
 */
function withOverrides(entry: CodeEntry, lang: Lang, bundled: CodeTextIn): CodeTextIn {
  const set = overriddenFields(entry);
  if (!set.size) return bundled;
  const fields = entry as unknown as Record<string, string | undefined>;
  /** The first of `names` an override set with text in this language (by its name, or else by its script). */
  const given = (...names: string[]): { field: string; value: string } | null => {
    for (const field of names) {
      const value = set.has(field) ? fields[field] : undefined;
      if (!value) continue;
      if (field === 'messageEn' || field === 'messageZh' ? (field === 'messageZh') === (lang === 'zh') : byScript(lang, value) !== null) return { field, value };
    }
    return null;
  };
  const from = (g: { field: string }): string => `override ${set.get(g.field)}`;
  const out: CodeTextIn = { ...bundled, sources: { ...bundled.sources } };
  const message = given(lang === 'zh' ? 'messageZh' : 'messageEn', 'message');
  if (message) Object.assign(out, { message: message.value }).sources.message = from(message);
  const description = given('description');
  if (description) Object.assign(out, { description: description.value }).sources.description = from(description);
  const suggestion = given('suggestion');
  if (suggestion) Object.assign(out, { actions: [suggestion.value] }).sources.actions = from(suggestion);
  return out;
}

/**
 * The source of a value of the older fields (`fields`: those it may come from): the override file that set the one
 * holding that very text, else the first source variant that holds it (a field an override left keeps its own).
 */
function sourceOf(entry: CodeEntry, value: string | null, fields: readonly string[]): string | undefined {
  if (!value) return undefined;
  const set = overriddenFields(entry);
  const field = fields.find((f) => set.has(f) && (entry as unknown as Record<string, unknown>)[f] === value);
  if (field) return `override ${set.get(field)}`;
  const v = entry.variants?.find((x) => typeof x.source === 'string' && Object.values(x).includes(value));
  return v ? String(v.source) : undefined;
}

/** The message of a code to print: its text in this language, or a line saying there is none. */
export function codeMessage(entry: CodeEntry | undefined, lang: Lang, code: number): string {
  if (!entry) return ui(lang).unregisteredCode(code);
  return codeText(entry, lang).message ?? ui(lang).noText;
}

/** The first "what to do" of a code in this language, or null. */
export function codeAction(entry: CodeEntry | undefined, lang: Lang): string | null {
  return codeText(entry, lang).actions[0] ?? null;
}

/**
 * The display name of a category in this language; the id itself (ASCII) when the registry has none.
 * The names come from the bundled registry as loadRegistry parsed it: reading codes.json a second time
 * cost every `explain` ~4 ms (docs/performance.md, round seven).
 */
export function categoryName(id: string, lang: Lang): string {
  return bundledCategoryNames()[id]?.[lang] || id;
}

/**
 * How tables, live lines and pages name a category: in English its id (an English identifier already,
 * and what --category and --where take), in Chinese its Chinese display name.
 */
export function categoryLabel(id: string, lang: Lang): string {
  return lang === 'en' ? id : categoryName(id, lang);
}

/** A code's text in both languages, as JSON carries it. */
export interface Bilingual {
  message: string | null; messageZh: string | null; description: string | null; descriptionZh: string | null;
  suggestion: string | null; suggestionZh: string | null;
}

// NDJSON asks once per event: the answer per entry is made once (entries are not changed after loading).
const bilingualCache = new WeakMap<CodeEntry, Bilingual>();

/** Both languages of a code for JSON, so a script chooses (`message`/`messageZh`, `suggestion`/`suggestionZh`, ...). */
export function bilingual(entry: CodeEntry | undefined): Bilingual {
  const hit = entry && bilingualCache.get(entry);
  if (hit) return hit;
  const en = codeText(entry, 'en');
  const zh = codeText(entry, 'zh');
  const out: Bilingual = {
    message: en.message, messageZh: zh.message, description: en.description, descriptionZh: zh.description,
    suggestion: en.actions.length ? en.actions.join(' ') : null, suggestionZh: zh.actions.length ? zh.actions.join('') : null,
  };
  if (entry) bilingualCache.set(entry, out);
  return out;
}
