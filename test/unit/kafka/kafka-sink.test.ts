import { type Kafka, Partitioners, type ProducerBatch } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { kafkaConfig } from '../../../services/shared/config/kafka-config.js';
import { KafkaMetrics } from '../../../services/shared/kafka/kafka-metrics.js';
import { createKafkaSink, topicMessages } from '../../../services/shared/kafka/kafka-sink.js';

function fakeKafka(fail = false) {
  const sent: ProducerBatch[] = [];
  const producerOptions: unknown[] = [];
  let connects = 0;
  let disconnects = 0;
  const kafka = {
    producer: (options: unknown) => {
      producerOptions.push(options);
      return {
        connect: async () => {
          connects++;
        },
        sendBatch: async (batch: ProducerBatch) => {
          sent.push(batch);
          if (fail) throw new Error('NOT_ENOUGH_REPLICAS');
          return [];
        },
        disconnect: async () => {
          disconnects++;
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, sent, producerOptions, counts: () => ({ connects, disconnects }) };
}

describe('Kafka sink (fake producer)', () => {
  it('groups concurrent sends into one acknowledged sendBatch and counts by topic', async () => {
    const f = fakeKafka();
    const registry = new Registry();
    const sink = createKafkaSink({
      kafka: f.kafka,
      config: kafkaConfig.parse({ producerLingerMs: 5 }),
      metrics: new KafkaMetrics(registry),
    });
    await Promise.all([
      sink.send([{ topic: 'a', key: 'AAPL', value: Buffer.from('1') }]),
      sink.send([
        { topic: 'b', key: null, value: null, partition: 2, timestamp: 42, headers: { h: 'v' } },
        { topic: 'a', key: 'MSFT', value: Buffer.from('2') },
      ]),
    ]);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0]?.acks).toBe(-1);
    expect(f.sent[0]?.topicMessages).toEqual([
      {
        topic: 'a',
        messages: [
          { key: 'AAPL', value: Buffer.from('1') },
          { key: 'MSFT', value: Buffer.from('2') },
        ],
      },
      {
        topic: 'b',
        messages: [{ key: null, value: null, partition: 2, timestamp: '42', headers: { h: 'v' } }],
      },
    ]);
    const metrics = await registry.getSingleMetricAsString('risk_kafka_produced_records_total');
    expect(metrics).toContain('risk_kafka_produced_records_total{topic="a"} 2');
    expect(metrics).toContain('risk_kafka_produced_records_total{topic="b"} 1');
    expect(await registry.getSingleMetricAsString('risk_kafka_producer_send_seconds')).toContain(
      'risk_kafka_producer_send_seconds_count 1',
    );
    await sink.close();
    expect(f.counts()).toEqual({ connects: 1, disconnects: 1 });
    expect(f.producerOptions[0]).toMatchObject({
      allowAutoTopicCreation: false,
      idempotent: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  });

  it('rejects every send of a failed batch with what failed', async () => {
    const f = fakeKafka(true);
    const sink = createKafkaSink({
      kafka: f.kafka,
      config: kafkaConfig.parse({ producerLingerMs: 5, producerAcks: 1 }),
      metrics: new KafkaMetrics(),
    });
    const results = await Promise.allSettled([
      sink.send([{ topic: 'a', key: 'k', value: null }]),
      sink.send([{ topic: 'b', key: 'k', value: null }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe(
      'kafka producer: 2 records to a,b were not acknowledged: NOT_ENOUGH_REPLICAS',
    );
    expect(f.sent[0]?.acks).toBe(1);
    await sink.close();
  });

  it('keeps per-topic order when grouping', () => {
    const grouped = topicMessages([
      { topic: 'x', key: '1', value: null },
      { topic: 'y', key: '2', value: null },
      { topic: 'x', key: '3', value: null },
    ]);
    expect(grouped.map((g) => [g.topic, g.messages.map((m) => m.key)])).toEqual([
      ['x', ['1', '3']],
      ['y', ['2']],
    ]);
  });
});
