import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type {
  InboundRecord,
  PartitionOffsets,
  Sink,
  Source,
  SourceOptions,
  TopicSpec,
  Transport,
} from '../bus/transport.js';
import type { KafkaConfig } from '../config/kafka-config.js';
import type { Logger } from '../logging/logger.js';
import { createKafkaClient } from './kafka-client.js';
import { type KafkaMetrics, kafkaMetricsFor } from './kafka-metrics.js';
import { createKafkaSink } from './kafka-sink.js';
import { createKafkaSource } from './kafka-source.js';
import { type PartitionFetcher, partitionFetcherFor } from './partition-fetcher.js';
import { readPartitionRange } from './partition-reader.js';
import { TopicLayoutError, topicProblems } from './topic-layout-check.js';
import { type TransientRetryOptions, withTransientRetry } from './transient-retry.js';

/** read() gives up when the requested range has not arrived in this time. */
const READ_TIMEOUT_MS = 60_000;
/** Admin polls (metadata, offsets) ride out about 6 s of timeouts or a dropped connection. */
const ADMIN_RETRY = { attempts: 5, initialDelayMs: 400 } as const;

/**
 * The Transport over Kafka (kafkajs). Everything kafkajs-specific stays in this folder, so the
 * client can be replaced (e.g. by @platformatic/kafka) without touching the pipeline.
 */
export class KafkaTransport implements Transport {
  readonly kind = 'kafka' as const;
  readonly kafka: Kafka;
  private readonly metrics: KafkaMetrics;
  private adminClient: Promise<Admin> | undefined;
  private adminQueue: Promise<unknown> = Promise.resolve();
  private readonly sources = new Set<Source>();
  private readonly sinks = new Set<Sink>();
  /** Group-less reads; undefined when kafkajs' internals are not there (then a consumer per read). */
  private readonly fetcher: PartitionFetcher | undefined;

  constructor(
    private readonly config: KafkaConfig,
    private readonly logger?: Logger,
    registry?: Registry,
  ) {
    this.kafka = createKafkaClient(config, logger);
    this.metrics = kafkaMetricsFor(registry);
    this.fetcher = partitionFetcherFor(this.kafka);
    if (!this.fetcher) {
      logger?.warn(
        'kafka: group-less fetch unavailable in this kafkajs; read() joins a throwaway group per call',
      );
    }
  }

  private adminRetry(what: string): TransientRetryOptions {
    return {
      ...ADMIN_RETRY,
      beforeRetry: async (err, attempt) => {
        this.logger?.warn(
          { err: (err as Error).message, attempt },
          `kafka: admin request for ${what} failed; retrying`,
        );
        // A stale metadata cache stays stale for metadataMaxAge (5 min): start a fresh client.
        if (err instanceof StaleMetadataError) await this.serialAdmin(() => this.resetAdmin());
      },
    };
  }

  /**
   * Runs admin calls one at a time. kafkajs' fetchTopicOffsets adds its topic to the client's
   * target topics and refreshes the cached metadata; two such calls for different topics at once
   * (the three ingest services' drains poll together) can leave the cache holding only one of
   * them, and the other call then finds no partitions (seen in CI: "Cannot destructure property
   * 'partitions' of 'high.pop(...)'").
   */
  private serialAdmin<T>(call: (admin: Admin) => Promise<T>): Promise<T> {
    const run = this.adminQueue.then(async () => call(await this.admin()));
    this.adminQueue = run.catch(() => {});
    return run;
  }

  /** Drops the admin client (and its cached metadata); the next call connects a fresh one. */
  private async resetAdmin(): Promise<void> {
    const admin = this.adminClient;
    this.adminClient = undefined;
    if (admin) await (await admin.catch(() => undefined))?.disconnect();
  }

  /** A connected admin client, created on first use. */
  admin(): Promise<Admin> {
    this.adminClient ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (err) {
        this.adminClient = undefined;
        throw new Error(
          `kafka: cannot connect to ${this.config.brokers.join(',')}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      return admin;
    })();
    return this.adminClient;
  }

  /**
   * Partition counts of every topic. Asks for all topics rather than by name: a metadata request
   * naming a missing topic makes brokers with auto-creation (the librdkafka mock always) create it.
   */
  async topicPartitions(): Promise<Map<string, number>> {
    const { topics } = await withTransientRetry(
      () => this.serialAdmin((admin) => admin.fetchTopicMetadata()),
      this.adminRetry('metadata'),
    );
    return new Map(topics.map((t) => [t.name, t.partitions.length]));
  }

  private async checkTopicsExist(topics: readonly string[]): Promise<void> {
    const existing = await this.topicPartitions();
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      throw new Error(
        `unknown topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} on ${this.config.brokers.join(',')}: ` +
          'create it with ensureTopics (or `risk-monitor` topic setup) first',
      );
    }
  }

  /**
   * Why CreateTopics cannot work here, or undefined when it may. The librdkafka mock cluster
   * reports controller 0, which is none of its brokers, so kafkajs cannot route the request.
   */
  private async createTopicsUnsupported(admin: Admin): Promise<string | undefined> {
    const cluster = await admin.describeCluster();
    const ids = cluster.brokers.map((b) => b.nodeId);
    if (cluster.controller === null || !ids.includes(cluster.controller)) {
      return `the cluster reports controller ${cluster.controller}, which is not one of its brokers (${ids.join(',')}), so CreateTopics cannot be sent (the librdkafka mock cluster does this)`;
    }
    return undefined;
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    let existing = await this.topicPartitions();
    const missing = specs.filter((s) => !existing.has(s.name));
    let createRefused: string | undefined;
    if (missing.length > 0) {
      createRefused = await this.serialAdmin((admin) => this.createTopicsUnsupported(admin));
      if (!createRefused) {
        try {
          await this.serialAdmin((admin) =>
            admin.createTopics({
              waitForLeaders: true,
              topics: missing.map((s) => ({
                topic: s.name,
                numPartitions: s.partitions,
                ...(s.compacted ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] } : {}),
              })),
            }),
          );
          this.logger?.info(
            { topics: missing.map((s) => `${s.name}:${s.partitions}`) },
            'kafka: topics created',
          );
        } catch (err) {
          createRefused = `CreateTopics failed: ${(err as Error).message}`;
        }
      }
      existing = await this.topicPartitions();
    }
    const problems = topicProblems(specs, existing);
    if (problems.length > 0) {
      throw new TopicLayoutError(problems, { brokers: this.config.brokers, createRefused });
    }
  }

  source(options: SourceOptions): Source {
    const source = createKafkaSource(options, {
      kafka: this.kafka,
      config: this.config,
      metrics: this.metrics,
      logger: this.logger,
      checkTopics: (topics) => this.checkTopicsExist(topics),
    });
    this.sources.add(source);
    return source;
  }

  sink(): Sink {
    const sink = createKafkaSink({
      kafka: this.kafka,
      config: this.config,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.sinks.add(sink);
    return sink;
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    await this.checkTopicsExist([topic]);
    const offsets = await withTransientRetry(
      () =>
        this.serialAdmin((admin) => admin.fetchTopicOffsets(topic)).catch((err: unknown) => {
          throw staleMetadataError(err, topic);
        }),
      this.adminRetry(`offsets of ${topic}`),
    );
    return offsets
      .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async read(topic: string, partition: number, from: number, to: number): Promise<InboundRecord[]> {
    const offsets = await this.offsets(topic);
    const own = offsets.find((o) => o.partition === partition);
    if (!own) {
      throw new Error(`topic ${topic} has no partition ${partition} (it has ${offsets.length} partitions)`);
    }
    const start = Math.max(from, own.low);
    const end = Math.min(to, own.high);
    if (start >= end) return [];
    const range = {
      topic,
      partition,
      from: start,
      to: end,
      otherPartitions: offsets.map((o) => o.partition).filter((p) => p !== partition),
    };
    if (this.fetcher) return this.fetcher.read(range, READ_TIMEOUT_MS);
    return readPartitionRange(this.kafka, range, {
      groupIdPrefix: this.config.groupIdPrefix,
      timeoutMs: READ_TIMEOUT_MS,
    });
  }

  /** Stops every source (committing what was acked), flushes every sink, disconnects. */
  async close(): Promise<void> {
    const sources = [...this.sources];
    const sinks = [...this.sinks];
    this.sources.clear();
    this.sinks.clear();
    const results = await Promise.allSettled([
      ...sources.map((s) => s.close()),
      ...sinks.map((s) => s.close()),
    ]);
    await this.fetcher?.close().catch(() => {});
    await this.resetAdmin();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** kafkajs answered an offsets request from metadata that lacks the topic's partitions. */
class StaleMetadataError extends Error {
  override readonly name = 'StaleMetadataError';
  readonly retriable = true;
}

/**
 * fetchTopicOffsets fails with a TypeError from inside kafkajs when its cached metadata has no
 * partitions for the topic (nothing to ask the leaders for): a stale cache, retriable with a fresh
 * client. Any other error passes through unchanged.
 */
function staleMetadataError(err: unknown, topic: string): unknown {
  if (!(err instanceof TypeError)) return err;
  return new StaleMetadataError(
    `kafka: the client's metadata had no partitions for ${topic} (${err.message}); reconnecting the admin client`,
    { cause: err },
  );
}

export function createKafkaTransport(
  config: KafkaConfig,
  logger?: Logger,
  registry?: Registry,
): KafkaTransport {
  return new KafkaTransport(config, logger, registry);
}
