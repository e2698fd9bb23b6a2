import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startIngestServices } from '../../services/ingest/start-ingest-services.js';
import { DAILY_REPLAY_INGEST } from '../../services/replay/daily-replay-settings.js';
import { buildReplayPlan } from '../../services/replay/replay-plan.js';
import { produceReplay } from '../../services/replay/replay-producer.js';
import type { InboundRecord, OutboundRecord, Transport } from '../../services/shared/bus/transport.js';
import type { Codec } from '../../services/shared/codec/codec.js';
import { SchemaCatalog } from '../../services/shared/codec/schema-catalog.js';
import { SingleObjectCodec } from '../../services/shared/codec/single-object-codec.js';
import type { Config } from '../../services/shared/config/config-schema.js';
import { loadConfig } from '../../services/shared/config/load-config.js';
import type { MarketTick } from '../../services/shared/contracts/records.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { DATA_DIR } from '../../services/shared/project-paths.js';
import { AckAuditor } from './ack-auditor.js';
import { readTopic } from './read-topic.js';

export interface AccountingScenarioOptions {
  /** Defaults: an empty environment with the daily replay ingest settings. Pass fresh topic names on Kafka. */
  config?: Config;
  codec?: Codec;
  symbols?: string[];
  from?: string;
  toDate?: string;
  /** Wall clock of the services (validation of future event times). */
  now?: () => number;
}

type Feed = 'ticks' | 'news' | 'macro';

export interface AccountingReport {
  /** Records on each input topic. */
  inputs: Record<Feed, number>;
  /** Inputs that went into a feature: bar trades, sentiment features, macro features. */
  contributions: Record<Feed, number>;
  deadLetters: Record<Feed, Record<string, number>>;
  duplicates: Record<Feed, number>;
  /** The bad records injected and the reason each was dead-lettered with (or 'duplicate'). */
  injected: { label: string; expected: string; found: string }[];
  features: { bars: number; filledBars: number; sentiment: number; macro: number };
  acksChecked: number;
  /** Empty when every property held. */
  problems: string[];
}

const SERVICE_OF: Record<Feed, string> = {
  ticks: 'ticks-consumer',
  news: 'news-consumer',
  macro: 'macro-consumer',
};

/** A counter's values by service, then by `label` ('' when it has no other label). */
async function counter(
  registry: Registry,
  name: string,
  label?: string,
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  const metric = registry.getSingleMetric(name);
  for (const v of (await metric?.get())?.values ?? []) {
    const service = String(v.labels.service);
    const key = label === undefined ? '' : String(v.labels[label] ?? '');
    out[service] ??= {};
    (out[service] as Record<string, number>)[key] = v.value;
  }
  return out;
}

/**
 * Replays a small real sample (3 symbols x ~60 trading days, the macro history before it and the
 * validation tweets) through the three ingest services on `transport`, injects bad records, and
 * checks the accounting: every input is a feature contribution, a dead letter with its original
 * bytes, or a counted duplicate; every ack (hence every commit) happened after the input's output
 * was stored; the consumer groups end committed at the end of their inputs.
 */
export async function runIngestAccountingScenario(
  transport: Transport,
  options: AccountingScenarioOptions = {},
): Promise<AccountingReport> {
  const config = options.config ?? loadConfig({ env: {}, overrides: { ingest: DAILY_REPLAY_INGEST } });
  const codec = options.codec ?? new SingleObjectCodec(SchemaCatalog.load());
  const now = options.now ?? Date.now;
  const { topics } = config;
  const problems: string[] = [];
  const auditor = new AckAuditor(transport, codec, config);
  const metrics = new Registry();
  const logger = createLogger('ingest-scenario', { level: 'silent', pretty: 'false' });

  const services = await startIngestServices({
    config,
    transport: auditor.transport,
    codec,
    logger,
    metrics,
    now,
  });
  const plan = buildReplayPlan({
    pricesDir: join(DATA_DIR, 'market', 'daily'),
    macroDir: join(DATA_DIR, 'macro'),
    newsFiles: [join(DATA_DIR, 'news', 'twitter-financial-news-valid.csv')],
    symbols: options.symbols ?? ['AAPL', 'MSFT', 'XOM'],
    from: Date.parse(`${options.from ?? '2016-01-04'}T00:00:00Z`),
    toDate: Date.parse(`${options.toDate ?? '2016-03-31'}T00:00:00Z`),
  });
  const sink = transport.sink();
  const feedTopics = { ticks: topics.ticks.name, macro: topics.macro.name, news: topics.news.name };
  await produceReplay(plan.events, { sink, codec, topics: feedTopics, speed: 'max' });

  // Bad records, appended after the replay so the late one is behind its partition's watermark.
  const firstTick = plan.events.find((e) => e.feed === 'ticks')?.record as MarketTick;
  const firstNews = plan.events.find((e) => e.feed === 'news');
  const tick = (over: Partial<MarketTick>): Buffer => codec.encode('MarketTick', { ...firstTick, ...over });
  const injected: { label: string; expected: string; record: OutboundRecord }[] = [
    {
      label: 'tick garbage bytes',
      expected: 'undecodable',
      record: { topic: feedTopics.ticks, key: firstTick.symbol, value: Buffer.from('garbage, not avro') },
    },
    {
      label: 'tick tombstone',
      expected: 'undecodable',
      record: { topic: feedTopics.ticks, key: firstTick.symbol, value: null },
    },
    {
      label: 'tick bid > ask',
      expected: 'bid_gt_ask',
      record: {
        topic: feedTopics.ticks,
        key: firstTick.symbol,
        value: tick({ sequence: 1, bid: firstTick.ask + 1 }),
      },
    },
    {
      label: 'tick negative size',
      expected: 'negative_size',
      record: { topic: feedTopics.ticks, key: firstTick.symbol, value: tick({ sequence: 2, lastSize: -5 }) },
    },
    {
      label: 'tick duplicate',
      expected: 'duplicate',
      record: { topic: feedTopics.ticks, key: firstTick.symbol, value: tick({}) },
    },
    {
      label: 'tick late',
      expected: 'late',
      record: { topic: feedTopics.ticks, key: firstTick.symbol, value: tick({ sequence: 3 }) },
    },
    {
      label: 'news garbage bytes',
      expected: 'undecodable',
      record: { topic: feedTopics.news, key: '*', value: Buffer.from([0xc3, 0x01, 1, 2, 3]) },
    },
    {
      label: 'news sentiment out of range',
      expected: 'sentiment_out_of_range',
      record: {
        topic: feedTopics.news,
        key: '*',
        value: codec.encode('NewsSentiment', {
          id: 'bad-1',
          symbol: null,
          eventTime: firstTick.eventTime + 86_400_000 * 400,
          source: 'test',
          headline: null,
          sentiment: 3,
          relevance: 0.5,
          confidence: null,
        }),
      },
    },
    ...(firstNews?.feed === 'news'
      ? [
          {
            label: 'news duplicate',
            expected: 'duplicate',
            record: {
              topic: feedTopics.news,
              key: firstNews.key,
              value: codec.encode('NewsSentiment', firstNews.record),
            },
          },
        ]
      : []),
    {
      label: 'macro unknown indicator',
      expected: 'unknown_indicator',
      record: {
        topic: feedTopics.macro,
        key: 'US.GDP',
        value: codec.encode('MacroIndicator', {
          indicatorId: 'US.GDP',
          country: 'US',
          releaseTime: firstTick.eventTime,
          periodEnd: firstTick.eventTime,
          actual: 1,
          consensus: null,
          previous: null,
          unit: 'percent',
        }),
      },
    },
    {
      label: 'macro garbage bytes',
      expected: 'undecodable',
      record: { topic: feedTopics.macro, key: 'US.VIX.CLOSE', value: Buffer.from('{"json":true}') },
    },
  ];
  await sink.send(injected.map((i) => i.record));
  await services.drain();

  // What is on the topics now.
  const input: Record<Feed, InboundRecord[]> = {
    ticks: await readTopic(transport, feedTopics.ticks),
    news: await readTopic(transport, feedTopics.news),
    macro: await readTopic(transport, feedTopics.macro),
  };
  const bars = new Map(
    (await readTopic(transport, topics.featuresMarket.name)).map((r) => {
      const b = codec.decode('MarketBar', r.value as Buffer);
      return [b.id, b] as const;
    }),
  );
  const sentiment = new Set(
    (await readTopic(transport, topics.featuresSentiment.name)).map(
      (r) => codec.decode('SentimentFeature', r.value as Buffer).id,
    ),
  );
  const macroFeatures = (await readTopic(transport, topics.featuresMacro.name)).map((r) =>
    codec.decode('MacroFeature', r.value as Buffer),
  );
  const dlq = (await readTopic(transport, topics.dlq.name)).map((r) =>
    codec.decode('DeadLetter', r.value as Buffer),
  );

  const feedOfTopic = new Map<string, Feed>([
    [feedTopics.ticks, 'ticks'],
    [feedTopics.news, 'news'],
    [feedTopics.macro, 'macro'],
  ]);
  const deadLetters: AccountingReport['deadLetters'] = { ticks: {}, news: {}, macro: {} };
  for (const d of dlq) {
    const feed = feedOfTopic.get(d.originalTopic);
    if (!feed) {
      problems.push(`dead letter from unexpected topic ${d.originalTopic}`);
      continue;
    }
    deadLetters[feed][d.errorCode] = (deadLetters[feed][d.errorCode] ?? 0) + 1;
    // The original bytes, unchanged.
    const original = input[feed].find(
      (r) => r.partition === d.originalPartition && r.offset === d.originalOffset,
    );
    if (!original)
      problems.push(
        `dead letter points at ${d.originalTopic}:${d.originalPartition}@${d.originalOffset}, which does not exist`,
      );
    else if (
      !(original.value === null ? d.originalValue === null : d.originalValue?.equals(original.value))
    ) {
      problems.push(
        `dead letter for ${d.originalTopic}:${d.originalPartition}@${d.originalOffset} does not carry the original bytes`,
      );
    }
  }

  const dupCounter = await counter(metrics, 'risk_ingest_duplicates_total');
  const dlqCounter = await counter(metrics, 'risk_ingest_dead_letters_total', 'reason');
  const duplicates = {} as Record<Feed, number>;
  for (const feed of ['ticks', 'news', 'macro'] as Feed[]) {
    duplicates[feed] = dupCounter[SERVICE_OF[feed]]?.[''] ?? 0;
    const counted = dlqCounter[SERVICE_OF[feed]] ?? {};
    for (const [reason, n] of Object.entries(deadLetters[feed])) {
      if (counted[reason] !== n)
        problems.push(
          `${feed}: ${n} dead letters with reason ${reason} on the topic, the counter says ${counted[reason] ?? 0}`,
        );
    }
  }

  const inCounter = await counter(metrics, 'risk_ingest_records_in_total', 'topic');
  for (const feed of ['ticks', 'news', 'macro'] as Feed[]) {
    const counted = inCounter[SERVICE_OF[feed]]?.[feedTopics[feed]] ?? 0;
    if (counted !== input[feed].length)
      problems.push(`${feed}: records_in counter ${counted}, topic has ${input[feed].length}`);
  }

  const realBars = [...bars.values()].filter((b) => !b.filled);
  const contributions: Record<Feed, number> = {
    ticks: realBars.reduce((s, b) => s + b.trades, 0),
    news: sentiment.size,
    macro: macroFeatures.length,
  };
  const inputs = { ticks: input.ticks.length, news: input.news.length, macro: input.macro.length };
  for (const feed of ['ticks', 'news', 'macro'] as Feed[]) {
    const dl = Object.values(deadLetters[feed]).reduce((s, n) => s + n, 0);
    if (contributions[feed] + dl + duplicates[feed] !== inputs[feed]) {
      problems.push(
        `${feed}: ${inputs[feed]} inputs but ${contributions[feed]} contributions + ${dl} dead letters + ${duplicates[feed]} duplicates`,
      );
    }
  }

  // Each injected record: found in the dead letters with the expected reason, or counted as a duplicate.
  const injectedReport = injected.map(({ label, expected, record }) => {
    const match = dlq.find(
      (d) =>
        d.originalTopic === record.topic &&
        (record.value === null ? d.originalValue === null : d.originalValue?.equals(record.value as Buffer)),
    );
    const found =
      match?.errorCode ??
      (expected === 'duplicate' && duplicates[feedOfTopic.get(record.topic) as Feed] > 0
        ? 'duplicate'
        : 'missing');
    if (found !== expected) problems.push(`${label}: expected ${expected}, found ${found}`);
    return { label, expected, found };
  });

  // Offsets: every consumer group ends committed at the end of its input (a real broker may commit
  // on an interval, hence the short wait).
  const ends = new Map<string, number>();
  for (const topic of Object.values(feedTopics)) {
    for (const o of await transport.offsets(topic))
      if (o.high > o.low) ends.set(`${topic}:${o.partition}`, o.high);
  }
  const lagging = () => {
    const committed = new Map<string, number>();
    for (const source of auditor.sources)
      for (const [k, v] of source.committed()) committed.set(k, Math.max(v, committed.get(k) ?? 0));
    return [...ends]
      .filter(([k, end]) => committed.get(k) !== end)
      .map(([k, end]) => `${k} committed at ${committed.get(k) ?? 'nothing'}, expected ${end}`);
  };
  for (let waited = 0; lagging().length > 0 && waited < 10_000; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  problems.push(...lagging());
  problems.push(...auditor.problems);

  await services.stop();
  await sink.close();
  return {
    inputs,
    contributions,
    deadLetters,
    duplicates,
    injected: injectedReport,
    features: {
      bars: bars.size,
      filledBars: bars.size - realBars.length,
      sentiment: sentiment.size,
      macro: macroFeatures.length,
    },
    acksChecked: auditor.acks,
    problems,
  };
}
