// Deterministic logcat capture generator for benchmarks and tests: real-looking noise (LogHub's
// Android_2k templates) with about 1% Authing lines across many codes, and some multi-line records.
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A small, fast, seeded PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Noise: the tag and message of each record of the bundled fixture's real lines.
const NOISE = readFileSync(join(here, '..', 'fixtures', 'guard-threadtime.log'), 'utf8')
  .split('\n')
  .map((l) => /^\S+ \S+\s+\d+\s+\d+ ([VDIWEF]) (.*?): (.*)$/.exec(l))
  // only the LogHub lines: drop the fixture's Authing lines and decoys
  .filter((m) => m && !/^(SocialLoginButton|Guardian|Guard|Authing|AuthRepository|LoginActivity|Github|HuaWei|QQ|Uploader|DeviceManager|ExoPlayerImplInternal|okhttp\.OkHttpClient|MediaCodec)$/.test(m[2].trim()))
  .map((m) => [m[1], m[2].trim(), m[3]]);

const AUTHING = [
  (c) => ['E', 'SocialLoginButton', `loginDone: errCode = ${c} errMessage = Login failed`],
  (c) => ['W', 'Guardian', `Guardian failed. 400 message:{"statusCode":400,"apiCode":${c},"message":"x","requestId":"r-1"}`],
  (c) => ['W', 'AuthRepository', `cn.authing.guard callback code: ${c}, message: 系统繁忙，请稍后再试`],
  (c) => ['E', 'LoginActivity', `Authing login failed, code=${c} message=Network error`],
  () => ['E', 'Authing', 'Get public config failed for appId: 6123456789abcdef01234567 Msg:Network error'],
  () => ['E', 'Github', 'Auth Failed, onError errorCode = 1 errorMsg = access_denied'],
  () => ['E', 'QQ', 'Auth Failed, onCancel'],
];
const CODES = [1636, 1639, 1640, 2004, 2005, 2333, 10001, 10002, 10008, 10009, 500, 429, 2020, 2001, 6001, 77777];

/**
 * Writes `bytes` (about) of threadtime capture to `file`; `authingRate` is the share of Authing lines;
 * `start` the epoch milliseconds of its first line (UTC), `stepMs` the mean time between lines.
 * Resolves with the number of lines written.
 */
export function generateCapture(file, { bytes = 1e9, seed = 42, authingRate = 0.01, start = Date.UTC(2026, 2, 17, 8, 0, 0), stepMs = 20 } = {}) {
  const rand = rng(seed);
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let written = 0;
  let lines = 0;
  let t = start;
  const pad = (n, w) => String(n).padStart(w, ' ');
  const ts = (ms) => {
    const d = new Date(ms);
    const z = (n, w = 2) => String(n).padStart(w, '0');
    return `${z(d.getUTCMonth() + 1)}-${z(d.getUTCDate())} ${z(d.getUTCHours())}:${z(d.getUTCMinutes())}:${z(d.getUTCSeconds())}.${z(d.getUTCMilliseconds(), 3)}`;
  };
  return new Promise((resolve, reject) => {
    out.on('error', reject);
    const pump = () => {
      let chunk = '';
      while (chunk.length < 1 << 20 && written < bytes) {
        t += Math.floor(rand() * 2 * stepMs);
        const pid = 1000 + Math.floor(rand() * 4000);
        let level, tag, msg;
        if (rand() < authingRate) {
          const f = AUTHING[Math.floor(rand() * AUTHING.length)];
          [level, tag, msg] = f(CODES[Math.floor(rand() * CODES.length)]);
        } else {
          [level, tag, msg] = NOISE[Math.floor(rand() * NOISE.length)];
        }
        const head = `${ts(t)} ${pad(pid, 5)} ${pad(pid + Math.floor(rand() * 50), 5)} ${level} ${tag.padEnd(8)}: `;
        let rec = head + msg + '\n';
        lines++;
        if (rand() < 0.002) {
          // a stack trace: one message over several lines with the same header
          for (const frame of ['java.lang.IllegalStateException: boom', '\tat com.example.Foo.bar(Foo.java:42)', '\tat android.os.Handler.dispatchMessage(Handler.java:106)']) {
            rec += `${ts(t)} ${pad(pid, 5)} ${pad(pid, 5)} W System.err: ${frame}\n`;
            lines++;
          }
        }
        chunk += rec;
        written += Buffer.byteLength(rec);
      }
      if (!chunk) {
        out.end(() => resolve(lines));
        return;
      }
      if (out.write(chunk)) setImmediate(pump);
      else out.once('drain', pump);
    };
    pump();
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, size] = process.argv.slice(2);
  const n = await generateCapture(file ?? 'bench/out/capture.log', { bytes: Number(size ?? 1e8) });
  console.log(`wrote ${n} lines to ${file}`);
}
