import { describe, expect, it } from 'vitest';
import {
  describeTopicProblems,
  TopicLayoutError,
  topicProblems,
} from '../../../services/shared/kafka/topic-layout-check.js';

describe('topic layout check', () => {
  const existing = new Map([
    ['market.ticks', 6],
    ['risk.dlq', 4],
  ]);

  it('finds missing topics and wrong partition counts', () => {
    expect(
      topicProblems(
        [
          { name: 'market.ticks', partitions: 6 },
          { name: 'risk.dlq', partitions: 3 },
          { name: 'risk.model-updates', partitions: 1, compacted: true },
        ],
        existing,
      ),
    ).toEqual([
      { kind: 'partitions', spec: { name: 'risk.dlq', partitions: 3 }, actual: 4 },
      { kind: 'missing', spec: { name: 'risk.model-updates', partitions: 1, compacted: true } },
    ]);
  });

  it('says what was expected, what the broker has and how to fix it', () => {
    const problems = topicProblems(
      [
        { name: 'risk.dlq', partitions: 3 },
        { name: 'risk.model-updates', partitions: 1, compacted: true },
      ],
      existing,
    );
    const text = describeTopicProblems(problems, {
      brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      createRefused: 'no controller',
    });
    expect(text).toBe(
      [
        'kafka topics on 127.0.0.1:9092,127.0.0.1:9093 are not as expected:',
        '  - topic risk.dlq: expected 3 partitions, the broker has 4 partitions',
        '  - topic risk.model-updates: expected 1 partition, it does not exist',
        'Creating topics was refused: no controller.',
        'Create them, e.g.:',
        '  kafka-topics.sh --bootstrap-server 127.0.0.1:9092 --create --topic risk.model-updates --partitions 1 --config cleanup.policy=compact',
        'or, on the local mock cluster (deploy/local):',
        '  bash deploy/local/services.sh kafka-cmd topic risk.model-updates 1',
        'A topic with another partition count breaks key co-partitioning: delete and recreate it, or change topics.<role>.partitions to match (kafka-topics.sh --alter --partitions N can only grow a topic).',
      ].join('\n'),
    );
    expect(new TopicLayoutError(problems, { brokers: ['b:1'] }).problems).toBe(problems);
  });
});
