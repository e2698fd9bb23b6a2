import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Codec } from '../../services/shared/codec/codec.js';
import { createCodec } from '../../services/shared/codec/create-codec.js';
import { createKafkaTransport, type KafkaTransport } from '../../services/shared/kafka/kafka-transport.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { runRebalanceScenario } from '../scenarios/windowing-rebalance.js';
import { createTopic, testKafkaConfig, uniqueName } from './support/kafka-fixtures.js';

const env = inject('integrationEnv');
/**
 * Odd on purpose: two instances cannot split it evenly, so a symbol's bars and its sentiment stay
 * on one instance only if the assignor co-partitions the two topics.
 */
const PARTITIONS = 5;

describe(`windowing stage against ${env.description}`, () => {
  const transports: KafkaTransport[] = [];
  const kafka = testKafkaConfig(env);
  const logger = createLogger('windowing-it', {
    level: (process.env.RISK_IT_LOG_LEVEL as 'error' | undefined) ?? 'error',
    pretty: 'false',
  });
  const newTransport = () => {
    const t = createKafkaTransport(kafka, logger);
    transports.push(t);
    return t;
  };
  let codec: Codec;

  beforeAll(async () => {
    codec = await createCodec();
  });

  afterAll(async () => {
    await Promise.allSettled(transports.map((t) => t.close()));
  });

  it('a second instance joining the group mid-stream rebuilds its windows from the topics; no sequence is lost', async () => {
    const namespace = `${uniqueName('windowing')}.`;
    // The scenario's topics (the mock cluster cannot create them through the client).
    const setup = newTransport();
    await createTopic(env, setup, `${namespace}risk.features.market`, PARTITIONS);
    await createTopic(env, setup, `${namespace}risk.features.sentiment`, PARTITIONS);
    await createTopic(env, setup, `${namespace}risk.features.macro`, 1);
    await createTopic(env, setup, `${namespace}risk.dlq`, 1);

    const report = await runRebalanceScenario(newTransport, {
      namespace,
      codec,
      partitions: PARTITIONS,
      config: { transport: 'kafka', kafka },
      // Group joins take about 3 s on the mock, a rebalance up to the session timeout (6 s).
      timeoutMs: 90_000,
    });
    expect(report.missing).toEqual([]);
    expect(report.differences).toEqual([]);
    expect(report.windowDifferences).toEqual([]);
    expect(report.ownershipProblems).toEqual([]);
    expect(report.seen).toBe(report.expected);
    // Rows the first instance had in flight when it lost its partitions came again from their new owner.
    expect(report.inFlightAtRebalance).toBeGreaterThan(0);
    expect(report.duplicates).toBeGreaterThanOrEqual(report.inFlightAtRebalance);
    for (const i of report.instances) {
      expect(i.symbols.length, i.name).toBeGreaterThan(0);
      expect(i.rebuilds, i.name).toBeGreaterThan(0);
      expect(i.joinIncomplete, i.name).toBe(0);
    }
  }, 240_000);
});
