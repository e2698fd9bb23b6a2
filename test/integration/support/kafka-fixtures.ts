import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type KafkaConfig, kafkaConfig } from '../../../services/shared/config/kafka-config.js';
import type { KafkaTransport } from '../../../services/shared/kafka/kafka-transport.js';
import type { IntegrationEnv } from './integration-env.js';

const run = promisify(execFile);
const SERVICES_SH = fileURLToPath(new URL('../../../deploy/local/services.sh', import.meta.url));

/**
 * Kafka settings for tests: frequent commits, and a short session timeout because the mock
 * cluster holds a rebalance for sessionTimeout - 1 s once a member joins a stable group.
 */
export function testKafkaConfig(env: IntegrationEnv, overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  return kafkaConfig.parse({
    brokers: env.kafka.brokers,
    clientId: 'risk-it',
    groupIdPrefix: 'risk-it',
    commitIntervalMs: 100,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    producerLingerMs: 2,
    ...overrides,
  });
}

/** A name no other test run uses (topics and groups outlive a run on a shared broker). */
export function uniqueName(prefix: string): string {
  return `it.${prefix}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * Creates a topic with this many partitions. The mock cluster refuses CreateTopics, so there it
 * goes through the mock's control FIFO (`services.sh kafka-cmd topic`).
 */
export async function createTopic(
  env: IntegrationEnv,
  transport: KafkaTransport,
  name: string,
  partitions: number,
): Promise<void> {
  if (!env.kafka.mock) {
    await transport.ensureTopics([{ name, partitions }]);
    return;
  }
  if (!env.kafka.localState) {
    throw new Error(
      `cannot create topic ${name} on the mock cluster: RISK_LOCAL_STATE (its deploy/local state dir) is not set`,
    );
  }
  const { stdout } = await run('bash', [SERVICES_SH, 'kafka-cmd', 'topic', name, String(partitions)], {
    env: { ...process.env, RISK_LOCAL_STATE: env.kafka.localState },
    timeout: 30_000,
  });
  if (!stdout.startsWith('ok')) throw new Error(`kafka-mock refused topic ${name}: ${stdout}`);
}

/** Polls until the condition holds; the error says what was awaited and what was last seen. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; describe?: () => string } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${options.describe ? `; ${options.describe()}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The group's committed offsets as the broker reports them, by partition (-1: none). */
export async function brokerCommitted(
  transport: KafkaTransport,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = await transport.admin();
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((entry?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

/**
 * Every topic role under a run's namespace, small enough for the mock: the symbol-keyed topics
 * (co-partitioned, so the same count) get 2 partitions, the global and control topics 1.
 */
export function namespacedTopics(ns: string) {
  const t = (suffix: string, partitions: number) => ({ name: `${ns}.${suffix}`, partitions });
  return {
    ticks: t('market.ticks', 2),
    news: t('news.sentiment', 2),
    macro: t('macro.indicators', 1),
    featuresMarket: t('risk.features.market', 2),
    featuresSentiment: t('risk.features.sentiment', 2),
    featuresMacro: t('risk.features.macro', 1),
    scores: t('risk.scores', 2),
    alerts: t('risk.alerts', 2),
    anomalyAlerts: t('anomaly.alerts', 2),
    dlq: t('risk.dlq', 1),
    modelUpdates: t('risk.model-updates', 1),
  };
}
