import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { createCodec } from '../../../services/shared/codec/create-codec.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { MARKET_FEATURES } from '../../../services/shared/contracts/feature-lists.js';
import type { SequenceBatch } from '../../../services/shared/contracts/sequence-batch.js';
import { createLogger } from '../../../services/shared/logging/logger.js';
import type { ServiceContext } from '../../../services/shared/runtime/service.js';
import { windowingServiceWith } from '../../../services/windowing/main.js';
import { createWindowingPipeline } from '../../../services/windowing/windowing-pipeline.js';
import {
  expectedSequences,
  featureData,
  fixedScaler,
  INDICATORS,
  joinedReference,
  produceFeatures,
  rowDifferences,
  until,
} from '../../scenarios/windowing-feature-data.js';

const codec = await createCodec();

async function context(
  windowing: Record<string, unknown> = {},
): Promise<ServiceContext & { transport: EmbeddedBus }> {
  const transport = new EmbeddedBus();
  const config = loadConfig({
    env: {},
    overrides: {
      windowing: {
        seqLen: 8,
        batchMaxSize: 16,
        batchMaxDelayMs: 5,
        joinIdleMs: 10_000,
        joinMaxWaitMs: 60_000,
        stateDir: mkdtempSync(join(tmpdir(), 'windowing-')),
        ...windowing,
      },
    },
  });
  return {
    config,
    transport,
    codec,
    logger: createLogger('test', { level: 'silent' }),
    metrics: new Registry(),
    now: Date.now,
  };
}

const topicsOf = (ctx: ServiceContext) => ({
  market: ctx.config.topics.featuresMarket.name,
  sentiment: ctx.config.topics.featuresSentiment.name,
  macro: ctx.config.topics.featuresMacro.name,
});

describe('windowing pipeline on the embedded bus', () => {
  it('turns feature topics into batches with the expected shapes, values and meta; acks move committed offsets', async () => {
    const ctx = await context();
    const topics = topicsOf(ctx);
    const data = featureData(0, 20);
    await ctx.transport.ensureTopics([
      { name: topics.market, partitions: 6 },
      { name: topics.sentiment, partitions: 6 },
      { name: topics.macro, partitions: 1 },
      { name: ctx.config.topics.dlq.name, partitions: 3 },
    ]);
    await produceFeatures(ctx.transport, codec, topics, data);
    // A replayed duplicate and a record nobody can read.
    const sink = ctx.transport.sink();
    await sink.send([
      {
        topic: topics.market,
        key: 'AAPL',
        value: codec.encode('MarketBar', data.bars[0] as (typeof data.bars)[0]),
      },
      { topic: topics.market, key: 'AAPL', value: Buffer.from('not avro') },
    ]);

    const scaler = fixedScaler();
    const pipeline = createWindowingPipeline(ctx, { scaler: { id: 'bundle-1', params: scaler } });
    const expected = expectedSequences(joinedReference(data), 8);
    const batches: SequenceBatch[] = [];
    const seen = new Set<string>();
    const sub = pipeline.batches$.subscribe((b) => {
      batches.push(b);
      for (const m of b.meta) seen.add(`${m.symbol}|${m.barTime}`);
      for (const m of b.meta) m.ack();
    });
    await until(() => seen.size === expected.size, 10_000, 'every expected sequence');
    const groupId = `${ctx.config.kafka.groupIdPrefix}.windowing`;
    await until(
      () => {
        const committed = ctx.transport.groupOffsets(groupId);
        return [0, 1, 2, 3, 4, 5].every(
          (p) =>
            (committed.get(`${topics.market}:${p}`) ?? 0) === ctx.transport.log(topics.market, p).high &&
            (committed.get(`${topics.sentiment}:${p}`) ?? 0) === ctx.transport.log(topics.sentiment, p).high,
        );
      },
      10_000,
      'every record acked and committed',
    );
    const stats = pipeline.stats();
    sub.unsubscribe();

    const diffs: string[] = [];
    let rows = 0;
    for (const b of batches) {
      expect(b.scalerId).toBe('bundle-1');
      expect([b.seqLen, b.marketWidth, b.macroWidth, b.sentimentWidth]).toEqual([
        8,
        MARKET_FEATURES.length,
        2 * INDICATORS.length,
        5,
      ]);
      expect(b.market).toHaveLength(b.size * 8 * MARKET_FEATURES.length);
      expect(b.size).toBeLessThanOrEqual(16);
      for (let i = 0; i < b.size; i++) {
        const m = b.meta[i] as (typeof b.meta)[0];
        diffs.push(...rowDifferences(b, i, expected.get(`${m.symbol}|${m.barTime}`) ?? [], scaler));
        rows++;
      }
    }
    expect(diffs).toEqual([]);
    expect(rows).toBe(expected.size);
    expect(stats.duplicateBars).toBe(1);
    expect(stats.deadLetters).toBe(1);
    expect(stats.joinIncomplete).toBe(0);
    expect(stats.sequencesOutstanding).toBe(0);
    expect(stats.symbols).toBe(7);
    expect(stats.barsHeld).toBe(7 * 8);
    expect(
      ctx.transport.log(ctx.config.topics.dlq.name, 0).high +
        ctx.transport.log(ctx.config.topics.dlq.name, 1).high +
        ctx.transport.log(ctx.config.topics.dlq.name, 2).high,
    ).toBe(1);
    const text = await ctx.metrics.metrics();
    expect(text).toMatch(/risk_windowing_sequences_total\S* \d+/);
    expect(text).toContain('risk_windowing_batch_size_bucket');
  });

  it('keeps memory bounded under a slow consumer: never more sequences outstanding than maxInFlight', async () => {
    const maxInFlight = 40;
    const ctx = await context({ maxInFlight, batchMaxSize: 8, seqLen: 4, joinIdleMs: 0 });
    const topics = topicsOf(ctx);
    const data = featureData(0, 150, ['AAPL', 'MSFT', 'GOOG', 'AMZN']);
    await ctx.transport.ensureTopics([
      { name: topics.market, partitions: 6 },
      { name: topics.sentiment, partitions: 6 },
      { name: topics.macro, partitions: 1 },
    ]);
    await produceFeatures(ctx.transport, codec, topics, { ...data, sentiment: [], macro: [] });
    const pipeline = createWindowingPipeline(ctx);
    const expected = 4 * (150 - 3);
    let received = 0;
    let maxOutstanding = 0;
    let maxPending = 0;
    const queue: SequenceBatch[] = [];
    const sub = pipeline.batches$.subscribe((b) => {
      received += b.size;
      queue.push(b);
      const s = pipeline.stats();
      maxOutstanding = Math.max(maxOutstanding, s.sequencesOutstanding);
      maxPending = Math.max(maxPending, s.joinPending);
    });
    // The scorer: one batch every 2 ms, acked only when "scored".
    const scorer = setInterval(() => {
      for (const m of queue.shift()?.meta ?? []) m.ack();
    }, 2);
    try {
      await until(() => received === expected, 20_000, 'every sequence through a slow consumer');
    } finally {
      clearInterval(scorer);
      sub.unsubscribe();
    }
    expect(maxOutstanding).toBeGreaterThan(0);
    expect(maxOutstanding).toBeLessThanOrEqual(maxInFlight);
    expect(maxPending).toBeLessThanOrEqual(maxInFlight);
  });

  it('runs standalone (`run windowing`): acks every batch at once, commits, stops cleanly', async () => {
    const ctx = await context({ logEveryMs: 60_000 });
    const topics = topicsOf(ctx);
    await ctx.transport.ensureTopics([
      { name: topics.market, partitions: 6 },
      { name: topics.sentiment, partitions: 6 },
      { name: topics.macro, partitions: 1 },
    ]);
    await produceFeatures(ctx.transport, codec, topics, featureData(0, 12));
    const service = await windowingServiceWith()(ctx);
    const groupId = `${ctx.config.kafka.groupIdPrefix}.windowing`;
    await until(() => service.ready(), 5_000, 'the macro table');
    await until(
      () =>
        [0, 1, 2, 3, 4, 5].every(
          (p) =>
            (ctx.transport.groupOffsets(groupId).get(`${topics.market}:${p}`) ?? 0) ===
            ctx.transport.log(topics.market, p).high,
        ),
      10_000,
      'every bar committed',
    );
    await service.stop();
    await expect(service.done).resolves.toBeUndefined();
  });

  it('swaps the scaler between batches and refuses one with other feature lists', async () => {
    const ctx = await context({ batchMaxSize: 4, batchMaxDelayMs: 1 });
    const topics = topicsOf(ctx);
    await ctx.transport.ensureTopics([
      { name: topics.market, partitions: 6 },
      { name: topics.sentiment, partitions: 6 },
      { name: topics.macro, partitions: 1 },
    ]);
    const pipeline = createWindowingPipeline(ctx);
    const bad = fixedScaler(['US.VIX.CLOSE']);
    expect(() => pipeline.setScaler({ id: 'bad', params: bad })).toThrow(/scaler macro features/);
    const ids: string[] = [];
    const sub = pipeline.batches$.subscribe((b) => {
      ids.push(b.scalerId ?? '?');
      for (const m of b.meta) m.ack();
    });
    await produceFeatures(ctx.transport, codec, topics, featureData(0, 10));
    await until(() => ids.length > 0, 5_000, 'a first batch');
    pipeline.setScaler({ id: 'bundle-7', params: fixedScaler() });
    await produceFeatures(ctx.transport, codec, topics, featureData(10, 14));
    await until(() => ids.includes('bundle-7'), 5_000, 'a batch with the new scaler');
    sub.unsubscribe();
    expect(ids[0]).toBe('running');
    expect(ids.slice(ids.indexOf('bundle-7')).every((id) => id === 'bundle-7')).toBe(true);
    expect(pipeline.stats().scalerId).toBe('bundle-7');
  });
});
