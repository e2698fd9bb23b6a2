import { type Kafka, type Message, Partitioners, type TopicMessages } from 'kafkajs';
import type { OutboundRecord, Sink } from '../bus/transport.js';
import type { KafkaConfig } from '../config/kafka-config.js';
import type { Logger } from '../logging/logger.js';
import { KAFKA_RETRY } from './kafka-client.js';
import type { KafkaMetrics } from './kafka-metrics.js';
import { SendAccumulator } from './send-accumulator.js';

export interface KafkaSinkDeps {
  kafka: Kafka;
  config: KafkaConfig;
  metrics: KafkaMetrics;
  logger?: Logger | undefined;
}

function toMessage(r: OutboundRecord): Message {
  return {
    key: r.key,
    value: r.value,
    ...(r.partition !== undefined ? { partition: r.partition } : {}),
    ...(r.timestamp !== undefined ? { timestamp: String(r.timestamp) } : {}),
    ...(r.headers ? { headers: r.headers } : {}),
  };
}

/** Groups records by topic, keeping their order within each topic. */
export function topicMessages(records: readonly OutboundRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    let list = byTopic.get(r.topic);
    if (!list) {
      list = [];
      byTopic.set(r.topic, list);
    }
    list.push(toMessage(r));
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * A Sink over one kafkajs producer. Concurrent send() calls are grouped into one sendBatch of up
 * to producerBatchSize records (waiting at most producerLingerMs); each call resolves when the
 * brokers acknowledged its batch (acks = producerAcks, -1 by default) and every call of a failed
 * batch rejects. Keys go through kafkajs' DefaultPartitioner (murmur2), the function the embedded
 * bus uses, so a key lands in the same partition on both transports.
 */
export function createKafkaSink(deps: KafkaSinkDeps): Sink {
  const { kafka, config, metrics } = deps;
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: false,
    retry: { ...KAFKA_RETRY },
  });
  let connected: Promise<void> | undefined;
  const connect = () => {
    connected ??= producer.connect().catch((err: unknown) => {
      connected = undefined;
      throw new Error(
        `kafka producer: cannot connect to ${config.brokers.join(',')}: ${(err as Error).message}`,
        { cause: err },
      );
    });
    return connected;
  };
  const accumulator = new SendAccumulator<OutboundRecord>(
    async (records) => {
      await connect();
      const batches = topicMessages(records);
      const stopTimer = metrics.sendSeconds.startTimer();
      try {
        await producer.sendBatch({ acks: config.producerAcks, topicMessages: batches });
      } catch (err) {
        const topics = batches.map((b) => b.topic).join(',');
        throw new Error(
          `kafka producer: ${records.length} records to ${topics} were not acknowledged: ${(err as Error).message}`,
          { cause: err },
        );
      } finally {
        stopTimer();
      }
      for (const b of batches) metrics.produced.inc({ topic: b.topic }, b.messages.length);
    },
    { batchSize: config.producerBatchSize, lingerMs: config.producerLingerMs },
  );
  return {
    send: (records) => accumulator.add(records),
    close: async () => {
      try {
        await accumulator.close();
      } finally {
        if (connected) await producer.disconnect();
      }
    },
  };
}
