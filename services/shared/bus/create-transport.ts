import type { Registry } from 'prom-client';
import type { Config } from '../config/config-schema.js';
import type { Logger } from '../logging/logger.js';
import { EmbeddedBus } from './embedded-bus.js';
import type { Transport } from './transport.js';

/**
 * The transport named by config.transport. Embedded only in this version: the Kafka transport
 * plugs in here (same signature) without any caller changing.
 */
export function createTransport(config: Config, logger: Logger, _metrics: Registry): Transport {
  if (config.transport === 'embedded') {
    logger.debug('using the embedded in-process bus');
    return new EmbeddedBus();
  }
  throw new Error(
    `transport "${config.transport}" is not available in this build yet (services/shared/bus/create-transport.ts knows only "embedded")`,
  );
}
