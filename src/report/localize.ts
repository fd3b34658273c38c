/**
 * Report rows in the run's language. Text formats (table, Markdown, HTML) show one language:
 * category and outcome display names, the code's message in that language. JSON keeps the ids and
 * carries both languages (`message`/`messageZh`, `suggestion`/`suggestionZh`) so a script chooses.
 */
import type { Registry } from '../registry/index.js';
import { bilingual, categoryLabel, codeAction, codeMessage, ui, type Lang } from '../registry/text.js';
import type { Column } from './render.js';

type Row = Record<string, unknown>;

/** Column titles in this language (by column key; unknown keys keep their title). */
export function localColumns(columns: readonly Column[], lang: Lang): Column[] {
  const titles = ui(lang).columns as Record<string, string>;
  return columns.map((c) => ({ ...c, title: titles[c.key] ?? c.title }));
}

/** Rows for a text format: display names and messages in one language. */
export function displayRows(rows: readonly Row[], reg: Registry, lang: Lang): Row[] {
  const t = ui(lang);
  return rows.map((r) => {
    const out: Row = { ...r };
    if (typeof r.category === 'string') out.category = categoryLabel(r.category, lang);
    if (typeof r.outcome === 'string') out.outcome = t.outcomes[r.outcome as keyof typeof t.outcomes] ?? r.outcome;
    // A blank, not 0, where nothing was canceled: the column is there for the codes that were.
    if (r.canceled === 0) out.canceled = '';
    if (typeof r.flag === 'string') out.flag = r.flag.split(' ').filter(Boolean).map((f) => t.flags[f as keyof typeof t.flags] ?? f).join(' ');
    if (typeof r.code === 'number' && 'message' in r) {
      const entry = reg.codes.get(r.code);
      out.message = codeMessage(entry, lang, r.code);
      out.suggestion = codeAction(entry, lang);
    }
    return out;
  });
}

/** Rows for JSON: ids as stored, and each code's text in both languages. */
export function jsonRows(rows: readonly Row[], reg: Registry): Row[] {
  return rows.map((r) => {
    if (typeof r.code !== 'number' || !('message' in r)) return r;
    const entry = reg.codes.get(r.code);
    if (!entry) return { ...r, messageZh: null, suggestionZh: null };
    const b = bilingual(entry);
    return { ...r, message: b.message, messageZh: b.messageZh, suggestion: b.suggestion, suggestionZh: b.suggestionZh };
  });
}
