import * as tf from '@tensorflow/tfjs';
import type { ScoreDistribution } from '../bundle/bundle-schemas.js';
import { describeDistribution } from '../bundle/feature-distribution.js';
import { SeededRandom } from '../training/seeded-random.js';
import type { ProgressCallback } from '../training/training-progress.js';
import { type CalibrationOptions, calibrateSeverities, type RiskCalibration } from './risk-calibration.js';
import type { RiskDataset, RiskSplit } from './risk-dataset.js';
import { evaluateRisk, predictRiskSplit, type RiskMetrics } from './risk-evaluation.js';
import { eventPositiveWeight, logHuberLoss, pinballLoss, weightedBinaryCrossEntropy } from './risk-losses.js';
import {
  buildRiskModel,
  DEFAULT_RISK_MODEL_SIZE,
  EVENT_LAYER,
  RISK_QUANTILES,
  type RiskModelSpec,
  reseedDropout,
  softplusInverse,
} from './risk-model.js';

export interface RiskTrainingOptions {
  /** Maximum epochs; early stopping usually ends sooner. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Stop after this many epochs without a better validation loss; the best epoch's weights are kept. */
  patience: number;
  /** A validation loss counts as better only when it is lower by more than this. */
  minDelta: number;
  /** Seeds initializers, dropout and the shuffle. */
  seed: number;
  lstmUnits: number;
  contextUnits: number;
  denseUnits: number;
  dropout: number;
  contextDropout: number;
  l2: number;
  /** Cap on the event head's positive-class weight n_neg / n_pos. */
  positiveWeightCap: number;
  /** Weights of the three loss terms in the total. */
  lossWeights: { event: number; vol: number; quantiles: number };
  /** Gradients are rescaled when their global L2 norm exceeds this (LSTMs spike). */
  clipNorm: number;
  calibration?: CalibrationOptions;
  /**
   * Fine-tune this model instead of building a fresh one (the retrainer's warm start). It is
   * trained in place; its layer sizes override lstmUnits / contextUnits / denseUnits.
   */
  warmStart?: WarmStart;
}

export interface WarmStart {
  /** A risk model with the dataset's input widths, e.g. the champion loaded from its bundle. */
  model: tf.LayersModel;
  /** Layer names to keep fixed (layer.trainable = false), e.g. [RISK_LSTM_LAYER]. */
  freeze?: readonly string[];
}

export const DEFAULT_RISK_TRAINING_OPTIONS: RiskTrainingOptions = {
  epochs: 30,
  batchSize: 64,
  learningRate: 1e-3,
  patience: 5,
  minDelta: 1e-4,
  seed: 42,
  ...DEFAULT_RISK_MODEL_SIZE,
  positiveWeightCap: 20,
  lossWeights: { event: 1, vol: 1, quantiles: 1 },
  clipNorm: 1,
};

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  validationParts: Record<string, number>;
}

export interface TrainedRiskModel {
  /** Trained weights of the best epoch; the event head outputs prior-corrected probabilities. */
  model: tf.LayersModel;
  spec: RiskModelSpec;
  options: RiskTrainingOptions;
  positiveWeight: number;
  /** Std of the train split's H-bar return (the pinball term's scale). */
  returnScale: number;
  bestEpoch: number;
  epochsRun: number;
  history: EpochRecord[];
  evaluation: { validation: RiskMetrics; test: RiskMetrics; holdout: RiskMetrics | null };
  /** Event probabilities on the validation split, binned: the reference for score drift. */
  scoreDistribution: ScoreDistribution;
  calibration: RiskCalibration;
  backend: string;
}

interface LossParts {
  event: tf.Scalar;
  vol: tf.Scalar;
  quantiles: tf.Scalar;
}

/**
 * Trains the risk model on a dataset's train split, early-stopping on the validation loss, then
 * corrects the event head for the class weight, evaluates validation / test / holdout and fits the
 * severity thresholds on validation. Deterministic for a seed on one backend (see docs/models.md).
 */
export async function trainRiskModel(
  dataset: RiskDataset,
  overrides: Partial<RiskTrainingOptions> = {},
  progress: ProgressCallback = () => {},
): Promise<TrainedRiskModel> {
  const options: RiskTrainingOptions = { ...DEFAULT_RISK_TRAINING_OPTIONS, ...overrides };
  const { train, validation } = dataset;
  if (train.size === 0) throw new RangeError('the train split has no samples');
  if (validation.size === 0)
    throw new RangeError('the validation split has no samples (early stopping needs it)');

  const started = Date.now();
  let positives = 0;
  for (const e of train.event) positives += e;
  const positiveWeight = eventPositiveWeight(positives, train.size - positives, options.positiveWeightCap);
  const returnScale = Math.max(1e-6, std(train.horizonReturn));
  const warm = options.warmStart;
  const spec: RiskModelSpec = {
    seqLen: train.seqLen,
    marketWidth: train.marketWidth,
    macroWidth: train.macroWidth,
    sentimentWidth: train.sentimentWidth,
    lstmUnits: warm ? layerUnits(warm.model, RISK_LSTM_LAYER) : options.lstmUnits,
    contextUnits: warm ? layerUnits(warm.model, 'macro_dense') : options.contextUnits,
    denseUnits: warm ? layerUnits(warm.model, 'shared_dense') : options.denseUnits,
    dropout: options.dropout,
    contextDropout: options.contextDropout,
    l2: options.l2,
    seed: options.seed,
    ...(warm ? {} : { init: headInit(train) }),
  };
  const model = warm ? prepareWarmStart(warm, train, positiveWeight) : buildRiskModel(spec);
  const optimizer: tf.Optimizer = tf.train.adam(options.learningRate);
  const rng = new SeededRandom(options.seed);
  const nextSeed = () => rng.nextInt(2 ** 31 - 1);

  const lossParts = (outputs: tf.Tensor[], labels: BatchLabels): LossParts => ({
    event: weightedBinaryCrossEntropy(labels.event, outputs[0] as tf.Tensor, positiveWeight),
    vol: logHuberLoss(labels.vol, outputs[1] as tf.Tensor),
    quantiles: pinballLoss(labels.horizonReturn, outputs[2] as tf.Tensor, RISK_QUANTILES, returnScale),
  });
  const total = (p: LossParts): tf.Scalar =>
    p.event
      .mul(options.lossWeights.event)
      .add(p.vol.mul(options.lossWeights.vol))
      .add(p.quantiles.mul(options.lossWeights.quantiles)) as tf.Scalar;

  const batchesPerEpoch = Math.ceil(train.size / options.batchSize);
  progress({
    kind: 'start',
    model: 'risk',
    epochs: options.epochs,
    batchesPerEpoch,
    trainSamples: train.size,
    validationSamples: validation.size,
    details: {
      positiveRate: positives / train.size,
      positiveWeight,
      returnScale,
      backend: tf.getBackend(),
      seqLen: spec.seqLen,
      lstmUnits: spec.lstmUnits,
    },
  });

  const history: EpochRecord[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, weights: [] as tf.Tensor[] };
  const indices = Array.from({ length: train.size }, (_, i) => i);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let epoch = 0;
  for (epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = Date.now();
    rng.shuffle(indices);
    let lossSum = 0;
    for (let b = 0; b < batchesPerEpoch; b++) {
      const batchIdx = indices.slice(b * options.batchSize, (b + 1) * options.batchSize);
      reseedDropout(model, nextSeed);
      const loss = tf.tidy(() => {
        const { inputs, labels } = gatherBatch(train, batchIdx);
        const { value, grads } = tf.variableGrads(() => {
          const outputs = model.apply(inputs, { training: true }) as tf.Tensor[];
          const regularization = model.calculateLosses().reduce((a, r) => a.add(r), tf.scalar(0));
          return total(lossParts(outputs, labels)).add(regularization) as tf.Scalar;
        }, variables);
        optimizer.applyGradients(clipByGlobalNorm(grads, options.clipNorm));
        return value.dataSync()[0] as number;
      });
      lossSum += loss * batchIdx.length;
      progress({ kind: 'batch', epoch, batch: b + 1, batchesPerEpoch, loss });
      // Yield so timers (progress bar, metrics server, signals) get a turn between batches.
      if (b % 16 === 15) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const parts = evaluateLoss(model, validation, (outputs, labels) => lossParts(outputs, labels));
    const validationLoss =
      parts.event * options.lossWeights.event +
      parts.vol * options.lossWeights.vol +
      parts.quantiles * options.lossWeights.quantiles;
    const improved = validationLoss < best.loss - options.minDelta;
    if (improved) {
      for (const w of best.weights) w.dispose();
      best = { loss: validationLoss, epoch, weights: model.getWeights().map((w) => w.clone()) };
    }
    const record = { epoch, trainLoss: lossSum / train.size, validationLoss, validationParts: parts };
    history.push(record);
    progress({
      kind: 'epoch',
      ...record,
      epochs: options.epochs,
      improved,
      elapsedMs: Date.now() - epochStart,
    });
    if (epoch - best.epoch >= options.patience) {
      progress({ kind: 'early-stop', epoch, bestEpoch: best.epoch, patience: options.patience });
      break;
    }
  }
  const epochsRun = Math.min(epoch, options.epochs);
  model.setWeights(best.weights);
  for (const w of best.weights) w.dispose();
  optimizer.dispose();
  correctEventPrior(model, positiveWeight);

  const validationPred = predictRiskSplit(model, validation);
  const evaluation = {
    validation: evaluateRisk(validationPred, validation),
    test: evaluateRisk(predictRiskSplit(model, dataset.test), dataset.test),
    holdout:
      dataset.holdout.size > 0
        ? evaluateRisk(predictRiskSplit(model, dataset.holdout), dataset.holdout)
        : null,
  };
  const calibration = calibrateSeverities(validationPred.event, validation.event, options.calibration);
  const { group: _group, ...scoreDistribution } = describeDistribution(
    'market',
    'eventProbability',
    Array.from(validationPred.event),
  );
  progress({
    kind: 'done',
    bestEpoch: best.epoch,
    epochsRun,
    bestValidationLoss: best.loss,
    elapsedMs: Date.now() - started,
  });
  return {
    model,
    spec,
    options,
    positiveWeight,
    returnScale,
    bestEpoch: best.epoch,
    epochsRun,
    history,
    evaluation,
    scoreDistribution,
    calibration,
    backend: tf.getBackend(),
  };
}

/** Layer name of the market tower's LSTM (frozen by the retrainer's freezeLstm option). */
export const RISK_LSTM_LAYER = 'market_lstm';

function layerUnits(model: tf.LayersModel, name: string): number {
  const units = model.getLayer(name).getConfig().units;
  if (typeof units !== 'number') throw new RangeError(`layer ${name} of the warm-start model has no units`);
  return units;
}

/**
 * Checks the warm-start model against the dataset, freezes the requested layers and undoes the
 * saved model's prior correction (its event bias was shifted by -ln(w) after it was trained):
 * weighted training learns odds multiplied by w, so fine-tuning starts from the same place a
 * fresh weighted run would reach, and correctEventPrior afterwards removes ln(w) again.
 */
function prepareWarmStart(warm: WarmStart, train: RiskSplit, positiveWeight: number): tf.LayersModel {
  const { model } = warm;
  const want = [
    [null, train.seqLen, train.marketWidth],
    [null, train.macroWidth],
    [null, train.sentimentWidth],
  ];
  const have = model.inputs.map((i) => i.shape);
  if (JSON.stringify(have) !== JSON.stringify(want)) {
    throw new RangeError(
      `warm-start model inputs ${JSON.stringify(have)} do not match the dataset ${JSON.stringify(want)}`,
    );
  }
  for (const name of warm.freeze ?? []) model.getLayer(name).trainable = false;
  if (positiveWeight !== 1) correctEventPrior(model, 1 / positiveWeight);
  return model;
}

/**
 * Training with positive weight w multiplies the learned odds by w. Subtracting ln(w) from the
 * event head's pre-sigmoid bias divides the odds by w again, so the saved model outputs
 * probabilities on the data's own base rate (ranking metrics are unchanged; Brier improves).
 */
export function correctEventPrior(model: tf.LayersModel, positiveWeight: number): void {
  if (positiveWeight === 1) return;
  const layer = model.getLayer(EVENT_LAYER);
  const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
  const shifted = bias.sub(Math.log(positiveWeight));
  layer.setWeights([kernel, shifted]);
  shifted.dispose();
}

interface BatchLabels {
  event: tf.Tensor1D;
  vol: tf.Tensor1D;
  horizonReturn: tf.Tensor1D;
}

function gatherBatch(split: RiskSplit, idx: readonly number[]): { inputs: tf.Tensor[]; labels: BatchLabels } {
  const { seqLen: l, marketWidth: f, macroWidth: m, sentimentWidth: s } = split;
  const b = idx.length;
  const market = new Float32Array(b * l * f);
  const macro = new Float32Array(b * m);
  const sentiment = new Float32Array(b * s);
  const event = new Float32Array(b);
  const vol = new Float32Array(b);
  const ret = new Float32Array(b);
  idx.forEach((j, i) => {
    market.set(split.market.subarray(j * l * f, (j + 1) * l * f), i * l * f);
    macro.set(split.macro.subarray(j * m, (j + 1) * m), i * m);
    sentiment.set(split.sentiment.subarray(j * s, (j + 1) * s), i * s);
    event[i] = split.event[j] as number;
    vol[i] = split.vol[j] as number;
    ret[i] = split.horizonReturn[j] as number;
  });
  return {
    inputs: [tf.tensor3d(market, [b, l, f]), tf.tensor2d(macro, [b, m]), tf.tensor2d(sentiment, [b, s])],
    labels: { event: tf.tensor1d(event), vol: tf.tensor1d(vol), horizonReturn: tf.tensor1d(ret) },
  };
}

/** Sample-weighted mean of each loss term over a split, in inference mode (no dropout). */
function evaluateLoss(
  model: tf.LayersModel,
  split: RiskSplit,
  parts: (outputs: tf.Tensor[], labels: BatchLabels) => LossParts,
  batchSize = 512,
): Record<keyof LossParts, number> {
  const sums = { event: 0, vol: 0, quantiles: 0 };
  for (let start = 0; start < split.size; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, split.size - start) }, (_, i) => start + i);
    const values = tf.tidy(() => {
      const { inputs, labels } = gatherBatch(split, idx);
      const p = parts(model.predict(inputs) as tf.Tensor[], labels);
      return [p.event, p.vol, p.quantiles].map((t) => t.dataSync()[0] as number);
    });
    sums.event += (values[0] as number) * idx.length;
    sums.vol += (values[1] as number) * idx.length;
    sums.quantiles += (values[2] as number) * idx.length;
  }
  return {
    event: sums.event / split.size,
    vol: sums.vol / split.size,
    quantiles: sums.quantiles / split.size,
  };
}

/** Rescales the gradients when their global L2 norm exceeds clipNorm (call inside tf.tidy). */
function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number): tf.NamedTensorMap {
  const entries = Object.entries(grads);
  const norm = Math.sqrt(entries.reduce((acc, [, g]) => acc + (g.square().sum().dataSync()[0] as number), 0));
  if (!(norm > clipNorm)) return grads;
  return Object.fromEntries(entries.map(([name, g]) => [name, g.mul(clipNorm / norm)]));
}

/** Output biases from the train labels: typical vol, the 5% quantile and the q05 - q01 gap. */
function headInit(train: RiskSplit): { volBias: number; q05Bias: number; gapBias: number } {
  const vol = quantile(train.vol, 0.5);
  const q01 = quantile(train.horizonReturn, 0.01);
  const q05 = quantile(train.horizonReturn, 0.05);
  return {
    volBias: softplusInverse(Math.max(1e-4, vol)),
    q05Bias: q05,
    gapBias: softplusInverse(Math.max(1e-4, q05 - q01)),
  };
}

function quantile(values: Float32Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function std(values: Float32Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length || 1;
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return Math.sqrt(sq / (values.length || 1));
}
