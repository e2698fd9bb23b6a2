import type { OutboundRecord, Sink } from '../shared/bus/transport.js';
import type { Codec } from '../shared/codec/codec.js';
import type { ReplayEvent, ReplayFeed } from './replay-event.js';

export interface ReplayProducerOptions {
  sink: Sink;
  codec: Codec;
  /** Topic name per feed. */
  topics: Record<ReplayFeed, string>;
  /** Records per second, or 'max'. */
  speed: number | 'max';
  /** Records per send at full speed. */
  batchSize?: number;
  onProgress?: (produced: number, total: number) => void;
  /** Stops between batches when aborted (Ctrl-C); what was sent stays sent. */
  signal?: AbortSignal;
  /** For tests: a clock and a sleep. */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReplayResult {
  produced: Record<ReplayFeed, number>;
  aborted: boolean;
}

/** The outbound record for one replay event: encoded with the codec, keyed as the live feeds are. */
export function toOutbound(
  event: ReplayEvent,
  codec: Codec,
  topics: Record<ReplayFeed, string>,
): OutboundRecord {
  let value: Buffer;
  switch (event.name) {
    case 'MarketTick':
      value = codec.encode('MarketTick', event.record);
      break;
    case 'MacroIndicator':
      value = codec.encode('MacroIndicator', event.record);
      break;
    case 'NewsSentiment':
      value = codec.encode('NewsSentiment', event.record);
      break;
  }
  // No explicit timestamp: the broker's time is used. Event times from years ago as record
  // timestamps would make time-based retention delete the replay right away.
  return { topic: topics[event.feed], key: event.key, value };
}

/**
 * Produces replay events in their order, in batches, paced to `speed` records per second. Each
 * batch is confirmed by the sink before the next is sent, so order is kept per partition.
 */
export async function produceReplay(
  events: readonly ReplayEvent[],
  options: ReplayProducerOptions,
): Promise<ReplayResult> {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const speed = options.speed;
  const batchSize =
    speed === 'max'
      ? (options.batchSize ?? 500)
      : Math.max(1, Math.min(options.batchSize ?? 500, Math.floor(speed / 10)));
  const produced: Record<ReplayFeed, number> = { ticks: 0, macro: 0, news: 0 };
  const start = clock();
  let sent = 0;
  for (let i = 0; i < events.length; i += batchSize) {
    if (options.signal?.aborted) return { produced, aborted: true };
    const batch = events.slice(i, i + batchSize);
    await options.sink.send(batch.map((e) => toOutbound(e, options.codec, options.topics)));
    for (const e of batch) produced[e.feed]++;
    sent += batch.length;
    options.onProgress?.(sent, events.length);
    if (speed !== 'max') {
      const due = start + (sent / speed) * 1_000;
      const wait = due - clock();
      if (wait > 0) await sleep(wait);
    }
  }
  return { produced, aborted: false };
}
