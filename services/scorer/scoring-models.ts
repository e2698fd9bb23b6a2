import type { FeatureContribution } from '../shared/contracts/records.js';
import type { SequenceBatch } from '../shared/contracts/sequence-batch.js';
import type { AlertLadders } from './alert-policy.js';
import type { AnomalyVerdict } from './scored-item.js';

/** Risk head outputs for a batch, one entry per sequence. */
export interface RiskPredictions {
  eventProbability: Float32Array;
  volatility: Float32Array;
  var95: Float32Array;
  var99: Float32Array;
  es95: Float32Array;
  es99: Float32Array;
}

/**
 * The models the scorer serves, loaded from verified bundles. One instance is used for a whole
 * batch, so a hot swap takes effect between batches and no record is scored by half a model.
 */
export interface ScoringModels {
  readonly riskVersion: string;
  /** The risk model's label horizon H: its VaR is of the next H bars' cumulative log return. */
  readonly riskHorizonBars: number;
  readonly anomalyVersion: string;
  readonly ladders: AlertLadders;
  predictRisk(batch: SequenceBatch): Promise<RiskPredictions>;
  /** Top contributing features of the event head for each sequence (only called for rows that may alert). */
  explainRisk(
    batch: SequenceBatch,
    rows: number[],
    topK: number,
  ): Promise<Map<number, FeatureContribution[]>>;
  /** Anomaly verdicts for each sequence; stateful per symbol (forecast vs next bar). */
  scoreAnomalies(batch: SequenceBatch): Promise<AnomalyVerdict[]>;
  dispose(): void;
}
