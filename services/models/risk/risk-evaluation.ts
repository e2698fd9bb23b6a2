import * as tf from '@tensorflow/tfjs';
import { brierScore, metricsAtThreshold } from '../evaluation/probability-metrics.js';
import { averagePrecision, rocAuc } from '../evaluation/ranking-metrics.js';
import { meanAbsoluteError, meanPinballLoss, quantileCoverage } from '../evaluation/regression-metrics.js';
import type { RiskSplit } from './risk-dataset.js';

/** The model's raw head outputs for every sample of a split. */
export interface RiskPredictions {
  event: Float32Array;
  vol: Float32Array;
  q01: Float32Array;
  q05: Float32Array;
}

export interface RiskMetrics {
  samples: number;
  positives: number;
  positiveRate: number;
  rocAuc: number;
  prAuc: number;
  brier: number;
  /** Brier of always predicting the split's own positive rate (the bar to beat). */
  brierBaseline: number;
  /** Precision / recall / F1 at probability 0.5. */
  precisionAt50: number;
  recallAt50: number;
  f1At50: number;
  volMae: number;
  /** MAE of using sigma_t (the bar's EWMA vol) as the forecast. */
  volMaeEwmaBaseline: number;
  /** Share of H-bar returns below q01 / q05 (targets 0.01 / 0.05). */
  q01Coverage: number;
  q05Coverage: number;
  pinball01: number;
  pinball05: number;
}

/** Runs the model over a split in chunks (inference mode) and collects the head outputs. */
export function predictRiskSplit(model: tf.LayersModel, split: RiskSplit, batchSize = 512): RiskPredictions {
  const n = split.size;
  const out: RiskPredictions = {
    event: new Float32Array(n),
    vol: new Float32Array(n),
    q01: new Float32Array(n),
    q05: new Float32Array(n),
  };
  const { seqLen: l, marketWidth: f, macroWidth: m, sentimentWidth: s } = split;
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    const [event, vol, quantiles] = tf.tidy(() => {
      const outputs = model.predict([
        tf.tensor3d(split.market.subarray(start * l * f, (start + b) * l * f), [b, l, f]),
        tf.tensor2d(split.macro.subarray(start * m, (start + b) * m), [b, m]),
        tf.tensor2d(split.sentiment.subarray(start * s, (start + b) * s), [b, s]),
      ]) as tf.Tensor[];
      return outputs.map((t) => t.dataSync() as Float32Array);
    }) as [Float32Array, Float32Array, Float32Array];
    out.event.set(event, start);
    out.vol.set(vol, start);
    for (let i = 0; i < b; i++) {
      out.q01[start + i] = quantiles[2 * i] as number;
      out.q05[start + i] = quantiles[2 * i + 1] as number;
    }
  }
  return out;
}

export function evaluateRisk(pred: RiskPredictions, split: RiskSplit): RiskMetrics {
  const n = split.size;
  let positives = 0;
  for (let i = 0; i < n; i++) if ((split.event[i] as number) > 0.5) positives++;
  const rate = n > 0 ? positives / n : Number.NaN;
  const at50 = metricsAtThreshold(pred.event, split.event, 0.5);
  return {
    samples: n,
    positives,
    positiveRate: rate,
    rocAuc: rocAuc(pred.event, split.event),
    prAuc: averagePrecision(pred.event, split.event),
    brier: brierScore(pred.event, split.event),
    brierBaseline: brierScore(new Float32Array(n).fill(rate), split.event),
    precisionAt50: at50.precision,
    recallAt50: at50.recall,
    f1At50: at50.f1,
    volMae: meanAbsoluteError(pred.vol, split.vol),
    volMaeEwmaBaseline: meanAbsoluteError(split.sigma, split.vol),
    q01Coverage: quantileCoverage(pred.q01, split.horizonReturn),
    q05Coverage: quantileCoverage(pred.q05, split.horizonReturn),
    pinball01: meanPinballLoss(pred.q01, split.horizonReturn, 0.01),
    pinball05: meanPinballLoss(pred.q05, split.horizonReturn, 0.05),
  };
}

/** Flattens metrics to name -> number for bundle metadata and ModelUpdate.metrics (NaN dropped). */
export function flattenMetrics(prefix: string, metrics: RiskMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) if (Number.isFinite(v)) out[`${prefix}.${k}`] = v;
  return out;
}
