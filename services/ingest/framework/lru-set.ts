/**
 * A set that remembers at most `capacity` keys, forgetting the least recently touched first. Each
 * key carries a tag (the input partition it came from) so a revoked partition's keys can be dropped.
 * A Map keeps insertion order; re-inserting on touch makes that order the recency order.
 */
export class LruSet<K> {
  private readonly entries = new Map<K, string>();
  /**
   * One live iterator finds the oldest entry. A fresh `keys().next()` per eviction walks over every
   * deleted slot V8 keeps at the front of the table until the next rehash, which made each
   * eviction O(capacity) (43 % of ingest time at 5,000 symbols, bench/results/README.md); the live
   * iterator passes each slot once.
   */
  private oldestKeys: IterableIterator<K> = this.entries.keys();

  constructor(
    readonly capacity: number,
    private readonly onEvict?: (key: K, tag: string) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`LruSet capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Adds (or refreshes) a key; returns true when it was already present. */
  touch(key: K, tag = ''): boolean {
    const present = this.entries.delete(key);
    this.entries.set(key, tag);
    if (this.entries.size > this.capacity) {
      let oldest = this.oldestKeys.next();
      if (oldest.done) {
        // Exhausted earlier (the set was emptied): start over from the current first entry.
        this.oldestKeys = this.entries.keys();
        oldest = this.oldestKeys.next();
      }
      if (!oldest.done) {
        const evictedTag = this.entries.get(oldest.value) as string;
        this.entries.delete(oldest.value);
        this.onEvict?.(oldest.value, evictedTag);
      }
    }
    return present;
  }

  /** Forgets every key whose tag is in `tags`. */
  dropTags(tags: ReadonlySet<string>): void {
    for (const [key, tag] of this.entries) if (tags.has(tag)) this.entries.delete(key);
  }
}
