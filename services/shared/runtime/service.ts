import type { Registry } from 'prom-client';
import type { Transport } from '../bus/transport.js';
import type { Codec } from '../codec/codec.js';
import type { Config } from '../config/config-schema.js';
import type { Logger } from '../logging/logger.js';

/**
 * What every service gets from whoever starts it (the CLI's `run`, the demo, a test). The same
 * service code runs on Kafka and on the embedded bus because it only sees this.
 */
export interface ServiceContext {
  config: Config;
  transport: Transport;
  codec: Codec;
  logger: Logger;
  metrics: Registry;
  /** Wall clock, epoch ms; injected so tests control time. Event time always comes from records. */
  now: () => number;
}

export interface RunningService {
  readonly name: string;
  /** True once the service consumes and produces (joined its group, loaded its model...). */
  ready(): boolean;
  /** Stops consuming, flushes outputs, commits what was acked; resolves when done. */
  stop(): Promise<void>;
  /** Settles when the service ends by itself (its input completed) or fails. */
  readonly done: Promise<void>;
}

export type ServiceFactory = (ctx: ServiceContext) => Promise<RunningService>;
