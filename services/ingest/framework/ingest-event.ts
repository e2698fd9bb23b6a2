import type { InboundRecord, OutboundRecord } from '../../shared/bus/transport.js';
import type { ReasonCode } from './reason-codes.js';

/**
 * What flows between the stages of an ingest pipeline. Every input record stays attached to the
 * event that carries it, so whichever stage settles it (output produced, dead-lettered, duplicate)
 * can ack it, and nothing can disappear without a stage deciding so.
 */

/** A decoded record that passed the checks so far. */
export interface Accepted<T> {
  readonly kind: 'accepted';
  readonly input: InboundRecord;
  readonly value: T;
}

/** A record that goes to the dead-letter topic. */
export interface Rejected {
  readonly kind: 'rejected';
  readonly input: InboundRecord;
  readonly reason: ReasonCode;
  readonly message: string;
}

/** A record already seen: acked at once, counted, derives nothing. */
export interface Duplicate {
  readonly kind: 'duplicate';
  readonly input: InboundRecord;
}

/** A partition's event time moved: no record older than `finalized` will be accepted from it. */
export interface WatermarkAdvanced {
  readonly kind: 'watermark';
  /** "topic:partition". */
  readonly partition: string;
  /** Highest event time seen on the partition minus the allowed out-of-orderness. */
  readonly watermark: number;
  /** watermark minus the allowed lateness: windows ending at or before it are final. */
  readonly finalized: number;
}

/** End of a finite input: release buffered records, close open windows, then report `flushed`. */
export interface FlushMarker {
  readonly kind: 'flush';
  readonly id: number;
}

/** Passes every stage unchanged; reaching the end means everything before it was delivered. */
export interface BarrierMarker {
  readonly kind: 'barrier';
  readonly id: number;
}

/** Partitions taken away by a rebalance: their un-acked records will go to another member. */
export interface RevokeMarker {
  readonly kind: 'revoke';
  /** "topic:partition" keys. */
  readonly partitions: ReadonlySet<string>;
}

export type ControlEvent = FlushMarker | BarrierMarker | RevokeMarker;

export type PipelineInput = InboundRecord | ControlEvent;

/** Between decode and transform. */
export type IngestEvent<T> = Accepted<T> | Rejected | Duplicate | WatermarkAdvanced | ControlEvent;

/** What the transform asks the delivery stage to do, in order. */
export type Work =
  /** Produce these records, then ack these inputs (the records they contributed to are stored). */
  | { readonly kind: 'produce'; readonly records: OutboundRecord[]; readonly inputs: InboundRecord[] }
  | {
      readonly kind: 'dead-letter';
      readonly input: InboundRecord;
      readonly reason: ReasonCode;
      readonly message: string;
    }
  /** A duplicate: ack only. */
  | { readonly kind: 'skip'; readonly input: InboundRecord }
  | FlushMarker
  | BarrierMarker;

/** Records have no `kind`; every control event has one. */
export const isControlInput = (e: PipelineInput): e is ControlEvent => 'kind' in e;

export const isControlEvent = <T>(e: IngestEvent<T>): e is ControlEvent =>
  e.kind === 'flush' || e.kind === 'barrier' || e.kind === 'revoke';

const partitionKeys = new Map<string, string[]>();

/**
 * "topic:partition" of a record, the key of every per-partition structure. Four stages ask for it
 * per record: the same string instance each time saves the allocation and, since V8 caches a
 * string's hash, the rehashing of a fresh key on every Map lookup.
 */
export const partitionKeyOf = (r: { topic: string; partition: number }): string => {
  let byPartition = partitionKeys.get(r.topic);
  if (!byPartition) {
    byPartition = [];
    partitionKeys.set(r.topic, byPartition);
  }
  let key = byPartition[r.partition];
  if (key === undefined) {
    key = `${r.topic}:${r.partition}`;
    byPartition[r.partition] = key;
  }
  return key;
};
