/**
 * The pids whose last events are kept (RecentMap) hold only what they keep: a Map's live iterator keeps
 * every table V8 rebuilt for the map since the iterator was made, with the values of each, so one that
 * never moves (fewer pids than the cap: nothing evicted) kept every stale value a capture had set.
 */
import { describe, expect, it } from 'vitest';
import { heapAfterGc } from '../heap.js';
import { RecentMap } from '../../src/pipeline/recent-map.js';

describe('RecentMap memory', () => {
  it('keeps no value it replaced alive, with fewer keys than its cap, however many sets', () => {
    // A capture of 50 processes, every line an event: each set replaces a pid's value (1 KiB here).
    const PIDS = 50;
    const SETS = 200_000;
    const m = new RecentMap<number, number[]>(1024);
    const before = heapAfterGc();
    for (let i = 0; i < SETS; i++) m.set(1000 + (i % PIDS), new Array<number>(128).fill(i));
    const kept = heapAfterGc() - before;
    expect(m.keys()).toHaveLength(PIDS);
    expect(m.get(1000 + ((SETS - 1) % PIDS))![0]).toBe(SETS - 1);
    // 50 live values of ~1 KiB; the 199,950 replaced ones (~200 MB) are garbage.
    expect(kept).toBeLessThan(16 << 20);
  });
});
