/**
 * Context across New Year: a capture's stamps have no year, and the lines read back before an event are dated
 * from the event. The parser of read-back lines was kept from event to event and counted a year on at each
 * December-then-January it read, so after midnight the context lines of most events were dated a year or two
 * in the future (2028 for a 2026 capture); and r's UTC year stood for its stamp's year, which it is not in a
 * zone west of UTC. Every context line of an event must be dated at or before it, and within the minute.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prng, query, runCli, tempDir } from '../helpers.js';

function acrossNewYear(seed: number): string {
  const rnd = prng(seed);
  const out: string[] = [];
  const start = Date.UTC(2025, 11, 31, 23, 58, 0);
  for (let i = 0; i < 2400; i++) {
    const t = new Date(start + i * 100);
    const stamp = `${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')} ${t.toISOString().slice(11, 23)}`;
    const pid = 4321 + Math.floor(rnd() * 3);
    const r = rnd();
    const body = r < 0.02 ? `E AuthRepository: cn.authing.guard callback code: 2004, message: user not found` : r < 0.05 ? 'W System.err: java.net.ConnectException: failed to connect' : `D Noise: hello world ${i}`;
    out.push(`${stamp}  ${pid}  ${pid} ${body}`);
  }
  return out.join('\n') + '\n';
}

describe('context across New Year', () => {
  for (const tz of ['UTC', 'America/New_York', 'Asia/Shanghai']) {
    it(`dates every context line at or before its event, within the minute (--tz ${tz}, one thread and ranges)`, () => {
      const dir = tempDir();
      const f = join(dir, 'new-year.log');
      writeFileSync(f, acrossNewYear(7));
      for (const how of ['one', 'ranges']) {
        const db = join(dir, `${how}.db`);
        const env: Record<string, string> = how === 'ranges' ? { AUTHING_TRIAGE_RANGE_BYTES: '32768', AUTHING_TRIAGE_DENSE_BYTES: '0' } : {};
        const run = runCli(['--db', db, '--quiet', '--tz', tz, '--year', '2026', '--context', '50', '--threads', how === 'one' ? '1' : '2', f], { env });
        expect(run.status, run.stderr).toBe(0);
        const events = query<{ time: string; context: string; line: number }>(db, 'SELECT time, context, line FROM events ORDER BY line');
        expect(events.length).toBeGreaterThan(30);
        let lines = 0;
        let before = 0;
        for (const e of events) {
          const at = Date.parse(e.time);
          for (const c of JSON.parse(e.context) as string[]) {
            const t = Date.parse(c.slice(0, 24));
            lines++;
            // line i + 1 is stamped (i * 100 ms) after 23:58 local: 1,200 lines before midnight
            const n = /hello world (\d+)$/.exec(c);
            if (e.line > 1200 && n && Number(n[1]) < 1200) before++;
            expect(t, `line ${e.line} at ${e.time}: ${c}`).toBeLessThanOrEqual(at);
            expect(at - t, `line ${e.line} at ${e.time}: ${c}`).toBeLessThan(60_000);
          }
        }
        expect(lines).toBeGreaterThan(100);
        // some events just after midnight have context lines from the old year
        expect(before, `${how}: ${lines} context lines`).toBeGreaterThan(0);
      }
    });
  }
});
