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
  private readonly oldest = this.map.keys();

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
  }

  /** The keys, oldest first. */
  keys(): K[] {
    return [...this.map.keys()];
  }
}
