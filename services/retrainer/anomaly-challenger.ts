import type * as tf from '@tensorflow/tfjs';
import {
  type AnomalyBundleContent,
  loadAnomalyBundle,
  saveAnomalyBundle,
} from '../models/anomaly/anomaly-bundle.js';
import { buildAnomalyDataset } from '../models/anomaly/anomaly-dataset.js';
import { trainingProvenance } from '../models/anomaly/anomaly-training.js';
import { fitForecaster } from '../models/anomaly/forecaster-training.js';
import {
  type FalseAlarmRate,
  forecasterForecasts,
  periodFalseAlarmRate,
} from '../models/anomaly/period-false-alarms.js';
import type { ModelRegistry } from '../models/registry/model-registry.js';
import type { SymbolSeries } from '../models/risk/risk-dataset.js';
import type { ProgressCallback } from '../models/training/training-progress.js';
import { type ScalerParams, sameScaling } from '../shared/contracts/scaler.js';

export interface AnomalyFineTuneOptions {
  /** 0 keeps the champion's anomaly model (no anomaly challenger). */
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

export interface AnomalyModelNumbers {
  version: string;
  /** Flagged share of judged rows on the held-out recent period. */
  falseAlarms: FalseAlarmRate;
}

/** A fine-tuned anomaly forecaster, not yet published; the caller publishes it and disposes `model`. */
export interface AnomalyChallenger {
  champion: AnomalyModelNumbers;
  challenger: { falseAlarms: FalseAlarmRate; trainSamples: number; finalTrainLoss: number };
  model: tf.LayersModel;
  /** The champion's content with this run's training facts; version and metrics are set on publish. */
  content: AnomalyBundleContent;
  trainingSeconds: number;
}

/**
 * The anomaly half of a cycle: the champion anomaly forecaster (CURRENT) is fine-tuned on the
 * recent bars before the held-out period, with the risk champion's scaler and window (the scorer
 * serves the two only as a pair with one scaler, so a mismatch is refused here with both named),
 * and both are judged on the same period with the scorer's thresholding. The champion's rate is
 * taken before the in-place fine-tuning.
 */
export async function fineTuneAnomalyChampion(
  registry: ModelRegistry,
  input: {
    series: readonly SymbolSeries[];
    /** The risk dataset's testStart: the period starts here. */
    periodStart: number;
    risk: { version: string; seqLen: number; scaler: ScalerParams };
  },
  options: AnomalyFineTuneOptions,
  progress?: ProgressCallback,
): Promise<AnomalyChallenger> {
  const version = await registry.current('anomaly');
  if (version === null) {
    throw new Error(
      `no current anomaly model in ${registry.root}: the retrainer fine-tunes the pair the scorer serves (risk-monitor train publishes both)`,
    );
  }
  const { content, model } = await loadAnomalyBundle(registry.bundleDir('anomaly', version));
  let owned = true;
  try {
    const { risk } = input;
    if (content.spec.seqLen !== risk.seqLen || !sameScaling(content.scaler.market, risk.scaler.market)) {
      throw new Error(
        `champion anomaly ${version} (window ${content.spec.seqLen}) does not pair with risk ${risk.version} (window ${risk.seqLen})${sameScaling(content.scaler.market, risk.scaler.market) ? '' : ' and their market scalers differ'}: the scorer cannot serve them together, so no challenger is trained from them`,
      );
    }
    const dataset = buildAnomalyDataset(
      input.series.flatMap((s) => s.bars),
      {
        seqLen: risk.seqLen,
        trainFraction: 0.5, // unused: the cut is given
        cut: input.periodStart,
        scaler: risk.scaler,
        marketFeatures: content.spec.inputFeatures,
      },
    );
    if (dataset.train.count === 0 || dataset.validation.count === 0) {
      throw new RangeError(
        `anomaly fine-tuning needs windows before and in the held-out period (from ${new Date(input.periodStart).toISOString()}): have ${dataset.train.count} and ${dataset.validation.count}`,
      );
    }
    const championRate = periodFalseAlarmRate(
      forecasterForecasts(model, content.spec),
      content.spec,
      content.tracker,
      dataset,
    );
    const started = Date.now();
    const width = dataset.marketFeatures.length;
    const columns = content.spec.targetFeatures.map((f) => dataset.marketFeatures.indexOf(f));
    const targets = new Float32Array(dataset.train.count * columns.length);
    for (let i = 0; i < dataset.train.count; i++)
      columns.forEach((c, k) => {
        targets[i * columns.length + k] = dataset.train.targets[i * width + c] as number;
      });
    // The loaded model is not compiled: fitForecaster compiles it with the fine-tuning rate.
    owned = false;
    const losses = await fitForecaster(
      model,
      content.spec,
      { count: dataset.train.count, inputs: dataset.train.inputs, targets },
      {
        epochs: options.epochs,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        seed: options.seed,
        onProgress: progress,
      },
    );
    const trainingSeconds = (Date.now() - started) / 1000;
    const challengerRate = periodFalseAlarmRate(
      forecasterForecasts(model, content.spec),
      content.spec,
      content.tracker,
      dataset,
    );
    return {
      champion: { version, falseAlarms: championRate },
      challenger: {
        falseAlarms: challengerRate,
        trainSamples: dataset.train.count,
        finalTrainLoss: losses.at(-1) ?? Number.NaN,
      },
      model,
      content: {
        ...content,
        scaler: risk.scaler,
        training: trainingProvenance(dataset, options.epochs),
      },
      trainingSeconds,
    };
  } catch (err) {
    if (!owned) model.dispose();
    throw err;
  } finally {
    if (owned) model.dispose();
  }
}

/** Publishes the challenger (always, also when rejected, so its numbers stay available). */
export async function publishAnomalyChallenger(
  registry: ModelRegistry,
  challenger: AnomalyChallenger,
  meta: { version: string; createdAt: number; metrics: Record<string, number> },
): Promise<string> {
  const content: AnomalyBundleContent = {
    ...challenger.content,
    version: meta.version,
    createdAt: meta.createdAt,
    // The champion's own training metrics describe another run: only this run's numbers.
    metrics: {
      'period.falseAlarmRate': challenger.challenger.falseAlarms.rate,
      'period.judgedRows': challenger.challenger.falseAlarms.judged,
      'champion.period.falseAlarmRate': challenger.champion.falseAlarms.rate,
      finalTrainLoss: challenger.challenger.finalTrainLoss,
      ...meta.metrics,
    },
  };
  for (const k of Object.keys(content.metrics))
    if (!Number.isFinite(content.metrics[k])) delete content.metrics[k];
  return registry.publish('anomaly', meta.version, (dir) =>
    saveAnomalyBundle(dir, content, challenger.model),
  );
}
