import { describe, expect, it } from 'vitest';
import { newsEvent, type ReplayEvent, tickEvent } from '../../../services/replay/replay-event.js';
import { produceReplay } from '../../../services/replay/replay-producer.js';
import type { OutboundRecord } from '../../../services/shared/bus/transport.js';
import { codec, news, tick } from '../ingest/ingest-fixtures.js';

const events: ReplayEvent[] = [
  ...Array.from({ length: 25 }, (_, i) => tickEvent(tick({ sequence: i }))),
  newsEvent(news({ symbol: null })),
];
const topics = { ticks: 'market.ticks', macro: 'macro.indicators', news: 'news.sentiment' };

function fakeSink() {
  const batches: OutboundRecord[][] = [];
  return {
    batches,
    sink: { send: async (r: readonly OutboundRecord[]) => void batches.push([...r]), close: async () => {} },
  };
}

describe('produceReplay', () => {
  it('sends everything in order at max speed, keyed like the live feeds, without event-time timestamps', async () => {
    const { batches, sink } = fakeSink();
    const result = await produceReplay(events, { sink, codec, topics, speed: 'max', batchSize: 10 });
    expect(batches.map((b) => b.length)).toEqual([10, 10, 6]);
    const all = batches.flat();
    expect(all[0]).toEqual({
      topic: 'market.ticks',
      key: 'AAPL',
      value: codec.encode('MarketTick', tick({ sequence: 0 })),
    });
    expect(all[25]).toMatchObject({ topic: 'news.sentiment', key: '*' });
    expect(all.every((r) => r.timestamp === undefined)).toBe(true);
    expect(result).toEqual({ produced: { ticks: 25, macro: 0, news: 1 }, aborted: false });
  });

  it('paces to the requested records per second', async () => {
    const { batches, sink } = fakeSink();
    let clock = 0;
    const sleeps: number[] = [];
    await produceReplay(events, {
      sink,
      codec,
      topics,
      speed: 100,
      clock: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    // 100/s -> batches of 10, one every 100 ms; the last batch of 6 is due at 260 ms.
    expect(batches.map((b) => b.length)).toEqual([10, 10, 6]);
    expect(sleeps).toEqual([100, 100, 60]);
  });

  it('stops between batches when aborted', async () => {
    const { batches, sink } = fakeSink();
    const abort = new AbortController();
    const result = await produceReplay(events, {
      sink,
      codec,
      topics,
      speed: 'max',
      batchSize: 10,
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    expect(batches).toHaveLength(1);
    expect(result.aborted).toBe(true);
  });
});
