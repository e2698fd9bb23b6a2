import { Registry } from 'prom-client';
import { startIngestServices } from '../ingest/start-ingest-services.js';
import { DAILY_REPLAY_INGEST } from '../replay/daily-replay-settings.js';
import { buildReplayPlan, type ReplayOptions } from '../replay/replay-plan.js';
import { produceReplay } from '../replay/replay-producer.js';
import { EmbeddedBus } from '../shared/bus/embedded-bus.js';
import type { Transport } from '../shared/bus/transport.js';
import type { Codec } from '../shared/codec/codec.js';
import { SchemaCatalog } from '../shared/codec/schema-catalog.js';
import { SingleObjectCodec } from '../shared/codec/single-object-codec.js';
import { loadConfig } from '../shared/config/load-config.js';
import { DEFAULT_MACRO_INDICATORS } from '../shared/contracts/feature-lists.js';
import type { MarketBar } from '../shared/contracts/records.js';
import type { JoinedBar } from '../shared/contracts/sequence-batch.js';
import { createLogger, type Logger } from '../shared/logging/logger.js';
import { joinBar } from '../windowing/feature-join.js';
import { MacroTable } from '../windowing/macro-table.js';
import { SentimentBook } from '../windowing/sentiment-book.js';

export interface FeatureHistoryOptions extends ReplayOptions {
  indicators?: readonly string[];
  logger?: Logger;
}

export interface FeatureHistory {
  /** Each symbol's closed bars joined as of their end, in time order. */
  bars: Map<string, JoinedBar[]>;
  counts: { ticks: number; macro: number; news: number; bars: number };
}

async function readAll(transport: Transport, topic: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const { partition, low, high } of await transport.offsets(topic)) {
    for (const r of await transport.read(topic, partition, low, high)) if (r.value) out.push(r.value);
  }
  return out;
}

export interface FeatureTopicNames {
  market: string;
  macro: string;
  sentiment: string;
}

/**
 * Reads the three feature topics back whole and joins every bar with macro and sentiment as of its
 * end (the windowing join). Shared by training (after a replay) and the retrainer (from Kafka).
 */
export async function joinFeatureTopics(
  transport: Transport,
  codec: Codec,
  options: { topics: FeatureTopicNames; indicators: readonly string[] },
): Promise<{ bars: Map<string, JoinedBar[]>; total: number }> {
  const { topics, indicators } = options;
  const macro = new MacroTable(indicators);
  for (const v of await readAll(transport, topics.macro)) macro.upsert(codec.decode('MacroFeature', v));
  const sentiment = new SentimentBook();
  for (const v of await readAll(transport, topics.sentiment)) {
    sentiment.upsert(codec.decode('SentimentFeature', v));
  }
  const bySymbol = new Map<string, MarketBar[]>();
  for (const v of await readAll(transport, topics.market)) {
    const bar = codec.decode('MarketBar', v);
    const list = bySymbol.get(bar.symbol) ?? [];
    list.push(bar);
    bySymbol.set(bar.symbol, list);
  }
  const bars = new Map<string, JoinedBar[]>();
  let total = 0;
  for (const [symbol, list] of [...bySymbol].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a.barEnd - b.barEnd);
    bars.set(
      symbol,
      list.map((bar) => joinBar(bar, macro, sentiment, indicators)),
    );
    total += list.length;
  }
  return { bars, total };
}

/**
 * The training data, computed by the same code that serves: the data files are replayed onto an
 * embedded bus, the three consumer services turn them into feature records, and every bar is
 * joined with macro and sentiment as of its end by the windowing stage's join. Training and
 * serving therefore cannot disagree on a feature's formula.
 */
export async function buildFeatureHistory(options: FeatureHistoryOptions): Promise<FeatureHistory> {
  const logger = options.logger ?? createLogger('feature-history', { level: 'warn' });
  const config = loadConfig({ env: {}, overrides: { ingest: DAILY_REPLAY_INGEST, log: { level: 'warn' } } });
  const codec: Codec = new SingleObjectCodec(SchemaCatalog.load());
  const transport = new EmbeddedBus();
  const { topics } = config;
  await transport.ensureTopics([topics.ticks, topics.macro, topics.news]);
  const services = await startIngestServices({
    config,
    transport,
    codec,
    logger,
    metrics: new Registry(),
    now: Date.now,
  });
  const plan = buildReplayPlan(options);
  try {
    await produceReplay(plan.events, {
      sink: transport.sink(),
      codec,
      topics: { ticks: topics.ticks.name, macro: topics.macro.name, news: topics.news.name },
      speed: 'max',
    });
    await services.drain();
  } finally {
    await services.stop();
  }

  const { bars, total } = await joinFeatureTopics(transport, codec, {
    topics: {
      market: topics.featuresMarket.name,
      macro: topics.featuresMacro.name,
      sentiment: topics.featuresSentiment.name,
    },
    indicators: options.indicators ?? DEFAULT_MACRO_INDICATORS,
  });
  await transport.close();
  return { bars, counts: { ...plan.counts, bars: total } };
}
