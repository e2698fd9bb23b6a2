import type { TopicSpec } from '../bus/transport.js';

export type TopicProblem =
  | { kind: 'missing'; spec: TopicSpec }
  | { kind: 'partitions'; spec: TopicSpec; actual: number };

/** Specs the broker does not satisfy, given its topics and their partition counts. */
export function topicProblems(
  specs: readonly TopicSpec[],
  existing: ReadonlyMap<string, number>,
): TopicProblem[] {
  const problems: TopicProblem[] = [];
  for (const spec of specs) {
    const actual = existing.get(spec.name);
    if (actual === undefined) problems.push({ kind: 'missing', spec });
    else if (actual !== spec.partitions) problems.push({ kind: 'partitions', spec, actual });
  }
  return problems;
}

const plural = (n: number) => `${n} partition${n === 1 ? '' : 's'}`;

/** The error text: what was expected, what the broker has, and the commands that fix it. */
export function describeTopicProblems(
  problems: readonly TopicProblem[],
  context: { brokers: readonly string[]; createRefused?: string | undefined },
): string {
  const lines = [`kafka topics on ${context.brokers.join(',')} are not as expected:`];
  for (const p of problems) {
    lines.push(
      p.kind === 'missing'
        ? `  - topic ${p.spec.name}: expected ${plural(p.spec.partitions)}, it does not exist`
        : `  - topic ${p.spec.name}: expected ${plural(p.spec.partitions)}, the broker has ${plural(p.actual)}`,
    );
  }
  if (context.createRefused) lines.push(`Creating topics was refused: ${context.createRefused}.`);
  const missing = problems.filter((p) => p.kind === 'missing');
  const bootstrap = context.brokers[0] ?? '<broker>';
  if (missing.length > 0) {
    lines.push('Create them, e.g.:');
    for (const { spec } of missing) {
      const compact = spec.compacted ? ' --config cleanup.policy=compact' : '';
      lines.push(
        `  kafka-topics.sh --bootstrap-server ${bootstrap} --create --topic ${spec.name} --partitions ${spec.partitions}${compact}`,
      );
    }
    lines.push('or, on the local mock cluster (deploy/local):');
    for (const { spec } of missing) {
      lines.push(`  bash deploy/local/services.sh kafka-cmd topic ${spec.name} ${spec.partitions}`);
    }
  }
  if (problems.some((p) => p.kind === 'partitions')) {
    lines.push(
      'A topic with another partition count breaks key co-partitioning: delete and recreate it, ' +
        'or change topics.<role>.partitions to match (kafka-topics.sh --alter --partitions N can only grow a topic).',
    );
  }
  return lines.join('\n');
}

/** A topic layout the broker does not have and could not be given. */
export class TopicLayoutError extends Error {
  override readonly name = 'TopicLayoutError';
  constructor(
    readonly problems: readonly TopicProblem[],
    context: { brokers: readonly string[]; createRefused?: string | undefined },
  ) {
    super(describeTopicProblems(problems, context));
  }
}
