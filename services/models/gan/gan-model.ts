import * as tf from '@tensorflow/tfjs';

/**
 * A small conditional GAN over feature sequences of the risk model's window shape [L, F] (the
 * scaled market features), conditioned on the risk-event label. The label enters both networks as
 * one more channel at every step, so a generator can also be asked for a path whose condition
 * changes along it.
 *
 * Both networks are built from dense layers only. Measured on the CPU backend (two shared cores,
 * L = 16, batch 32, 8 units): an LSTM GAN took ~0.33 s per training step (two generator and three
 * discriminator passes with gradients, dominated by tfjs' per-op overhead of a recurrent loop), a
 * 1-D convolutional one ~0.75 s (tfjs' JS convolutions; WASM has no convolution gradient and
 * tfjs 4.22 none of a dilated convolution). Dense layers over a sliding noise context do the work
 * of a convolutional generator with a handful of matrix products.
 */
export interface GanSpec {
  /** L of the windows the discriminator judges (the risk model's seqLen). */
  seqLen: number;
  /** F: market features per step. */
  width: number;
  /** Gaussian noise values per step. */
  noiseDim: number;
  /** Steps of noise each output step sees (the generator's receptive field, K). */
  context: number;
  /** Units of every hidden layer. */
  units: number;
  seed: number;
}

function checkSpec(spec: GanSpec): void {
  for (const key of ['seqLen', 'width', 'noiseDim', 'context', 'units'] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] < 1) {
      throw new RangeError(`GAN ${key} must be an integer >= 1, got ${spec[key]}`);
    }
  }
}

/**
 * Generator: step t sees the noise of steps t-K+1..t (given unfolded, [T, K * noiseDim], see
 * unfoldedNoise) and its label; two dense layers give a hidden state h_t, and the output is
 * mean(h_t) + softplus(scale(h_t)) * e_t with e_t a fresh N(0, 1) innovation per feature. Steps
 * less than K apart share noise, so their scales are alike and large moves cluster (a GARCH-like
 * bias built in), while e_t keeps consecutive values from being linearly predictable. The time
 * axis is open (null): trained on L-step windows, it runs on for a path of any length.
 * Inputs: noise [T, K * noiseDim], innovation [T, F], label [T, 1]; output [T, F].
 */
export function buildGenerator(spec: GanSpec): tf.LayersModel {
  checkSpec(spec);
  let offset = 0;
  const init = () => tf.initializers.glorotUniform({ seed: spec.seed + 7919 * ++offset });
  const noise = tf.input({ shape: [null, spec.context * spec.noiseDim], name: 'noise' });
  const innovation = tf.input({ shape: [null, spec.width], name: 'innovation' });
  const label = tf.input({ shape: [null, 1], name: 'label' });
  let h = tf.layers.concatenate({ name: 'g_joined' }).apply([noise, label]) as tf.SymbolicTensor;
  for (const name of ['g_hidden_1', 'g_hidden_2']) {
    h = tf.layers
      .dense({ units: spec.units, activation: 'relu', name, kernelInitializer: init() })
      .apply(h) as tf.SymbolicTensor;
  }
  const mean = tf.layers
    .dense({ units: spec.width, name: 'g_mean', kernelInitializer: init() })
    .apply(h) as tf.SymbolicTensor;
  const scale = tf.layers
    .dense({ units: spec.width, activation: 'softplus', name: 'g_scale', kernelInitializer: init() })
    .apply(h) as tf.SymbolicTensor;
  const shock = tf.layers.multiply({ name: 'g_shock' }).apply([scale, innovation]) as tf.SymbolicTensor;
  const out = tf.layers.add({ name: 'g_out' }).apply([mean, shock]) as tf.SymbolicTensor;
  return tf.model({ name: 'gan_generator', inputs: [noise, innovation, label], outputs: out });
}

/**
 * Discriminator: the flattened window, its absolute values (so clustering of large moves is
 * visible to a small network) and the label -> two dense layers -> one logit (real vs synthetic).
 * Inputs: window [L * F], magnitude [L * F], label [1].
 */
export function buildDiscriminator(spec: GanSpec): tf.LayersModel {
  checkSpec(spec);
  let offset = 100;
  const init = () => tf.initializers.glorotUniform({ seed: spec.seed + 7919 * ++offset });
  const n = spec.seqLen * spec.width;
  const window = tf.input({ shape: [n], name: 'window' });
  const magnitude = tf.input({ shape: [n], name: 'magnitude' });
  const label = tf.input({ shape: [1], name: 'label' });
  let h = tf.layers.concatenate({ name: 'd_joined' }).apply([window, magnitude, label]) as tf.SymbolicTensor;
  for (const name of ['d_hidden_1', 'd_hidden_2']) {
    h = tf.layers
      .dense({ units: 2 * spec.units, activation: 'relu', name, kernelInitializer: init() })
      .apply(h) as tf.SymbolicTensor;
  }
  const logit = tf.layers
    .dense({ units: 1, name: 'd_logit', kernelInitializer: init() })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ name: 'gan_discriminator', inputs: [window, magnitude, label], outputs: logit });
}
