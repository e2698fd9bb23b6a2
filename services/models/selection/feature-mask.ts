import * as tf from '@tensorflow/tfjs';
import type { RiskDataset, RiskFeatureNames, RiskSplit } from '../risk/risk-dataset.js';
import type { FeatureGroup } from './feature-ranking.js';

/** A feature by group and name, written "group.name" in reports. */
export interface FeatureRef {
  group: FeatureGroup;
  name: string;
}

export const featureKey = (f: FeatureRef) => `${f.group}.${f.name}`;

/**
 * Dropping a feature keeps the serving contract: the scorer's feature lists, the shared scaler and
 * the model's input shapes stay as they are. The dropped column is set to 0 (the training mean in
 * scaled units) in every split, and after training the model's weights on that input are zeroed
 * (maskModelInputs), so whatever value arrives at serving time has no effect. On the masked data
 * those weights only ever multiplied 0, so zeroing them changes no prediction.
 */
export function maskDataset(dataset: RiskDataset, dropped: readonly FeatureRef[]): RiskDataset {
  if (dropped.length === 0) return dataset;
  const mask = (split: RiskSplit) => maskSplit(split, dataset.features, dropped);
  return {
    ...dataset,
    train: mask(dataset.train),
    validation: mask(dataset.validation),
    test: mask(dataset.test),
    holdout: mask(dataset.holdout),
  };
}

export function maskSplit(
  split: RiskSplit,
  features: RiskFeatureNames,
  dropped: readonly FeatureRef[],
): RiskSplit {
  const market = Float32Array.from(split.market);
  const macro = Float32Array.from(split.macro);
  const sentiment = Float32Array.from(split.sentiment);
  const { seqLen: l, marketWidth: f, macroWidth: m, sentimentWidth: s } = split;
  for (const d of dropped) {
    const j = indexOf(features, d);
    for (let i = 0; i < split.size; i++) {
      if (d.group === 'market') for (let t = 0; t < l; t++) market[(i * l + t) * f + j] = 0;
      else if (d.group === 'macro') macro[i * m + j] = 0;
      else sentiment[i * s + j] = 0;
    }
  }
  return { ...split, market, macro, sentiment };
}

/** First layer reading each input group of the risk model (risk-model.ts). */
const INPUT_LAYERS: Record<FeatureGroup, string> = {
  market: 'market_lstm',
  macro: 'macro_dense',
  sentiment: 'sentiment_dense',
};

/** Zeroes the input kernel rows of the dropped features (the input kernel is each layer's first weight). */
export function maskModelInputs(
  model: tf.LayersModel,
  features: RiskFeatureNames,
  dropped: readonly FeatureRef[],
): void {
  for (const d of dropped) {
    const layer = model.getLayer(INPUT_LAYERS[d.group]);
    const [kernel, ...rest] = layer.getWeights() as [tf.Tensor, ...tf.Tensor[]];
    const [rows, cols] = kernel.shape as [number, number];
    const values = kernel.dataSync().slice() as Float32Array;
    values.fill(0, indexOf(features, d) * cols, (indexOf(features, d) + 1) * cols);
    const masked = tf.tensor2d(values, [rows, cols]);
    layer.setWeights([masked, ...rest]);
    masked.dispose();
  }
}

function indexOf(features: RiskFeatureNames, d: FeatureRef): number {
  const j = features[d.group].indexOf(d.name);
  if (j < 0) throw new RangeError(`feature ${featureKey(d)} is not among the ${d.group} features`);
  return j;
}
