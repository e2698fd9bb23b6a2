import { LruSet } from './lru-set.js';

/** Decides whether a record was seen before, in bounded memory. */
export interface Deduplicator<T> {
  /** True when `value` is a duplicate; otherwise remembers it. `partition` is "topic:partition". */
  isDuplicate(value: T, partition: string): boolean;
  /** A revoked partition's records will be redelivered elsewhere (or later here): forget them. */
  forget(partitions: ReadonlySet<string>): void;
}

/** Duplicates by a key (news id; macro indicator|periodEnd|releaseTime); LRU-bounded. */
export class KeyDeduplicator<T> implements Deduplicator<T> {
  private readonly seen: LruSet<string>;

  constructor(
    private readonly keyOf: (value: T) => string,
    capacity: number,
  ) {
    this.seen = new LruSet(capacity);
  }

  isDuplicate(value: T, partition: string): boolean {
    return this.seen.touch(this.keyOf(value), partition);
  }

  forget(partitions: ReadonlySet<string>): void {
    this.seen.dropTags(partitions);
  }

  get size(): number {
    return this.seen.size;
  }
}

interface Mark {
  partition: string;
  /** Highest sequence seen. */
  high: number;
  /** Highest sequence forgotten by the LRU: anything at or below it is treated as seen. */
  floor: number;
}

/**
 * Duplicates of sequenced records (ticks): per key (symbol) the highest sequence seen, plus an LRU
 * of recent (key, sequence) pairs. A sequence above the high-water mark is new; one at or below it
 * is a duplicate if remembered, or if it is at or below the highest sequence the LRU has forgotten
 * for that key (the feed's sequences strictly increase, so something that old was processed before);
 * otherwise it is an out-of-order record that fills a gap and is accepted.
 */
export class SequenceDeduplicator<T> implements Deduplicator<T> {
  private readonly marks = new Map<string, Mark>();
  private readonly recent: LruSet<string>;

  constructor(
    private readonly keyOf: (value: T) => string,
    private readonly sequenceOf: (value: T) => number,
    capacity: number,
  ) {
    this.recent = new LruSet(capacity, (entry) => {
      const cut = entry.lastIndexOf('\u0000');
      const mark = this.marks.get(entry.slice(0, cut));
      const seq = Number(entry.slice(cut + 1));
      if (mark && seq > mark.floor) mark.floor = seq;
    });
  }

  isDuplicate(value: T, partition: string): boolean {
    const key = this.keyOf(value);
    const seq = this.sequenceOf(value);
    const entry = `${key}\u0000${seq}`;
    let mark = this.marks.get(key);
    if (!mark) {
      mark = { partition, high: seq, floor: Number.NEGATIVE_INFINITY };
      this.marks.set(key, mark);
      this.recent.touch(entry, partition);
      return false;
    }
    mark.partition = partition;
    if (seq > mark.high) {
      mark.high = seq;
      this.recent.touch(entry, partition);
      return false;
    }
    if (this.recent.has(entry) || seq <= mark.floor) return true;
    this.recent.touch(entry, partition);
    return false;
  }

  forget(partitions: ReadonlySet<string>): void {
    this.recent.dropTags(partitions);
    for (const [key, mark] of this.marks) if (partitions.has(mark.partition)) this.marks.delete(key);
  }

  /** Keys (symbols) with a high-water mark; grows with the symbol universe, not with the stream. */
  get keys(): number {
    return this.marks.size;
  }

  get remembered(): number {
    return this.recent.size;
  }
}
