interface Entry<E> {
  time: number;
  /** Arrival order, so equal event times leave in the order they came. */
  seq: number;
  item: E;
}

/** Binary min-heap on (time, seq). */
class EntryHeap<E> {
  private readonly a: Entry<E>[] = [];

  get size(): number {
    return this.a.length;
  }

  peek(): Entry<E> | undefined {
    return this.a[0];
  }

  private less(i: number, j: number): boolean {
    const x = this.a[i] as Entry<E>;
    const y = this.a[j] as Entry<E>;
    return x.time < y.time || (x.time === y.time && x.seq < y.seq);
  }

  private swap(i: number, j: number): void {
    const t = this.a[i] as Entry<E>;
    this.a[i] = this.a[j] as Entry<E>;
    this.a[j] = t;
  }

  push(e: Entry<E>): void {
    this.a.push(e);
    let i = this.a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): Entry<E> | undefined {
    const top = this.a[0];
    const last = this.a.pop();
    if (this.a.length > 0 && last) {
      this.a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.a.length && this.less(l, m)) m = l;
        if (r < this.a.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

interface PartitionClock<E> {
  /** Highest event time seen. */
  streamTime: number;
  watermark: number;
  /** Wall-clock time of the last record, for the idle flush. */
  lastArrival: number;
  heap: EntryHeap<E>;
}

export interface EventTimeSettings {
  maxOutOfOrdernessMs: number;
  allowedLatenessMs: number;
}

export type Offer<E> =
  | { late: true; watermark: number; finalized: number }
  | { late: false; released: E[]; advanced: boolean; watermark: number; finalized: number };

/**
 * Event time per input partition, like Kafka Streams' stream time: the watermark trails the
 * highest event time seen by the allowed out-of-orderness, and records are held back until the
 * watermark passes them so they leave in event-time order. A record older than the watermark minus
 * the allowed lateness is late. Pure bookkeeping: no clocks, no I/O.
 */
export class EventTimeBuffer<E> {
  private readonly clocks = new Map<string, PartitionClock<E>>();
  private seq = 0;

  constructor(private readonly settings: EventTimeSettings) {}

  private clock(partition: string): PartitionClock<E> {
    let c = this.clocks.get(partition);
    if (!c) {
      c = {
        streamTime: Number.NEGATIVE_INFINITY,
        watermark: Number.NEGATIVE_INFINITY,
        lastArrival: Number.NEGATIVE_INFINITY,
        heap: new EntryHeap(),
      };
      this.clocks.set(partition, c);
    }
    return c;
  }

  /** The finalized time of a partition: nothing older is accepted any more. */
  finalized(partition: string): number {
    return (
      (this.clocks.get(partition)?.watermark ?? Number.NEGATIVE_INFINITY) - this.settings.allowedLatenessMs
    );
  }

  watermark(partition: string): number {
    return this.clocks.get(partition)?.watermark ?? Number.NEGATIVE_INFINITY;
  }

  partitions(): string[] {
    return [...this.clocks.keys()];
  }

  /** Records held back, over all partitions. */
  get buffered(): number {
    let n = 0;
    for (const c of this.clocks.values()) n += c.heap.size;
    return n;
  }

  offer(partition: string, time: number, item: E, wallNow: number): Offer<E> {
    const c = this.clock(partition);
    c.lastArrival = wallNow;
    const finalized = c.watermark - this.settings.allowedLatenessMs;
    if (time < finalized) return { late: true, watermark: c.watermark, finalized };
    c.heap.push({ time, seq: this.seq++, item });
    if (time > c.streamTime) c.streamTime = time;
    const before = c.watermark;
    const candidate = c.streamTime - this.settings.maxOutOfOrdernessMs;
    if (candidate > c.watermark) c.watermark = candidate;
    return {
      late: false,
      released: this.release(c, c.watermark),
      advanced: c.watermark > before,
      watermark: c.watermark,
      finalized: c.watermark - this.settings.allowedLatenessMs,
    };
  }

  /**
   * Moves a partition's watermark to at least `watermark` (idle flush by wall clock) and releases
   * what it passes. Returns undefined when the watermark did not move.
   */
  advance(
    partition: string,
    watermark: number,
  ): { released: E[]; watermark: number; finalized: number } | undefined {
    const c = this.clocks.get(partition);
    if (!c || watermark <= c.watermark) return undefined;
    c.watermark = watermark;
    if (watermark > c.streamTime) c.streamTime = watermark;
    return {
      released: this.release(c, watermark),
      watermark,
      finalized: watermark - this.settings.allowedLatenessMs,
    };
  }

  /** Partitions that received nothing since `before` (wall clock) and have a watermark. */
  idleSince(before: number): string[] {
    return [...this.clocks].filter(([, c]) => c.lastArrival <= before).map(([p]) => p);
  }

  /**
   * End of input: releases everything, per partition in event-time order, and moves each
   * watermark up to its stream time so nothing older is accepted afterwards.
   */
  flush(): { partition: string; released: E[] }[] {
    const out: { partition: string; released: E[] }[] = [];
    for (const [partition, c] of this.clocks) {
      const released = this.release(c, Number.POSITIVE_INFINITY);
      if (c.streamTime > c.watermark) c.watermark = c.streamTime;
      if (released.length > 0) out.push({ partition, released });
    }
    return out;
  }

  /** Drops revoked partitions with whatever they hold (their records are redelivered elsewhere). */
  drop(partitions: ReadonlySet<string>): void {
    for (const p of partitions) this.clocks.delete(p);
  }

  private release(c: PartitionClock<E>, upTo: number): E[] {
    const out: E[] = [];
    for (let top = c.heap.peek(); top && top.time <= upTo; top = c.heap.peek()) {
      out.push((c.heap.pop() as Entry<E>).item);
    }
    return out;
  }
}
