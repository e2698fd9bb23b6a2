import { describe, expect, it } from 'vitest';
import { kafkaConfig } from '../../../services/shared/config/kafka-config.js';
import { createKafkaClient, saslOptions } from '../../../services/shared/kafka/kafka-client.js';

describe('kafka client config', () => {
  it('builds SASL options for each mechanism and none without one', () => {
    expect(saslOptions(kafkaConfig.parse({}))).toBeUndefined();
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const cfg = kafkaConfig.parse({ saslMechanism: mechanism, saslUsername: 'u', saslPassword: 'p' });
      expect(saslOptions(cfg)).toEqual({ mechanism, username: 'u', password: 'p' });
    }
  });

  it('creates a client without connecting', () => {
    const kafka = createKafkaClient(kafkaConfig.parse({ brokers: ['127.0.0.1:1'], ssl: true }));
    expect(typeof kafka.producer).toBe('function');
  });

  it('refuses a heartbeat interval that is not below the session timeout', () => {
    expect(() => kafkaConfig.parse({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 6_000 })).toThrow(
      /sessionTimeoutMs/,
    );
  });
});
