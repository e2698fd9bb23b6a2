import { AnomalyTracker, type TrackerParams } from './anomaly-tracker.js';
import { type ForecasterSpec, targetIndices } from './forecaster-model.js';
import type { ForecastSamples } from './forecaster-training.js';

export interface FeatureForecastMetrics {
  feature: string;
  mse: number;
  /** MSE of the persistence forecast (the feature's value in the window's last row). */
  persistenceMse: number;
}

export interface AnomalyEvaluation {
  samples: number;
  mse: number;
  mae: number;
  persistenceMse: number;
  /** 1 - mse / persistenceMse: > 0 means the forecaster beats "no change". */
  skill: number;
  perFeature: FeatureForecastMetrics[];
  /** Rows the tracker judged (threshold warmed up) and the share of them flagged anomalous. */
  judgedRows: number;
  anomalyRate: number;
  scoreQuantiles: { p50: number; p90: number; p99: number; max: number };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * Forecast accuracy on held-out samples against the persistence baseline, then the anomaly
 * tracker run over each symbol's errors in time order (fresh state per symbol) for the alarm rate
 * and the score distribution it would produce. `symbols` gives each sample's symbol, samples of a
 * symbol in time order.
 */
export function evaluateAnomalyModel(
  spec: ForecasterSpec,
  samples: ForecastSamples,
  symbols: readonly string[],
  forecasts: Float32Array,
  tracker: TrackerParams,
): AnomalyEvaluation {
  const idx = targetIndices(spec);
  const fin = spec.inputFeatures.length;
  const fout = idx.length;
  const n = samples.count;
  const sq = new Float64Array(fout);
  const persistSq = new Float64Array(fout);
  let abs = 0;
  const trackers = new Map<string, AnomalyTracker>();
  const errors = new Float64Array(fout);
  const actuals = new Float64Array(fout);
  const scores: number[] = [];
  let judged = 0;
  let flagged = 0;
  for (let i = 0; i < n; i++) {
    const last = (i * spec.seqLen + spec.seqLen - 1) * fin;
    for (let k = 0; k < fout; k++) {
      const actual = samples.targets[i * fout + k] as number;
      const e = actual - (forecasts[i * fout + k] as number);
      const p = actual - (samples.inputs[last + (idx[k] as number)] as number);
      sq[k] = (sq[k] as number) + e * e;
      persistSq[k] = (persistSq[k] as number) + p * p;
      abs += Math.abs(e);
      errors[k] = Math.abs(e);
      actuals[k] = actual;
    }
    const symbol = symbols[i] as string;
    let t = trackers.get(symbol);
    if (t === undefined) {
      t = new AnomalyTracker(fout, tracker);
      trackers.set(symbol, t);
    }
    const point = t.update(errors, actuals);
    if (Number.isFinite(point.threshold)) {
      judged++;
      if (point.isAnomaly) flagged++;
      scores.push(point.score);
    }
  }
  scores.sort((a, b) => a - b);
  const perFeature = spec.targetFeatures.map((feature, k) => ({
    feature,
    mse: n > 0 ? (sq[k] as number) / n : 0,
    persistenceMse: n > 0 ? (persistSq[k] as number) / n : 0,
  }));
  const mse = perFeature.reduce((s, f) => s + f.mse, 0) / Math.max(1, fout);
  const persistenceMse = perFeature.reduce((s, f) => s + f.persistenceMse, 0) / Math.max(1, fout);
  return {
    samples: n,
    mse,
    mae: n > 0 ? abs / (n * fout) : 0,
    persistenceMse,
    skill: persistenceMse > 0 ? 1 - mse / persistenceMse : 0,
    perFeature,
    judgedRows: judged,
    anomalyRate: judged > 0 ? flagged / judged : 0,
    scoreQuantiles: {
      p50: quantile(scores, 0.5),
      p90: quantile(scores, 0.9),
      p99: quantile(scores, 0.99),
      max: scores.length > 0 ? (scores[scores.length - 1] as number) : 0,
    },
  };
}
