import type { InboundRecord } from '../../../services/shared/bus/transport.js';
import { SchemaCatalog } from '../../../services/shared/codec/schema-catalog.js';
import { SingleObjectCodec } from '../../../services/shared/codec/single-object-codec.js';
import type {
  MacroIndicator,
  MarketTick,
  NewsSentiment,
} from '../../../services/shared/contracts/records.js';

export const codec = new SingleObjectCodec(SchemaCatalog.load());

/** An inbound record whose ack is counted. */
export interface TestRecord extends InboundRecord {
  acks: number;
}

export function inbound(
  offset: number,
  value: Buffer | null,
  options: { topic?: string; partition?: number; key?: string | null } = {},
): TestRecord {
  const r: TestRecord = {
    topic: options.topic ?? 'market.ticks',
    partition: options.partition ?? 0,
    offset,
    key: options.key === undefined || options.key === null ? null : Buffer.from(options.key),
    value,
    timestamp: 0,
    acks: 0,
    ack() {
      r.acks++;
    },
  };
  return r;
}

export const T0 = Date.UTC(2017, 0, 2); // a Monday

export function tick(over: Partial<MarketTick> = {}): MarketTick {
  return {
    symbol: 'AAPL',
    venue: 'XNAS',
    eventTime: T0,
    sequence: 1,
    bid: 99.99,
    ask: 100.01,
    last: 100,
    bidSize: 300,
    askSize: 100,
    lastSize: 10,
    volume: 1_000,
    ...over,
  };
}

export function macro(over: Partial<MacroIndicator> = {}): MacroIndicator {
  return {
    indicatorId: 'US.VIX.CLOSE',
    country: 'US',
    releaseTime: T0,
    periodEnd: T0,
    actual: 12,
    consensus: null,
    previous: null,
    unit: 'points',
    ...over,
  };
}

export function news(over: Partial<NewsSentiment> = {}): NewsSentiment {
  return {
    id: 'n1',
    symbol: 'AAPL',
    eventTime: T0,
    source: 'test',
    headline: null,
    sentiment: 0.5,
    relevance: 1,
    confidence: null,
    ...over,
  };
}

export const tickRecord = (offset: number, t: MarketTick, partition = 0): TestRecord =>
  inbound(offset, codec.encode('MarketTick', t), { partition, key: t.symbol });

/** Wall clock far after every test event time. */
export const NOW = Date.UTC(2026, 0, 1);
