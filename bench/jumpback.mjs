// node bench/jumpback.mjs LINES [FILE]: the capture of a few busy processes whose times jump back (round seven's
// `every.log`, docs/performance.md): every line an event, 50 pids interleaved, line i at minute i % 60 of one hour
// (so the time goes back by an hour's worth every 60 lines), 400 codes in turn. Deterministic; FILE defaults to
// bench/out/jumpback-LINES.log.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Line i (0-based) of the capture, with its newline. */
export function jumpbackLine(i) {
  const mm = String(i % 60).padStart(2, '0');
  const ms = String(i % 1000).padStart(3, '0');
  return `03-17 23:${mm}:00.${ms}  ${1000 + (i % 50)} ${2000 + (i % 7)} E SocialLoginButton: loginDone: errCode = ${2000 + (i % 400)} msg=${'m'.repeat(i % 90)}\n`;
}

/** Writes `lines` lines of the capture to `file`; resolves when it is on disk. */
export function writeJumpback(file, lines) {
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    chunk += jumpbackLine(i);
    if (chunk.length > 1 << 20) {
      out.write(chunk);
      chunk = '';
    }
  }
  out.end(chunk);
  return new Promise((ok, fail) => out.on('finish', ok).on('error', fail));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lines = Number(process.argv[2] ?? 200_000);
  const file = process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), 'out', `jumpback-${lines}.log`);
  await writeJumpback(file, lines);
  console.log(file);
}
