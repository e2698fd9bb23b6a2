import type { InboundRecord } from '../shared/bus/transport.js';
import type { MacroFeature, MarketBar, SentimentFeature } from '../shared/contracts/records.js';
import type { JoinedBar } from '../shared/contracts/sequence-batch.js';

/**
 * The events that flow between the windowing operators, in pipeline order:
 * SourceEvent -> (decodeFeatures) FeatureEvent -> (asOfJoin) JoinEvent -> (ringWindow) Sequence
 * -> (normalise) ScaledSequence -> (microBatch) SequenceBatch.
 */

/** Partitions of the co-partitioned market and sentiment topics gained or lost by this instance. */
export interface PartitionChange {
  kind: 'assigned' | 'revoked';
  market: number[];
  sentiment: number[];
}

export interface RecordEvent {
  kind: 'record';
  record: InboundRecord;
  /** group: this instance's partitions of market+sentiment; global: read whole (macro, market-wide sentiment). */
  scope: 'group' | 'global';
  /** Read back to rebuild state after an assignment: folded into state, never emitted again. */
  replay: boolean;
}

export interface MacroBootstrapped {
  kind: 'macro-bootstrapped';
  /** True when the macro table did not reach its high watermark in time and the join started anyway. */
  timedOut: boolean;
}

export type SourceEvent = RecordEvent | PartitionChange | MacroBootstrapped;

export interface BarEvent {
  kind: 'bar';
  bar: MarketBar;
  partition: number;
  replay: boolean;
  ack: () => void;
}

export interface SentimentEvent {
  kind: 'sentiment';
  feature: SentimentFeature;
  /** The sentiment partition for symbol states; 'global' for the market-wide reader. */
  partition: number | 'global';
  ack: () => void;
}

export interface MacroEvent {
  kind: 'macro';
  feature: MacroFeature;
  ack: () => void;
}

/** A compaction tombstone on the macro table for the key `${indicatorId}|${periodEnd}`. */
export interface MacroTombstone {
  kind: 'macro-tombstone';
  key: string;
  ack: () => void;
}

export type FeatureEvent =
  | BarEvent
  | SentimentEvent
  | MacroEvent
  | MacroTombstone
  | PartitionChange
  | MacroBootstrapped;

export interface JoinedEvent {
  kind: 'joined';
  joined: JoinedBar;
  partition: number;
  replay: boolean;
  ack: () => void;
}

/** The join passes partition changes on so the ring window can drop revoked symbols. */
export type JoinEvent = JoinedEvent | PartitionChange;

/** One symbol's window of the last L joined bars, oldest first, ending at the bar that produced it. */
export interface Sequence {
  symbol: string;
  partition: number;
  bars: JoinedBar[];
  /** Releases the newest bar's record (the one that produced this window). */
  ack: () => void;
}

/** A sequence scaled and laid out row-major, ready to be copied into a batch. */
export interface ScaledSequence {
  symbol: string;
  last: JoinedBar;
  /** [L, F] */
  market: Float32Array;
  /** [M], as of the newest bar */
  macro: Float32Array;
  /** [S], as of the newest bar */
  sentiment: Float32Array;
  scalerId: string;
  ack: () => void;
}
