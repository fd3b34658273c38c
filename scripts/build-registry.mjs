#!/usr/bin/env node
// Rebuilds src/registry/codes.json from the sources kept in this repository (registry/README.md):
//   registry/sources/seeds/*.txt              the Android SDK error-code page (markdown tables)
//   registry/sources/android-sdk-codes.json   Guard Android's Const.java constants (+ docs for 10001-10009)
//   registry/sources/api-codes.json           API v2 codes, v3 apiCodes and v3 statusCodes
//   registry/text/*.json                      the authored text per code (en + zh, a source per field)
// and src/registry/categories.json (our own triage categories and their names).
// Run: npm run registry [-- --out FILE] [-- --text DIR] (defaults: src/registry/codes.json, registry/text)
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// A fault in the data is one line naming the file and entry, not a stack trace.
process.on('uncaughtException', (e) => {
  console.error(`build-registry: ${e.message}`);
  process.exit(1);
});

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({ options: { out: { type: 'string' }, text: { type: 'string' } } });
const sources = join(root, 'registry', 'sources');
const textDir = resolve(opts.text ?? join(root, 'registry', 'text'));
const textLabel = relative(root, textDir) || '.';
const out = resolve(opts.out ?? join(root, 'src', 'registry', 'codes.json'));

const DOCS = {
  'android-sdk': 'https://docs.authing.cn/v2/en/reference/sdk-for-android/errorcode.html',
  'api-v2': 'https://docs.authing.cn/v2/en/reference/error-code.html',
  'api-v3': 'https://docs.authing.cn/v3/reference/error-code.html',
  status: 'https://docs.authing.cn/v3/reference/error-code.html',
};
const KIND_ORDER = ['android-sdk', 'api-v3', 'api-v2', 'status'];

/** Parses every markdown table row whose first cell is a number. */
function seedRows(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length >= 2 && /^\d+$/.test(cells[0])) rows.push(cells);
  }
  return rows;
}

const variantsByCode = new Map();
function addVariant(code, v) {
  if (!variantsByCode.has(code)) variantsByCode.set(code, []);
  variantsByCode.get(code).push(Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== '')));
}

// 1. the seed page (Android SDK error codes)
const seedDir = join(sources, 'seeds');
for (const file of readdirSync(seedDir).filter((f) => f.endsWith('.txt')).sort()) {
  for (const cells of seedRows(readFileSync(join(seedDir, file), 'utf8'))) {
    const [code, message, description, suggestion] = cells;
    addVariant(Number(code), {
      kind: 'android-sdk',
      messageEn: message,
      descriptionEn: description,
      suggestionEn: suggestion,
      source: `seeds/${file} (Authing docs: Android SDK error codes)`,
    });
  }
}

// 2. Guard Android constants
for (const c of JSON.parse(readFileSync(join(sources, 'android-sdk-codes.json'), 'utf8'))) {
  const zh = c.source_comment && /[\u4e00-\u9fff]/.test(c.source_comment) ? c.source_comment : undefined;
  const en = c.source_comment && !zh ? c.source_comment : undefined;
  addVariant(c.code, {
    kind: 'android-sdk',
    constant: c.constant,
    messageEn: c.doc_message && !/[\u4e00-\u9fff]/.test(c.doc_message) ? c.doc_message : en,
    messageZh: c.doc_message && /[\u4e00-\u9fff]/.test(c.doc_message) ? c.doc_message : zh,
    descriptionZh: c.doc_description_zh,
    suggestionZh: c.doc_suggestion_zh,
    source: `${c.source_repo} ${c.source_path}${c.doc_source ? `; ${c.doc_source}` : ''}`,
  });
}

// 3. API codes
for (const c of JSON.parse(readFileSync(join(sources, 'api-codes.json'), 'utf8'))) {
  const kind = c.code_kind === 'statusCode' ? 'status' : c.api_version === 'v3' ? 'api-v3' : 'api-v2';
  addVariant(c.code, {
    kind,
    name: c.error_name,
    messageEn: c.message_en,
    messageZh: c.message_zh,
    group: c.section,
    source: `${c.source_repo} ${c.source_path}`,
  });
}

// 4. categories
const catData = JSON.parse(readFileSync(join(root, 'src', 'registry', 'categories.json'), 'utf8')).categories;
const categoryOf = new Map();
for (const [name, { codes }] of Object.entries(catData)) {
  for (const code of codes) {
    if (categoryOf.has(code)) throw new Error(`code ${code} is in two categories: ${categoryOf.get(code)} and ${name}`);
    categoryOf.set(code, name);
  }
}

const known = JSON.parse(readFileSync(join(root, 'src', 'registry', 'known-disagreements.json'), 'utf8'));

const first = (vs, key) => vs.map((v) => v[key]).find((x) => x !== undefined);
const distinct = (vs, key) => [...new Set(vs.map((v) => v[key]).filter((x) => x !== undefined))];

const codes = [];
for (const [code, raw] of [...variantsByCode.entries()].sort((a, b) => a[0] - b[0])) {
  const vs = [...raw].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  const category = categoryOf.get(code);
  if (!category) throw new Error(`code ${code} has no category in src/registry/categories.json`);
  const kind = vs[0].kind;
  const messageEn = first(vs, 'messageEn');
  const messageZh = first(vs, 'messageZh');
  const name = first(vs, 'name');
  const notes = [];
  const ens = distinct(vs, 'messageEn');
  const zhs = distinct(vs, 'messageZh');
  if (ens.length > 1) notes.push(`sources disagree (en): ${ens.map((m) => JSON.stringify(m)).join(' vs ')}`);
  if (known[code]) notes.push(known[code]);
  if (zhs.length > 1) notes.push(`sources disagree (zh): ${zhs.map((m) => JSON.stringify(m)).join(' vs ')}`);
  codes.push({
    code,
    kind,
    kinds: [...new Set(vs.map((v) => v.kind))],
    category,
    message: messageEn ?? (name && messageZh ? `${name}: ${messageZh}` : messageZh ?? name ?? first(vs, 'constant') ?? ''),
    ...(messageEn ? { messageEn } : {}),
    ...(messageZh ? { messageZh } : {}),
    ...(first(vs, 'descriptionEn') || first(vs, 'descriptionZh') ? { description: first(vs, 'descriptionEn') ?? first(vs, 'descriptionZh') } : {}),
    ...(first(vs, 'suggestionEn') || first(vs, 'suggestionZh') ? { suggestion: first(vs, 'suggestionEn') ?? first(vs, 'suggestionZh') } : {}),
    docs: DOCS[kind],
    ...(notes.length ? { disagreements: notes } : {}),
    variants: vs,
  });
}
// 5. authored text (registry/text/*.json): each code in at most one entry; {name} in a text takes
//    the entry's per-code value from "vars" (e.g. the provider of a social-login code).
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const textOf = new Map();
// refs.json: named source references ({v2}, {guard}, ...) that the texts' "source" fields use.
const { refs } = JSON.parse(readFileSync(join(textDir, 'refs.json'), 'utf8'));
for (const file of readdirSync(textDir).filter((f) => f.endsWith('.json') && f !== 'refs.json').sort()) {
  const { entries } = JSON.parse(readFileSync(join(textDir, file), 'utf8'));
  for (const [i, entry] of entries.entries()) {
    for (const code of entry.codes) {
      if (textOf.has(code)) throw new Error(`${textLabel}/${file} entries[${i}]: code ${code} already has text in ${textOf.get(code).where}`);
      textOf.set(code, { entry, where: `${textLabel}/${file} entries[${i}]` });
    }
  }
}

/** Replaces {x} with the code, the code's value of var x in that language, or ref x; an unknown name is an error. */
function fill(text, code, vars, lang, where) {
  return text.replace(/\{(\w+)\}/g, (_, name) => {
    if (name === 'code') return String(code);
    if (refs[name] !== undefined) return fill(refs[name], code, vars, lang, where);
    const v = vars?.[name];
    if (!v) throw new Error(`${where}: no value for {${name}}`);
    return lang === 'en' ? v[0] : v[1];
  });
}

/** The source of a message taken from the tables: the local file of the variant used and where in it (the file names the upstream path). */
function variantRef(v, code) {
  if (v.source.startsWith('seeds/')) return `${v.source.replace(/ \(.*/, '')}: ${code}`;
  if (v.constant) return `android-sdk-codes.json: ${code} (Const.java)`;
  return `api-codes.json: ${{ 'api-v2': 'v2', 'api-v3': 'v3 apiCode', status: 'v3 statusCode' }[v.kind]} ${code}`;
}

/** The message from the source tables when both languages are there; otherwise the text file must give it. */
function tableMessage(vs, code) {
  const en = vs.find((v) => v.messageEn && !CJK.test(v.messageEn));
  // Both languages from one table where it has both, so the two say the same thing.
  const zh = en?.messageZh ? en : vs.find((v) => v.messageZh);
  if (!en || !zh) return undefined;
  return { en: en.messageEn, zh: zh.messageZh, source: [...new Set([variantRef(en, code), variantRef(zh, code)])].join(' + ') };
}

function localize(code, vs) {
  const found = textOf.get(code);
  if (!found) return {};
  const { entry, where } = found;
  // Built-in vars: {name} is the docs' error name (statusCodes), {meaning} the Chinese text of the tables,
  // {said} the tables' message in each language (when they have both).
  const table = tableMessage(vs, code);
  const zh = vs.find((v) => v.messageZh)?.messageZh;
  const name = vs.find((v) => v.name)?.name;
  const vars = {
    ...(name ? { name: [name, name] } : {}),
    ...(zh ? { meaning: [zh, zh] } : {}),
    // {said} sits mid-sentence: no end punctuation, and "Please use ..." becomes "please use ..." (not "AK/SK ...").
    ...(table ? { said: [table.en.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()), table.zh].map((t) => t.replace(/[.!。！]+$/, '')) } : {}),
    ...entry.vars?.[code],
  };
  const one = (field) => {
    const f = entry[field];
    if (!f) return undefined;
    const w = `${where} ${field}`;
    const t = (x, lang) => fill(x, code, vars, lang, w);
    return Array.isArray(f.en)
      ? { en: f.en.map((x) => t(x, 'en')), zh: f.zh.map((x) => t(x, 'zh')), source: t(f.source, 'en') }
      : { en: t(f.en, 'en'), zh: t(f.zh, 'zh'), source: t(f.source, 'en') };
  };
  const message = one('message') ?? table;
  if (!message) throw new Error(`${where}: code ${code} has no message in both languages in the sources; give "message" in the text file`);
  const text = { message, description: one('description'), causes: one('causes'), actions: one('actions') };
  for (const [k, v] of Object.entries(text)) if (!v) delete text[k];
  return { text, ...(entry.outcomes ? { outcomes: entry.outcomes } : {}) };
}

for (const entry of codes) Object.assign(entry, localize(entry.code, entry.variants));
for (const code of textOf.keys()) {
  if (!variantsByCode.has(code)) throw new Error(`${textOf.get(code).where} has text for ${code}, which no source has`);
}

for (const code of categoryOf.keys()) {
  if (!variantsByCode.has(code)) throw new Error(`categories.json lists ${code}, which no source has`);
}
const categories = Object.fromEntries(Object.entries(catData).map(([k, v]) => [k, v.description]));
const categoryNames = Object.fromEntries(Object.entries(catData).filter(([, v]) => v.names).map(([k, v]) => [k, v.names]));
writeFileSync(out, JSON.stringify({ generatedBy: 'scripts/build-registry.mjs', categories, categoryNames, codes }, null, 1) + '\n');
console.log(`wrote ${codes.length} codes to ${out}`);
