import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { InboundRecord } from '../bus/transport.js';

export interface PartitionRange {
  topic: string;
  partition: number;
  /** First offset to read (already clamped to the partition's low watermark). */
  from: number;
  /** One past the last offset to read (already clamped to the high watermark); > from. */
  to: number;
  /** Every other partition of the topic, paused so the reader fetches only its own. */
  otherPartitions: readonly number[];
}

/**
 * Reads [from, to) of one partition with a temporary consumer in a throwaway group that never
 * commits: kafkajs has no group-less fetch API, so the consumer joins, pauses the other
 * partitions, seeks, collects until offset to-1 (or past it, when compaction removed it) and
 * disconnects. Acks of the records are no-ops.
 */
export async function readPartitionRange(
  kafka: Kafka,
  range: PartitionRange,
  options: { groupIdPrefix: string; timeoutMs: number },
): Promise<InboundRecord[]> {
  const { topic, partition, from, to } = range;
  const consumer = kafka.consumer({
    groupId: `${options.groupIdPrefix}.read.${randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    retry: { retries: 3 },
  });
  const collected = new Map<number, InboundRecord>();
  let timer: NodeJS.Timeout | undefined;
  try {
    const done = new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `kafka read ${topic}[${partition}] ${from}..${to}: got ${collected.size} records in ` +
                `${options.timeoutMs} ms and stopped waiting for offset ${to - 1}`,
            ),
          ),
        options.timeoutMs,
      );
      consumer.on(consumer.events.CRASH, (e) =>
        reject(new Error(`kafka read ${topic}[${partition}]: consumer crashed: ${e.payload.error.message}`)),
      );
      void consumer
        .connect()
        .then(() => consumer.subscribe({ topics: [topic], fromBeginning: false }))
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              if (batch.partition !== partition) return;
              for (const m of batch.messages) {
                const offset = Number(m.offset);
                if (offset < from || offset >= to) continue;
                collected.set(offset, {
                  topic,
                  partition,
                  offset,
                  key: m.key ?? null,
                  value: m.value ?? null,
                  timestamp: Number(m.timestamp),
                  ack: () => {},
                });
              }
              if (!batch.isEmpty() && Number(batch.lastOffset()) >= to - 1) resolve();
            },
          }),
        )
        .then(() => {
          if (range.otherPartitions.length > 0)
            consumer.pause([{ topic, partitions: [...range.otherPartitions] }]);
          consumer.seek({ topic, partition, offset: String(from) });
        })
        .catch(reject);
    });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
  }
  return [...collected.values()].sort((a, b) => a.offset - b.offset);
}
