import type { AnomalyAlert, FeatureContribution, RiskAlert, RiskScore } from '../shared/contracts/records.js';
import type { SequenceMeta } from '../shared/contracts/sequence-batch.js';

/** The anomaly model's verdict on one symbol's newest bar. */
export interface AnomalyVerdict {
  score: number;
  smoothedError: number;
  threshold: number;
  contributions: FeatureContribution[];
}

/** One scored sequence: the RiskScore record plus what the alert policy needs to explain it. */
export interface ScoredItem {
  meta: SequenceMeta;
  score: RiskScore;
  riskExplanation: FeatureContribution[];
  anomaly: AnomalyVerdict;
}

export type SuppressReason = 'hysteresis' | 'cooldown' | 'dedupe' | 'grouped';

/**
 * What the scorer produces for a set of scored items: records for the sinks and the acks to call
 * once they are stored. Suppressed counts feed the metrics.
 */
export interface Emission {
  scores: RiskScore[];
  riskAlerts: RiskAlert[];
  anomalyAlerts: AnomalyAlert[];
  suppressed: Partial<Record<SuppressReason, number>>;
  acks: Array<() => void>;
}

export const emptyEmission = (): Emission => ({
  scores: [],
  riskAlerts: [],
  anomalyAlerts: [],
  suppressed: {},
  acks: [],
});
