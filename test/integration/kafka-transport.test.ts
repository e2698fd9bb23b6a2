import { Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeadLetterWriter } from '../../services/shared/bus/dead-letter.js';
import { partitionForKey } from '../../services/shared/bus/murmur2-partitioner.js';
import type { InboundRecord, OutboundRecord, RebalanceEvent } from '../../services/shared/bus/transport.js';
import type { Codec } from '../../services/shared/codec/codec.js';
import { CodecError } from '../../services/shared/codec/codec-error.js';
import { createCodec } from '../../services/shared/codec/create-codec.js';
import type { MarketTick } from '../../services/shared/contracts/records.js';
import { createKafkaTransport, type KafkaTransport } from '../../services/shared/kafka/kafka-transport.js';
import { TopicLayoutError } from '../../services/shared/kafka/topic-layout-check.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { sampleRecords } from '../fixtures/sample-records.js';
import {
  brokerCommitted,
  createTopic,
  testKafkaConfig,
  uniqueName,
  waitUntil,
} from './support/kafka-fixtures.js';

const env = inject('integrationEnv');
const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA'];

const tick = (i: number): MarketTick => ({
  ...sampleRecords.MarketTick,
  symbol: SYMBOLS[i % SYMBOLS.length] as string,
  sequence: i,
  eventTime: sampleRecords.MarketTick.eventTime + i * 1_000,
});

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const byOffset = (a: InboundRecord, b: InboundRecord) => a.offset - b.offset;

/** Deterministic Fisher-Yates (acks out of order, same order every run). */
function shuffled<T>(items: readonly T[], seed = 42): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe(`KafkaTransport against ${env.description}`, () => {
  let transport: KafkaTransport;
  let codec: Codec;

  beforeAll(async () => {
    const logger = createLogger('kafka-it', {
      level: (process.env.RISK_IT_LOG_LEVEL as 'error' | undefined) ?? 'error',
      pretty: 'false',
    });
    transport = createKafkaTransport(testKafkaConfig(env), logger);
    codec = await createCodec();
  });

  afterAll(async () => {
    await transport?.close();
  });

  it('commits exactly the contiguous acked prefix of each partition (Avro records, acks out of order)', async () => {
    const topic = uniqueName('commit');
    const group = uniqueName('group');
    await createTopic(env, transport, topic, 2);
    const sink = transport.sink();
    const ticks = range(0, 40).map(tick);
    await sink.send(
      ticks.map((t, i) => ({ topic, key: t.symbol, partition: i % 2, value: codec.encode('MarketTick', t) })),
    );

    const source = transport.source({ groupId: group, topics: [topic] });
    const got: InboundRecord[] = [];
    const sub = source.records$.subscribe((r) => got.push(r));
    await waitUntil('all 40 records', () => got.length >= 40, { describe: () => `got ${got.length}` });

    const decoded = got.map((r) => codec.decode('MarketTick', r.value as Buffer));
    expect(decoded.map((t) => t.sequence).sort((a, b) => a - b)).toEqual(range(0, 40));
    expect(decoded.find((t) => t.sequence === 7)).toEqual(ticks[7]);
    const p0 = got.filter((r) => r.partition === 0).sort(byOffset);
    const p1 = got.filter((r) => r.partition === 1).sort(byOffset);
    expect(p0.map((r) => r.offset)).toEqual(range(0, 20));
    expect(p1.map((r) => r.offset)).toEqual(range(0, 20));

    // Everything but partition 0 offset 7, in shuffled order: p0 may commit only up to 7.
    const hole = p0[7] as InboundRecord;
    for (const r of shuffled(got.filter((r) => r !== hole))) r.ack();
    const expected = (p0Next: number) =>
      source.committed().get(`${topic}:0`) === p0Next && source.committed().get(`${topic}:1`) === 20;
    await waitUntil('commits 0->7, 1->20', () => expected(7), {
      describe: () => JSON.stringify([...source.committed()]),
    });
    expect(await brokerCommitted(transport, group, topic)).toEqual(
      new Map([
        [0, 7],
        [1, 20],
      ]),
    );

    hole.ack();
    await waitUntil('commit 0->20 after the hole is acked', () => expected(20));
    sub.unsubscribe();
    await source.close();
    expect(await brokerCommitted(transport, group, topic)).toEqual(
      new Map([
        [0, 20],
        [1, 20],
      ]),
    );

    // A new member of the group resumes where the commits say: it sees only the new record.
    await sink.send([{ topic, key: 'NEW', partition: 0, value: codec.encode('MarketTick', tick(40)) }]);
    const again = transport.source({ groupId: group, topics: [topic] });
    const resumed: InboundRecord[] = [];
    const sub2 = again.records$.subscribe((r) => resumed.push(r));
    await waitUntil('the record produced after the commits', () => resumed.length >= 1);
    expect(resumed.map((r) => [r.partition, r.offset])).toEqual([[0, 20]]);
    sub2.unsubscribe();
    await again.close();
    await sink.close();
  });

  it('loses nothing when a second member joins the group (rebalance, at-least-once)', async () => {
    const topic = uniqueName('rebalance');
    const group = uniqueName('group');
    await createTopic(env, transport, topic, 4);
    const sink = transport.sink();
    const send = (from: number, to: number) =>
      sink.send(range(from, to).map((i) => ({ topic, key: `K${i % 16}`, value: Buffer.from(String(i)) })));
    await send(0, 100);

    const seen = new Map<string, number>();
    const errors: unknown[] = [];
    const misplaced: string[] = [];
    const note = (r: InboundRecord) => {
      const k = `${r.partition}:${r.offset}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
      // The broker placed each key where the embedded bus would (murmur2, like kafkajs).
      if (partitionForKey(r.key as Buffer, 4) !== r.partition) misplaced.push(`${r.key} in ${r.partition}`);
    };

    // Member A holds back the acks of every tenth record until its partitions are revoked, so the
    // group cannot commit past them: after the rebalance they must be delivered again.
    const a = transport.source({ groupId: group, topics: [topic] });
    const aEvents: RebalanceEvent[] = [];
    const held: InboundRecord[] = [];
    let aRevoked = false;
    let aCount = 0;
    a.rebalances$.subscribe((e) => {
      aEvents.push(e);
      if (e.type === 'revoked') {
        aRevoked = true;
        for (const r of held) r.ack(); // too late: these acks move nothing any more
      }
    });
    const subA = a.records$.subscribe({
      next: (r) => {
        note(r);
        aCount++;
        if (!aRevoked && Number(String(r.value)) % 10 === 3) held.push(r);
        else r.ack();
      },
      error: (e) => errors.push(e),
    });
    await waitUntil('A has the first 100 records', () => aCount >= 100, {
      describe: () => `A got ${aCount}`,
    });
    expect(held.length).toBe(10);

    const b = transport.source({ groupId: group, topics: [topic] });
    const bEvents: RebalanceEvent[] = [];
    b.rebalances$.subscribe((e) => bEvents.push(e));
    const subB = b.records$.subscribe({
      next: (r) => {
        note(r);
        r.ack();
      },
      error: (e) => errors.push(e),
    });
    await send(100, 200);

    await waitUntil(
      'B is assigned partitions and A was revoked',
      () =>
        errors.length > 0 ||
        (bEvents.some((e) => e.type === 'assigned') && aEvents.some((e) => e.type === 'revoked')),
      { describe: () => `A events ${JSON.stringify(aEvents)}, B events ${JSON.stringify(bEvents)}` },
    );
    expect(errors).toEqual([]);
    const offsets = await transport.offsets(topic);
    expect(offsets.reduce((n, o) => n + o.high, 0)).toBe(200);
    let lastCommitted = new Map<number, number>();
    await waitUntil(
      'the group to commit every partition to its end',
      async () => {
        lastCommitted = await brokerCommitted(transport, group, topic);
        return offsets.every((o) => lastCommitted.get(o.partition) === o.high);
      },
      {
        timeoutMs: 90_000,
        describe: () => `committed ${JSON.stringify([...lastCommitted])}, ends ${JSON.stringify(offsets)}`,
      },
    );

    expect(errors).toEqual([]);
    for (const { partition, high } of offsets) {
      for (const offset of range(0, high)) {
        expect(seen.has(`${partition}:${offset}`), `record ${partition}:${offset} received`).toBe(true);
      }
    }
    for (const r of held) {
      expect(
        seen.get(`${r.partition}:${r.offset}`),
        `held ${r.partition}:${r.offset} redelivered`,
      ).toBeGreaterThan(1);
    }
    expect(misplaced).toEqual([]);
    const bPartitions = bEvents.filter((e) => e.type === 'assigned').flatMap((e) => e.assignments);
    expect(bPartitions.flatMap((tp) => tp.partitions).length).toBeGreaterThan(0);

    subB.unsubscribe();
    subA.unsubscribe();
    await Promise.all([a.close(), b.close()]);
    await sink.close();
  });

  it('dead-letters an undecodable record with its original bytes and reason, then commits past it', async () => {
    const input = uniqueName('input');
    const dlq = uniqueName('dlq');
    const group = uniqueName('group');
    await createTopic(env, transport, input, 1);
    await createTopic(env, transport, dlq, 1);
    const sink = transport.sink();
    const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x01]);
    await sink.send([{ topic: input, key: 'AAPL', value: garbage }]);

    const registry = new Registry();
    const writer = new DeadLetterWriter({ sink, codec, topic: dlq, service: 'it-validator', registry });
    const source = transport.source({ groupId: group, topics: [input] });
    let sub: Subscription | undefined;
    const rejected = await new Promise<CodecError>((resolve, reject) => {
      sub = source.records$.subscribe({
        next: (r) => {
          try {
            codec.decode('MarketTick', r.value as Buffer);
            reject(new Error('garbage decoded as a MarketTick'));
          } catch (err) {
            if (!(err instanceof CodecError)) return reject(err);
            writer.write(r, err.code, err.message).then(() => {
              r.ack();
              resolve(err);
            }, reject);
          }
        },
        error: reject,
      });
    });
    await waitUntil(
      'the input offset committed past the bad record',
      () => source.committed().get(`${input}:0`) === 1,
    );
    sub?.unsubscribe();
    await source.close();

    const [stored, ...rest] = await transport.read(dlq, 0, 0, 10);
    expect(rest).toHaveLength(0);
    expect(stored?.key?.toString()).toBe(input);
    const letter = codec.decode('DeadLetter', stored?.value as Buffer);
    expect(letter).toMatchObject({
      originalTopic: input,
      originalPartition: 0,
      originalOffset: 0,
      errorCode: rejected.code,
      message: rejected.message,
      service: 'it-validator',
    });
    expect(Buffer.compare(letter.originalValue as Buffer, garbage)).toBe(0);
    expect(letter.originalKey?.toString()).toBe('AAPL');
    expect(await registry.getSingleMetricAsString('risk_dead_letters_total')).toContain(
      `risk_dead_letters_total{service="it-validator",reason="${rejected.code}"} 1`,
    );
    await sink.close();
  });

  it('ensureTopics creates or explains a missing topic and refuses a wrong partition count', async () => {
    const missing = uniqueName('missing');
    if (env.kafka.mock) {
      const err: unknown = await transport.ensureTopics([{ name: missing, partitions: 3 }]).catch((e) => e);
      expect(err).toBeInstanceOf(TopicLayoutError);
      const message = (err as Error).message;
      expect(message).toContain(`topic ${missing}: expected 3 partitions, it does not exist`);
      expect(message).toContain('CreateTopics cannot be sent');
      expect(message).toContain(
        `kafka-topics.sh --bootstrap-server ${env.kafka.brokers[0]} --create --topic ${missing} --partitions 3`,
      );
      expect(message).toContain(`kafka-cmd topic ${missing} 3`);
      // Checking must not create it (a metadata request naming it would, on the mock).
      expect((await transport.topicPartitions()).has(missing)).toBe(false);
    } else {
      await transport.ensureTopics([{ name: missing, partitions: 3 }]);
      expect((await transport.topicPartitions()).get(missing)).toBe(3);
    }

    const two = uniqueName('two');
    await createTopic(env, transport, two, 2);
    const err: unknown = await transport.ensureTopics([{ name: two, partitions: 3 }]).catch((e) => e);
    expect(err).toBeInstanceOf(TopicLayoutError);
    expect((err as Error).message).toContain(
      `topic ${two}: expected 3 partitions, the broker has 2 partitions`,
    );
  });

  it('never has more than maxInFlight records un-acked', async () => {
    const topic = uniqueName('backpressure');
    const group = uniqueName('group');
    await createTopic(env, transport, topic, 2);
    const sink = transport.sink();
    await sink.send(range(0, 100).map((i) => ({ topic, key: `K${i}`, value: Buffer.from(String(i)) })));

    const maxInFlight = 5;
    const source = transport.source({ groupId: group, topics: [topic], maxInFlight });
    const outstanding: InboundRecord[] = [];
    let received = 0;
    let maxOutstanding = 0;
    const sub = source.records$.subscribe((r) => {
      received++;
      outstanding.push(r);
      maxOutstanding = Math.max(maxOutstanding, outstanding.length);
    });
    // A slow consumer: acks the oldest outstanding record now and then, never more than it has.
    const acker = setInterval(() => outstanding.shift()?.ack(), 5);
    try {
      await waitUntil(
        'all 100 records through a window of 5',
        () => received >= 100 && outstanding.length === 0,
        {
          describe: () => `received ${received}, outstanding ${outstanding.length}`,
        },
      );
    } finally {
      clearInterval(acker);
    }
    expect(maxOutstanding).toBe(maxInFlight);
    await waitUntil('everything committed', () => {
      const c = source.committed();
      return (c.get(`${topic}:0`) ?? 0) + (c.get(`${topic}:1`) ?? 0) === 100;
    });
    sub.unsubscribe();
    await source.close();
    await sink.close();
  });

  it('reads every partition globally without committing, and reads offset ranges of one partition', async () => {
    const topic = uniqueName('global');
    await createTopic(env, transport, topic, 3);
    const sink = transport.sink();
    const records: OutboundRecord[] = range(0, 30).map((i) => ({
      topic,
      key: `K${i}`,
      partition: i % 3,
      value: Buffer.from(`v${i}`),
    }));
    await sink.send(records);

    const source = transport.source({ groupId: uniqueName('global'), topics: [topic], global: true });
    const got: InboundRecord[] = [];
    const sub = source.records$.subscribe((r) => got.push(r));
    await waitUntil('all 30 records', () => got.length >= 30, { describe: () => `got ${got.length}` });
    expect(new Set(got.map((r) => `${r.partition}:${r.offset}`)).size).toBe(30);
    for (const r of got) r.ack();
    sub.unsubscribe();
    await source.close();
    expect(source.committed().size).toBe(0);

    expect(await transport.offsets(topic)).toEqual([
      { partition: 0, low: 0, high: 10 },
      { partition: 1, low: 0, high: 10 },
      { partition: 2, low: 0, high: 10 },
    ]);
    const slice = await transport.read(topic, 1, 3, 7);
    expect(slice.map((r) => r.offset)).toEqual([3, 4, 5, 6]);
    // Partition 1 holds records 1, 4, 7, ... in order: offset k is record 3k+1.
    expect(slice.map((r) => String(r.value))).toEqual(['v10', 'v13', 'v16', 'v19']);
    expect((await transport.read(topic, 1, 8, 100)).map((r) => r.offset)).toEqual([8, 9]);
    expect(await transport.read(topic, 1, 10, 20)).toEqual([]);
    await sink.close();
  });
});
