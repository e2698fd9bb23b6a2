import { AssignerProtocol, type Cluster, PartitionAssigners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  CO_PARTITIONED_ASSIGNER,
  coPartitionedAssigner,
  coPartitionedPlan,
} from '../../../services/shared/kafka/co-partitioned-assigner.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Only what the assigners read: partition metadata by topic. */
function fakeCluster(partitions: Record<string, number>): Cluster {
  return {
    findTopicPartitionMetadata: (topic: string) =>
      range(partitions[topic] ?? 0).map((partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      })),
  } as unknown as Cluster;
}

async function assignWith(
  assigner: typeof coPartitionedAssigner,
  members: { memberId: string; topics: string[] }[],
  partitions: Record<string, number>,
): Promise<Map<string, Record<string, number[]>>> {
  const a = assigner({ cluster: fakeCluster(partitions), groupId: 'g', logger: undefined as never });
  const result = await a.assign({
    members: members.map((m) => ({
      memberId: m.memberId,
      memberMetadata: a.protocol({ topics: m.topics }).metadata,
    })),
    topics: [...new Set(members.flatMap((m) => m.topics))],
  });
  return new Map(
    result.map((r) => [
      r.memberId,
      AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment ?? {},
    ]),
  );
}

describe('co-partitioned assignment', () => {
  it('gives partition p of every subscribed topic to one member, whatever the member count', () => {
    for (const count of [1, 2, 3, 4, 5, 7]) {
      const members = range(count).map((i) => ({ memberId: `m${i}`, topics: ['market', 'sentiment'] }));
      const plan = coPartitionedPlan(members, () => range(6));
      const all: number[] = [];
      for (const assignment of plan.values()) {
        expect(assignment.market ?? []).toEqual(assignment.sentiment ?? []);
        all.push(...(assignment.market ?? []));
      }
      expect(
        all.sort((a, b) => a - b),
        `${count} members`,
      ).toEqual(range(6));
    }
  });

  it('spreads partitions evenly, in member-id order, and leaves extra members with nothing', () => {
    const plan = coPartitionedPlan(
      ['c', 'a', 'b', 'd'].map((memberId) => ({ memberId, topics: ['t'] })),
      () => [5, 4, 3, 2, 1, 0],
    );
    expect(Object.fromEntries(plan)).toEqual({
      a: { t: [0, 4] },
      b: { t: [1, 5] },
      c: { t: [2] },
      d: { t: [3] },
    });
    const many = coPartitionedPlan(
      range(4).map((i) => ({ memberId: `m${i}`, topics: ['t'] })),
      () => range(2),
    );
    expect(many.get('m3')).toEqual({});
  });

  it('deals a topic only among the members subscribed to it', () => {
    const plan = coPartitionedPlan(
      [
        { memberId: 'a', topics: ['x', 'y'] },
        { memberId: 'b', topics: ['y'] },
      ],
      () => range(4),
    );
    expect(plan.get('a')).toEqual({ x: [0, 1, 2, 3], y: [0, 2] });
    expect(plan.get('b')).toEqual({ y: [1, 3] });
  });

  it('as a kafkajs assigner: co-locates where round-robin does not (5 partitions, 2 members)', async () => {
    const members = [
      { memberId: 'member-1', topics: ['market', 'sentiment'] },
      { memberId: 'member-2', topics: ['market', 'sentiment'] },
    ];
    const partitions = { market: 5, sentiment: 5 };
    const ours = await assignWith(coPartitionedAssigner, members, partitions);
    expect(Object.fromEntries(ours)).toEqual({
      'member-1': { market: [0, 2, 4], sentiment: [0, 2, 4] },
      'member-2': { market: [1, 3], sentiment: [1, 3] },
    });
    // kafkajs' default deals all ten partitions in one sequence: sentiment 0 lands with market 1.
    const roundRobin = await assignWith(PartitionAssigners.roundRobin, members, partitions);
    expect(roundRobin.get('member-1')).toEqual({ market: [0, 2, 4], sentiment: [1, 3] });
    expect(coPartitionedAssigner({} as never).name).toBe(CO_PARTITIONED_ASSIGNER);
  });
});
