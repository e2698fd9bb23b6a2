import { Observable, type OperatorFunction } from 'rxjs';
import type { JoinedBar } from '../shared/contracts/sequence-batch.js';
import { PartitionEventClocks } from './partition-event-clocks.js';
import type { JoinEvent, Sequence } from './windowing-events.js';
import { WindowingMetrics } from './windowing-metrics.js';

export interface RingWindowOptions {
  /** L: bars per sequence. */
  seqLen: number;
  /** A symbol with no bar for this long in event time (its partition's) loses its window. */
  idleEvictMs: number;
  metrics?: WindowingMetrics;
}

/** The last L joined bars of one symbol in a fixed ring. */
class Ring {
  private readonly slots: (JoinedBar | undefined)[];
  private next = 0;
  count = 0;
  lastBarEnd = Number.NEGATIVE_INFINITY;

  constructor(
    readonly size: number,
    public partition: number,
  ) {
    this.slots = new Array<JoinedBar | undefined>(size);
  }

  push(j: JoinedBar): void {
    this.slots[this.next] = j;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
    this.lastBarEnd = j.bar.barEnd;
  }

  /** The held bars, oldest first. */
  toArray(): JoinedBar[] {
    const out = new Array<JoinedBar>(this.count);
    const start = (this.next - this.count + this.size) % this.size;
    for (let i = 0; i < this.count; i++) out[i] = this.slots[(start + i) % this.size] as JoinedBar;
    return out;
  }
}

/** What a window holds, for tests and the rebalance check. */
export interface WindowSnapshot {
  symbol: string;
  partition: number;
  bars: JoinedBar[];
}

/**
 * Per symbol a ring of the last L joined bars. Each new bar of a symbol whose ring is full emits
 * the sequence ending at it (carrying that bar's ack); a bar that emits nothing (window not full
 * yet, or a replay folded in after an assignment) is acked at once, since nothing derives from it.
 * A bar ending at or before the symbol's last one is a duplicate or out of order (a replay after a
 * rebalance re-sends them): dropped, acked and counted. Symbols idle for idleEvictMs in event time
 * are evicted; symbols of revoked partitions are dropped (their new owner rebuilds them).
 */
export function ringWindow(
  options: RingWindowOptions,
  inspect?: (snapshot: () => WindowSnapshot[]) => void,
): OperatorFunction<JoinEvent, Sequence> {
  const { seqLen, idleEvictMs } = options;
  const metrics = options.metrics ?? new WindowingMetrics();
  const stats = metrics.stats;
  return (source) =>
    new Observable<Sequence>((subscriber) => {
      const rings = new Map<string, Ring>();
      let barsHeld = 0;
      const clocks = new PartitionEventClocks(idleEvictMs);
      inspect?.(() =>
        [...rings].map(([symbol, r]) => ({ symbol, partition: r.partition, bars: r.toArray() })),
      );

      const drop = (symbol: string, ring: Ring) => {
        barsHeld -= ring.count;
        rings.delete(symbol);
      };

      const sweep = (partition: number, horizon: number) => {
        let evicted = 0;
        for (const [symbol, ring] of rings) {
          if (ring.partition === partition && ring.lastBarEnd < horizon) {
            drop(symbol, ring);
            evicted++;
          }
        }
        if (evicted > 0) metrics.evicted('window', evicted);
      };

      const sub = source.subscribe({
        next: (e) => {
          if (e.kind !== 'joined') {
            if (e.kind === 'assigned') return;
            const gone = new Set(e.market);
            for (const [symbol, ring] of rings) if (gone.has(ring.partition)) drop(symbol, ring);
            for (const p of gone) clocks.drop(p);
          } else {
            const { bar } = e.joined;
            let ring = rings.get(bar.symbol);
            if (ring && bar.barEnd <= ring.lastBarEnd) {
              metrics.duplicateBar();
              e.ack();
            } else {
              if (!ring) {
                ring = new Ring(seqLen, e.partition);
                rings.set(bar.symbol, ring);
              }
              ring.partition = e.partition;
              const before = ring.count;
              ring.push(e.joined);
              barsHeld += ring.count - before;
              if (ring.count === seqLen && !e.replay) {
                metrics.sequenceOut();
                subscriber.next({
                  symbol: bar.symbol,
                  partition: e.partition,
                  bars: ring.toArray(),
                  ack: e.ack,
                });
              } else e.ack();
              const horizon = clocks.advance(e.partition, bar.barEnd);
              if (horizon !== undefined) sweep(e.partition, horizon);
            }
          }
          stats.symbols = rings.size;
          stats.barsHeld = barsHeld;
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        sub.unsubscribe();
        stats.symbols = 0;
        stats.barsHeld = 0;
      };
    });
}
