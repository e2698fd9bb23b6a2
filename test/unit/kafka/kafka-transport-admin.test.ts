import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { KafkaTransport } from '../../../services/shared/kafka/kafka-transport.js';

/** An admin client that answers from memory and records how many calls overlap. */
function fakeAdmins(options: { staleFirstOffsets: boolean }) {
  const log = { created: 0, disconnected: 0, inFlight: 0, maxInFlight: 0 };
  let failNext = options.staleFirstOffsets;
  const admin = (): Admin => {
    log.created++;
    const slow = async <T>(value: () => T): Promise<T> => {
      log.inFlight++;
      log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
      await new Promise((r) => setTimeout(r, 5));
      log.inFlight--;
      return value();
    };
    return {
      connect: async () => {},
      disconnect: async () => void log.disconnected++,
      fetchTopicMetadata: () =>
        slow(() => ({
          topics: ['a', 'b'].map((name) => ({ name, partitions: [{ partitionId: 0 }, { partitionId: 1 }] })),
        })),
      fetchTopicOffsets: (topic: string) =>
        slow(() => {
          if (failNext) {
            failNext = false;
            // What kafkajs throws when its cached metadata lacks the topic's partitions.
            throw new TypeError(
              "Cannot destructure property 'partitions' of 'high.pop(...)' as it is undefined.",
            );
          }
          return [0, 1].map((partition) => ({
            partition,
            offset: '9',
            high: '9',
            low: topic === 'a' ? '0' : '3',
          }));
        }),
    } as unknown as Admin;
  };
  return { admin, log };
}

function transportWith(fake: ReturnType<typeof fakeAdmins>): KafkaTransport {
  const config = loadConfig({
    env: {},
    overrides: { transport: 'kafka', kafka: { brokers: ['127.0.0.1:1'] } },
  });
  const transport = new KafkaTransport(config.kafka);
  (transport.kafka as { admin: () => Admin }).admin = fake.admin;
  return transport;
}

describe('KafkaTransport admin calls', () => {
  it('runs admin calls one at a time (concurrent offset polls raced kafkajs metadata)', async () => {
    const fake = fakeAdmins({ staleFirstOffsets: false });
    const transport = transportWith(fake);
    const [a, b] = await Promise.all([transport.offsets('a'), transport.offsets('b')]);
    expect(a).toEqual([
      { partition: 0, low: 0, high: 9 },
      { partition: 1, low: 0, high: 9 },
    ]);
    expect(b[0]).toEqual({ partition: 0, low: 3, high: 9 });
    expect(fake.log.maxInFlight).toBe(1);
    expect(fake.log.created).toBe(1);
  });

  it('answers a stale-metadata failure with a fresh admin client and asks again', async () => {
    const fake = fakeAdmins({ staleFirstOffsets: true });
    const transport = transportWith(fake);
    const offsets = await transport.offsets('a');
    expect(offsets).toHaveLength(2);
    expect(fake.log.created).toBe(2);
    expect(fake.log.disconnected).toBe(1);
    await transport.close();
    expect(fake.log.disconnected).toBe(2);
  });
});
