import { z } from 'zod';

const topic = (name: string, partitions: number) =>
  z
    .object({
      name: z.string().min(1).default(name),
      partitions: z.number().int().positive().default(partitions),
    })
    .prefault({});

export const topicsConfig = z
  .object({
    ticks: topic('market.ticks', 6),
    news: topic('news.sentiment', 6),
    macro: topic('macro.indicators', 1),
    featuresMarket: topic('risk.features.market', 6),
    featuresSentiment: topic('risk.features.sentiment', 6),
    featuresMacro: topic('risk.features.macro', 1),
    scores: topic('risk.scores', 6),
    alerts: topic('risk.alerts', 6),
    anomalyAlerts: topic('anomaly.alerts', 6),
    dlq: topic('risk.dlq', 3),
    modelUpdates: topic('risk.model-updates', 1),
  })
  .prefault({});

export const kafkaConfig = z
  .object({
    brokers: z
      .array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port'))
      .min(1)
      .default(['127.0.0.1:9092']),
    clientId: z.string().min(1).default('risk-monitor'),
    groupIdPrefix: z.string().min(1).default('risk-monitor'),
    ssl: z.boolean().default(false),
    saslMechanism: z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512']).default('none'),
    saslUsername: z.string().optional(),
    saslPassword: z.string().optional(),
    connectionTimeoutMs: z.number().int().positive().default(10_000),
    /** Records handed downstream but not yet acked, per consumer; the consumer pauses above it. */
    maxInFlight: z.number().int().positive().default(20_000),
    commitIntervalMs: z.number().int().positive().default(1_000),
    /**
     * Longest a group consumer's fetch may wait at the broker for data (kafkajs maxWaitTimeInMs).
     * Genuine Kafka answers as soon as data arrives, so this only bounds idle polling; librdkafka's
     * mock cluster holds an empty fetch for the whole wait, so every hop of the pipeline waits
     * this long there (bench/results/README.md): lower it for the mock.
     */
    fetchMaxWaitMs: z.number().int().min(1).max(60_000).default(1_000),
    producerBatchSize: z.number().int().positive().default(1_000),
    producerLingerMs: z.number().int().nonnegative().default(5),
    /** Acknowledgements a produce waits for: -1 every in-sync replica, 1 the leader, 0 none. */
    producerAcks: z.number().int().min(-1).max(1).default(-1),
    /** A member silent this long is removed from its group and its partitions reassigned. */
    sessionTimeoutMs: z.number().int().positive().default(30_000),
    heartbeatIntervalMs: z.number().int().positive().default(3_000),
    schemaRegistryUrl: z.url().optional(),
    schemaRegistryUsername: z.string().optional(),
    schemaRegistryPassword: z.string().optional(),
  })
  .prefault({})
  .superRefine((k, ctx) => {
    if (k.saslMechanism !== 'none' && (!k.saslUsername || !k.saslPassword)) {
      ctx.addIssue({
        code: 'custom',
        path: ['saslUsername'],
        message: `saslMechanism ${k.saslMechanism} needs saslUsername and saslPassword`,
      });
    }
    if (k.heartbeatIntervalMs >= k.sessionTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['heartbeatIntervalMs'],
        message: `must be below sessionTimeoutMs (${k.sessionTimeoutMs}); a third of it is usual`,
      });
    }
  });

export type KafkaConfig = z.infer<typeof kafkaConfig>;
export type TopicsConfig = z.infer<typeof topicsConfig>;
export type TopicRole = keyof TopicsConfig;
