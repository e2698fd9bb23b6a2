import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../training/seeded-random.js';
import type { ProgressCallback } from '../training/training-progress.js';
import { type ForecasterSpec, toResidualTargets } from './forecaster-model.js';

export interface ForecasterFitOptions {
  epochs: number;
  batchSize: number;
  /** Adam learning rate, used when the model is compiled here (first fit). */
  learningRate: number;
  /** Seeds the per-epoch shuffles. */
  seed: number;
  /** Batch and epoch progress (training has no validation pass here: validationLoss is NaN). */
  onProgress?: ProgressCallback | undefined;
}

export const DEFAULT_FIT_OPTIONS: ForecasterFitOptions = {
  epochs: 10,
  batchSize: 64,
  learningRate: 0.005,
  seed: 1,
};

/** Training windows: inputs [n, L, F_in] and next-row targets [n, F_out], scaled. */
export interface ForecastSamples {
  count: number;
  inputs: Float32Array;
  targets: Float32Array;
}

/**
 * Compiles with Adam and the Huber loss (delta 1, in scaled units) unless already compiled (a
 * refit keeps its optimizer state). Huber bounds each sample's gradient, so the anomalies that
 * are bound to be in an unlabelled training history cannot dominate the fit.
 */
export function ensureCompiled(model: tf.LayersModel, options: ForecasterFitOptions): void {
  if (model.optimizer) return;
  model.compile({
    optimizer: tf.train.adam(options.learningRate),
    loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.huberLoss(yTrue, yPred),
  });
}

/**
 * Minibatch training on the samples, reshuffled each epoch with a seeded permutation (tfjs'
 * own shuffle uses Math.random; runs must be reproducible). Residual targets are derived here.
 * Returns the mean training loss per epoch.
 */
export async function fitForecaster(
  model: tf.LayersModel,
  spec: ForecasterSpec,
  samples: ForecastSamples,
  options: ForecasterFitOptions,
): Promise<number[]> {
  const fin = spec.inputFeatures.length;
  const fout = spec.targetFeatures.length;
  const rowSize = spec.seqLen * fin;
  const n = samples.count;
  if (n === 0) return [];
  const targets = samples.targets.slice(0, n * fout);
  toResidualTargets(spec, samples.inputs, targets, n);
  ensureCompiled(model, options);
  const rng = new SeededRandom(options.seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const batchSize = Math.max(1, Math.min(options.batchSize, n));
  const xb = new Float32Array(batchSize * rowSize);
  const yb = new Float32Array(batchSize * fout);
  const losses: number[] = [];
  const batchesPerEpoch = Math.ceil(n / batchSize);
  const started = Date.now();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    rng.shuffle(order);
    let sum = 0;
    let batches = 0;
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      gatherMinibatch(order, start, size, { inputs: samples.inputs, targets, rowSize, fout }, xb, yb);
      const x = tf.tensor3d(xb.subarray(0, size * rowSize), [size, spec.seqLen, fin]);
      const y = tf.tensor2d(yb.subarray(0, size * fout), [size, fout]);
      try {
        const result = await model.trainOnBatch(x, y);
        const loss = Array.isArray(result) ? (result[0] as number) : result;
        sum += loss;
        batches++;
        options.onProgress?.({ kind: 'batch', epoch: epoch + 1, batch: batches, batchesPerEpoch, loss });
      } finally {
        x.dispose();
        y.dispose();
      }
    }
    losses.push(sum / Math.max(1, batches));
    options.onProgress?.({
      kind: 'epoch',
      epoch: epoch + 1,
      epochs: options.epochs,
      trainLoss: losses[epoch] as number,
      validationLoss: Number.NaN,
      validationParts: {},
      improved: false,
      elapsedMs: Date.now() - started,
    });
  }
  return losses;
}

/**
 * Copies the windows order[start .. start + size) and their targets into the minibatch buffers.
 * Both forecaster engines (tfjs here, forecaster-cpu-training.ts) draw their minibatches through
 * it, so they see the same samples in the same order.
 */
export function gatherMinibatch(
  order: readonly number[],
  start: number,
  size: number,
  data: { inputs: Float32Array; targets: Float32Array; rowSize: number; fout: number },
  xb: Float32Array,
  yb: Float32Array,
): void {
  const { inputs, targets, rowSize, fout } = data;
  for (let b = 0; b < size; b++) {
    const i = order[start + b] as number;
    xb.set(inputs.subarray(i * rowSize, (i + 1) * rowSize), b * rowSize);
    yb.set(targets.subarray(i * fout, (i + 1) * fout), b * fout);
  }
}
