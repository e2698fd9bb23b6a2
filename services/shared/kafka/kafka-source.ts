import { randomUUID } from 'node:crypto';
import {
  type Consumer,
  type EachBatchPayload,
  type IMemberAssignment,
  type Kafka,
  PartitionAssigners,
  type TopicOffsets,
} from 'kafkajs';
import { Observable, retry, Subject, type Subscriber, throwError, timer } from 'rxjs';
import { OffsetTracker } from '../bus/offset-tracker.js';
import type {
  InboundRecord,
  RebalanceEvent,
  Source,
  SourceOptions,
  TopicPartitions,
} from '../bus/transport.js';
import type { KafkaConfig } from '../config/kafka-config.js';
import type { Logger } from '../logging/logger.js';
import { CapacityGate } from './capacity-gate.js';
import { coPartitionedAssigner } from './co-partitioned-assigner.js';
import { CommitLedger, type PartitionOffset } from './commit-ledger.js';
import { KAFKA_RETRY } from './kafka-client.js';
import type { KafkaMetrics } from './kafka-metrics.js';

export interface KafkaSourceDeps {
  kafka: Kafka;
  config: KafkaConfig;
  metrics: KafkaMetrics;
  logger?: Logger | undefined;
  /**
   * Rejects with a clear message when a topic does not exist. Checked before joining because a
   * broker with auto-creation (the mock cluster always) would silently invent the topic.
   */
  checkTopics(topics: readonly string[]): Promise<void>;
}

/** A consumer that crashed and that kafkajs will not (or may no longer) restart. */
export class KafkaSourceError extends Error {
  override readonly name = 'KafkaSourceError';
  /** The member was (re)joining its group: a fresh consumer may well succeed. */
  readonly whileJoining: boolean;

  constructor(message: string, options: { cause?: unknown; whileJoining?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.whileJoining = options.whileJoining ?? false;
  }
}

/**
 * Crashes with a retriable cause (broker gone, coordinator moved) are restarted by kafkajs with
 * backoff; this many in a row without a successful group join end the stream with an error.
 */
const MAX_CONSECUTIVE_RESTARTS = 5;
/**
 * A member whose consumer crashes while (re)joining its group is replaced by a fresh consumer up
 * to this many times in a row (backoff 0.5, 1, 2, 4 s): kafkajs calls some join failures fatal
 * that a coordinator race produces, e.g. the mock cluster answers INVALID_REQUEST to a follower's
 * SyncGroup that arrives after the leader's.
 */
const JOIN_ATTEMPTS = 5;
/** The last commit on stop or revoke waits at most this long; later acks are redelivered anyway. */
const FINAL_COMMIT_TIMEOUT_MS = 10_000;

const tpKey = (topic: string, partition: number) => `${topic}:${partition}`;

function describeError(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    parts.push(`${e.name}: ${e.message}`);
    e = e.cause;
  }
  return parts.length > 0 ? parts.join(' <- ') : String(err);
}

/** Group membership moved on (a rebalance): expected now and then, retried after the rejoin. */
function isMembershipError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const type = (e as { type?: unknown }).type;
    if (
      type === 'REBALANCE_IN_PROGRESS' ||
      type === 'ILLEGAL_GENERATION' ||
      type === 'UNKNOWN_MEMBER_ID' ||
      type === 'NOT_COORDINATOR' ||
      /rebalanc/i.test(e.message)
    )
      return true;
  }
  return false;
}

function sortedAssignment(assignment: IMemberAssignment): TopicPartitions[] {
  return Object.entries(assignment)
    .filter(([, partitions]) => partitions.length > 0)
    .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
}

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * One subscription to a source: a kafkajs consumer in the group, from connect to disconnect.
 *
 * Delivery uses eachBatch with autoCommit off: every record handed downstream is tracked in an
 * OffsetTracker, and only the contiguous acked prefix of each partition is committed (every
 * commitIntervalMs, on revoke and on stop). eachBatch rather than eachMessage because it lets the
 * loop wait for downstream capacity between records while heartbeating, and hand a whole fetched
 * batch over synchronously when there is room, without a promise per record.
 *
 * Rebalances are eager in kafkajs: every rebalance revokes every partition and kafkajs resumes
 * the new assignment from the committed offsets. So on REBALANCING (or a GROUP_JOIN that comes
 * without one) the session takes what is committable, forgets all partitions in the tracker and
 * bumps a generation number; a batch of an older generation stops delivering at its next record.
 * Records delivered but not acked before a rebalance are delivered again (at-least-once).
 */
class ConsumerSession {
  readonly groupId: string;
  private readonly tracker = new OffsetTracker();
  private readonly gate: CapacityGate;
  private readonly consumer: Consumer;
  private readonly maxInFlight: number;
  private readonly global: boolean;
  private generation = 0;
  private assigned: TopicPartitions[] = [];
  /** Joined and neither crashed nor stopping: commits can be sent. */
  private member = false;
  /** Between start or REBALANCING and the next GROUP_JOIN. */
  private joining = true;
  private stopped = false;
  private restarts = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  private commitChain: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private readonly highWatermarks = new Map<string, number>();
  /** Next offset after the last record delivered, per partition (lag of global readers). */
  private readonly positions = new Map<string, number>();
  /** First offset delivered since the assignment (lag before the first commit). */
  private readonly floors = new Map<string, number>();
  private readonly untrackGauges: () => void;
  private readonly ledger: CommitLedger;

  constructor(
    private readonly options: SourceOptions,
    private readonly deps: KafkaSourceDeps,
    private readonly subscriber: Subscriber<InboundRecord>,
    private readonly rebalances: Subject<RebalanceEvent>,
    committed: Map<string, number>,
  ) {
    this.ledger = new CommitLedger(committed);
    this.global = options.global === true;
    // kafkajs has no manual partition assignment, so a global reader is the only member of a
    // throwaway group that reads from the beginning and never commits.
    this.groupId = this.global ? `${options.groupId}.global.${randomUUID()}` : options.groupId;
    this.maxInFlight = options.maxInFlight ?? deps.config.maxInFlight;
    this.gate = new CapacityGate(Math.max(100, Math.floor(deps.config.heartbeatIntervalMs / 2)));
    this.consumer = deps.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: deps.config.sessionTimeoutMs,
      heartbeatInterval: deps.config.heartbeatIntervalMs,
      allowAutoTopicCreation: false,
      // Partition p of every subscribed topic to one member (co-partitioned joins). Round-robin
      // stays listed second so a group with members of an older release can still agree on one.
      partitionAssigners: [coPartitionedAssigner, PartitionAssigners.roundRobin],
      maxWaitTimeInMs: deps.config.fetchMaxWaitMs,
      retry: {
        ...KAFKA_RETRY,
        restartOnFailure: async () => !this.stopped && ++this.restarts <= MAX_CONSECUTIVE_RESTARTS,
      },
    });
    const { events } = this.consumer;
    this.consumer.on(events.GROUP_JOIN, (e) => this.onJoin(e.payload.memberAssignment));
    this.consumer.on(events.REBALANCING, () => {
      this.joining = true;
      this.revokeAll();
    });
    this.consumer.on(events.COMMIT_OFFSETS, (e) => this.onCommitted(e.payload.topics));
    this.consumer.on(events.STOP, () => {
      this.member = false;
    });
    this.consumer.on(events.CRASH, (e) => this.onCrash(e.payload.error, e.payload.restart));
    this.untrackGauges = deps.metrics.track({
      group: this.groupId,
      inFlight: () => this.tracker.inFlight,
      lagByTopic: () => this.lagByTopic(),
    });
  }

  private get log() {
    return this.deps.logger;
  }

  private describe(): string {
    return `kafka source (group ${this.groupId}, topics ${this.options.topics.join(',')})`;
  }

  async start(): Promise<void> {
    try {
      await this.deps.checkTopics(this.options.topics);
      if (this.stopped) return;
      await this.consumer.connect();
      if (this.stopped) return;
      await this.consumer.subscribe({
        topics: this.options.topics,
        fromBeginning: this.global || this.options.fromBeginning !== false,
      });
      if (this.stopped) return;
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.eachBatch(payload),
      });
      if (!this.global && !this.stopped) {
        this.commitTimer = setInterval(() => void this.flushCommits(), this.deps.config.commitIntervalMs);
        this.commitTimer.unref();
      }
    } catch (err) {
      this.fail(
        new KafkaSourceError(`${this.describe()} could not start: ${describeError(err)}`, { cause: err }),
      );
    }
  }

  private canDeliver(generation: number, payload: EachBatchPayload): boolean {
    return !this.stopped && generation === this.generation && payload.isRunning() && !payload.isStale();
  }

  /**
   * Hands a fetched batch (one partition) downstream. The per-record work is kept to the record
   * itself: the partition's tracker is looked up once, the position is resolved in kafkajs once
   * for the whole batch (resolveOffset parses and formats a Long per call), and staleness (a
   * seek, which a group source never asks for) is checked at the start and after each wait; a
   * rebalance or stop ends the loop through the generation and stopped checks.
   */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const generation = this.generation;
    const key = tpKey(topic, partition);
    this.highWatermarks.set(key, Number(batch.highWatermark));
    if (!this.canDeliver(generation, payload)) return;
    const gate = this.gate;
    const track = this.global ? undefined : this.tracker.trackerFor(topic, partition, () => gate.notify());
    const noAck = () => {};
    let delivered = 0;
    let last: string | undefined;
    try {
      for (const message of batch.messages) {
        if (this.stopped || generation !== this.generation || !payload.isRunning()) break;
        if (track && this.tracker.inFlight >= this.maxInFlight) {
          await this.gate.waitFor(
            () => this.tracker.inFlight < this.maxInFlight,
            () => !this.canDeliver(generation, payload),
            () => payload.heartbeat(),
          );
          if (!this.canDeliver(generation, payload)) break;
        }
        const offset = Number(message.offset);
        if (delivered === 0 && !this.floors.has(key)) this.floors.set(key, offset);
        last = message.offset;
        delivered++;
        this.subscriber.next({
          topic,
          partition,
          offset,
          key: message.key ?? null,
          value: message.value ?? null,
          timestamp: Number(message.timestamp),
          ack: track ? track(offset) : noAck,
        });
      }
    } finally {
      if (last !== undefined) {
        // Only while this generation still owns the partition: after a revoke the positions are
        // forgotten, and the next owner resumes from the committed offset anyway.
        if (generation === this.generation) this.positions.set(key, Number(last) + 1);
        payload.resolveOffset(last);
      }
      if (delivered > 0) this.deps.metrics.consumed.inc({ topic }, delivered);
    }
  }

  private owns(topic: string, partition: number): boolean {
    return this.assigned.some((a) => a.topic === topic && a.partitions.includes(partition));
  }

  /**
   * Everything assigned is gone: keep what is committable, stop the batches in progress and
   * forget the partitions, synchronously, so no record of the old generation is tracked after.
   */
  private revokeAll(): void {
    this.generation++;
    this.gate.notify();
    if (this.assigned.length === 0) return;
    const revoked = this.assigned;
    this.assigned = [];
    if (!this.global) this.ledger.add(this.tracker.takeCommits());
    for (const { topic, partitions } of revoked) {
      for (const partition of partitions) {
        this.tracker.forget(topic, partition);
        const key = tpKey(topic, partition);
        this.highWatermarks.delete(key);
        this.positions.delete(key);
        this.floors.delete(key);
      }
    }
    this.rebalances.next({ type: 'revoked', assignments: revoked });
    if (!this.global) {
      void this.flushCommits().then(() => this.ledger.retainOnly((t, p) => this.owns(t, p)));
    }
  }

  private onJoin(memberAssignment: IMemberAssignment): void {
    // A rejoin without a REBALANCING event first (e.g. after UNKNOWN_MEMBER_ID) revokes too.
    this.revokeAll();
    this.member = true;
    this.joining = false;
    this.restarts = 0;
    this.assigned = sortedAssignment(memberAssignment);
    this.deps.metrics.rebalances.inc({ group: this.groupId });
    this.log?.info({ group: this.groupId, assignments: this.assigned }, 'kafka source: partitions assigned');
    if (this.assigned.length > 0) this.rebalances.next({ type: 'assigned', assignments: this.assigned });
  }

  private onCommitted(topics: readonly TopicOffsets[]): void {
    const confirmed: PartitionOffset[] = [];
    for (const { topic, partitions } of topics) {
      for (const { partition, offset } of partitions) {
        confirmed.push({ topic, partition, offset: Number(String(offset)) });
      }
    }
    this.ledger.confirm(confirmed);
  }

  private onCrash(error: Error, restart: boolean): void {
    this.member = false;
    this.deps.metrics.crashes.inc({ group: this.groupId, restart: String(restart) });
    this.revokeAll();
    if (this.stopped) return;
    if (restart) {
      this.log?.warn(
        { group: this.groupId, err: describeError(error), restarts: this.restarts },
        'kafka source: consumer crashed, kafkajs restarts it',
      );
      return;
    }
    const why =
      this.restarts > MAX_CONSECUTIVE_RESTARTS
        ? `gave up after ${MAX_CONSECUTIVE_RESTARTS} restarts in a row`
        : this.joining
          ? 'while joining the group'
          : 'the error is not retriable';
    this.fail(
      new KafkaSourceError(`${this.describe()} crashed (${why}): ${describeError(error)}`, {
        cause: error,
        whileJoining: this.joining,
      }),
    );
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    // A crash while joining is retried with a fresh consumer, which logs it.
    if (!(err instanceof KafkaSourceError && err.whileJoining)) {
      this.log?.error({ group: this.groupId, err: err.message }, 'kafka source failed');
    }
    // error() runs the teardown, which stops and disconnects the consumer.
    this.subscriber.error(err);
  }

  /** Commits pending offsets; one commit request at a time, in order. */
  flushCommits(): Promise<void> {
    this.commitChain = this.commitChain
      .then(() => this.commitOnce())
      .catch((err: unknown) => {
        // Never let one failure stop later commits (the chain is shared).
        this.log?.warn({ group: this.groupId, err: describeError(err) }, 'kafka source: commit step failed');
      });
    return this.commitChain;
  }

  private async commitOnce(): Promise<void> {
    if (this.global) return;
    this.ledger.add(this.tracker.takeCommits());
    const due = this.ledger.due();
    if (due.length === 0 || !this.member) return;
    try {
      // Confirmation comes from the COMMIT_OFFSETS event: kafkajs resolves without committing
      // when the consumer stopped meanwhile.
      await this.consumer.commitOffsets(
        due.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })),
      );
      this.deps.metrics.commits.inc({ result: 'ok' });
    } catch (err) {
      this.deps.metrics.commits.inc({ result: 'failed' });
      const fields = { group: this.groupId, err: describeError(err) };
      const message = 'kafka source: commit failed; retried with the next commit';
      if (isMembershipError(err)) this.log?.debug(fields, message);
      else this.log?.warn(fields, message);
      this.ledger.retainOnly((t, p) => this.owns(t, p));
    }
  }

  private lagByTopic(): Map<string, number> {
    const lag = new Map<string, number>();
    for (const { topic, partitions } of this.assigned) {
      for (const partition of partitions) {
        const key = tpKey(topic, partition);
        const high = this.highWatermarks.get(key);
        if (high === undefined) continue;
        const done = this.global
          ? this.positions.get(key)
          : (this.ledger.committedOffset(topic, partition) ?? this.floors.get(key));
        if (done === undefined) continue;
        lag.set(topic, (lag.get(topic) ?? 0) + Math.max(0, high - done));
      }
    }
    return lag;
  }

  /** Commits what is committable, leaves the group and disconnects. Idempotent. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopped = true;
    this.gate.notify();
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.stopping = (async () => {
      try {
        if (!this.global && this.member) await withTimeout(this.flushCommits(), FINAL_COMMIT_TIMEOUT_MS);
      } finally {
        this.member = false;
        await this.consumer.disconnect().catch((err: unknown) => {
          this.log?.warn({ group: this.groupId, err: describeError(err) }, 'kafka source: disconnect failed');
        });
        this.revokeAll();
        this.untrackGauges();
      }
    })();
    return this.stopping;
  }
}

/**
 * A Source over a kafkajs consumer group. records$ is cold: each subscription is one group
 * member (connect, join, consume); unsubscribing commits what was acked and leaves the group.
 */
export function createKafkaSource(options: SourceOptions, deps: KafkaSourceDeps): Source {
  const rebalances = new Subject<RebalanceEvent>();
  const committed = new Map<string, number>();
  const sessions = new Set<ConsumerSession>();
  const completers = new Set<() => void>();
  const member$ = new Observable<InboundRecord>((subscriber) => {
    const session = new ConsumerSession(options, deps, subscriber, rebalances, committed);
    const complete = () => subscriber.complete();
    sessions.add(session);
    completers.add(complete);
    void session.start();
    return () => {
      completers.delete(complete);
      void session.stop().finally(() => sessions.delete(session));
    };
  });
  const records$ = member$.pipe(
    retry({
      count: JOIN_ATTEMPTS - 1,
      resetOnSuccess: true,
      delay: (err: unknown, attempt: number) => {
        if (!(err instanceof KafkaSourceError && err.whileJoining)) return throwError(() => err);
        const ms = 500 * 2 ** (attempt - 1);
        deps.logger?.warn(
          { group: options.groupId, err: err.message, attempt, retryInMs: ms },
          'kafka source: the consumer failed while joining; retrying with a fresh one',
        );
        return timer(ms);
      },
    }),
  );
  return {
    records$,
    rebalances$: rebalances.asObservable(),
    committed: () => new Map(committed),
    close: async () => {
      await Promise.all([...sessions].map((s) => s.stop()));
      for (const complete of [...completers]) complete();
      rebalances.complete();
    },
  };
}
