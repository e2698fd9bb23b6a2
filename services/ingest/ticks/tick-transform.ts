import type { InboundRecord } from '../../shared/bus/transport.js';
import type { Codec } from '../../shared/codec/codec.js';
import type { MarketTick } from '../../shared/contracts/records.js';
import type { FeedTransform } from '../framework/feed-transform.js';
import {
  type Accepted,
  partitionKeyOf,
  type WatermarkAdvanced,
  type Work,
} from '../framework/ingest-event.js';
import { BarAggregator, type BarSettings, type ClosedBar } from './bar-aggregator.js';
import { barStartOf } from './bar-clock.js';

/**
 * Ticks -> MarketBars. Bars of a symbol close when the watermark of the partition the symbol's
 * ticks arrive on passes their end; each bar is produced together with the acks of its ticks.
 */
export class TickTransform implements FeedTransform<MarketTick> {
  private readonly bars: BarAggregator<InboundRecord>;
  private readonly symbolsByPartition = new Map<string, Set<string>>();
  private readonly partitionOfSymbol = new Map<string, string>();
  /** Per partition: the bar boundary its last full scan closed through. */
  private readonly scannedThrough = new Map<string, number>();
  /** Per partition: symbols that received a tick since that scan. */
  private readonly touched = new Map<string, Set<string>>();

  constructor(
    private readonly settings: BarSettings,
    private readonly codec: Codec,
    private readonly outputTopic: string,
    private readonly onFilled: (count: number) => void = () => {},
  ) {
    this.bars = new BarAggregator(settings);
  }

  accept({ input, value }: Accepted<MarketTick>): Work[] {
    const partition = partitionKeyOf(input);
    if (this.partitionOfSymbol.get(value.symbol) !== partition) {
      const previous = this.partitionOfSymbol.get(value.symbol);
      if (previous) this.symbolsByPartition.get(previous)?.delete(value.symbol);
      this.partitionOfSymbol.set(value.symbol, partition);
      let set = this.symbolsByPartition.get(partition);
      if (!set) {
        set = new Set();
        this.symbolsByPartition.set(partition, set);
      }
      set.add(value.symbol);
    }
    let touched = this.touched.get(partition);
    if (!touched) {
      touched = new Set();
      this.touched.set(partition, touched);
    }
    touched.add(value.symbol);
    const late = this.bars.add(value.symbol, value, input.offset, input);
    return late ? [{ kind: 'dead-letter', input, reason: 'late', message: late }] : [];
  }

  /**
   * The watermark advances with almost every tick, but a symbol only has something to close when
   * the finalized time crosses a bar boundary or the symbol got ticks since the last scan; scanning
   * every symbol of the partition on every advance made ingest O(ticks x symbols) (the profile in
   * bench/results/README.md).
   */
  watermark(event: WatermarkAdvanced): Work[] {
    const closed: ClosedBar<InboundRecord>[] = [];
    const limit = barStartOf(event.finalized, this.settings.intervalMs);
    const scanned = this.scannedThrough.get(event.partition);
    const touched = this.touched.get(event.partition);
    const symbols =
      scanned === undefined || limit > scanned
        ? (this.symbolsByPartition.get(event.partition) ?? [])
        : (touched ?? []);
    for (const symbol of symbols) {
      for (const c of this.bars.close(symbol, event.finalized)) closed.push(c);
    }
    if (scanned === undefined || limit > scanned) this.scannedThrough.set(event.partition, limit);
    touched?.clear();
    return this.produce(closed);
  }

  flush(): Work[] {
    const closed: ClosedBar<InboundRecord>[] = [];
    for (const symbol of this.bars.knownSymbols()) for (const c of this.bars.flush(symbol)) closed.push(c);
    return this.produce(closed);
  }

  revoke(partitions: ReadonlySet<string>): void {
    for (const p of partitions) {
      for (const symbol of this.symbolsByPartition.get(p) ?? []) {
        this.bars.dropOpen(symbol);
        this.partitionOfSymbol.delete(symbol);
      }
      this.symbolsByPartition.delete(p);
    }
  }

  private produce(closed: ClosedBar<InboundRecord>[]): Work[] {
    if (closed.length === 0) return [];
    let filled = 0;
    const inputs: InboundRecord[] = [];
    const records = closed.map(({ bar, contributors }) => {
      if (bar.filled) filled++;
      for (const c of contributors) inputs.push(c);
      return {
        topic: this.outputTopic,
        key: bar.symbol,
        value: this.codec.encode('MarketBar', bar),
      };
    });
    if (filled > 0) this.onFilled(filled);
    return [{ kind: 'produce', records, inputs }];
  }
}
