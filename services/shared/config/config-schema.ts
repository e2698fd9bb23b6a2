import { z } from 'zod';
import { embeddedConfig } from './embedded-config.js';
import { influxConfig } from './influx-config.js';
import { ingestConfig } from './ingest-config.js';
import { kafkaConfig, topicsConfig } from './kafka-config.js';
import { modelsConfig } from './models-config.js';
import { logConfig, metricsConfig } from './observability-config.js';
import { retrainerConfig } from './retrainer-config.js';
import { scorerConfig } from './scorer-config.js';
import { windowingConfig } from './windowing-config.js';

/**
 * The whole configuration. Each section lives in its own file; add a section here and it gets
 * environment variables (RISK_<SECTION>_<FIELD>), file support, redaction and errors for free.
 */
export const configSchema = z
  .object({
    /** embedded: everything in one process on the in-memory bus; kafka: the production transport. */
    transport: z.enum(['embedded', 'kafka']).default('embedded'),
    kafka: kafkaConfig,
    embedded: embeddedConfig,
    topics: topicsConfig,
    influx: influxConfig,
    metrics: metricsConfig,
    log: logConfig,
    ingest: ingestConfig,
    windowing: windowingConfig,
    scorer: scorerConfig,
    models: modelsConfig,
    retrainer: retrainerConfig,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
