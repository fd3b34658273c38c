/**
 * `sql`'s integers beyond 2^53 (bigints, SQLite's safe integers) in renderRows (the whole result: a table, or a
 * pager's text) and in RowPages (the streamed pages): every digit, JSON a bare number, and the pages byte for byte
 * the whole; rows without one exactly as JSON.stringify writes them.
 */
import { describe, expect, it } from 'vitest';
import { renderRows, RowPages, type Column } from '../../src/report/render.js';

const rows = [
  { n: 9007199254740993n, s: 'a"b', f: 1.5, z: null, b: Buffer.from([0, 255]) },
  { n: 2, s: '', f: -0, z: null, b: Buffer.alloc(0) },
  { n: -9223372036854775808n, s: 'x\ny', f: 1e300, z: null, b: Buffer.from('q') },
];
const columns: Column[] = Object.keys(rows[0]!).map((k) => ({ key: k, title: k }));

describe('bigints in rendered rows', () => {
  it('JSON: a bare number of every digit, the rest as JSON.stringify writes it', () => {
    const json = renderRows(rows, columns, 'json');
    const plain = JSON.stringify(rows.map((r) => ({ ...r, n: Number(r.n) })), null, 2) + '\n';
    expect(json).toBe(plain.replace('9007199254740992', '9007199254740993').replace('-9223372036854776000', '-9223372036854775808'));
    expect(renderRows([rows[1]!], columns, 'json')).toBe(JSON.stringify([rows[1]], null, 2) + '\n');
  });

  it.each(['json', 'csv', 'md'] as const)('%s: the pages, split anywhere, are the whole', (format) => {
    const whole = renderRows(rows, columns, format);
    for (let cut = 0; cut <= rows.length; cut++) {
      const pages = new RowPages(columns, format);
      expect(pages.page(rows.slice(0, cut)) + pages.page(rows.slice(cut)) + pages.end()).toBe(whole);
    }
    expect(whole).toContain('9007199254740993');
    expect(whole).toContain('-9223372036854775808');
  });

  it('table: every digit', () => {
    expect(renderRows(rows, columns, 'table')).toMatch(/^9007199254740993 .*\n.*\n-9223372036854775808 /m);
  });
});
