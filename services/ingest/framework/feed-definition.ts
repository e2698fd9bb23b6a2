import type { TopicSpec } from '../../shared/bus/transport.js';
import type { RecordTypes } from '../../shared/contracts/records.js';
import type { Deduplicator } from './deduplicator.js';
import type { FeedTransform } from './feed-transform.js';
import type { Violation } from './reason-codes.js';

export type InputRecordName = 'MarketTick' | 'MacroIndicator' | 'NewsSentiment';

/** What makes one consumer service different from the others; the framework does the rest. */
export interface FeedDefinition<N extends InputRecordName> {
  /** Service name: metrics label, dead-letter `service`, consumer group suffix. */
  service: string;
  recordName: N;
  input: TopicSpec;
  /** Output topics (the dead-letter topic is added by the framework). */
  outputs: TopicSpec[];
  validate(value: RecordTypes[N]): Violation | null;
  createDeduplicator(): Deduplicator<RecordTypes[N]>;
  eventTimeOf(value: RecordTypes[N]): number;
  createTransform(): FeedTransform<RecordTypes[N]>;
}
