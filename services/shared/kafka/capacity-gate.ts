/**
 * Where a consumer waits for downstream capacity without buffering: the fetch loop awaits
 * `waitFor` before handing over the next record; acks call `notify`. While waiting it calls
 * `tick` every `tickMs` (the consumer heartbeat, which keeps the group membership alive and
 * throws when a rebalance needs the loop back).
 */
export class CapacityGate {
  private readonly waiters = new Set<() => void>();

  constructor(private readonly tickMs: number) {}

  /** Wakes every waiter to re-check its condition. Cheap when nobody waits. */
  notify(): void {
    if (this.waiters.size === 0) return;
    const woken = [...this.waiters];
    this.waiters.clear();
    for (const wake of woken) wake();
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Resolves once `ready()` or `cancelled()` holds. Rejects with whatever `tick` throws (the
   * caller's loop is then abandoned, e.g. for a rebalance).
   */
  async waitFor(ready: () => boolean, cancelled: () => boolean, tick: () => Promise<void>): Promise<void> {
    let lastTick = Date.now();
    while (!ready() && !cancelled()) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, this.tickMs);
        this.waiters.add(wake);
      });
      if (Date.now() - lastTick >= this.tickMs) {
        lastTick = Date.now();
        await tick();
      }
    }
  }
}
