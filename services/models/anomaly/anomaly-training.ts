import type * as tf from '@tensorflow/tfjs';
import type { ScalerParams } from '../../shared/contracts/scaler.js';
import type { JoinedBar } from '../../shared/contracts/sequence-batch.js';
import type { ProgressCallback } from '../training/training-progress.js';
import { ANOMALY_BUNDLE_FORMAT, type AnomalyBundleContent } from './anomaly-bundle.js';
import { type AnomalyDataset, buildAnomalyDataset } from './anomaly-dataset.js';
import { type AnomalyEvaluation, evaluateAnomalyModel } from './anomaly-evaluation.js';
import { DEFAULT_TRACKER_PARAMS, type TrackerParams } from './anomaly-tracker.js';
import { buildForecaster, type ForecasterSpec } from './forecaster-model.js';
import { ForecasterRuntime } from './forecaster-runtime.js';
import { fitForecaster } from './forecaster-training.js';

export interface AnomalyTrainingOptions {
  seqLen: number;
  units: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  trainFraction: number;
  /** Forecast the change from the last bar instead of the level. */
  residual: boolean;
  /** Defaults to all market features. */
  targetFeatures?: readonly string[];
  /** The pipeline's scaler (e.g. from the risk bundle); fitted on the train split when absent. */
  scaler?: ScalerParams;
  macroNames?: readonly string[];
  clip?: number;
  tracker: TrackerParams;
  version: string;
  now: () => number;
  /** Batch and epoch progress of the forecaster fit. */
  onProgress?: ProgressCallback | undefined;
}

export const DEFAULT_ANOMALY_TRAINING: Omit<AnomalyTrainingOptions, 'version' | 'now'> = {
  seqLen: 32,
  units: 20,
  epochs: 20,
  batchSize: 64,
  learningRate: 0.003,
  seed: 11,
  trainFraction: 0.8,
  residual: false,
  tracker: DEFAULT_TRACKER_PARAMS,
};

export interface TrainedAnomalyModel {
  model: tf.LayersModel;
  content: AnomalyBundleContent;
  evaluation: AnomalyEvaluation;
  /** Mean training loss per epoch. */
  losses: number[];
}

/**
 * Trains the pipeline's anomaly forecaster from joined bars (time-ordered split, train-only
 * scaler), evaluates it on the later bars and returns the model with its bundle content. The
 * caller saves it (saveAnomalyBundle) or hands it to the registry.
 */
export async function trainAnomalyModel(
  bars: readonly JoinedBar[],
  options: AnomalyTrainingOptions,
): Promise<TrainedAnomalyModel> {
  const dataset = buildAnomalyDataset(bars, {
    seqLen: options.seqLen,
    trainFraction: options.trainFraction,
    ...(options.scaler ? { scaler: options.scaler } : {}),
    ...(options.macroNames ? { macroNames: options.macroNames } : {}),
    ...(options.clip !== undefined ? { clip: options.clip } : {}),
  });
  if (dataset.train.count === 0) {
    throw new RangeError(
      `no training samples: need symbols with more than ${options.seqLen} bars before the cut`,
    );
  }
  const spec: ForecasterSpec = {
    seqLen: options.seqLen,
    inputFeatures: dataset.marketFeatures,
    targetFeatures: [...(options.targetFeatures ?? dataset.marketFeatures)],
    units: options.units,
    residual: options.residual,
    seed: options.seed,
  };
  const targetColumns = spec.targetFeatures.map((f) => dataset.marketFeatures.indexOf(f));
  const select = (targets: Float32Array, count: number): Float32Array => {
    if (targetColumns.length === dataset.marketFeatures.length) return targets;
    const width = dataset.marketFeatures.length;
    const out = new Float32Array(count * targetColumns.length);
    for (let i = 0; i < count; i++)
      targetColumns.forEach((c, k) => {
        out[i * targetColumns.length + k] = targets[i * width + c] as number;
      });
    return out;
  };
  const model = buildForecaster(spec);
  const trainSamples = { ...dataset.train, targets: select(dataset.train.targets, dataset.train.count) };
  const losses = await fitForecaster(model, spec, trainSamples, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    seed: options.seed,
    onProgress: options.onProgress,
  });
  const validation = {
    ...dataset.validation,
    targets: select(dataset.validation.targets, dataset.validation.count),
  };
  const forecasts = new ForecasterRuntime(model, spec).forecast(validation.inputs, validation.count);
  const evaluation = evaluateAnomalyModel(spec, validation, validation.symbols, forecasts, options.tracker);
  const content: AnomalyBundleContent = {
    format: ANOMALY_BUNDLE_FORMAT,
    formatVersion: 1,
    version: options.version,
    createdAt: options.now(),
    spec,
    scaler: dataset.scaler,
    tracker: options.tracker,
    metrics: {
      validationMse: evaluation.mse,
      validationMae: evaluation.mae,
      persistenceMse: evaluation.persistenceMse,
      forecastSkill: evaluation.skill,
      anomalyRate: evaluation.anomalyRate,
      scoreP50: evaluation.scoreQuantiles.p50,
      scoreP90: evaluation.scoreQuantiles.p90,
      scoreP99: evaluation.scoreQuantiles.p99,
      finalTrainLoss: losses[losses.length - 1] ?? Number.NaN,
    },
    training: trainingProvenance(dataset, options.epochs),
  };
  return { model, content, evaluation, losses };
}

/** What an anomaly bundle records of the data and run that trained (or fine-tuned) it. */
export function trainingProvenance(
  dataset: AnomalyDataset,
  epochs: number,
): AnomalyBundleContent['training'] {
  return {
    dataFrom: dataset.dataRange.from,
    dataTo: dataset.dataRange.to,
    cut: dataset.cut,
    trainSamples: dataset.train.count,
    validationSamples: dataset.validation.count,
    epochs,
    symbols: [...new Set([...dataset.train.symbols, ...dataset.validation.symbols])].sort(),
  };
}
