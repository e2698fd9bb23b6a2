import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DAILY_REPLAY_INGEST } from '../../services/replay/daily-replay-settings.js';
import type { Codec } from '../../services/shared/codec/codec.js';
import { createCodec } from '../../services/shared/codec/create-codec.js';
import { loadConfig } from '../../services/shared/config/load-config.js';
import { createKafkaTransport, type KafkaTransport } from '../../services/shared/kafka/kafka-transport.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { runIngestAccountingScenario } from '../scenarios/ingest-accounting-scenario.js';
import { createTopic, namespacedTopics, testKafkaConfig, uniqueName } from './support/kafka-fixtures.js';

const env = inject('integrationEnv');

describe(`ingest services against ${env.description}`, () => {
  let transport: KafkaTransport;
  let codec: Codec;
  const ns = uniqueName('ingest');
  const groupIdPrefix = uniqueName('ingest-group');
  const kafka = testKafkaConfig(env, { groupIdPrefix });
  // ticks and news are co-partitioned (same count): a symbol's ticks and its news share a partition number.
  const topics = namespacedTopics(ns);

  beforeAll(async () => {
    const logger = createLogger('ingest-it', {
      level: (process.env.RISK_IT_LOG_LEVEL as 'error' | undefined) ?? 'error',
      pretty: 'false',
    });
    transport = createKafkaTransport(kafka, logger);
    codec = await createCodec();
    for (const t of Object.values(topics)) await createTopic(env, transport, t.name, t.partitions);
  });

  afterAll(async () => {
    await transport?.close();
  });

  it('replays a real sample through the three consumers: every input is a feature, a dead letter or a counted duplicate', async () => {
    const config = loadConfig({
      env: {},
      overrides: { transport: 'kafka', kafka, topics, ingest: DAILY_REPLAY_INGEST },
    });
    const report = await runIngestAccountingScenario(transport, {
      config,
      codec,
      symbols: ['AAPL', 'XOM'],
      from: '2016-01-04',
      toDate: '2016-02-12',
    });
    expect(report.problems).toEqual([]);
    // 2 symbols x 29 trading days x 4 ticks, plus the 6 injected bad ticks.
    expect(report.contributions.ticks).toBe(2 * 29 * 4);
    expect(report.inputs.ticks).toBe(2 * 29 * 4 + 6);
    expect(report.deadLetters.ticks).toEqual({ undecodable: 2, bid_gt_ask: 1, negative_size: 1, late: 1 });
    expect(report.deadLetters.news).toEqual({ undecodable: 1, sentiment_out_of_range: 1 });
    expect(report.deadLetters.macro).toEqual({ undecodable: 1, unknown_indicator: 1 });
    expect(report.duplicates).toEqual({ ticks: 1, news: 1, macro: 0 });
    expect(report.injected.every((i) => i.found === i.expected)).toBe(true);
    // Every input was acked (so committed) only after its outputs were stored; redeliveries ack again.
    expect(report.acksChecked).toBeGreaterThanOrEqual(
      report.inputs.ticks + report.inputs.news + report.inputs.macro,
    );
    expect(report.features.macro).toBeGreaterThan(0);
    expect(report.features.sentiment).toBeGreaterThan(0);
  });
});
