/**
 * The tail a LineWindow keeps from the frames before (keepTail): a look-back over it reads the lines a
 * look-back over the same bytes in one buffer reads. When a frame of one line came after a full tail
 * (lineChunks yields the line it joins across two reads as a chunk of its own), what was kept of the
 * older tail began mid-line, and the next frame's first line read that piece as a whole line: a logged
 * log line's inner header then counted as a line of the event's pid.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineWindow, LOOKBACK_BYTES, LOOKBACK_LINES, LOOKBACK_MAX, type PidLine } from '../../src/pipeline/line-window.js';

/** A threadtime line of `pid` whose message is `msg`. */
const line = (pid: number, msg: string): string => `12-31 16:15:01.821 ${String(pid).padStart(5)}  2555 I Uploader: ${msg}\n`;

/** The look-back of the line at `at` of `all` (a line start), held in one buffer. */
function inOneBuffer(all: Buffer, at: number, text: string, pid: number): PidLine[] {
  const w = new LineWindow();
  w.at(all, at, 1000, text);
  return w.linesOfPid(pid, LOOKBACK_MAX, LOOKBACK_LINES, true);
}

/** The look-back of the first line of the last frame, the frames before it fed to keepTail. */
function overFrames(frames: Buffer[], text: string, pid: number): PidLine[] {
  const w = new LineWindow();
  for (const f of frames.slice(0, -1)) w.keepTail(f, f.length);
  w.at(frames.at(-1)!, 0, 1000, text);
  return w.linesOfPid(pid, LOOKBACK_MAX, LOOKBACK_LINES, true);
}

describe('the tail a LineWindow keeps', () => {
  it('never reads the piece of a line cut where the kept tail begins, after a frame of one line', () => {
    const one = line(300, 'joined across two reads');
    // A first frame of exactly LOOKBACK_BYTES: the piece kept of it after the one-line frame begins
    // one.length bytes in, inside its first line, just where a logged log line's inner header of pid 4242 stands.
    const head = 'x'.repeat(one.length) + line(4242, 'logged inside another line').trimEnd() + ' (as the app logged it)\n';
    const body: string[] = [head];
    let size = head.length;
    // long lines of other pids (the first line stays within LOOKBACK_LINES), one of 4242 near the end
    for (let i = 0; size < LOOKBACK_BYTES - 400; i++) {
      const l = line(i === 40 ? 4242 : 1000 + i, 'm'.repeat(250));
      body.push(l);
      size += l.length;
    }
    body.push(line(77, 'p'.repeat(LOOKBACK_BYTES - size - line(77, '').length)));
    const first = Buffer.from(body.join(''));
    expect(first.length).toBe(LOOKBACK_BYTES);
    expect(body.length).toBeLessThan(LOOKBACK_LINES);
    const event = line(4242, 'authing error 2215');
    const frames = [first, Buffer.from(one), Buffer.from(event)];
    const all = Buffer.concat(frames);
    const want = inOneBuffer(all, all.length - event.length, event.trimEnd(), 4242);
    expect(want).toEqual([{ text: line(4242, 'm'.repeat(250)).trimEnd(), back: body.length - 40 }]);
    expect(overFrames(frames, event.trimEnd(), 4242)).toEqual(want);
  });

  it('reads the lines one buffer reads, wherever the frames are cut, on lines of recycled pids that log lines of each other', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(101, 2024, 4242), fc.integer({ min: 0, max: 600 }), fc.boolean()), { minLength: 40, maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: 399 }), { maxLength: 12 }),
        (spec, cuts) => {
          // a line whose message holds another line's header (a log of a log) when its boolean says so
          const lines = spec.map(([pid, n, nested], i) => line(pid, (nested ? line(spec[(i + 1) % spec.length]![0], 'inner').trimEnd() + ' ' : '') + 'm'.repeat(n)));
          const at = [...new Set(cuts.filter((c) => c < lines.length - 1))].sort((a, b) => a - b);
          const frames: Buffer[] = [];
          let from = 0;
          for (const c of at) {
            frames.push(Buffer.from(lines.slice(from, c).join('')));
            from = c;
          }
          // the event is the last frame's first line
          frames.push(Buffer.from(lines.slice(from, lines.length - 1).join('')), Buffer.from(lines.at(-1)!));
          const all = Buffer.concat(frames);
          const text = lines.at(-1)!.trimEnd();
          const pid = spec.at(-1)![0];
          expect(overFrames(frames.filter((f) => f.length > 0), text, pid)).toEqual(inOneBuffer(all, all.length - lines.at(-1)!.length, text, pid));
        },
      ),
      { numRuns: 300, seed: 2026_1130 },
    );
  });
});
