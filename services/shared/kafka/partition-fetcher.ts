import { createRequire } from 'node:module';
import type { Batch, Broker, Cluster, Kafka } from 'kafkajs';
import type { InboundRecord } from '../bus/transport.js';
import type { PartitionRange } from './partition-reader.js';
import { isRetriableKafkaError } from './transient-retry.js';

/**
 * kafkajs has no group-less fetch API: a consumer must join a group before it fetches, which
 * costs the broker's initial rebalance delay (3 s on the librdkafka mock and on a Kafka broker
 * with the default group.initial.rebalance.delay.ms) on every read. The library's own Cluster and
 * Broker objects can fetch without a group, but only its private factory creates them. kafkajs is
 * pinned (2.2.4, no longer released), so the two internals used here cannot move under us; if
 * they are not found, `partitionFetcherFor` returns undefined and the transport falls back to
 * the consumer-based reader (`partition-reader.ts`).
 */
export interface KafkajsInternals {
  createCluster(): Cluster;
  /** The consumer's Batch: drops offsets below the fetch offset, control and aborted records. */
  newBatch(topic: string, fetchedOffset: string, partitionData: FetchedPartition): Batch;
}

export interface FetchedMessage {
  offset: string;
}

export interface FetchedPartition {
  partition: number;
  highWatermark: string;
  messages: FetchedMessage[];
}

interface FetchResponse {
  responses: { topicName: string; partitions: FetchedPartition[] }[];
}

type ClusterFactory = (options: { allowAutoTopicCreation: boolean; metadataMaxAge?: number }) => Cluster;
type BatchClass = new (topic: string, fetchedOffset: string, partitionData: FetchedPartition) => Batch;

const READ_COMMITTED = 1;
const FETCH_MAX_WAIT_MS = 100;
const FETCH_MAX_BYTES = 10 * 1024 * 1024;
const PARTITION_MAX_BYTES = 1024 * 1024;
/** Retriable errors (leader moved, broker restarting) are retried this many times in a row. */
const MAX_ATTEMPTS = 6;

/** What the fetcher needs from kafkajs' internals, or undefined when they are not where expected. */
export function kafkajsInternals(kafka: Kafka): KafkajsInternals | undefined {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const factory = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  if (typeof factory !== 'function') return undefined;
  let BatchCtor: BatchClass;
  try {
    BatchCtor = createRequire(import.meta.url)('kafkajs/src/consumer/batch.js') as BatchClass;
  } catch {
    return undefined;
  }
  if (typeof BatchCtor !== 'function') return undefined;
  return {
    createCluster: () => (factory as ClusterFactory)({ allowAutoTopicCreation: false }),
    newBatch: (topic, fetchedOffset, data) => new BatchCtor(topic, fetchedOffset, data),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads offset ranges of single partitions straight from their leaders, with no consumer group
 * (no join, no commits). One connection pool per transport, opened on first use.
 */
export class PartitionFetcher {
  private cluster: Promise<Cluster> | undefined;

  constructor(private readonly internals: KafkajsInternals) {}

  private connected(): Promise<Cluster> {
    this.cluster ??= (async () => {
      const cluster = this.internals.createCluster();
      try {
        await cluster.connect();
      } catch (err) {
        this.cluster = undefined;
        throw err;
      }
      return cluster;
    })();
    return this.cluster;
  }

  private async leader(cluster: Cluster, topic: string, partition: number): Promise<Broker> {
    await cluster.addTargetTopic(topic);
    const byLeader = cluster.findLeaderForPartitions(topic, [partition]);
    const nodeId = Object.keys(byLeader)[0];
    if (nodeId === undefined) throw new Error(`no leader known for ${topic}[${partition}]`);
    return cluster.findBroker({ nodeId });
  }

  /**
   * [from, to) of one partition (already clamped to its watermarks). Offsets missing from the
   * log (compaction) are skipped; gives up after `timeoutMs` without reaching `to - 1`.
   */
  async read(range: PartitionRange, timeoutMs: number): Promise<InboundRecord[]> {
    const { topic, partition, from, to } = range;
    const cluster = await this.connected();
    const out: InboundRecord[] = [];
    const deadline = Date.now() + timeoutMs;
    let next = from;
    let attempts = 0;
    while (next < to) {
      if (Date.now() > deadline) {
        throw new Error(
          `kafka read ${topic}[${partition}] ${from}..${to}: got ${out.length} records in ${timeoutMs} ms ` +
            `and stopped waiting for offset ${to - 1} (next to fetch: ${next})`,
        );
      }
      let data: FetchedPartition | undefined;
      try {
        const broker = await this.leader(cluster, topic, partition);
        const response = (await broker.fetch({
          isolationLevel: READ_COMMITTED,
          maxWaitTime: FETCH_MAX_WAIT_MS,
          minBytes: 1,
          maxBytes: FETCH_MAX_BYTES,
          topics: [
            { topic, partitions: [{ partition, fetchOffset: String(next), maxBytes: PARTITION_MAX_BYTES }] },
          ],
        })) as FetchResponse;
        data = response.responses
          .find((r) => r.topicName === topic)
          ?.partitions.find((p) => p.partition === partition);
        attempts = 0;
      } catch (err) {
        if (!isRetriableKafkaError(err) || ++attempts >= MAX_ATTEMPTS) {
          throw new Error(`kafka read ${topic}[${partition}] at offset ${next}: ${(err as Error).message}`, {
            cause: err,
          });
        }
        await cluster.refreshMetadata().catch(() => {});
        await sleep(100 * 2 ** attempts);
        continue;
      }
      if (data && Number(data.highWatermark) <= next) break; // the log is shorter than asked: done
      if (!data || data.messages.length === 0) {
        // Nothing readable at `next` yet (a transaction still open below `to`): ask again until the deadline.
        continue;
      }
      const batch = this.internals.newBatch(topic, String(next), data);
      for (const m of batch.messages) {
        const offset = Number(m.offset);
        if (offset >= to) break;
        out.push({
          topic,
          partition,
          offset,
          key: m.key ?? null,
          value: m.value ?? null,
          timestamp: Number(m.timestamp),
          ack: () => {},
        });
      }
      // Progress over everything the broker returned at or past `next`, shown or not (control
      // records, aborted transactions); a returned batch entirely below `next` (the tail of a
      // compacted batch) moves on by one, as kafkajs' consumer does.
      const last = data.messages.reduce((m, x) => Math.max(m, Number(x.offset)), -1);
      next = last >= next ? last + 1 : next + 1;
    }
    return out;
  }

  async close(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    if (cluster) await (await cluster.catch(() => undefined))?.disconnect();
  }
}

/** A group-less fetcher on this client, or undefined when the kafkajs internals it needs are missing. */
export function partitionFetcherFor(kafka: Kafka): PartitionFetcher | undefined {
  const internals = kafkajsInternals(kafka);
  return internals ? new PartitionFetcher(internals) : undefined;
}
