import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DAILY_REPLAY_INGEST } from '../../services/replay/daily-replay-settings.js';
import type { Codec } from '../../services/shared/codec/codec.js';
import { createCodec } from '../../services/shared/codec/create-codec.js';
import { loadConfig } from '../../services/shared/config/load-config.js';
import { createKafkaTransport, type KafkaTransport } from '../../services/shared/kafka/kafka-transport.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { runScoringScenario } from '../scenarios/scoring-scenario.js';
import { countValues, ensureDatabase } from './support/influx-queries.js';
import { createTopic, namespacedTopics, testKafkaConfig, uniqueName } from './support/kafka-fixtures.js';
import { type InfluxTarget, type Services, sinkConfig, useServices } from './support/services.js';

const env = inject('integrationEnv');

describe(`scorer pipeline against ${env.description}`, () => {
  let transport: KafkaTransport;
  let codec: Codec;
  let services: Services;
  let influx: InfluxTarget;
  const ns = uniqueName('scorer');
  const kafka = testKafkaConfig(env, { groupIdPrefix: uniqueName('scorer-group') });
  const topics = namespacedTopics(ns);

  beforeAll(async () => {
    const logger = createLogger('scorer-it', { level: 'error', pretty: 'false' });
    transport = createKafkaTransport(kafka, logger);
    codec = await createCodec();
    for (const t of Object.values(topics)) await createTopic(env, transport, t.name, t.partitions);
    services = await useServices();
    // A database of its own on 1.x: the measurement names are fixed, and counts must be this run's.
    influx =
      services.influx.apiVersion === '1'
        ? { ...services.influx, database: `risk_it_${randomBytes(4).toString('hex')}` }
        : services.influx;
    await ensureDatabase(influx);
  });

  afterAll(async () => {
    await transport?.close();
    await services?.release();
  });

  it('ticks in, scores and explained alerts out on Kafka and InfluxDB, every bar scored once', async () => {
    const config = loadConfig({
      env: {},
      overrides: {
        transport: 'kafka',
        kafka,
        topics,
        ingest: DAILY_REPLAY_INGEST,
        influx: { ...sinkConfig(influx), enabled: true },
      },
    });
    const report = await runScoringScenario(transport, {
      config,
      codec,
      symbols: ['AAPL', 'JPM', 'XOM'],
      from: '2015-06-01',
      toDate: '2016-03-31',
    });
    expect(report.problems).toEqual([]);
    expect(report.deadLetters).toBe(0);
    expect(report.bars.size).toBe(3);
    expect(report.scores.length).toBeGreaterThan(3 * 150);
    for (const s of report.scores) {
      expect(s.eventProbability).toBeGreaterThanOrEqual(0);
      expect(s.eventProbability).toBeLessThanOrEqual(1);
      expect(s.var99).toBeLessThanOrEqual(s.var95);
      expect(s.modelVersion).toBe(report.models.risk);
    }
    // InfluxDB holds one point per score and per alert (points are keyed by series and bar time,
    // so a replay overwrites instead of doubling).
    expect(await countValues(influx, 'risk_score', 'event_probability')).toBe(report.scores.length);
    expect(await countValues(influx, 'anomaly_score', 'anomaly_score')).toBe(report.scores.length);
    expect(await countValues(influx, 'risk_alert', 'score')).toBe(report.riskAlerts.length);
    expect(await countValues(influx, 'anomaly_alert', 'anomaly_score')).toBe(report.anomalyAlerts.length);
    console.log(
      `scorer pipeline: ${report.scores.length} scores, ${report.riskAlerts.length} risk alerts, ${report.anomalyAlerts.length} anomaly alerts (models ${report.models.risk}, ${report.models.anomaly})`,
    );
  });
});
