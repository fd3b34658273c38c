/** Rows -> text: aligned tables, JSON, CSV (RFC 4180) and Markdown. Log-derived text is sanitised. */
import { terminalText } from '../sinks/terminal-text.js';

export type TextFormat = 'table' | 'json' | 'csv' | 'md';

/** A column of a rendered table. */
export interface Column {
  key: string;
  title: string;
  align?: 'left' | 'right';
  /** Columns that may be cut to fit the terminal. */
  shrink?: boolean;
}

type Row = Record<string, unknown>;

const cell = (v: unknown): string => (v === null || v === undefined ? '' : terminalText(String(v)));

/** Visible width: CJK and other wide characters take two columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) ? 2 : 1;
  }
  return w;
}

function cutTo(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = displayWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

const pad = (s: string, width: number, align: 'left' | 'right' = 'left'): string => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return align === 'right' ? fill + s : s + fill;
};

const CATEGORY_COLORS: Record<string, number> = { success: 32, network: 33, server: 31, unregistered: 35, config: 36, session: 34 };

/** An aligned table; shrinkable columns are cut so the whole fits in `maxWidth`. */
export function renderTable(rows: readonly Row[], columns: readonly Column[], opts: { maxWidth?: number; color?: boolean } = {}): string {
  const texts = rows.map((r) => columns.map((c) => cell(r[c.key])));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.title), ...texts.map((t) => displayWidth(t[i]!))));
  const maxWidth = opts.maxWidth ?? Infinity;
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
  for (let i = columns.length - 1; i >= 0 && total() > maxWidth; i--) {
    if (!columns[i]!.shrink) continue;
    widths[i] = Math.max(displayWidth(columns[i]!.title), 8, widths[i]! - (total() - maxWidth));
  }
  const bold = (s: string) => (opts.color ? `\x1b[1m${s}\x1b[0m` : s);
  const lines = [bold(columns.map((c, i) => pad(c.title, widths[i]!, c.align)).join('  ').trimEnd())];
  for (const t of texts) {
    lines.push(
      columns
        .map((c, i) => {
          const text = pad(cutTo(t[i]!, widths[i]!), widths[i]!, c.align);
          const color = c.key === 'category' && opts.color ? CATEGORY_COLORS[t[i]!] : undefined;
          return color ? `\x1b[${color}m${text}\x1b[0m` : text;
        })
        .join('  ')
        .trimEnd(),
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * A text cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd|…`, `-->`, `@SUM(…)`, or one of those
 * after a tab or CR): log-derived text may be any of them (OWASP's "CSV injection"). Numbers are never text here.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A number written as text (a label `-1`, PostgreSQL's bigint): a spreadsheet reads it as that number, nothing more. */
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/**
 * RFC 4180: CRLF line ends, fields with comma, quote or line break quoted, quotes doubled. A text cell that starts
 * like a formula gets a leading `'` (FORMULA_START), which spreadsheets show as text; a reader of the CSV that
 * wants the stored text drops one `'` before such a first character.
 */
export function renderCsv(rows: readonly Row[], columns: readonly Column[]): string {
  return csvLine(columns.map((c) => c.key)) + csvRows(rows, columns);
}

/** One CSV field: quoted where it must be, a formula-like text defused. */
function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (typeof v === 'string' && FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record and its CRLF. */
function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

/** The CSV records of rows, without the header. */
function csvRows(rows: readonly Row[], columns: readonly Column[]): string {
  let text = '';
  for (const r of rows) text += csvLine(columns.map((c) => r[c.key]));
  return text;
}

/** A GitHub-flavoured Markdown table; pipes and markup in cells are escaped. */
export function renderMarkdown(rows: readonly Row[], columns: readonly Column[]): string {
  return markdownHead(columns) + markdownRows(rows, columns);
}

/** A Markdown table's title row and its separator row. */
function markdownHead(columns: readonly Column[]): string {
  const head = `| ${columns.map((c) => c.title).join(' | ')} |`;
  const sep = `| ${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`;
  return `${head}\n${sep}\n`;
}

/** One Markdown table cell: pipes, backslashes and markup escaped, line breaks as blanks. */
function markdownCell(v: unknown): string {
  return cell(v).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[<>*_`[\]]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

/** A Markdown table's rows. */
function markdownRows(rows: readonly Row[], columns: readonly Column[]): string {
  let text = '';
  for (const r of rows) text += `| ${columns.map((c) => markdownCell(r[c.key])).join(' | ')} |\n`;
  return text;
}

/**
 * Rows rendered a page at a time, for a result too large to hold (`sql` on a store of millions of rows, or a query
 * that never ends, read to `| head`): the pages and the end, written one after another, are byte for byte what
 * renderRows gives for all the rows at once. Not the table, whose column widths need every row.
 */
export class RowPages {
  private started = false;
  constructor(
    private readonly columns: readonly Column[],
    private readonly format: 'json' | 'csv' | 'md',
  ) {}

  /** The text of the next rows (none: nothing). */
  page(rows: readonly Row[]): string {
    if (!rows.length) return '';
    // (a JSON page after another: the comma between their elements)
    const head = this.started ? (this.format === 'json' ? ',\n' : '') : this.head();
    this.started = true;
    switch (this.format) {
      case 'json':
        // each element as JSON.stringify(all, null, 2) writes it: at one level of indent
        return head + rows.map(jsonElement).join(',\n');
      case 'csv':
        return head + csvRows(rows, this.columns);
      default:
        return head + markdownRows(rows, this.columns);
    }
  }

  /** What closes the output. */
  end(): string {
    if (this.format === 'json') return this.started ? '\n]\n' : '[]\n';
    return this.started ? '' : this.head();
  }

  private head(): string {
    return this.format === 'json' ? '[\n' : this.format === 'csv' ? csvLine(this.columns.map((c) => c.key)) : markdownHead(this.columns);
  }
}

const holdsBigint = (r: Row): boolean => {
  for (const k in r) if (typeof r[k] === 'bigint') return true;
  return false;
};

/**
 * A row as JSON.stringify(row, null, 2) writes it, and an integer beyond 2^53 (a bigint: `sql`'s, SQLite's safe
 * integers) as the bare number it is, every digit (JSON.stringify throws on a bigint, and a number rounds it).
 */
function rowJson(r: Row): string {
  if (!holdsBigint(r)) return JSON.stringify(r, null, 2);
  const keys = Object.keys(r);
  const fields = keys.filter((k) => r[k] !== undefined).map((k) => {
    const v = r[k];
    return `  ${JSON.stringify(k)}: ${typeof v === 'bigint' ? v.toString() : JSON.stringify(v, null, 2).replace(/\n/g, '\n  ')}`;
  });
  return `{\n${fields.join(',\n')}\n}`;
}

/** A row as an element of the JSON array JSON.stringify(rows, null, 2) writes: at one level of indent. */
function jsonElement(r: Row): string {
  return `  ${rowJson(r).replace(/\n/g, '\n  ')}`;
}

/** Renders rows in any text format. JSON is the rows themselves, one array. */
export function renderRows(rows: readonly Row[], columns: readonly Column[], format: TextFormat, opts: { maxWidth?: number; color?: boolean } = {}): string {
  switch (format) {
    case 'json':
      // rows that hold a bigint: each by rowJson, in the array as JSON.stringify writes one
      if (rows.some(holdsBigint)) return `[\n${rows.map(jsonElement).join(',\n')}\n]\n`;
      return JSON.stringify(rows, null, 2) + '\n';
    case 'csv':
      return renderCsv(rows, columns);
    case 'md':
      return renderMarkdown(rows, columns);
    default:
      return renderTable(rows, columns, opts);
  }
}
