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

/**
 * Ticks -> MarketBars. Bars of a symbol close when the watermark of the partition the symbol's
 * ticks arrive on passes their end; each bar is produced together with the acks of its ticks.
 */
export class TickTransform implements FeedTransform<MarketTick> {
  private readonly bars: BarAggregator<InboundRecord>;
  private readonly symbolsByPartition = new Map<string, Set<string>>();
  private readonly partitionOfSymbol = new Map<string, string>();

  constructor(
    settings: BarSettings,
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
    const late = this.bars.add(value.symbol, value, input.offset, input);
    return late ? [{ kind: 'dead-letter', input, reason: 'late', message: late }] : [];
  }

  watermark(event: WatermarkAdvanced): Work[] {
    const closed: ClosedBar<InboundRecord>[] = [];
    for (const symbol of this.symbolsByPartition.get(event.partition) ?? []) {
      for (const c of this.bars.close(symbol, event.finalized)) closed.push(c);
    }
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
