/** terminalText (issue 20 item 16): no control character survives, and clean text is untouched. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terminalText } from '../../src/sinks/terminal-text.js';

const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe('terminalText', () => {
  it('escapes OSC 52, OSC 8, CSI, bare BEL and newlines so they show as text', () => {
    expect(terminalText('a\x1b]52;c;cHduZWQ=\x07b')).toBe('a\\e]52;c;cHduZWQ=\\x07b');
    expect(terminalText('\x1b]8;;https://x\x1b\\t\x1b]8;;\x1b\\')).toBe('\\e]8;;https://x\\e\\t\\e]8;;\\e\\');
    expect(terminalText('x\x9b2J\u202e\r\n')).toBe('x\\x9b2J\\u202e\\r\\n');
    expect(terminalText('tab\tstays 中文')).toBe('tab\tstays 中文');
  });

  it('leaves no control character in any string (fast-check)', { timeout: 180_000 }, () => {
    const unit = fc.oneof(fc.constantFrom('\x1b', '\x07', '\x9b', '\n', '\r', '\u202e', '\u2028', '\x00', '\x7f'), fc.string({ maxLength: 1, unit: 'binary' }));
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 60 }), (units) => {
        const text = units.join('');
        const shown = terminalText(text);
        expect(shown).not.toMatch(UNSAFE);
        if (!UNSAFE.test(text)) expect(shown).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
