import type { Observable } from 'rxjs';

/** A record read from a topic, with the handle that releases its offset for commit. */
export interface InboundRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Producer/broker timestamp, epoch ms. */
  readonly timestamp: number;
  /**
   * Everything derived from this record has been produced or dead-lettered. Idempotent. The
   * source commits a partition's offset only up to the first record not yet acked.
   */
  ack(): void;
}

export interface OutboundRecord {
  topic: string;
  key: string | Buffer | null;
  value: Buffer | null;
  /** Explicit partition; otherwise Kafka's default partitioner (murmur2 of the key). */
  partition?: number;
  timestamp?: number;
  headers?: Record<string, string>;
}

export interface Sink {
  /** Resolves once every record is stored by the broker (or the embedded log); rejects otherwise. */
  send(records: readonly OutboundRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface RebalanceEvent {
  type: 'assigned' | 'revoked';
  assignments: TopicPartitions[];
}

export interface SourceOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts: earliest (true) or latest (false). */
  fromBeginning?: boolean;
  /**
   * Read every partition of the topics from the beginning with no group and no commits, like a
   * Kafka Streams global table (macro features are read whole by every instance).
   */
  global?: boolean;
  /** Un-acked records allowed in flight before the source pauses (backpressure). */
  maxInFlight?: number;
}

export interface Source {
  /** Subscribing joins the group and starts delivery; unsubscribing leaves it. */
  readonly records$: Observable<InboundRecord>;
  readonly rebalances$: Observable<RebalanceEvent>;
  /** Offsets committed so far (next offset to read), by "topic:partition". For tests and metrics. */
  committed(): Map<string, number>;
  close(): Promise<void>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  compacted?: boolean;
}

export interface PartitionOffsets {
  partition: number;
  /** First offset still stored. */
  low: number;
  /** Offset the next record will get (one past the last). */
  high: number;
}

/** The boundary between the pipeline and its message transport (Kafka or the embedded bus). */
export interface Transport {
  readonly kind: 'embedded' | 'kafka';
  /** Creates missing topics with their partition counts where the broker allows; explains otherwise. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  source(options: SourceOptions): Source;
  sink(): Sink;
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /** Reads [from, to) of one partition without a group (state rebuild, retraining). Acks are no-ops. */
  read(topic: string, partition: number, from: number, to: number): Promise<InboundRecord[]>;
  close(): Promise<void>;
}
