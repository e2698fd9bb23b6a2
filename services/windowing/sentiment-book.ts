import type { SentimentFeature } from '../shared/contracts/records.js';

/**
 * Sentiment states by key (symbol, or * for market-wide), each key's states sorted by asOf, so a
 * bar can be joined with the state as of its end even when later items were already read. Each
 * key keeps its newest `maxPerKey` states; a replayed item (same id) replaces its earlier copy.
 */
export class SentimentBook {
  private readonly byKey = new Map<string, SentimentFeature[]>();
  private entries = 0;

  constructor(private readonly maxPerKey = Number.POSITIVE_INFINITY) {}

  upsert(f: SentimentFeature): void {
    let list = this.byKey.get(f.symbol);
    if (!list) {
      list = [];
      this.byKey.set(f.symbol, list);
    }
    // First index with asOf > f.asOf: equal times keep arrival order, the later item wins lookups.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as SentimentFeature).asOf <= f.asOf) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && (list[i] as SentimentFeature).asOf === f.asOf; i--) {
      if ((list[i] as SentimentFeature).id === f.id) {
        list[i] = f;
        return;
      }
    }
    list.splice(lo, 0, f);
    this.entries++;
    if (list.length > this.maxPerKey) {
      const drop = list.length - this.maxPerKey;
      list.splice(0, drop);
      this.entries -= drop;
    }
  }

  /** The state after the last item at or before t, or undefined when none is known. */
  asOf(key: string, t: number): SentimentFeature | undefined {
    const list = this.byKey.get(key);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as SentimentFeature).asOf <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : list[lo - 1];
  }

  /** asOf of the newest state of a key. */
  latestAsOf(key: string): number | undefined {
    const list = this.byKey.get(key);
    return list && list.length > 0 ? (list[list.length - 1] as SentimentFeature).asOf : undefined;
  }

  delete(key: string): void {
    const list = this.byKey.get(key);
    if (!list) return;
    this.entries -= list.length;
    this.byKey.delete(key);
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  get keyCount(): number {
    return this.byKey.size;
  }

  /** States held, all keys. */
  get size(): number {
    return this.entries;
  }
}
