/** A map that keeps the `cap` keys set most recently (what each pid's last event saw, context.ts). */
export class RecentMap<K, V> {
  private readonly map = new Map<K, V>();
  /**
   * The keys in the order they were last set, read from where the last eviction stopped. A Map's
   * iterator sees entries added after it and skips those deleted, and every entry before its place was
   * evicted through it, so its next is the oldest. A new iterator for each eviction walked again over
   * the slots the moves had left at the front of the table (the context read-back's largest cost on a
   * capture of many processes, profiled). It never runs out: it is read only while `cap` entries are ahead of it.
   */
  private oldest = this.map.keys();
  /** Sets since `oldest` was made. */
  private sets = 0;

  constructor(private readonly cap: number) {}

  /** The value of `key`, or undefined. */
  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Sets `key` as the newest; the oldest goes when more than `cap` would be kept. */
  set(key: K, value: V): void {
    this.map.delete(key);
    if (this.map.size >= this.cap) this.map.delete(this.oldest.next().value!);
    this.map.set(key, value);
    // A live iterator keeps every table V8 made for the map since the iterator's own (a Map is rebuilt as
    // deleted slots pile up, and an old table stays linked for the iterators still on it), with the values
    // each held: with fewer pids than the cap nothing is evicted, the iterator never moved, and a capture
    // of 50 processes' events kept 109,287 stale entries (533 MB at 50 MB of input). A fresh iterator
    // every `cap` sets keeps at most the tables of those sets; its first step is the oldest key all the same.
    if (++this.sets >= this.cap) {
      this.sets = 0;
      this.oldest = this.map.keys();
    }
  }

  /** The keys, oldest first. */
  keys(): K[] {
    return [...this.map.keys()];
  }
}
