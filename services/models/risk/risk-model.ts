import * as tf from '@tensorflow/tfjs';

/** Names of the model's inputs and outputs, in model.inputs / model.outputs order. */
export const RISK_INPUTS = ['market', 'macro', 'sentiment'] as const;
export const RISK_OUTPUTS = ['event', 'vol', 'quantiles'] as const;
/** The quantile head's levels, in output column order. */
export const RISK_QUANTILES = [0.01, 0.05] as const;

export interface RiskModelSpec {
  /** L: bars per sequence. */
  seqLen: number;
  /** F, M, S: widths of the market (per bar), macro and sentiment inputs. */
  marketWidth: number;
  macroWidth: number;
  sentimentWidth: number;
  /** LSTM units of the market tower. */
  lstmUnits: number;
  /** Units of each of the macro and sentiment dense towers. */
  contextUnits: number;
  /** Units of the shared dense layer after the concatenation. */
  denseUnits: number;
  /** Dropout rate after the LSTM and after the shared dense layer. */
  dropout: number;
  /**
   * Dropout rate on the macro and sentiment inputs. These vectors change rarely (monthly
   * releases) and can act as a fingerprint of the period, letting the model memorise
   * period-specific event rates; dropping them out forces it to lean on the market sequence.
   */
  contextDropout: number;
  /** L2 penalty on every trainable kernel. */
  l2: number;
  /** Seeds every initializer and dropout layer (each gets seed + its own offset). */
  seed: number;
  /**
   * Initial output biases from training-set statistics, so training starts from the unconditional
   * answer instead of spending epochs finding the scale of daily returns.
   */
  init?: RiskHeadInit;
}

export interface RiskHeadInit {
  /** Pre-softplus bias of the vol head: softplusInverse(typical realized vol). */
  volBias: number;
  /** Bias of the q05 output: the unconditional 5% quantile of the H-bar return. */
  q05Bias: number;
  /** Pre-softplus bias of the q05 - q01 gap: softplusInverse(unconditional q05 - q01). */
  gapBias: number;
}

export const DEFAULT_RISK_MODEL_SIZE = {
  lstmUnits: 32,
  contextUnits: 8,
  denseUnits: 32,
  dropout: 0.2,
  contextDropout: 0.5,
  l2: 1e-4,
} as const;

/** log(exp(y) - 1): the pre-activation that softplus maps to y (y > 0). */
export function softplusInverse(y: number): number {
  if (!(y > 0)) throw new RangeError(`softplusInverse needs a positive value, got ${y}`);
  return y > 20 ? y : Math.log(Math.expm1(y));
}

/**
 * The multimodal risk model: an LSTM over the market sequence [L, F], dense towers over the macro
 * [M] and sentiment [S] vectors of the last bar, concatenated into a shared dense layer with three
 * heads: event (sigmoid), vol (softplus) and quantiles [q01, q05] where q01 = q05 - softplus(gap)
 * so the two quantiles can never cross. Built only from stock tfjs layers so a saved model loads
 * without custom-layer registration (and converts to other runtimes as is).
 */
export function buildRiskModel(spec: RiskModelSpec): tf.LayersModel {
  for (const key of ['seqLen', 'marketWidth', 'macroWidth', 'sentimentWidth'] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] < 1) {
      throw new RangeError(`risk model ${key} must be an integer >= 1, got ${spec[key]}`);
    }
  }
  let seedOffset = 0;
  const nextSeed = () => spec.seed + 7919 * ++seedOffset;
  const glorot = () => tf.initializers.glorotUniform({ seed: nextSeed() });
  const l2 = () => tf.regularizers.l2({ l2: spec.l2 });

  const market = tf.input({ shape: [spec.seqLen, spec.marketWidth], name: 'market' });
  const macro = tf.input({ shape: [spec.macroWidth], name: 'macro' });
  const sentiment = tf.input({ shape: [spec.sentimentWidth], name: 'sentiment' });

  const lstm = tf.layers
    .lstm({
      units: spec.lstmUnits,
      name: 'market_lstm',
      kernelInitializer: glorot(),
      // glorot instead of the usual orthogonal: tfjs' orthogonal initializer warns on every
      // build above 2000 elements (and runs again on every load) for no benefit at this size.
      recurrentInitializer: glorot(),
      kernelRegularizer: l2(),
      recurrentRegularizer: l2(),
    })
    .apply(market) as tf.SymbolicTensor;
  const lstmOut = tf.layers
    .dropout({ rate: spec.dropout, seed: nextSeed(), name: 'market_dropout' })
    .apply(lstm) as tf.SymbolicTensor;
  const macroOut = tf.layers
    .dense({
      units: spec.contextUnits,
      activation: 'relu',
      name: 'macro_dense',
      kernelInitializer: glorot(),
      kernelRegularizer: l2(),
    })
    .apply(
      tf.layers
        .dropout({ rate: spec.contextDropout, seed: nextSeed(), name: 'macro_dropout' })
        .apply(macro) as tf.SymbolicTensor,
    ) as tf.SymbolicTensor;
  const sentimentOut = tf.layers
    .dense({
      units: spec.contextUnits,
      activation: 'relu',
      name: 'sentiment_dense',
      kernelInitializer: glorot(),
      kernelRegularizer: l2(),
    })
    .apply(
      tf.layers
        .dropout({ rate: spec.contextDropout, seed: nextSeed(), name: 'sentiment_dropout' })
        .apply(sentiment) as tf.SymbolicTensor,
    ) as tf.SymbolicTensor;
  const joined = tf.layers
    .concatenate({ name: 'joined' })
    .apply([lstmOut, macroOut, sentimentOut]) as tf.SymbolicTensor;
  const shared = tf.layers
    .dense({
      units: spec.denseUnits,
      activation: 'relu',
      name: 'shared_dense',
      kernelInitializer: glorot(),
      kernelRegularizer: l2(),
    })
    .apply(joined) as tf.SymbolicTensor;
  const sharedOut = tf.layers
    .dropout({ rate: spec.dropout, seed: nextSeed(), name: 'shared_dropout' })
    .apply(shared) as tf.SymbolicTensor;

  const event = tf.layers
    .dense({ units: 1, activation: 'sigmoid', name: 'event', kernelInitializer: glorot() })
    .apply(sharedOut) as tf.SymbolicTensor;
  const vol = tf.layers
    .dense({
      units: 1,
      activation: 'softplus',
      name: 'vol',
      kernelInitializer: glorot(),
      biasInitializer: tf.initializers.constant({ value: spec.init?.volBias ?? 0 }),
    })
    .apply(sharedOut) as tf.SymbolicTensor;
  const q05 = tf.layers
    .dense({
      units: 1,
      name: 'q05',
      kernelInitializer: glorot(),
      biasInitializer: tf.initializers.constant({ value: spec.init?.q05Bias ?? 0 }),
    })
    .apply(sharedOut) as tf.SymbolicTensor;
  const gap = tf.layers
    .dense({
      units: 1,
      activation: 'softplus',
      name: 'quantile_gap',
      kernelInitializer: glorot(),
      biasInitializer: tf.initializers.constant({ value: spec.init?.gapBias ?? 0 }),
    })
    .apply(sharedOut) as tf.SymbolicTensor;
  // tfjs has no Subtract layer: negate the gap with a frozen 1x1 dense of weight -1.
  const negGap = tf.layers
    .dense({
      units: 1,
      useBias: false,
      trainable: false,
      name: 'quantile_gap_negate',
      kernelInitializer: tf.initializers.constant({ value: -1 }),
    })
    .apply(gap) as tf.SymbolicTensor;
  const q01 = tf.layers.add({ name: 'q01' }).apply([q05, negGap]) as tf.SymbolicTensor;
  const quantiles = tf.layers.concatenate({ name: 'quantiles' }).apply([q01, q05]) as tf.SymbolicTensor;

  return tf.model({
    name: 'risk_model',
    inputs: [market, macro, sentiment],
    outputs: [event, vol, quantiles],
  });
}

/**
 * Gives every dropout layer a fresh seed. A tfjs Dropout layer with a fixed seed draws the same
 * mask on every call; reseeding before each training step from the run's seeded PRNG keeps the
 * masks varying and the run reproducible. The seed is a private field in tfjs' typings, hence the
 * narrow cast.
 */
export function reseedDropout(model: tf.LayersModel, nextSeed: () => number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed: number }).seed = nextSeed();
  }
}

/** Layer name of the event head's dense layer (its bias is shifted after weighted training). */
export const EVENT_LAYER = 'event';
