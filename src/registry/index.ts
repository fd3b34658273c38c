/** The code registry: what each Authing code means, its category, and the SDK's log signatures. */
import { readFileSync } from 'node:fs';
import type safeRegexCheck from 'safe-regex2';
import { distFile } from '../assets.js';
import { UserError } from '../errors.js';
import { requireAtFirstUse } from '../first-use.js';
import { readBoundedText } from '../sources/bounded-file.js';
import type { Outcome } from '../types.js';

/** One text in both languages; `source` says where it came from: a file of registry/sources/ with the
 *  upstream repo@commit and path, "translated from zh: <source>", or "authored; based on <source>". */
export interface LocalText { en: string; zh: string; source: string }
/** A list of texts in both languages (same order), with one source for the list. */
export interface LocalList { en: string[]; zh: string[]; source: string }
/** What a code means and what to do about it, each field in English and Chinese with its source. */
export interface CodeText {
  /** Short name of the code. */
  message: LocalText;
  /** What happened, in the app's terms. */
  description: LocalText;
  /** Likely causes (where the sources are silent: what to check). */
  causes: LocalList;
  /** What to do: concrete steps. */
  actions: LocalList;
}
/** How an event of a code ended, as the SDK's own words tell. */
export type { Outcome } from '../types.js';
/** A category's display name; the id itself stays an ASCII identifier. */
export interface CategoryName { en: string; zh: string }

/** One registry entry (see scripts/build-registry.mjs for how it is built). */
export interface CodeEntry {
  code: number;
  kind: string;
  kinds?: string[];
  category: string;
  message: string;
  messageEn?: string;
  messageZh?: string;
  description?: string;
  suggestion?: string;
  docs?: string;
  /** Where sources disagree: internal notes for `explain --sources`, not for the default view. */
  disagreements?: string[];
  variants?: Record<string, unknown>[];
  /** The text in both languages, one source per field (registry/text/*.json). */
  text?: CodeText;
  /** The outcome kinds an event of this code can have. */
  outcomes?: Outcome[];
  /** Where this entry came from when a user's override file set it. */
  override?: string;
}

/** A tag plus message pattern that the SDK logs right before it reports a code. */
export interface Signature {
  tags: string[];
  message: string;
  code?: number;
  codeGroup?: number;
  detail?: string;
  stage?: 'first' | 'status';
  source?: string;
}

/** The loaded registry. */
export interface Registry {
  categories: Record<string, string>;
  /** Display names of the categories in both languages. */
  categoryNames: Record<string, CategoryName>;
  codes: Map<number, CodeEntry>;
  signatures: Signature[];
  /** Tags named in override files, which count as Authing context like --tag. */
  extraTags: string[];
}

export const UNREGISTERED = 'unregistered';

/** The category of codes that are not failures (200, 1600): never ranked among failures nor flagged as spikes. */
export const SUCCESS = 'success';

function loadJson(name: string): unknown {
  return JSON.parse(readFileSync(distFile(`registry/${name}`), 'utf8'));
}

/**
 * Each bundled entry's JSON as the stores keep it (`codes.entry`), read from dist/registry/codes.json,
 * which the build writes with one entry a line (scripts/copy-assets.mjs): a run that checks its store's
 * registry compares these lines instead of serializing 185 entries (340 KB) again, ~4% of a small run's
 * instructions. Under vitest the source file is read, laid out for people, and entries are serialized.
 */
const bundledJson = new WeakMap<CodeEntry, string>();

/** A code's entry as JSON, as the stores keep it: what JSON.stringify gives. */
export function entryJson(c: CodeEntry): string {
  return bundledJson.get(c) ?? JSON.stringify(c);
}

/** What codes.json holds. */
interface CodesFile {
  categories: Record<string, string>;
  categoryNames: Record<string, CategoryName>;
  codes: CodeEntry[];
}

/** Parses codes.json; in the build's layout, each entry's line is kept as its JSON for entryJson. */
export function parseCodes(text: string): CodesFile {
  const data = JSON.parse(text) as CodesFile;
  // The build's layout: the other keys and `"codes":[` on the first line, an entry a line, `]}`.
  const lines = text.split('\n');
  const n = data.codes.length;
  if (lines.length === n + 3 && lines[n + 1] === ']}') {
    data.codes.forEach((c, i) => bundledJson.set(c, i < n - 1 ? lines[i + 1]!.slice(0, -1) : lines[i + 1]!));
  }
  return data;
}

let builtin: (CodesFile & { signatures: Signature[] }) | undefined;

/**
 * The bundled registry files, read and parsed once a process: codes.json is 340 KB, and reading and
 * parsing it is ~4 ms and ~400 page faults of a short run (docs/performance.md, round seven).
 */
function bundled(): CodesFile & { signatures: Signature[] } {
  return (builtin ??= {
    ...parseCodes(readFileSync(distFile('registry/codes.json'), 'utf8')),
    signatures: (loadJson('signatures.json') as { signatures: Signature[] }).signatures,
  });
}

/** The bundled registry's display names of the categories (codes.json `categoryNames`). */
export function bundledCategoryNames(): Readonly<Record<string, CategoryName>> {
  return bundled().categoryNames;
}

/** Loads the bundled registry, then applies the override files in order. */
export function loadRegistry(overrideFiles: readonly string[] = []): Registry {
  const builtin = bundled();
  const reg: Registry = {
    categories: { ...builtin.categories },
    categoryNames: { ...builtin.categoryNames },
    codes: new Map(builtin.codes.map((c) => [c.code, c])),
    signatures: [...builtin.signatures],
    extraTags: [],
  };
  for (const file of overrideFiles) applyOverrides(reg, file);
  // Every tag becomes a needle of the hot path's scan: a few thousand at most.
  const tags = new Set(reg.extraTags);
  if (tags.size > MAX_EXTRA_TAGS) throw new UserError('usage', `${overrideFiles.join(', ')}: ${tags.size} distinct signature tags; at most ${MAX_EXTRA_TAGS} in all`);
  reg.extraTags = [...tags];
  return reg;
}

/**
 * True when `reg` holds the bundled registry's codes and categories unchanged: its very entries (an
 * override replaces an entry with a new object), the same category names and descriptions.
 */
export function isBundledRegistry(reg: Registry): boolean {
  if (!builtin || reg.codes.size !== builtin.codes.length) return false;
  for (const c of builtin.codes) if (reg.codes.get(c.code) !== c) return false;
  const cats = Object.entries(reg.categories);
  return cats.length === Object.keys(builtin.categories).length && cats.every(([name, desc]) => builtin!.categories[name] === desc);
}

/** The category of a code, `unregistered` when the registry does not know it. */
export function categoryOf(reg: Registry, code: number): string {
  return reg.codes.get(code)?.category ?? UNREGISTERED;
}

/** Bounds on a user's registry file: a file that size or a tag list that long is not a registry. */
export const MAX_REGISTRY_BYTES = 16 << 20;
export const MAX_SIGNATURE_TAGS = 1000;

/** Why a user's pattern is refused, and what to write instead. */
const NESTED_REPETITION = 'a repetition inside a repetition, like (a+)+ or (\\w+\\s?)*, can take exponential time on one log line; repeat a plain character class instead, like [\\w\\s]*';

/**
 * A user's pattern runs on every hostile log line: a repetition inside a repetition (`(a+)+$`)
 * backtracks exponentially on a line made for it, blocking the event loop (so SIGTERM and Ctrl-C
 * too) for minutes. safe-regex2 measures that star height; its parser knows no lookbehind, which
 * does not change the height, so one is read as a plain group for the check.
 */
export function exponentialPattern(source: string): boolean {
  // Loaded with the first user pattern: safe-regex2's parser (ret) built its tables at every run's start (~3 ms).
  const safeRegex = requireAtFirstUse<typeof safeRegexCheck>('safe-regex2');
  return !safeRegex(source.replace(/\(\?<[=!]/g, '(?:'), { limit: Number.MAX_SAFE_INTEGER });
}

export const MAX_EXTRA_TAGS = 5000;
const OVERRIDE_FIELDS = new Set(['code', 'category', 'message', 'messageEn', 'messageZh', 'description', 'suggestion', 'docs', 'kind']);

/** The fields of an entry that users' override files set, each with the file (by entry: entries are printed as JSON). */
const OVERRIDDEN = new WeakMap<CodeEntry, ReadonlyMap<string, string>>();

/** The fields of `entry` that override files set, each with the last file that set it (empty for a bundled entry). */
export function overriddenFields(entry: CodeEntry): ReadonlyMap<string, string> {
  return OVERRIDDEN.get(entry) ?? new Map();
}

/**
 * Applies a user's override file: `{ "codes": [{ "code": 9001, "category": "config", ... }],
 * "signatures": [{ "tags": ["MyAuth"], "message": "^login failed", "code": 9001 }] }`.
 * Any fault is a UserError naming the file, the entry and the field.
 */
export function applyOverrides(reg: Registry, file: string): void {
  let data: unknown;
  let text: string;
  try {
    text = readBoundedText(file, MAX_REGISTRY_BYTES);
  } catch (e) {
    throw new UserError('usage', `${file}: cannot read the registry file (${(e as Error).message}); check the path given to --registry`);
  }
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError('usage', `${file}: not valid JSON (${(e as Error).message}); fix the file or drop --registry`);
  }
  const bad = (where: string, what: string): never => {
    throw new UserError('usage', `${file}: ${where}: ${what}`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) bad('top level', 'expected an object with "codes" and/or "signatures"');
  const obj = data as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!['codes', 'signatures', 'categories', '$comment'].includes(key)) bad(`key "${key}"`, 'unknown; expected "codes", "signatures" or "categories"');
  }
  if (obj.categories !== undefined) {
    if (typeof obj.categories !== 'object' || obj.categories === null || Array.isArray(obj.categories)) bad('"categories"', 'expected an object of name -> description');
    for (const [name, desc] of Object.entries(obj.categories as Record<string, unknown>)) {
      if (typeof desc !== 'string') bad(`categories.${name}`, 'expected a description string');
      if (!/^[a-z][a-z0-9-]*$/.test(name)) bad(`categories.${name}`, 'a category name is lower-case letters, digits and dashes');
      reg.categories[name] = desc as string;
    }
  }
  if (obj.codes !== undefined) {
    if (!Array.isArray(obj.codes)) bad('"codes"', 'expected an array of code entries');
    (obj.codes as unknown[]).forEach((raw, i) => {
      const where = `codes[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(where, 'expected an object');
      const e = raw as Record<string, unknown>;
      if (!Number.isSafeInteger(e.code)) bad(`${where}.code`, 'expected an integer code');
      const code = e.code as number;
      for (const [k, v] of Object.entries(e)) {
        if (!OVERRIDE_FIELDS.has(k)) bad(`${where}.${k}`, `unknown field; allowed: ${[...OVERRIDE_FIELDS].join(', ')}`);
        if (k !== 'code' && typeof v !== 'string') bad(`${where}.${k}`, 'expected a string');
      }
      const prev = reg.codes.get(code);
      const category = (e.category as string | undefined) ?? prev?.category;
      if (!category) bad(`${where}.category`, `code ${code} is new, so it needs a category (one of: ${Object.keys(reg.categories).join(', ')})`);
      if (!Object.hasOwn(reg.categories, category!)) bad(`${where}.category`, `"${category}" is not a category; use one of: ${Object.keys(reg.categories).join(', ')}, or declare it under "categories"`);
      const { code: _c, ...fields } = e as Record<string, string>;
      const entry: CodeEntry = {
        ...(prev ?? { code, kind: 'override', message: '' }),
        ...fields,
        code,
        category: category!,
        message: (e.message as string | undefined) ?? prev?.message ?? '',
        override: file,
      };
      // Which fields the user's files set (the others keep their bundled text and its source: overriddenFields).
      OVERRIDDEN.set(entry, new Map([...(prev ? (OVERRIDDEN.get(prev) ?? []) : []), ...Object.keys(fields).map((k) => [k, file] as const)]));
      // The user's own words win over the bundled text field by field, in the language they are in (registry/text.ts
      // withOverrides): the bundled text of the fields they leave, in each language, stays.
      // So does their `message` over the bundled per-language messages, which the display prefers (registry/text.ts):
      // `explain`, `codes` and reports showed the bundled "Network error" for an overridden 10001 (an exactly-once review's find).
      if (e.message !== undefined) {
        if (e.messageEn === undefined) delete entry.messageEn;
        if (e.messageZh === undefined) delete entry.messageZh;
      }
      reg.codes.set(code, entry);
    });
  }
  if (obj.signatures !== undefined) {
    if (!Array.isArray(obj.signatures)) bad('"signatures"', 'expected an array');
    (obj.signatures as unknown[]).forEach((raw, i) => {
      const where = `signatures[${i}]`;
      if (typeof raw !== 'object' || raw === null) bad(where, 'expected an object');
      const s = raw as Record<string, unknown>;
      if (!Array.isArray(s.tags) || s.tags.length === 0 || !s.tags.every((t) => typeof t === 'string' && t.length > 0)) bad(`${where}.tags`, 'expected a non-empty array of tag names');
      if ((s.tags as string[]).length > MAX_SIGNATURE_TAGS) bad(`${where}.tags`, `${(s.tags as string[]).length} tags; at most ${MAX_SIGNATURE_TAGS} in one signature`);
      if (typeof s.message !== 'string') bad(`${where}.message`, 'expected a regular expression string');
      try {
        new RegExp(s.message as string);
      } catch (e) {
        bad(`${where}.message`, `not a valid regular expression (${(e as Error).message})`);
      }
      if (exponentialPattern(s.message as string)) bad(`${where}.message`, NESTED_REPETITION);
      if (s.code === undefined && s.codeGroup === undefined) bad(where, 'needs "code" (a fixed code) or "codeGroup" (the capture holding it)');
      if (s.code !== undefined && !Number.isSafeInteger(s.code)) bad(`${where}.code`, 'expected an integer');
      if (s.codeGroup !== undefined && !Number.isSafeInteger(s.codeGroup)) bad(`${where}.codeGroup`, 'expected an integer');
      if (s.detail !== undefined && typeof s.detail !== 'string') bad(`${where}.detail`, 'expected a regular expression string');
      if (s.detail !== undefined) {
        try {
          new RegExp(s.detail as string);
        } catch (e) {
          bad(`${where}.detail`, `not a valid regular expression (${(e as Error).message})`);
        }
        if (exponentialPattern(s.detail as string)) bad(`${where}.detail`, NESTED_REPETITION);
      }
      // A user's signatures come first: they describe the app's own lines.
      reg.signatures.unshift(s as unknown as Signature);
      for (const t of s.tags as string[]) reg.extraTags.push(t);
    });
  }
}
