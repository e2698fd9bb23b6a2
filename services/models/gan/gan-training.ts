import * as tf from '@tensorflow/tfjs';
import type { FeatureScaling } from '../../shared/contracts/scaler.js';
import { SeededRandom } from '../training/seeded-random.js';
import type { ProgressCallback } from '../training/training-progress.js';
import { ganColumns } from './gan-columns.js';
import { buildDiscriminator, freeColumns, GanGenerator, type GanSpec } from './gan-model.js';
import { gaussianNoise, unfoldedNoise } from './gan-sampling.js';

/** Real windows to learn from: [size, seqLen, width] row-major with one 0/1 label each. */
export interface GanWindows {
  size: number;
  seqLen: number;
  width: number;
  windows: Float32Array;
  labels: Float32Array;
  /**
   * The scaling of the windows' market features, when known: it names the columns, so the
   * generator can derive ewmaVol from its returns and model the return with GARCH (gan-columns.ts).
   * Without it every column is generated freely.
   */
  scaling?: FeatureScaling;
}

export interface GanTrainingOptions {
  /** Alternating discriminator / generator updates. */
  steps: number;
  batchSize: number;
  learningRate: number;
  noiseDim: number;
  /** K: steps of noise each generated step sees. */
  context: number;
  units: number;
  /**
   * Share of each batch drawn from the positive (risk-event) windows. They are rare (a few %), and
   * the point of the GAN is to synthesise them, so batches oversample them.
   */
  positiveShare: number;
  /** Target for real windows in the discriminator loss (one-sided label smoothing, < 1 steadies it). */
  realTarget: number;
  /** Steps generated and dropped before each sequence (the GARCH and EWMA states settle). */
  burnIn: number;
  /** The ingest's EWMA decay of the return variance (config ingest.ewmaLambda). */
  ewmaLambda: number;
  /**
   * false: every column generated freely, no GARCH (the first version of this GAN; kept as the
   * ablation that docs/retrainer.md compares against).
   */
  structured: boolean;
  seed: number;
}

export const DEFAULT_GAN_TRAINING_OPTIONS: GanTrainingOptions = {
  steps: 400,
  batchSize: 64,
  learningRate: 1e-3,
  noiseDim: 4,
  context: 12,
  units: 32,
  positiveShare: 0.5,
  realTarget: 0.9,
  burnIn: 32,
  ewmaLambda: 0.94,
  structured: true,
  seed: 42,
};

export interface TrainedGan {
  generator: GanGenerator;
  spec: GanSpec;
  /** Losses every 10 steps (and the last). */
  history: { step: number; discriminatorLoss: number; generatorLoss: number }[];
  seconds: number;
}

/**
 * Trains the conditional GAN with the non-saturating losses: the discriminator minimises
 * BCE(D(real), realTarget) + BCE(D(G(z)), 0), the generator BCE(D(G(z)), 1), one Adam step each
 * per batch. Noise and batch draws come from the seeded PRNG (reproducible on one backend). The
 * discriminator is disposed at the end; the caller owns the generator.
 */
export async function trainGan(
  data: GanWindows,
  overrides: Partial<GanTrainingOptions> = {},
  progress: ProgressCallback = () => {},
): Promise<TrainedGan> {
  const options = { ...DEFAULT_GAN_TRAINING_OPTIONS, ...overrides };
  if (data.size === 0) throw new RangeError('the GAN needs real windows to learn from, got none');
  const started = Date.now();
  const spec: GanSpec = {
    seqLen: data.seqLen,
    width: data.width,
    noiseDim: options.noiseDim,
    context: options.context,
    units: options.units,
    columns: options.structured
      ? ganColumns(data, data.scaling ?? null, { ewmaLambda: options.ewmaLambda })
      : freeColumns(data.width),
    burnIn: options.burnIn,
    seed: options.seed,
  };
  const generator = new GanGenerator(spec);
  const discriminator = buildDiscriminator(spec);
  const gOpt = tf.train.adam(options.learningRate, 0.5);
  const dOpt = tf.train.adam(options.learningRate, 0.5);
  const gVars = generator.trainableVariables;
  const dVars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = new SeededRandom(options.seed);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < data.size; i++) ((data.labels[i] as number) > 0.5 ? positives : negatives).push(i);
  const { seqLen: l, width: f } = data;
  const b = options.batchSize;
  const steps = l + options.burnIn;

  progress({
    kind: 'start',
    model: 'gan',
    epochs: 1,
    batchesPerEpoch: options.steps,
    trainSamples: data.size,
    validationSamples: 0,
    details: {
      positives: positives.length,
      units: options.units,
      noiseDim: options.noiseDim,
      steps: options.steps,
    },
  });
  const history: TrainedGan['history'] = [];
  for (let step = 1; step <= options.steps; step++) {
    const windows = new Float32Array(b * l * f);
    const labels = new Float32Array(b * l);
    for (let i = 0; i < b; i++) {
      const fromPositives =
        positives.length > 0 && (negatives.length === 0 || rng.next() < options.positiveShare);
      const pool = fromPositives ? positives : negatives;
      const j = pool[rng.nextInt(pool.length)] as number;
      windows.set(data.windows.subarray(j * l * f, (j + 1) * l * f), i * l * f);
      labels.fill(data.labels[j] as number, i * l, (i + 1) * l);
    }
    const noise = unfoldedNoise(rng, b, steps, options.noiseDim, options.context);
    const shocks = gaussianNoise(rng, b * steps * f);
    const generatorLabels = new Float32Array(b * steps);
    for (let i = 0; i < b; i++) generatorLabels.fill(labels[i * l] as number, i * steps, (i + 1) * steps);
    const [dLoss, gLoss] = tf.tidy(() => {
      const real = tf.tensor2d(windows, [b, l * f]);
      const cond = tf.tensor3d(generatorLabels, [b, steps, 1]);
      const flatCond = tf.tensor2d(firstOfEach(labels, l), [b, 1]);
      const z = tf.tensor3d(noise, [b, steps, options.context * options.noiseDim]);
      const e = tf.tensor3d(shocks, [b, steps, f]);
      const judge = (w: tf.Tensor) =>
        discriminator.apply([w, w.abs(), flatCond], { training: true }) as tf.Tensor;
      const generate = () =>
        generator
          .apply(z, e, cond)
          .slice([0, options.burnIn, 0], [b, l, f])
          .reshape([b, l * f]);
      const d = dOpt.minimize(
        () => {
          const realLogit = judge(real);
          const fakeLogit = judge(generate());
          return tf
            .add(
              tf.losses.sigmoidCrossEntropy(tf.fill([b, 1], options.realTarget), realLogit),
              tf.losses.sigmoidCrossEntropy(tf.zeros([b, 1]), fakeLogit),
            )
            .asScalar();
        },
        true,
        dVars,
      ) as tf.Scalar;
      const g = gOpt.minimize(
        () => {
          const fakeLogit = judge(generate());
          return tf.losses.sigmoidCrossEntropy(tf.ones([b, 1]), fakeLogit).asScalar();
        },
        true,
        gVars,
      ) as tf.Scalar;
      return [d.dataSync()[0] as number, g.dataSync()[0] as number];
    });
    progress({ kind: 'batch', epoch: 1, batch: step, batchesPerEpoch: options.steps, loss: gLoss });
    if (step % 10 === 0 || step === options.steps) {
      history.push({ step, discriminatorLoss: dLoss, generatorLoss: gLoss });
    }
    if (step % 16 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  gOpt.dispose();
  dOpt.dispose();
  discriminator.dispose();
  const seconds = (Date.now() - started) / 1000;
  const last = history.at(-1);
  progress({
    kind: 'done',
    bestEpoch: 1,
    epochsRun: 1,
    bestValidationLoss: last?.generatorLoss ?? Number.NaN,
    elapsedMs: seconds * 1000,
  });
  return { generator, spec, history, seconds };
}

function firstOfEach(values: Float32Array, every: number): Float32Array {
  return Float32Array.from({ length: values.length / every }, (_, i) => values[i * every] as number);
}

/** The market windows and labels of a risk split, as the GAN's training data. */
export function windowsOf(
  split: {
    size: number;
    seqLen: number;
    marketWidth: number;
    market: Float32Array;
    event: Float32Array;
  },
  scaling?: FeatureScaling,
): GanWindows {
  return {
    size: split.size,
    seqLen: split.seqLen,
    width: split.marketWidth,
    windows: split.market,
    labels: split.event,
    ...(scaling ? { scaling } : {}),
  };
}
