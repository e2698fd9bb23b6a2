import type { Accepted, WatermarkAdvanced, Work } from './ingest-event.js';

/**
 * The feed-specific part of an ingest pipeline: turns accepted records (in event-time order per
 * partition) into outputs. Every accepted input must end up in exactly one `produce` (acked when
 * its outputs are stored) or one `dead-letter` work item, now or later.
 */
export interface FeedTransform<T> {
  accept(record: Accepted<T>): Work[];
  /** A partition's event time moved; windows ending at or before `finalized` are complete. */
  watermark(event: WatermarkAdvanced): Work[];
  /** End of a finite input: emit whatever is open. */
  flush(): Work[];
  /** Partitions gone to another member: drop what is held for them (it is redelivered there). */
  revoke(partitions: ReadonlySet<string>): void;
}
