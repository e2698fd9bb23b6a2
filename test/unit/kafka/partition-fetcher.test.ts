import type { Cluster } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaConfig } from '../../../services/shared/config/kafka-config.js';
import { createKafkaClient } from '../../../services/shared/kafka/kafka-client.js';
import {
  type KafkajsInternals,
  kafkajsInternals,
  PartitionFetcher,
  partitionFetcherFor,
} from '../../../services/shared/kafka/partition-fetcher.js';

const client = () => createKafkaClient(kafkaConfig.parse({ brokers: ['127.0.0.1:1'] }));

interface Stored {
  offset: number;
  control?: boolean;
}

/**
 * A one-partition log on a fake leader, stored in record batches of `batchSize` offsets (records
 * removed by compaction leave holes). Like a broker, a fetch returns whole batches: the first
 * `batchesPerFetch` non-empty ones from the batch that holds the fetch offset on.
 */
function fakeLeader(
  log: Stored[],
  options: { high: number; batchSize?: number; batchesPerFetch?: number; failures?: number },
) {
  const fetches: number[] = [];
  let failures = options.failures ?? 0;
  let refreshes = 0;
  const batchSize = options.batchSize ?? 1;
  const batchOf = (offset: number) => Math.floor(offset / batchSize);
  const broker = {
    fetch: async (req: { topics: { partitions: { fetchOffset: string }[] }[] }) => {
      const at = Number(req.topics[0]?.partitions[0]?.fetchOffset);
      fetches.push(at);
      if (failures-- > 0) throw Object.assign(new Error('not the leader'), { retriable: true });
      const batches = [...new Set(log.map((r) => batchOf(r.offset)))]
        .filter((b) => b >= batchOf(at))
        .slice(0, options.batchesPerFetch ?? 1);
      const messages = log
        .filter((r) => batches.includes(batchOf(r.offset)))
        .map((r) => ({
          offset: String(r.offset),
          key: null,
          value: Buffer.from(`v${r.offset}`),
          timestamp: String(1_000 + r.offset),
          isControlRecord: r.control === true,
          batchContext: { producerId: '-1', inTransaction: false },
        }));
      return {
        responses: [
          {
            topicName: 't',
            partitions: [{ partition: 0, errorCode: 0, highWatermark: String(options.high), messages }],
          },
        ],
      };
    },
  };
  const cluster = {
    connect: async () => {},
    disconnect: async () => {},
    addTargetTopic: async () => {},
    refreshMetadata: async () => {
      refreshes++;
    },
    findLeaderForPartitions: () => ({ '1': [0] }),
    findBroker: async () => broker,
  } as unknown as Cluster;
  return { cluster, fetches, refreshes: () => refreshes };
}

function fetcherOn(cluster: Cluster): PartitionFetcher {
  const real = kafkajsInternals(client()) as KafkajsInternals;
  return new PartitionFetcher({ createCluster: () => cluster, newBatch: real.newBatch });
}

const range = { topic: 't', partition: 0, otherPartitions: [] };
const offsets = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ offset: from + i }));

describe('PartitionFetcher (group-less reads)', () => {
  it('finds the kafkajs internals it needs in the pinned kafkajs', () => {
    expect(kafkajsInternals(client())).toBeDefined();
    expect(partitionFetcherFor(client())).toBeInstanceOf(PartitionFetcher);
    expect(kafkajsInternals({} as never)).toBeUndefined();
  });

  it('reads exactly [from, to), dropping what a batch holds before `from`', async () => {
    const leader = fakeLeader(offsets(0, 20), { high: 20, batchSize: 5 });
    const got = await fetcherOn(leader.cluster).read({ ...range, from: 7, to: 13 }, 1_000);
    expect(got.map((r) => r.offset)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(got[0]).toMatchObject({ topic: 't', partition: 0, value: Buffer.from('v7'), timestamp: 1_007 });
  });

  it('steps over compaction gaps and control records', async () => {
    const log: Stored[] = [
      { offset: 0 },
      { offset: 3 },
      { offset: 4, control: true },
      { offset: 6 },
      { offset: 9 },
    ];
    // Batches of 4: [0..3] kept 0 and 3, [4..7] a control record and 6, [8..11] only 9.
    const leader = fakeLeader(log, { high: 10, batchSize: 4, batchesPerFetch: 2 });
    const got = await fetcherOn(leader.cluster).read({ ...range, from: 1, to: 10 }, 1_000);
    expect(got.map((r) => r.offset)).toEqual([3, 6, 9]);
    // A batch whose remaining records all lie before the next offset moves the read on by one.
    const tail = fakeLeader([{ offset: 0 }, { offset: 1 }, { offset: 8 }], { high: 9, batchSize: 4 });
    const fromTail = await fetcherOn(tail.cluster).read({ ...range, from: 0, to: 9 }, 1_000);
    expect(fromTail.map((r) => r.offset)).toEqual([0, 1, 8]);
    expect(tail.fetches).toEqual([0, 2, 3, 4]);
  });

  it('retries a retriable error after refreshing the metadata', async () => {
    const leader = fakeLeader(offsets(0, 5), { high: 5, failures: 2 });
    const got = await fetcherOn(leader.cluster).read({ ...range, from: 0, to: 5 }, 5_000);
    expect(got.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(leader.refreshes()).toBe(2);
  });

  it('stops at the log end when the log is shorter than asked', async () => {
    const leader = fakeLeader(offsets(0, 3), { high: 3 });
    const got = await fetcherOn(leader.cluster).read({ ...range, from: 0, to: 8 }, 1_000);
    expect(got.map((r) => r.offset)).toEqual([0, 1, 2]);
  });
});
