import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config/kafka-config.js';
import type { Logger } from '../logging/logger.js';
import { kafkajsLevelFor, pinoLogCreator } from './kafkajs-log-creator.js';

/**
 * Client-wide retry for requests (metadata, produce, commit, join): exponential from 300 ms,
 * capped at 30 s, 8 attempts, so a broker restart of about a minute is ridden out.
 */
export const KAFKA_RETRY = { initialRetryTime: 300, maxRetryTime: 30_000, retries: 8 } as const;

export function saslOptions(config: KafkaConfig): SASLOptions | undefined {
  if (config.saslMechanism === 'none') return undefined;
  const { saslUsername: username, saslPassword: password } = config;
  if (!username || !password) {
    // The config schema already refuses this; the check keeps the types honest.
    throw new Error(`kafka: saslMechanism ${config.saslMechanism} needs saslUsername and saslPassword`);
  }
  switch (config.saslMechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/** The kafkajs client for the typed config; its logs go to `logger` (or nowhere). */
export function createKafkaClient(config: KafkaConfig, logger?: Logger): Kafka {
  const sasl = saslOptions(config);
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: config.connectionTimeoutMs,
    retry: { ...KAFKA_RETRY },
    logLevel: logger ? kafkajsLevelFor(logger) : logLevel.NOTHING,
    ...(logger ? { logCreator: pinoLogCreator(logger) } : {}),
  });
}
