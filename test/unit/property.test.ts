/**
 * Hostile input, property-based (fast-check): whatever the bytes and however they are chunked, the
 * fast path (byte prefilter, candidate lines only) finds exactly the events of the slow reference
 * (every record decoded and checked), and nothing crashes.
 */
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Extractor, candidateNeedles } from '../../src/extract/index.js';
import { redact, redactEveryRule } from '../../src/extract/redact.js';
import { ingestSource } from '../../src/pipeline/ingest.js';
import { loadRegistry } from '../../src/registry/index.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { ROOT, referenceEvents, tempDir } from '../helpers.js';

const reg = loadRegistry();
const extractor = new Extractor(reg, { tags: ['MainActivity'] });
const needles = candidateNeedles(extractor.tags);

/**
 * A new store as openSqlite makes one (the schema, each migration), made once and copied for each run as the
 * bin copies dist/store/new.db: making it again for each of the properties' 250 inputs was most of this file's CPU.
 */
let template: string | undefined;
async function newStore(): Promise<ReturnType<typeof openSqlite>> {
  if (!template) {
    template = join(tempDir(), 'template.db');
    await openSqlite(template).close();
  }
  return openSqlite(join(tempDir(), 'p.db'), { template });
}

async function fastPath(chunks: Buffer[]): Promise<[number, number][]> {
  const store = await newStore();
  try {
    const r = await ingestSource(store, { name: '-', path: null }, { extractor, needles, year: 2026, tz: 'UTC', stdin: Readable.from(chunks), headWaitMs: 5000 });
    expect(['read', 'failed', 'not-a-log']).toContain(r.status);
    return (store.db.prepare('SELECT line, code FROM events ORDER BY line').all() as { line: number; code: number }[]).map((e) => [e.line, e.code]);
  } finally {
    await store.close();
  }
}


const tag = fc.constantFrom('Authing', 'Guard', 'Guardian', 'SocialLoginButton', 'QQ', 'Github', 'HuaWei', 'OneClick', 'MainActivity', 'okhttp.OkHttpClient', 'ActivityManager', 'ExoPlayer', 'AuthFlow', 'x', '');
const code = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constantFrom(200, 400, 1636, 2004, 2333, 10001, 10008, 10018, 77777), fc.integer({ min: 0, max: 2 ** 40 }));
const message = fc.oneof(
  code.map((c) => `loginDone: errCode = ${c} errMessage = x`),
  code.map((c) => `cn.authing.guard callback code: ${c}, message: y`),
  fc.tuple(code, code).map(([a, b]) => `Guardian failed. ${Math.abs(a) % 600} message:{"statusCode":${a},"apiCode":"${b}"}`),
  code.map((c) => `{"code":${c},`),
  fc.constantFrom('Auth Failed, onCancel', 'Auth Canceled', 'Get public config failed for appId: x Msg:y', 'request https://a.authing.cn/x?code=3f22', 'Playback error errorCode=2004', 'onGetTokenError:timeout'),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);
const level = fc.constantFrom('V', 'D', 'I', 'W', 'E', 'F', 'A');
const threadtime = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 99999 }), level, tag, message).map(
  ([mo, d, pid, l, t, m]) => `${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')} 10:00:00.000 ${String(pid).padStart(5)} ${String(pid).padStart(5)} ${l} ${t.padEnd(8)}: ${m}`,
);
const junkBytes = fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a).toString('latin1'));
const lineArb = fc.oneof({ weight: 6, arbitrary: threadtime }, { weight: 1, arbitrary: junkBytes }, { weight: 1, arbitrary: fc.constantFrom('--------- beginning of main', '', '\r', '\0\0\0', '\uFEFF') });

/** Cuts `buf` at the given fractions into chunks. */
function cut(buf: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => Math.floor(p * buf.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...at, buf.length]) {
    if (p > prev) out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('hostile input (fast-check)', () => {
  it('the fast path finds exactly the events of the slow reference, however the input is chunked', { timeout: 180_000 }, async () => {
    let withEvents = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { minLength: 1, maxLength: 60 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), async (lines, points, eol) => {
        const bytes = Buffer.from(lines.join(eol) + eol, 'latin1').length ? Buffer.from(lines.join(eol) + eol) : Buffer.alloc(0);
        if (bytes.length === 0) return;
        const ref = await referenceEvents(bytes, extractor);
        if (ref.length) withEvents++;
        expect(await fastPath(cut(bytes, points))).toEqual(ref);
      }),
      { numRuns: 150, seed: 20261126 },
    );
    expect(withEvents).toBeGreaterThan(50); // the property is about events, not only about silence
  });

  it('random bytes, NULs and invalid UTF-8 never crash the pipeline', { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4000 }), async (a) => {
        const bytes = Buffer.from(a);
        expect(await fastPath([bytes])).toEqual(await referenceEvents(bytes, extractor));
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('deeply nested JSON in a message is read without blowing the stack', async () => {
    const deep = '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000);
    const line = Buffer.from(`03-17 10:00:00.000  1  1 E Authing : ${deep} "code":5\n{${deep}}\n`);
    expect(await fastPath([line])).toEqual(await referenceEvents(line, extractor));
  });

  it('a 100 MB line without a newline is cut and counted, in bounded memory', { timeout: 180_000 }, () => {
    const dir = tempDir();
    const f = join(dir, 'huge.log');
    const head = '03-17 10:00:00.000  1  1 E SocialLoginButton: loginDone: errCode = 2333 ';
    writeFileSync(f, Buffer.concat([Buffer.from(head), Buffer.alloc(100 * 1024 * 1024, 'x'), Buffer.from('\n03-17 10:00:01.000  1  1 E SocialLoginButton: loginDone: errCode = 10001\n')]));
    // Sampled in the child: getrusage's maxrss would include the parent's memory at fork time.
    const script = `
      let max = 0;
      const t = setInterval(() => { max = Math.max(max, process.memoryUsage().rss); }, 10);
      import('${join(ROOT, 'dist', 'cli', 'main.js')}').then(async (m) => {
        await m.main(['--db', '${join(dir, 'h.db')}', '--json-summary', '${f}']);
        clearInterval(t);
        max = Math.max(max, process.memoryUsage().rss);
        process.stderr.write('maxrss ' + Math.round(max / 1024) + '\\n');
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 16 << 20 });
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.overlong).toBe(1);
    expect(s.events).toBe(2);
    const rssKb = Number(/maxrss (\d+)/.exec(r.stderr)![1]);
    expect(rssKb).toBeLessThan(200 * 1024);
  });
});

describe('redaction (fast-check)', () => {
  const piece = fc.oneof(
    fc.constantFrom('user@example.com', 'a.b+c@mail.authing.cn', '13812345678', '+86 138-1234-5678', '+44 20 7946 0958', '+1 22 333 444', '138 1234 5678', '1381234567', 'Bearer abcdefgh12345', 'basic QWxhZGRpbjpvcGVu', 'eyJhbGciOi.eyJzdWIiOi.sig', 'access_token=abc', 'PassWord: "x"', 'pwd=1', 'api-key=2', 'apiKey: 3', 'Cookie=a', 'session_id=9', '0123456789abcdef0123456789abcdef', 'errCode = 10001', ' ', '=', ':', '"'),
    fc.string({ maxLength: 12 }),
    fc.stringMatching(/^[0-9 +-]{0,16}$/),
  );
  it('the first look never lets through what the rules would change', () => {
    let changed = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (parts) => {
        const text = parts.join('');
        const full = redactEveryRule(text);
        if (full !== text) changed++;
        expect(redact(text)).toBe(full);
      }),
      { numRuns: 3000, seed: 11 },
    );
    expect(changed).toBeGreaterThan(1000);
  });
});
