import type { EachBatchPayload, Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { InboundRecord, RebalanceEvent } from '../../../services/shared/bus/transport.js';
import { kafkaConfig } from '../../../services/shared/config/kafka-config.js';
import { KafkaMetrics } from '../../../services/shared/kafka/kafka-metrics.js';
import { createKafkaSource, KafkaSourceError } from '../../../services/shared/kafka/kafka-source.js';

/** Stands in for a kafkajs consumer: the test plays the broker by emitting events and batches. */
class FakeConsumer {
  readonly events = {
    GROUP_JOIN: 'consumer.group_join',
    REBALANCING: 'consumer.rebalancing',
    COMMIT_OFFSETS: 'consumer.commit_offsets',
    STOP: 'consumer.stop',
    CRASH: 'consumer.crash',
  } as const;
  private readonly listeners = new Map<string, ((e: { payload: unknown }) => void)[]>();
  eachBatch: ((p: EachBatchPayload) => Promise<void>) | undefined;
  readonly commits: { topic: string; partition: number; offset: string }[][] = [];
  heartbeats = 0;
  /** Offsets passed to the batch payload's resolveOffset, in call order. */
  readonly resolved: string[] = [];
  running = true;
  disconnected = false;

  on(name: string, fn: (e: { payload: unknown }) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return () => {};
  }
  emit(name: string, payload: unknown) {
    for (const fn of this.listeners.get(name) ?? []) fn({ payload });
  }
  async connect() {}
  async subscribe() {}
  async run(options: { eachBatch: (p: EachBatchPayload) => Promise<void> }) {
    this.eachBatch = options.eachBatch;
  }
  async commitOffsets(offsets: { topic: string; partition: number; offset: string }[]) {
    this.commits.push(offsets);
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    this.emit(this.events.COMMIT_OFFSETS, {
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    });
  }
  async disconnect() {
    this.running = false;
    this.disconnected = true;
    this.emit(this.events.STOP, {});
  }

  join(assignment: Record<string, number[]>) {
    this.emit(this.events.GROUP_JOIN, { memberAssignment: assignment });
  }

  /** Hands a batch of `count` records from `from` to the source; resolves when eachBatch returns. */
  batch(topic: string, partition: number, from: number, count: number): Promise<void> {
    const messages = Array.from({ length: count }, (_, i) => ({
      offset: String(from + i),
      key: Buffer.from(`k${from + i}`),
      value: Buffer.from(`v${from + i}`),
      timestamp: '1700000000000',
      attributes: 0,
      headers: {},
    }));
    const payload = {
      batch: {
        topic,
        partition,
        highWatermark: String(from + count),
        messages,
        isEmpty: () => count === 0,
        firstOffset: () => String(from),
        lastOffset: () => String(from + count - 1),
        offsetLag: () => '0',
        offsetLagLow: () => '0',
      },
      resolveOffset: (offset: string) => {
        this.resolved.push(offset);
      },
      heartbeat: async () => {
        this.heartbeats++;
      },
      pause: () => () => {},
      commitOffsetsIfNecessary: async () => {},
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => this.running,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    return (this.eachBatch as (p: EachBatchPayload) => Promise<void>)(payload);
  }
}

function setup(overrides: { maxInFlight?: number; checkTopics?: () => Promise<void> } = {}) {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const c = new FakeConsumer();
      consumers.push(c);
      return c;
    },
  } as unknown as Kafka;
  const registry = new Registry();
  const source = createKafkaSource(
    { groupId: 'g', topics: ['t'], ...(overrides.maxInFlight ? { maxInFlight: overrides.maxInFlight } : {}) },
    {
      kafka,
      config: kafkaConfig.parse({ commitIntervalMs: 10, heartbeatIntervalMs: 200 }),
      metrics: new KafkaMetrics(registry),
      checkTopics: overrides.checkTopics ?? (async () => {}),
    },
  );
  const got: InboundRecord[] = [];
  const events: RebalanceEvent[] = [];
  let error: unknown;
  source.rebalances$.subscribe((e) => events.push(e));
  const sub = source.records$.subscribe({ next: (r) => got.push(r), error: (e) => (error = e) });
  return {
    /** The latest consumer (a member that failed while joining is replaced by a new one). */
    get consumer() {
      return consumers.at(-1) as FakeConsumer;
    },
    consumers,
    source,
    got,
    events,
    sub,
    registry,
    error: () => error,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
async function until(cond: () => boolean, ms = 2_000) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('Kafka source (fake consumer)', () => {
  it('delivers records, commits only the contiguous acked prefix, and reports assignments', async () => {
    const s = setup();
    await until(() => s.consumer.eachBatch !== undefined);
    s.consumer.join({ t: [1, 0] });
    expect(s.events).toEqual([{ type: 'assigned', assignments: [{ topic: 't', partitions: [0, 1] }] }]);
    await s.consumer.batch('t', 0, 10, 5);
    expect(s.got.map((r) => r.offset)).toEqual([10, 11, 12, 13, 14]);
    expect(String(s.got[0]?.value)).toBe('v10');
    for (const i of [0, 1, 3, 4]) s.got[i]?.ack();
    await until(() => s.source.committed().get('t:0') === 12);
    s.got[2]?.ack();
    await until(() => s.source.committed().get('t:0') === 15);
    expect(s.consumer.commits.flat().map((c) => c.offset)).toEqual(['12', '15']);
    expect(await s.registry.getSingleMetricAsString('risk_kafka_consumed_records_total')).toContain(
      'risk_kafka_consumed_records_total{topic="t"} 5',
    );
    s.sub.unsubscribe();
    await s.source.close();
    expect(s.consumer.disconnected).toBe(true);
  });

  it('stops handing over records at maxInFlight and resumes as acks free capacity', async () => {
    const s = setup({ maxInFlight: 2 });
    await until(() => s.consumer.eachBatch !== undefined);
    s.consumer.join({ t: [0] });
    let done = false;
    const batch = s.consumer.batch('t', 0, 0, 5).then(() => {
      done = true;
    });
    await tick();
    expect(s.got).toHaveLength(2);
    s.got[1]?.ack();
    await until(() => s.got.length === 3);
    expect(done).toBe(false);
    for (const r of s.got) r.ack();
    await until(() => s.got.length === 5);
    await batch;
    expect(await s.registry.getSingleMetricAsString('risk_kafka_in_flight_records')).toContain(
      'risk_kafka_in_flight_records{group="g"} 2',
    );
    s.sub.unsubscribe();
    await s.source.close();
  });

  it('heartbeats while it waits for capacity', async () => {
    const s = setup({ maxInFlight: 1 });
    await until(() => s.consumer.eachBatch !== undefined);
    s.consumer.join({ t: [0] });
    const batch = s.consumer.batch('t', 0, 0, 2);
    await until(() => s.consumer.heartbeats >= 2, 5_000);
    s.got[0]?.ack();
    await batch;
    expect(s.got).toHaveLength(2);
    s.sub.unsubscribe();
    await s.source.close();
  });

  it('on a rebalance commits what is done, forgets the rest and stops the old batch', async () => {
    const s = setup({ maxInFlight: 3 });
    await until(() => s.consumer.eachBatch !== undefined);
    s.consumer.join({ t: [0] });
    const old = s.consumer.batch('t', 0, 0, 6);
    await tick();
    expect(s.got).toHaveLength(3);
    s.got[0]?.ack(); // offset 0 done; 1 and 2 still in flight
    s.consumer.emit(s.consumer.events.REBALANCING, {});
    expect(s.events.at(-1)).toEqual({ type: 'revoked', assignments: [{ topic: 't', partitions: [0] }] });
    await old; // the batch of the old generation returns without delivering more
    expect(s.got).toHaveLength(3);
    await until(() => s.source.committed().get('t:0') === 1);
    // Acks of revoked records move nothing; kafkajs resumes at the committed offset 1.
    s.got[1]?.ack();
    s.got[2]?.ack();
    s.consumer.join({ t: [0] });
    await s.consumer.batch('t', 0, 1, 2);
    expect(s.got.map((r) => r.offset)).toEqual([0, 1, 2, 1, 2]);
    await tick();
    expect(s.source.committed().get('t:0')).toBe(1);
    s.got[3]?.ack();
    s.got[4]?.ack();
    await until(() => s.source.committed().get('t:0') === 3);
    s.sub.unsubscribe();
    await s.source.close();
  });

  it('resolves a batch in kafkajs once, at the last record it handed over', async () => {
    const s = setup({ maxInFlight: 3 });
    await until(() => s.consumer.eachBatch !== undefined);
    s.consumer.join({ t: [0] });
    await s.consumer.batch('t', 0, 0, 2);
    expect(s.consumer.resolved).toEqual(['1']);
    // A batch cut short by a rebalance resolves only what it delivered.
    const cut = s.consumer.batch('t', 0, 2, 5);
    await tick();
    expect(s.got.map((r) => r.offset)).toEqual([0, 1, 2]);
    s.consumer.emit(s.consumer.events.REBALANCING, {});
    await cut;
    expect(s.consumer.resolved).toEqual(['1', '2']);
    // Acks still count one by one, in any order, and free capacity.
    s.consumer.join({ t: [0] });
    const next = s.consumer.batch('t', 0, 0, 4);
    await tick();
    expect(s.got).toHaveLength(6);
    s.got[5]?.ack();
    s.got[4]?.ack();
    await until(() => s.got.length === 7);
    expect(s.source.committed().get('t:0')).toBeUndefined();
    s.got[3]?.ack();
    await next;
    await until(() => s.source.committed().get('t:0') === 3);
    expect(s.consumer.resolved.at(-1)).toBe('3');
    s.sub.unsubscribe();
    await s.source.close();
  });

  it('ends the stream with a clear error when kafkajs gives up on a crash', async () => {
    const s = setup();
    await until(() => s.consumer.eachBatch !== undefined);
    s.consumer.join({ t: [0] });
    const cause = Object.assign(new Error('Connection error: ECONNREFUSED'), {
      name: 'KafkaJSConnectionError',
    });
    const error = Object.assign(new Error('retries exhausted', { cause }), {
      name: 'KafkaJSNumberOfRetriesExceeded',
    });
    s.consumer.emit(s.consumer.events.CRASH, { error, restart: true });
    expect(s.error()).toBeUndefined();
    s.consumer.emit(s.consumer.events.CRASH, { error: new Error('bad assignment'), restart: false });
    const err = s.error();
    expect(err).toBeInstanceOf(KafkaSourceError);
    expect((err as Error).message).toBe(
      'kafka source (group g, topics t) crashed (the error is not retriable): Error: bad assignment',
    );
    await until(() => s.consumer.disconnected);
  });

  it('replaces a consumer that crashed before it joined, instead of failing', async () => {
    const s = setup();
    await until(() => s.consumer.eachBatch !== undefined);
    const first = s.consumer;
    const protocolError = Object.assign(new Error('INVALID_REQUEST'), { name: 'KafkaJSProtocolError' });
    first.emit(first.events.CRASH, { error: protocolError, restart: false });
    await until(() => s.consumers.length === 2 && s.consumer.eachBatch !== undefined, 5_000);
    expect(s.error()).toBeUndefined();
    expect(first.disconnected).toBe(true);
    s.consumer.join({ t: [0] });
    await s.consumer.batch('t', 0, 0, 2);
    expect(s.got.map((r) => r.offset)).toEqual([0, 1]);
    s.sub.unsubscribe();
    await s.source.close();
  });

  it('also replaces a member whose consumer crashes while rejoining after a rebalance', async () => {
    const s = setup();
    await until(() => s.consumer.eachBatch !== undefined);
    const first = s.consumer;
    first.join({ t: [0] });
    first.emit(first.events.REBALANCING, {});
    first.emit(first.events.CRASH, { error: new Error('INVALID_REQUEST'), restart: false });
    await until(() => s.consumers.length === 2, 5_000);
    expect(s.error()).toBeUndefined();
    expect(s.events.map((e) => e.type)).toEqual(['assigned', 'revoked']);
    s.sub.unsubscribe();
    await s.source.close();
  });

  it('fails at subscription when a topic does not exist', async () => {
    const s = setup({
      checkTopics: async () => {
        throw new Error('unknown topic t');
      },
    });
    await until(() => s.error() !== undefined);
    expect((s.error() as Error).message).toBe(
      'kafka source (group g, topics t) could not start: Error: unknown topic t',
    );
  });
});
