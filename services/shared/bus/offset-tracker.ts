interface Pending {
  offset: number;
  acked: boolean;
}

class PartitionTrack {
  private readonly queue: Pending[] = [];
  private head = 0;
  /** Next offset to commit (one past the last contiguously acked record); -1 when nothing acked yet. */
  commitable = -1;
  dirty = false;
  /** Forgotten (revoked): its pending acks move nothing. */
  revoked = false;

  track(offset: number): Pending {
    const entry = { offset, acked: false };
    this.queue.push(entry);
    return entry;
  }

  advance(): void {
    while (this.head < this.queue.length && (this.queue[this.head] as Pending).acked) {
      this.commitable = (this.queue[this.head] as Pending).offset + 1;
      this.head++;
      this.dirty = true;
    }
    // Compact occasionally so the queue does not grow with the stream.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  get inFlight(): number {
    return this.queue.length - this.head;
  }
}

/**
 * At-least-once bookkeeping: records are tracked in delivery order per partition and may be
 * acked in any order; the committable offset only moves over a contiguous acked prefix, so a
 * crash never skips a record whose outputs were not yet produced.
 */
export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionTrack>();
  private inFlightTotal = 0;

  private part(topic: string, partition: number): PartitionTrack {
    const key = `${topic}:${partition}`;
    let p = this.partitions.get(key);
    if (!p) {
      p = new PartitionTrack();
      this.partitions.set(key, p);
    }
    return p;
  }

  /** Registers a delivered record; returns its ack function (idempotent). */
  track(topic: string, partition: number, offset: number): () => void {
    return this.trackerFor(topic, partition)(offset);
  }

  /**
   * `track` for one partition, with the partition looked up once (a consumer's fetched batch is
   * one partition): returns offset -> ack function. `onAck` runs after each first ack.
   */
  trackerFor(topic: string, partition: number, onAck?: () => void): (offset: number) => () => void {
    const p = this.part(topic, partition);
    return (offset) => {
      const entry = p.track(offset);
      this.inFlightTotal++;
      return () => {
        if (entry.acked) return;
        entry.acked = true;
        // An ack for a partition that was revoked meanwhile moves nothing.
        if (!p.revoked) {
          this.inFlightTotal--;
          p.advance();
        }
        onAck?.();
      };
    };
  }

  get inFlight(): number {
    return this.inFlightTotal;
  }

  /** Offsets that moved since the last call, as "topic:partition" -> next offset to read. */
  takeCommits(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, p] of this.partitions) {
      if (p.dirty) {
        out.set(key, p.commitable);
        p.dirty = false;
      }
    }
    return out;
  }

  /** Forgets a partition (revoked): its pending acks no longer move anything. */
  forget(topic: string, partition: number): void {
    const key = `${topic}:${partition}`;
    const p = this.partitions.get(key);
    if (p) {
      this.inFlightTotal -= p.inFlight;
      p.revoked = true;
    }
    this.partitions.delete(key);
  }
}
