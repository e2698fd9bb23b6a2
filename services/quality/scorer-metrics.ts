import { brierScore, metricsAtThreshold } from '../models/evaluation/probability-metrics.js';
import { averagePrecision, rocAuc } from '../models/evaluation/ranking-metrics.js';
import { alertLeadTimes } from './lead-time.js';
import { indicesBySymbol, type LabelledSample } from './walk-forward.js';

/** The metrics every scorer (the model and each baseline) gets in the quality report. */
export interface ScorerMetrics {
  rocAuc: number;
  prAuc: number;
  brier: number;
  f1: number;
  precision: number;
  recall: number;
  leadTimeBars: number;
}

/** Diagnostics next to the metrics (not part of the JSON's fixed key set). */
export interface ScorerDetails {
  threshold: number;
  alertRate: number;
  episodes: number;
  detectedEpisodes: number;
}

/** Scores of one scorer on the evaluation samples, alerting at `threshold` (score >= threshold). */
export function scorerMetrics(
  samples: readonly LabelledSample[],
  scores: ArrayLike<number>,
  threshold: number,
  horizon: number,
): { metrics: ScorerMetrics; details: ScorerDetails } {
  if (scores.length !== samples.length) {
    throw new RangeError(`expected ${samples.length} scores, got ${scores.length}`);
  }
  const labels = Float64Array.from(samples, (s) => s.event);
  const at = metricsAtThreshold(scores, labels, threshold);
  const lead = alertLeadTimes(
    indicesBySymbol(samples).map((idx) => ({
      alerts: idx.map((i) => (scores[i] as number) >= threshold),
      events: idx.map((i) => (samples[i] as LabelledSample).event),
      crossing: idx.map((i) => (samples[i] as LabelledSample).crossing),
    })),
    horizon,
  );
  return {
    metrics: {
      rocAuc: rocAuc(scores, labels),
      prAuc: averagePrecision(scores, labels),
      brier: brierScore(scores, labels),
      f1: at.f1,
      precision: at.precision,
      recall: at.recall,
      leadTimeBars: lead.meanLeadBars,
    },
    details: {
      threshold,
      alertRate: at.flaggedRate,
      episodes: lead.episodes,
      detectedEpisodes: lead.detected,
    },
  };
}
