/**
 * sourceName: each folder's and the file's name is redacted on its own, so a secret value ends at a `/` or `\`
 * (the CLI cases are test/cli/source-name-redaction.test.ts); what needs more than one folder's name is still read whole.
 */
import { describe, expect, it } from 'vitest';
import { sourceName, sourcePath } from '../../src/pipeline/source-name.js';

describe('sourceName', () => {
  it('ends a secret value at a / or a \\, the file name and the folders after it kept', () => {
    expect(sourceName('/data/caps/sid=abc123/app.log', false)).toBe('/data/caps/sid=[redacted]/app.log');
    expect(sourceName('C:\\caps\\sid=abc123\\app.log', false)).toBe('C:\\caps\\sid=[redacted]\\app.log');
    expect(sourceName('/x/Authorization: Bearer abcdefghij/app.log', false)).toBe('/x/Authorization: [redacted]/app.log');
    // a value with a / in it is two folders on disk: the second is kept as any folder is
    expect(sourceName('token=ab/cd/app.log', false)).toBe('token=[redacted]/cd/app.log');
    expect(sourcePath('/data/caps/sid=abc123/app.log', false)).toBeNull();
  });

  it("reads a URL's `://` and an escaped quote or separator as no folder's end", () => {
    expect(sourceName('/x/ftp://admin:pw@10.1.2.3/x.log', false)).toBe('/x/ftp://admin:[redacted]@10.1.2.3/x.log');
    expect(sourceName('/x/\\"token\\":\\"abc\\"/y.log', false)).toBe('/x/\\"token\\":\\"[redacted]\\"/y.log');
    expect(sourceName('/x/token\\u003dabc/y.log', false)).toBe('/x/token\\u003d[redacted]/y.log');
  });

  it('keeps a name with nothing to redact byte for byte, hex runs too', () => {
    const hex = 'd41d8cd98f00b204e9800998ecf8427e';
    for (const n of ['-', 'adb -s X logcat -B', `/builds/${hex}/logcat.txt`, 'C:\\logs\\app.log', '/a//b/', '\\\\server\\share\\x.log']) {
      expect(sourceName(n, false)).toBe(n);
      expect(sourcePath(n, false)).toBe(n);
    }
    expect(sourceName(`/c/access_token=${hex}/${hex}.log`, false)).toBe(`/c/access_token=[redacted]/${hex}.log`);
    expect(sourceName('/caps/alice@example.com/13812345678.log', false)).toBe('/caps/[email]/[phone].log');
    expect(sourceName('/data/caps/sid=abc123/app.log', true)).toBe('/data/caps/sid=abc123/app.log');
  });
});
