export interface PartitionOffset {
  topic: string;
  partition: number;
  /** Next offset to read, i.e. one past the last record whose work is done. */
  offset: number;
}

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;

function parseKey(key: string): { topic: string; partition: number } {
  // Kafka topic names cannot contain ':', so the last one separates the partition.
  const at = key.lastIndexOf(':');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/**
 * Offsets waiting to be committed and offsets the broker confirmed. Holds at most one pending
 * offset per partition (the latest); a failed commit leaves it pending for the next attempt
 * unless the partition was revoked meanwhile (its new owner commits from then on).
 * Confirmed offsets are whatever the broker accepted last, per partition.
 */
export class CommitLedger {
  private readonly pending = new Map<string, number>();

  /** `confirmed` may be shared by the ledgers of several members of one source. */
  constructor(private readonly confirmed: Map<string, number> = new Map()) {}

  /** Adds commits as returned by OffsetTracker.takeCommits ("topic:partition" -> offset). */
  add(commits: ReadonlyMap<string, number>): void {
    for (const [key, offset] of commits) {
      if (offset < 0) continue;
      this.pending.set(key, offset);
    }
  }

  /** What to send now. */
  due(): PartitionOffset[] {
    return [...this.pending].map(([key, offset]) => ({ ...parseKey(key), offset }));
  }

  /** The broker accepted these; an entry that moved meanwhile stays pending. */
  confirm(sent: readonly PartitionOffset[]): void {
    for (const { topic, partition, offset } of sent) {
      const key = keyOf(topic, partition);
      this.confirmed.set(key, offset);
      if (this.pending.get(key) === offset) this.pending.delete(key);
    }
  }

  /** Drops pending offsets of partitions this member no longer owns. */
  retainOnly(owned: (topic: string, partition: number) => boolean): void {
    for (const key of [...this.pending.keys()]) {
      const { topic, partition } = parseKey(key);
      if (!owned(topic, partition)) this.pending.delete(key);
    }
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Confirmed offsets by "topic:partition". */
  committed(): Map<string, number> {
    return new Map(this.confirmed);
  }

  committedOffset(topic: string, partition: number): number | undefined {
    return this.confirmed.get(keyOf(topic, partition));
  }
}
