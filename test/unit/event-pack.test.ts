/**
 * The wire format of a batch going to the store's writer thread (src/store/event-pack.ts): every field the
 * store writes comes back as it was packed, whatever it holds: null, an unlisted method, level or outcome, a
 * lone surrogate (an excerpt cut inside a pair), text that reads like JSON, an empty context against none.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packEvents, packedBuffers, unpackEvents } from '../../src/store/event-pack.js';
import type { AuthingEvent } from '../../src/types.js';

/** Text as logs have it, damaged: any UTF-16 code units (lone surrogates too), and the JSON of an array. */
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 3 }), fc.constantFrom('', '[]', '["a"]', 'null'));

const anEvent: fc.Arbitrary<AuthingEvent> = fc
  .record({
    code: fc.integer({ min: 0, max: 2 ** 31 }),
    category: fc.constant('x'),
    method: fc.constantFrom('signature', 'json', 'key-value', 'Signature', ''),
    detail: fc.option(text),
    time: fc.option(fc.oneof(text, fc.date({ noInvalidDate: true }).map((d) => d.toISOString()))),
    pid: fc.option(fc.integer({ min: 0, max: 2 ** 31 })),
    tid: fc.option(fc.integer({ min: 0, max: 2 ** 31 })),
    level: fc.option(fc.constantFrom('V', 'D', 'I', 'W', 'E', 'F', 'S', '?', 'X', '')),
    tag: text,
    line: fc.integer({ min: 1, max: 2 ** 40 }),
    excerpt: text,
    outcome: fc.constantFrom('failed', 'canceled', 'error', 'success', 'unknown', ''),
    context: fc.option(fc.array(text, { maxLength: 4 }), { nil: undefined }),
    cause: fc.option(text, { nil: undefined }),
  })
  .map((e) => {
    // an absent context or cause is absent, as the extractor leaves it
    const out = { ...e } as AuthingEvent;
    if (e.context === undefined) delete out.context;
    if (e.cause === undefined) delete out.cause;
    return out as AuthingEvent;
  });

describe('a batch packed for the writer thread', () => {
  it('gives back every stored field of every event as it was, in order', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { maxLength: 40 }), (events) => {
        const packed = packEvents(events);
        // what crosses: the two typed arrays are transferred, the text is copied
        const [nums, lens] = packedBuffers(packed);
        const crossed = structuredClone({ ...packed }, { transfer: [nums!, lens!] });
        const back = unpackEvents(crossed);
        expect(back.length).toBe(events.length);
        back.forEach((b, i) => {
          const e = events[i]!;
          expect(b).toEqual({
            index: i, line: e.line, code: e.code, time: e.time, method: e.method, detail: e.detail, pid: e.pid, tid: e.tid, level: e.level, tag: e.tag, excerpt: e.excerpt, outcome: e.outcome,
            context: e.context, cause: e.cause ?? null,
          });
          // an empty context is stored as '[]', none as NULL: the two must not meet
          expect(b.context === undefined).toBe(e.context === undefined);
        });
      }),
      { numRuns: 200 },
    );
  });
});
