/**
 * Vitest global set-up: the Chromium of @sparticuz/chromium unpacked once, before the workers start.
 * `executablePath()` unpacks its Brotli archives into `$TMPDIR/chromium` unless that path exists, and a
 * file being written already exists: on a fresh machine, html.test.ts and html-layout.test.ts starting
 * their browsers in two workers within the ~3 s of unpacking had the second spawn a half-written binary
 * (`spawn ETXTBSY`). Once unpacked (this machine's later runs), this costs a `stat`.
 */
import chromium from '@sparticuz/chromium';

export default async function setup(): Promise<void> {
  await chromium.executablePath();
}
