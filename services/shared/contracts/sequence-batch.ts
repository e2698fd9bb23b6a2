import type { MarketBar } from './records.js';

/** One symbol's window, as the scorer needs it besides the tensors. */
export interface SequenceMeta {
  symbol: string;
  /** barEnd of the newest bar in the window, epoch ms. */
  barTime: number;
  /** The newest bar, unscaled (explanations show raw values; VaR-breach checks use its return). */
  lastBar: MarketBar;
  /** Raw macro vector entries by name (macroFeatureNames order). */
  macro: Record<string, number>;
  /** Raw sentiment entries by name (SENTIMENT_FEATURES order). */
  sentiment: Record<string, number>;
  /**
   * Releases the input record(s) this sequence was derived from; called by the scorer after
   * the scores and alerts for it are produced (or dead-lettered).
   */
  ack: () => void;
}

/**
 * A micro-batch of B sequences, row-major Float32Arrays ready for tf.tensor3d / onnx:
 * market [B, L, F], macro [B, M], sentiment [B, S], all scaled with the bundle's scaler.
 */
export interface SequenceBatch {
  size: number;
  seqLen: number;
  marketWidth: number;
  macroWidth: number;
  sentimentWidth: number;
  market: Float32Array;
  macro: Float32Array;
  sentiment: Float32Array;
  meta: SequenceMeta[];
  /**
   * Which scaler the tensors were scaled with: the model bundle version given to the windowing
   * stage, or 'running' (running statistics, before any bundle). A batch never mixes scalers; the
   * scorer can compare it with its model's version across a hot swap.
   */
  scalerId?: string;
}

/**
 * A closed bar joined with the macro and sentiment vectors as of its end time (no look-ahead):
 * the unit the windowing ring buffer holds and the training dataset is built from.
 */
export interface JoinedBar {
  bar: MarketBar;
  /** Raw macro vector in macroFeatureNames(indicators) order. */
  macro: number[];
  /** Raw sentiment vector in SENTIMENT_FEATURES order. */
  sentiment: number[];
}
