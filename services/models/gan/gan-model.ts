import * as tf from '@tensorflow/tfjs';
import type { ColumnRole } from './gan-columns.js';
import {
  ewmaVolatility,
  type GarchVariables,
  garchParams,
  garchRecursion,
  initialGarchVariables,
  smoothColumns,
} from './garch-recursion.js';

/**
 * A small conditional GAN over feature sequences of the risk model's window shape [L, F] (the
 * scaled market features), conditioned on the risk-event label. The label enters both networks as
 * one more channel at every step.
 *
 * Both networks are built from dense layers plus one unrolled GARCH(1,1) recursion. Measured on the
 * CPU backend (two shared cores, L = 16, batch 32, 8 units): an LSTM GAN took ~0.33 s per training
 * step (two generator and three discriminator passes with gradients, dominated by tfjs' per-op
 * overhead of a recurrent loop), a 1-D convolutional one ~0.75 s (tfjs' JS convolutions; WASM has
 * no convolution gradient and tfjs 4.22 none of a dilated convolution). The GARCH recursion is a
 * recurrent loop too, but over [B, 1] tensors with ~6 ops per step instead of an LSTM cell's matrix
 * products and gates.
 */
export interface GanSpec {
  /** L of the windows the discriminator judges (the risk model's seqLen). */
  seqLen: number;
  /** F: market features per step. */
  width: number;
  /** Gaussian noise values per step. */
  noiseDim: number;
  /** Steps of noise each output step sees (the dense part's receptive field, K). */
  context: number;
  /** Units of every hidden layer. */
  units: number;
  /** How each column is produced (gan-columns.ts); length F. */
  columns: ColumnRole[];
  /**
   * Steps generated and dropped before every sequence, so the GARCH variance and the EWMA
   * volatility start from their own stationary behaviour rather than from a fixed value.
   */
  burnIn: number;
  seed: number;
}

function checkSpec(spec: GanSpec): void {
  for (const key of ['seqLen', 'width', 'noiseDim', 'context', 'units'] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] < 1) {
      throw new RangeError(`GAN ${key} must be an integer >= 1, got ${spec[key]}`);
    }
  }
  if (!Number.isInteger(spec.burnIn) || spec.burnIn < 0) {
    throw new RangeError(`GAN burnIn must be an integer >= 0, got ${spec.burnIn}`);
  }
  if (spec.columns.length !== spec.width) {
    throw new RangeError(
      `GAN columns must have one role per feature (${spec.width}), got ${spec.columns.length}`,
    );
  }
  if (spec.columns.filter((c) => c.kind === 'garch').length > 1) {
    throw new RangeError('GAN columns: at most one garch (return) column');
  }
  if (spec.columns.some((c) => c.kind === 'ewma') && !spec.columns.some((c) => c.kind === 'garch')) {
    throw new RangeError('GAN columns: an ewma column needs the garch (return) column it is computed from');
  }
}

/** All-free columns: the generator of a spec without feature names. */
export function freeColumns(width: number): ColumnRole[] {
  return Array.from({ length: width }, (): ColumnRole => ({ kind: 'free' }));
}

/**
 * Generator. Step t sees the noise of steps t-K+1..t (given unfolded, [T, K * noiseDim], see
 * unfoldedNoise) and its label; two dense layers give a hidden state h_t. The return column is
 * mu(label) + eps_t with eps_t from a GARCH(1,1) recursion (parameters conditioned on the label)
 * driven by u_t = softplus(m(h_t)) e_t: the recursion carries volatility shocks forward at rate
 * alpha + beta, the noise-driven m_t lets tails be heavier than the Gaussian GARCH's. A free column
 * is mean + softplus(scale) x e_t from a dense head over [h_t, ln sigma_t, |eps_t|] (so ranges and
 * volumes can follow the volatility), exponentially smoothed with a learned rate per column; ewmaVol is computed from the generated returns and constant
 * columns are copied. e_t is a fresh N(0, 1) innovation per feature, so returns stay linearly
 * unpredictable. The time axis is open: trained on L-step windows, it runs on for any length.
 * Inputs: noise [B, T, K * noiseDim], innovation [B, T, F], label [B, T, 1]; output [B, T, F] with
 * T including the burn-in (the caller drops the first spec.burnIn steps).
 */
export class GanGenerator {
  readonly spec: GanSpec;
  private readonly hidden: tf.layers.Layer[];
  private readonly head: tf.layers.Layer;
  private readonly modulation: tf.layers.Layer | null;
  private readonly drift: tf.layers.Layer | null;
  private readonly garch: GarchVariables | null;
  /** Per column, the smoothing of the free columns (smoothColumns), from the real lag-1 acf (clamped to 0.05..0.95). */
  private readonly smoothing: tf.Variable;
  private readonly returnIndex: number;

  constructor(spec: GanSpec) {
    checkSpec(spec);
    this.spec = spec;
    let offset = 0;
    const init = () => tf.initializers.glorotUniform({ seed: spec.seed + 7919 * ++offset });
    const dense = (units: number, name: string, activation?: 'relu') =>
      tf.layers.dense({ units, name, kernelInitializer: init(), ...(activation ? { activation } : {}) });
    this.hidden = [dense(spec.units, 'g_hidden_1', 'relu'), dense(spec.units, 'g_hidden_2', 'relu')];
    this.returnIndex = spec.columns.findIndex((c) => c.kind === 'garch');
    const hasGarch = this.returnIndex >= 0;
    // Free columns' mean and scale.
    this.head = dense(2 * spec.width, 'g_head');
    this.modulation = hasGarch ? dense(1, 'g_modulation') : null;
    this.drift = hasGarch ? dense(1, 'g_drift') : null;
    this.garch = hasGarch ? initialGarchVariables() : null;
    const start = spec.columns.map((c) => {
      const rho = Math.min(0.95, Math.max(0.05, c.kind === 'free' ? (c.persistence ?? 0.05) : 0.05));
      return Math.log(rho / (1 - rho));
    });
    this.smoothing = tf.variable(tf.tensor1d(start), true, 'g_smoothing');
    // Builds every layer's weights, so trainableVariables is complete before the first step.
    tf.tidy(() => {
      this.apply(
        tf.zeros([1, 2, spec.context * spec.noiseDim]),
        tf.zeros([1, 2, spec.width]),
        tf.zeros([1, 2, 1]),
      );
    });
  }

  get trainableVariables(): tf.Variable[] {
    const layers = [
      ...this.hidden,
      this.head,
      ...(this.modulation ? [this.modulation] : []),
      ...(this.drift ? [this.drift] : []),
    ];
    return [
      ...layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable)),
      ...(this.garch ? [this.garch.omega, this.garch.persistence, this.garch.share] : []),
      this.smoothing,
    ];
  }

  /** The learned smoothing rate rho of every column (used by the free ones only). */
  smoothingRates(): number[] {
    return tf.tidy(() => Array.from(tf.sigmoid(this.smoothing).dataSync()));
  }

  /** GARCH parameters for label 0 and 1 (for reports), or null without a return column. */
  garchSummary(): { label: number; omega: number; alpha: number; beta: number }[] | null {
    const garch = this.garch;
    if (garch === null) return null;
    return [0, 1].map((label) =>
      tf.tidy(() => {
        const p = garchParams(garch, tf.tensor2d([[label]]));
        return {
          label,
          omega: p.omega.dataSync()[0] as number,
          alpha: p.alpha.dataSync()[0] as number,
          beta: p.beta.dataSync()[0] as number,
        };
      }),
    );
  }

  apply(noise: tf.Tensor, innovation: tf.Tensor, label: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [b, t] = innovation.shape as [number, number, number];
      let h = tf.concat([noise, label], 2);
      for (const layer of this.hidden) h = layer.apply(h) as tf.Tensor;
      const columns = tf.split(innovation, this.spec.width, 2).map((c) => c.reshape([b, t]));
      let ret: tf.Tensor | null = null;
      let side = h;
      if (this.garch && this.modulation && this.drift) {
        const m = tf.softplus(this.modulation.apply(h) as tf.Tensor).reshape([b, t]);
        const u = m.mul(columns[this.returnIndex] as tf.Tensor);
        const cond = label.slice([0, 0, 0], [b, 1, 1]).reshape([b, 1]);
        const { sigma, eps } = garchRecursion(u, garchParams(this.garch, cond));
        // The drift sees the label only: one driven by the shared noise context would make returns
        // linearly predictable from their neighbours (measured: max |acf(r)| 0.11).
        ret = (this.drift.apply(label) as tf.Tensor).reshape([b, t]).add(eps);
        side = tf.concat([h, sigma.log().reshape([b, t, 1]), eps.abs().reshape([b, t, 1])], 2);
      }
      const head = this.head.apply(side) as tf.Tensor;
      const [mean, rawScale] = tf.split(head, 2, 2) as [tf.Tensor, tf.Tensor];
      const free = smoothColumns(mean.add(tf.softplus(rawScale).mul(innovation)), this.smoothing);
      const freeColumns = tf.split(free, this.spec.width, 2);
      const out = this.spec.columns.map((role, j) => {
        switch (role.kind) {
          case 'garch':
            return (ret as tf.Tensor).reshape([b, t, 1]);
          case 'ewma': {
            const raw = (ret as tf.Tensor).mul(role.returnStd).add(role.returnMean);
            return ewmaVolatility(raw, role.lambda).sub(role.mean).div(role.std).reshape([b, t, 1]);
          }
          case 'constant':
            return tf.fill([b, t, 1], role.value);
          default:
            return freeColumns[j] as tf.Tensor;
        }
      });
      return tf.concat(out, 2);
    });
  }

  dispose(): void {
    for (const l of [...this.hidden, this.head, this.modulation, this.drift]) l?.dispose();
    if (this.garch) for (const v of Object.values(this.garch)) v.dispose();
    this.smoothing.dispose();
  }
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
