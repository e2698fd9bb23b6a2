import type { Registry } from 'prom-client';
import type { Config } from '../config/config-schema.js';
import { createKafkaTransport } from '../kafka/kafka-transport.js';
import type { Logger } from '../logging/logger.js';
import { EmbeddedBus } from './embedded-bus.js';
import type { Transport } from './transport.js';

/** The transport the configuration asks for: the in-memory bus or Kafka. */
export function createTransport(
  config: Pick<Config, 'transport' | 'kafka'> & Partial<Pick<Config, 'embedded'>>,
  logger?: Logger,
  registry?: Registry,
): Transport {
  switch (config.transport) {
    case 'embedded':
      return new EmbeddedBus({ retainRecords: config.embedded?.retainRecords ?? 0 });
    case 'kafka':
      return createKafkaTransport(config.kafka, logger, registry);
  }
}
