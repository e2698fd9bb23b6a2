import { Observable, Subject } from 'rxjs';
import { partitionForKey } from './murmur2-partitioner.js';
import { OffsetTracker } from './offset-tracker.js';
import type {
  InboundRecord,
  OutboundRecord,
  PartitionOffsets,
  RebalanceEvent,
  Sink,
  Source,
  SourceOptions,
  TopicPartitions,
  TopicSpec,
  Transport,
} from './transport.js';

interface StoredRecord {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
}

const tp = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * One partition's log. Offsets are absolute: records below `low` were dropped by retention and
 * the rest keep their offsets. Dropped records leave the array in amortised chunks.
 */
class PartitionLog {
  private records: StoredRecord[] = [];
  /** Index in `records` of the first retained record. */
  private head = 0;
  /** Offset of records[0]. */
  private base = 0;

  get low(): number {
    return this.base + this.head;
  }

  get high(): number {
    return this.base + this.records.length;
  }

  append(key: Buffer | null, value: Buffer | null, timestamp: number): void {
    this.records.push({ offset: this.high, key, value, timestamp });
  }

  at(offset: number): StoredRecord | undefined {
    return offset < this.low ? undefined : this.records[offset - this.base];
  }

  slice(from: number, to: number): StoredRecord[] {
    const start = Math.max(from, this.low) - this.base;
    const end = Math.min(to, this.high) - this.base;
    return start < end ? this.records.slice(start, end) : [];
  }

  /** Drops every record below `offset`. */
  dropBelow(offset: number): void {
    const target = Math.min(offset, this.high) - this.base;
    if (target <= this.head) return;
    this.head = target;
    if (this.head >= 1_024 && this.head * 2 >= this.records.length) {
      this.records = this.records.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
}

export interface EmbeddedBusOptions {
  /**
   * Records kept per partition (0: every record, for as long as the process lives). Older ones
   * are dropped once no consumer needs them any more: every group committed past them and every
   * member delivered past them, so retention never makes a consumer skip a record. Readers of a
   * topic's history (read(), offsets().low) see only what is kept.
   */
  retainRecords?: number;
}
const toBuffer = (k: string | Buffer | null): Buffer | null =>
  k === null ? null : Buffer.isBuffer(k) ? k : Buffer.from(k);

/** How many records one member delivers per turn of the event loop before yielding. */
const DELIVERY_CHUNK = 2_000;

/**
 * One consumer in a group (or a group-less global reader). It owns a position per assigned
 * partition, delivers records as they are appended, and stops delivering when maxInFlight records
 * are un-acked, so a slow pipeline slows the source instead of growing a buffer.
 */
class Member {
  readonly tracker = new OffsetTracker();
  readonly rebalances = new Subject<RebalanceEvent>();
  private readonly positions = new Map<
    string,
    { topic: string; partition: number; next: number; start: number }
  >();
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly bus: EmbeddedBus,
    readonly options: SourceOptions,
    private readonly deliver: (r: InboundRecord) => void,
    private readonly onCommit: (commits: Map<string, number>) => void,
  ) {}

  get assigned(): TopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of this.positions.values()) {
      const list = byTopic.get(topic) ?? [];
      list.push(partition);
      byTopic.set(topic, list);
    }
    return [...byTopic].map(([topic, partitions]) => ({
      topic,
      partitions: partitions.sort((a, b) => a - b),
    }));
  }

  assign(assignments: TopicPartitions[], startAt: (topic: string, partition: number) => number): void {
    for (const { topic, partitions } of assignments) {
      for (const partition of partitions) {
        const next = startAt(topic, partition);
        this.positions.set(tp(topic, partition), { topic, partition, next, start: next });
      }
    }
    if (assignments.length > 0) this.rebalances.next({ type: 'assigned', assignments });
    this.schedule();
  }

  revokeAll(): TopicPartitions[] {
    const revoked = this.assigned;
    this.commit();
    for (const { topic, partition } of this.positions.values()) this.tracker.forget(topic, partition);
    this.positions.clear();
    if (revoked.length > 0) this.rebalances.next({ type: 'revoked', assignments: revoked });
    return revoked;
  }

  commit(): void {
    const commits = this.tracker.takeCommits();
    if (commits.size > 0) this.onCommit(commits);
  }

  schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed) return;
    this.commit();
    const max = this.options.maxInFlight ?? Number.POSITIVE_INFINITY;
    let budget = DELIVERY_CHUNK;
    let more = false;
    for (const pos of this.positions.values()) {
      const log = this.bus.log(pos.topic, pos.partition);
      // Only a group committed before this member joined can be behind retention; skip ahead.
      if (pos.next < log.low) pos.next = log.low;
      while (pos.next < log.high && budget > 0 && this.tracker.inFlight < max) {
        const stored = log.at(pos.next) as StoredRecord;
        pos.next++;
        budget--;
        const ack = this.options.global
          ? () => {}
          : this.tracker.track(pos.topic, pos.partition, stored.offset);
        const member = this;
        this.deliver({
          topic: pos.topic,
          partition: pos.partition,
          offset: stored.offset,
          key: stored.key,
          value: stored.value,
          timestamp: stored.timestamp,
          ack() {
            ack();
            member.ackedSome();
          },
        });
        if (this.closed) return;
      }
      if (pos.next < log.high && this.tracker.inFlight < max) more = true;
    }
    if (more) this.schedule();
  }

  /**
   * The lowest offset of the partition this member may still need: a global reader's position;
   * a group member's committed offset (redelivery after a rebalance starts there) or, before its
   * first commit, where its delivery started. Undefined when it does not hold the partition.
   */
  neededFrom(topic: string, partition: number, committed: number | undefined): number | undefined {
    const pos = this.positions.get(tp(topic, partition));
    if (!pos) return undefined;
    if (this.options.global) return pos.next;
    return Math.min(committed ?? pos.start, pos.next);
  }

  private ackedSome(): void {
    // Resume a paused member once acks free capacity; commits are flushed on the next pump.
    this.schedule();
  }

  close(): void {
    this.commit();
    this.closed = true;
    this.rebalances.complete();
  }
}

class Group {
  readonly members: Member[] = [];
  readonly committed = new Map<string, number>();

  constructor(private readonly bus: EmbeddedBus) {}

  /** Range-free round-robin over each topic's partitions among the members that subscribe to it. */
  rebalance(): void {
    for (const m of this.members) m.revokeAll();
    const plan = new Map<Member, TopicPartitions[]>();
    const topics = new Set(this.members.flatMap((m) => m.options.topics));
    for (const topic of topics) {
      const subscribers = this.members.filter((m) => m.options.topics.includes(topic));
      const count = this.bus.partitionCount(topic);
      for (let p = 0; p < count; p++) {
        const owner = subscribers[p % subscribers.length] as Member;
        const list = plan.get(owner) ?? [];
        const entry = list.find((e) => e.topic === topic);
        if (entry) entry.partitions.push(p);
        else list.push({ topic, partitions: [p] });
        plan.set(owner, list);
      }
    }
    for (const m of this.members) {
      m.assign(plan.get(m) ?? [], (topic, partition) => {
        const log = this.bus.log(topic, partition);
        const c = this.committed.get(tp(topic, partition));
        if (c !== undefined) return Math.max(c, log.low);
        return m.options.fromBeginning === false ? log.high : log.low;
      });
    }
  }
}

/**
 * In-process implementation of the Transport: partitioned append-only logs, Kafka's key
 * partitioner, consumer groups with rebalancing and committed offsets. It runs the whole pipeline
 * in one process with no servers (the demo, unit tests); Kafka is the production transport.
 */
export class EmbeddedBus implements Transport {
  readonly kind = 'embedded' as const;
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, Group>();
  private readonly members = new Set<Member>();
  private roundRobin = 0;
  private readonly retain: number;
  /** Retention runs once a partition holds this many records more than it keeps (amortised). */
  private readonly retainSlack: number;

  constructor(options: EmbeddedBusOptions = {}) {
    this.retain = options.retainRecords ?? 0;
    this.retainSlack = Math.max(1_000, Math.floor(this.retain / 4));
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    for (const spec of specs) {
      const existing = this.topics.get(spec.name);
      if (existing && existing.length !== spec.partitions) {
        throw new Error(
          `topic ${spec.name}: expected ${spec.partitions} partitions, it exists with ${existing.length}`,
        );
      }
      if (!existing)
        this.topics.set(
          spec.name,
          Array.from({ length: spec.partitions }, () => new PartitionLog()),
        );
    }
  }

  partitionCount(topic: string): number {
    return this.partitionsOf(topic).length;
  }

  private partitionsOf(topic: string): PartitionLog[] {
    const parts = this.topics.get(topic);
    if (!parts) throw new Error(`unknown topic ${topic}: create it with ensureTopics first`);
    return parts;
  }

  log(topic: string, partition: number): PartitionLog {
    const log = this.partitionsOf(topic)[partition];
    if (!log) throw new Error(`topic ${topic} has no partition ${partition}`);
    return log;
  }

  sink(): Sink {
    return {
      send: async (records) => {
        for (const r of records) this.append(r);
      },
      close: async () => {},
    };
  }

  private append(r: OutboundRecord): void {
    const parts = this.partitionsOf(r.topic);
    const partition =
      r.partition ??
      (r.key === null ? this.roundRobin++ % parts.length : partitionForKey(r.key, parts.length));
    const log = parts[partition];
    if (!log) throw new Error(`topic ${r.topic} has no partition ${partition}`);
    log.append(toBuffer(r.key), r.value, r.timestamp ?? Date.now());
    if (this.retain > 0 && log.high - log.low > this.retain + this.retainSlack) {
      this.applyRetention(r.topic, partition, log);
    }
    for (const m of this.members) if (m.options.topics.includes(r.topic)) m.schedule();
  }

  /** Drops what is beyond the newest `retain` records and needed by no consumer. */
  private applyRetention(topic: string, partition: number, log: PartitionLog): void {
    const key = tp(topic, partition);
    let floor = log.high - this.retain;
    for (const group of this.groups.values()) {
      const committed = group.committed.get(key);
      if (committed !== undefined) floor = Math.min(floor, committed);
      for (const m of group.members) {
        const needed = m.neededFrom(topic, partition, committed);
        if (needed !== undefined) floor = Math.min(floor, needed);
      }
    }
    for (const m of this.members) {
      if (!m.options.global) continue;
      const needed = m.neededFrom(topic, partition, undefined);
      if (needed !== undefined) floor = Math.min(floor, needed);
    }
    log.dropBelow(floor);
  }

  source(options: SourceOptions): Source {
    for (const t of options.topics) this.partitionsOf(t);
    const rebalances = new Subject<RebalanceEvent>();
    let active: Member | undefined;
    const committed = new Map<string, number>();
    const records$ = new Observable<InboundRecord>((subscriber) => {
      const group = options.global ? undefined : this.group(options.groupId);
      const member = new Member(
        this,
        options,
        (r) => subscriber.next(r),
        (commits) => {
          for (const [k, v] of commits) {
            committed.set(k, v);
            group?.committed.set(k, v);
          }
        },
      );
      const sub = member.rebalances.subscribe((e) => rebalances.next(e));
      active = member;
      this.members.add(member);
      if (group) {
        group.members.push(member);
        group.rebalance();
      } else {
        member.assign(
          options.topics.map((topic) => ({
            topic,
            partitions: this.partitionsOf(topic).map((_, i) => i),
          })),
          () => 0,
        );
      }
      return () => {
        this.members.delete(member);
        if (group) {
          member.revokeAll();
          group.members.splice(group.members.indexOf(member), 1);
          if (group.members.length > 0) group.rebalance();
        }
        member.close();
        sub.unsubscribe();
        active = undefined;
      };
    });
    return {
      records$,
      rebalances$: rebalances.asObservable(),
      committed: () => {
        active?.commit();
        return new Map(committed);
      },
      close: async () => {
        active?.commit();
      },
    };
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = new Group(this);
      this.groups.set(id, g);
    }
    return g;
  }

  /** The group's committed offsets, by "topic:partition". */
  groupOffsets(groupId: string): Map<string, number> {
    const g = this.groups.get(groupId);
    for (const m of g?.members ?? []) m.commit();
    return new Map(g?.committed ?? []);
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    return this.partitionsOf(topic).map((log, partition) => ({ partition, low: log.low, high: log.high }));
  }

  async read(topic: string, partition: number, from: number, to: number): Promise<InboundRecord[]> {
    return this.log(topic, partition)
      .slice(from, to)
      .map((s) => ({ topic, partition, ...s, ack: () => {} }));
  }

  async close(): Promise<void> {
    for (const m of this.members) m.close();
    this.members.clear();
  }
}
