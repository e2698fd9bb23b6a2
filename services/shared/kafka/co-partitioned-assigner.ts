import { AssignerProtocol, type GroupMemberAssignment, type PartitionAssigner } from 'kafkajs';

export const CO_PARTITIONED_ASSIGNER = 'CoPartitioned';

export interface GroupMemberTopics {
  memberId: string;
  topics: readonly string[];
}

/**
 * Partition p of every topic goes to the same member: the members subscribed to a topic, sorted
 * by id, take its partitions by `p % count` (the embedded bus's assignment too). So topics with
 * the same partition count and key partitioner (market and sentiment features) are co-located:
 * the member that owns a symbol's bars also owns its sentiment. kafkajs' RoundRobinAssigner deals
 * the partitions of all topics in one sequence instead, which separates partition p of two
 * topics whenever the member count does not divide the partition count.
 */
export function coPartitionedPlan(
  members: readonly GroupMemberTopics[],
  partitionsOf: (topic: string) => readonly number[],
): Map<string, Record<string, number[]>> {
  const plan = new Map<string, Record<string, number[]>>();
  const sorted = [...members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
  );
  for (const m of sorted) plan.set(m.memberId, {});
  const topics = [...new Set(sorted.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const subscribers = sorted.filter((m) => m.topics.includes(topic));
    const partitions = [...partitionsOf(topic)].sort((a, b) => a - b);
    for (const p of partitions) {
      const owner = subscribers[p % subscribers.length] as GroupMemberTopics;
      const assignment = plan.get(owner.memberId) as Record<string, number[]>;
      assignment[topic] = [...(assignment[topic] ?? []), p];
    }
  }
  return plan;
}

/** The kafkajs PartitionAssigner around coPartitionedPlan (partition lists from the cluster metadata). */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNER,
  version: 0,
  async assign({ members }): Promise<GroupMemberAssignment[]> {
    const subscriptions = members.map(({ memberId, memberMetadata }) => ({
      memberId,
      topics: AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? [],
    }));
    const plan = coPartitionedPlan(subscriptions, (topic) =>
      cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId),
    );
    return [...plan].map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITIONED_ASSIGNER,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
