/**
 * The extractor's memos keep copies, never slices: a record's tag and message are slices of a scan job's
 * candidate text (up to 256 Ki characters), and a memo that kept a slice would keep that whole text alive.
 */
import { describe, expect, it } from 'vitest';
import { heapAfterGc } from '../heap.js';
import { Extractor } from '../../src/extract/index.js';
import { loadRegistry } from '../../src/registry/index.js';
import type { LogRecord } from '../../src/types.js';

describe('Extractor memory', () => {
  it('keeps no scan job text alive through a tag or a message it remembers', () => {
    const JOBS = 120;
    // Tags of the app's own (--tag), one per job, so that each is remembered apart.
    const extractor = new Extractor(loadRegistry(), { tags: Array.from({ length: JOBS }, (_, j) => `SignInActivityTag${j}`) });
    const JOB_CHARS = 1 << 20; // one-byte characters: 1 MiB a job
    const before = heapAfterGc();
    let events = 0;
    for (let j = 0; j < JOBS; j++) {
      // A job's text of its own (a distinct filler each), its record's fields cut out of it as the parser does.
      const line = `03-17 16:13:38.811  1702  2395 E SignInActivityTag${j} : login failed code=2005 provider=wechat${j}\n`;
      const text = line + String.fromCharCode(97 + (j % 26)).repeat(JOB_CHARS) + j;
      const tagAt = line.indexOf('SignInActivityTag');
      const msgAt = line.indexOf('login');
      const rec: LogRecord = {
        time: '2026-03-17T16:13:38.811Z',
        pid: 1702,
        tid: 2395,
        level: 'E',
        tag: text.slice(tagAt, tagAt + `SignInActivityTag${j}`.length),
        message: text.slice(msgAt, line.length - 1),
        format: 'threadtime',
        line: j + 1,
      };
      if (extractor.extract(rec)) events++;
    }
    const kept = heapAfterGc() - before;
    expect(events).toBe(JOBS);
    // 120 MiB of job text went through; what the memos hold of it is a few KiB.
    expect(kept).toBeLessThan(16 << 20);
  });
});
