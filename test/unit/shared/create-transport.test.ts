import { describe, expect, it } from 'vitest';
import { createTransport } from '../../../services/shared/bus/create-transport.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { KafkaTransport } from '../../../services/shared/kafka/kafka-transport.js';

describe('createTransport', () => {
  it('chooses the embedded bus or Kafka from config.transport', async () => {
    const embedded = createTransport(loadConfig({ env: {} }));
    expect(embedded).toBeInstanceOf(EmbeddedBus);
    const kafka = createTransport(
      loadConfig({ env: { RISK_TRANSPORT: 'kafka', RISK_KAFKA_BROKERS: '127.0.0.1:1' } }),
    );
    expect(kafka).toBeInstanceOf(KafkaTransport);
    expect(kafka.kind).toBe('kafka');
    await kafka.close(); // nothing connected yet: closes without a broker
  });
});
