/**
 * Event time per partition, for idle eviction. Each partition's clock is the largest bar end it
 * has delivered. Eviction compares a symbol with its own partition's clock, never a global one:
 * while catching up, partitions are read at different speeds, and a global clock would evict
 * every symbol of a partition that is merely behind.
 */
export class PartitionEventClocks {
  private readonly clocks = new Map<number, { time: number; nextSweep: number }>();

  constructor(private readonly idleEvictMs: number) {}

  /** Advances the partition's clock; returns the eviction horizon when a sweep of it is due. */
  advance(partition: number, eventTime: number): number | undefined {
    let c = this.clocks.get(partition);
    if (!c) {
      c = { time: eventTime, nextSweep: Number.NEGATIVE_INFINITY };
      this.clocks.set(partition, c);
    }
    if (eventTime > c.time) c.time = eventTime;
    if (c.time < c.nextSweep) return undefined;
    // Sweep again after an eighth of the idle time: evictions are at most that late.
    c.nextSweep = c.time + Math.max(1, Math.floor(this.idleEvictMs / 8));
    return c.time - this.idleEvictMs;
  }

  drop(partition: number): void {
    this.clocks.delete(partition);
  }
}
