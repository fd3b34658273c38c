/** The first bytes of an input, for fingerprinting and format detection, without losing them. */

/**
 * Reads the first `n` bytes of a stream and returns them with a stream of everything, and whether
 * they are the whole input. With
 * `waitMs` (live streams), it stops early when that long has passed since the first byte, so a
 * quiet `adb logcat` is not held back.
 */
export async function peekHead(stream: AsyncIterable<Buffer>, n: number, waitMs?: number, signal?: AbortSignal): Promise<{ head: Buffer; all: AsyncIterable<Buffer>; complete: boolean }> {
  // an abort (SIGINT) ends the wait as the deadline does
  let onAbort = (): void => {};
  const aborted = signal ? new Promise<null>((res) => (signal.aborted ? res(null) : signal.addEventListener('abort', (onAbort = () => res(null)), { once: true }))) : null;
  const it = stream[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let size = 0;
  let ended = false;
  let deadline = Infinity;
  let pendingNext: Promise<IteratorResult<Buffer>> | null = null;
  while (size < n) {
    pendingNext ??= it.next();
    const left = deadline - Date.now();
    const waits: Promise<IteratorResult<Buffer> | null>[] = [pendingNext];
    if (left !== Infinity) waits.push(new Promise<null>((res) => setTimeout(() => res(null), Math.max(0, left)).unref()));
    if (aborted) waits.push(aborted);
    const r = waits.length === 1 ? await pendingNext : await Promise.race(waits);
    if (r === null) break; // time is up: go on with what has arrived
    pendingNext = null;
    if (r.done) {
      ended = true;
      break;
    }
    taken.push(r.value);
    size += r.value.length;
    if (waitMs !== undefined && deadline === Infinity) deadline = Date.now() + waitMs;
  }
  signal?.removeEventListener('abort', onAbort);
  const carried = pendingNext;
  const joined = Buffer.concat(taken);
  const all = (async function* () {
    if (joined.length) yield joined;
    if (ended) return;
    if (carried) {
      const r = await carried;
      if (r.done) return;
      yield r.value;
    }
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })();
  return { head: joined.subarray(0, n), all, complete: ended && joined.length <= n };
}
